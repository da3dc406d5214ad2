"""Neo4j Browser as a client: every Cypher snippet of the docs pastes into the real Browser and runs.

The Browser is the one ``scripts/neo4j.sh`` serves (``TEST_NEO4J_BROWSER``), driven in headless
Chromium by ``web/scripts/neo4j-browser.mjs`` (playwright-core) the way a person uses it: log in
with the connect form, paste each docs/cypher file and each ```cypher block of the READMEs with
its ``:param`` block (values set to the tiny test model's), run it, then check that every
statement succeeded, that the parameters arrived as integers and strings, and that the statement
alone returns rows. The class picture must show exactly the class's graph with Browser's default
settings, and the GraSS style file must colour graph nodes by layer.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.store import cookbook

pytestmark = pytest.mark.neo4j

DRIVER = cookbook.REPO / "web" / "scripts" / "neo4j-browser.mjs"
STYLE = cookbook.COOKBOOK / "summit.grass"
# Parameter values for the tiny artifact (tests/store/tiny.py); the model id is the loaded one.
TINY = {"class": 0, "a": 0, "b": 1, "neuron": "conv2:0", "src": "conv1:0", "dst": "fc:0", "layer": "conv1",
        "text": "gold", "k": 5, "limit": 10, "min_weight": 0, "neurons": ["conv1:1"],
        "edges": [["conv1:1", "conv2:1"]]}


def cypher_type(value: Any) -> str:
    """What Cypher's valueType() says of a parameter value (the cookbook's: integers, strings, lists)."""
    if isinstance(value, list):
        inner = {cypher_type(v) for v in value}
        return f"LIST<{inner.pop() if len(inner) == 1 else 'NOTHING' if not inner else 'ANY'}> NOT NULL"
    return "INTEGER NOT NULL" if isinstance(value, int) else "STRING NOT NULL"


def browser_url() -> str:
    url = os.environ.get("TEST_NEO4J_BROWSER")
    if not url:
        pytest.fail('TEST_NEO4J_BROWSER is not set: eval "$(scripts/neo4j.sh env)" (or run scripts/test.sh)',
                    pytrace=False)
    return url


def run_browser(steps: list[dict[str, Any]], password: str, tmp: Path) -> dict[str, Any]:
    """Run the driver once over ``steps``; its JSON result."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: run scripts/setup.sh", pytrace=False)
    if not (cookbook.REPO / "web" / "node_modules" / "playwright-core").is_dir():
        pytest.fail("web/node_modules lacks playwright-core: run scripts/setup.sh", pytrace=False)
    spec, out = tmp / "spec.json", tmp / "out.json"
    spec.write_text(json.dumps({"url": browser_url(), "user": "neo4j", "steps": steps}))
    env = {**os.environ, "NEO4J_BROWSER_PASSWORD": password}
    proc = subprocess.run([node, str(DRIVER), str(spec), str(out)], cwd=DRIVER.parent.parent, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    assert (proc.returncode, out.exists()) == (0, True), f"driver failed:\n{proc.stdout}\n{proc.stderr}"
    result: dict[str, Any] = json.loads(out.read_text())
    keep = cookbook.REPO / ".cache" / "test-results"  # what Browser showed, for a failure's post-mortem
    keep.mkdir(parents=True, exist_ok=True)
    (keep / "neo4j-browser.json").write_text(json.dumps(result, indent=1))
    assert not result["page_errors"], result["page_errors"]
    return result


def steps_for(script: cookbook.Script, model: str) -> list[dict[str, Any]]:
    """Paste the whole snippet; probe its parameters' types; run its statement alone and read the result."""
    values = {name: (model if name == "model" else TINY[name]) for name in script.params}
    steps = [{"name": f"{script.name}:paste", "read": "frame", "paste": script.with_params(values)}]
    if script.params:
        probe = ", ".join(f"valueType(${name}) AS `{name}`" for name in script.params)
        steps.append({"name": f"{script.name}:types", "read": "table", "paste": f"RETURN {probe}"})
    steps.append({"name": f"{script.name}:rows", "read": "rows", "paste": script.statement})
    return steps


@pytest.fixture(scope="module")
def browser_run(neo4j_tiny: tuple[Any, str], neo4j_auth: Any,
                tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    store, model = neo4j_tiny
    scripts = [*cookbook.files(), *cookbook.readme_snippets()]
    steps = [step for script in scripts for step in steps_for(script, model)]
    picture = cookbook.load("class_graph_picture")
    steps.append({"name": "style", "read": "command", "paste": ":style " + STYLE.read_text()})
    steps.append({"name": "styled-picture", "read": "rows", "paste": picture.statement, "colours": True})
    steps.append({"name": "style-reset", "read": "command", "paste": ":style reset"})
    store.set_note(model, "neuron", "conv2:0", [], "a note")  # for notes.cypher to return
    try:
        result = run_browser(steps, neo4j_auth.password, tmp_path_factory.mktemp("browser"))
    finally:
        store.delete_note(model, "neuron", "conv2:0")
    result["by_name"] = {s["name"]: s for s in result["steps"]}
    result["store"], result["model"] = store, model
    return result


def test_neo4j_advertises_the_bolt_port_it_listens_on(neo4j_auth: Any) -> None:
    """scripts/neo4j.sh sets the advertised addresses: Browser reads them from the discovery document."""
    import urllib.request

    parts = urlsplit(browser_url())
    with urllib.request.urlopen(f"{parts.scheme}://{parts.netloc}/", timeout=10) as response:
        discovery = json.load(response)
    assert urlsplit(discovery["bolt_direct"]).netloc == urlsplit(neo4j_auth.uri).netloc


def test_browser_prefills_the_bolt_port_neo4j_listens_on(browser_run: dict[str, Any], neo4j_auth: Any) -> None:
    assert browser_run["bolt_prefill"] == urlsplit(neo4j_auth.uri).netloc


@pytest.mark.parametrize("name", [n for n, _ in cookbook.sources()])
def test_snippet_pastes_and_returns_rows(browser_run: dict[str, Any], name: str) -> None:
    steps = browser_run["by_name"]
    pasted = steps[f"{name}:paste"]
    assert pasted["ok"], pasted["error"]
    script = next(s for s in (*cookbook.files(), *cookbook.readme_snippets()) if s.name == name)
    assert pasted["statuses"] == ["success"] * (len(script.params) + 1)
    if script.params:
        types = steps[f"{name}:types"]
        assert types["ok"], types["error"]
        header, row = types["table"][0][1:], types["table"][1][1:]
        expected = {p: f'"{cypher_type(v)}"' for p, v in script.params.items()}
        assert dict(zip(header, row, strict=True)) == expected
    rows = steps[f"{name}:rows"]
    assert rows["ok"], rows["error"]
    assert (rows["records"] or 0) > 0 or (rows["nodes"] or 0) > 0, rows["status_text"]


def test_class_picture_is_exactly_the_class_graph(browser_run: dict[str, Any]) -> None:
    graph = browser_run["store"].class_graph(browser_run["model"], TINY["class"])
    drawn = browser_run["by_name"]["class_graph_picture.cypher:rows"]
    # Browser's default "connect result nodes" is on: nothing beyond the graph's own edges is drawn
    assert (drawn["nodes"], drawn["relationships"]) == (len(graph.nodes), len(graph.edges)) == (5, 5)


def test_style_file_colours_graph_nodes_by_layer(browser_run: dict[str, Any]) -> None:
    assert browser_run["by_name"]["style"]["ok"], browser_run["by_name"]["style"]["error"]
    colours = dict(re.findall(r"node\.(Depth\d+) \{\s*color: (#[0-9A-F]{6});", STYLE.read_text()))
    assert len(set(colours.values())) == len(colours) >= 24
    styled = browser_run["by_name"]["styled-picture"]
    assert styled["ok"], styled["error"]
    graph = browser_run["store"].class_graph(browser_run["model"], TINY["class"])
    layer = {n.neuron.id: n.neuron.layer_index for n in graph.nodes}
    assert {c["caption"]: c["fill"].upper() for c in styled["colours"]} == {
        neuron: colours[f"Depth{index:02d}"] for neuron, index in layer.items()}
    assert browser_run["by_name"]["style-reset"]["ok"]
