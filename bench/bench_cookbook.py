"""Benchmark: every Cypher cookbook query (docs/cypher) on a loaded model, and the path and
neighbourhood queries from many start neurons, against Neo4j over Bolt.

    .venv/bin/python bench/bench_cookbook.py [--model efficientnet_lite0-demo] [--reps 5]
        [--sweep-class 323] [--sweep 0] [--neo4j bolt://127.0.0.1:7687 --password-env TEST_NEO4J_PASSWORD]

1. Runs each docs/cypher file and each ```cypher block of the READMEs with its own parameter
   block (the demo's values) ``--reps`` times; prints rows and the median/max time in ms.
2. Sweep: runs paths_to_last_layer, paths_between (to the strongest graph neuron of the layer
   below the last) and neighbourhood from every neuron of ``--sweep-class`` (``--sweep N``: N
   neurons), checks each answer against the Summit server's (the store's
   ``paths`` / ``neighbourhood``), and prints p50/p95/max ms and how many took over 2 s
   (``--sweep N``: every neuron of the first layer, whose paths are the longest, and N more at random).
   ``--files a,b`` times only those files (e.g. the two for Summit's published graphs, loaded as
   ``inceptionv1-summit``: ``--model inceptionv1-summit --files shared_neurons_per_layer,classes_sharing_neuron
   --no-sweep``).

``--pictures`` instead takes the docs' Neo4j Browser pictures in headless Chromium: the schema and
the class graph with Browser's default settings, then the class graph with summit.grass.

The demo model must be loaded (``summit demo --no-serve --neo4j URI --password-env VAR``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.store import cookbook  # noqa: E402  (the cookbook parser the tests use)

TARGET_S = 2.0


def timed(store: Any, statement: str, params: dict[str, Any]) -> tuple[float, list[dict[str, Any]]]:
    start = time.perf_counter()
    rows = store._rows(statement, params)
    return time.perf_counter() - start, rows


def bench_files(store: Any, reps: int, only: set[str]) -> None:
    print(f"| query | rows | median ms | max ms |  ({reps} runs each, after one warm-up run)")
    print("| --- | --- | --- | --- |")
    for script in [*cookbook.files(), *cookbook.readme_snippets()]:
        if only and script.name.removesuffix(".cypher") not in only:
            continue
        timed(store, script.statement, script.params)
        times, rows = [], []
        for _ in range(reps):
            seconds, rows = timed(store, script.statement, script.params)
            times.append(seconds * 1000)
        print(f"| `{script.name}` | {len(rows)} | {statistics.median(times):.0f} | {max(times):.0f} |", flush=True)


def sweep(store: Any, model: str, cls: int, count: int, seed: int) -> None:
    neurons = [r["id"] for r in store._rows(
        "MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(l:Load) "
        "MATCH (n:Neuron {load: l.id})<-[:OF_NEURON]-(:InfluenceNode {class: $class}) "
        "RETURN n.id AS id ORDER BY n.layer_index, n.channel", {"model": model, "class": cls})]
    last = max(n.layer_index for n in store.neurons(model, neurons))
    if count:  # every neuron of the first layer (the longest paths) and ``count`` more at random
        layer_of = {n.id: n.layer_index for n in store.neurons(model, neurons)}
        first = [n for n in neurons if layer_of[n] == 0]
        rest = [n for n in neurons if layer_of[n] > 0]
        random.Random(seed).shuffle(rest)
        neurons = sorted(first + rest[:count], key=lambda n: (layer_of[n], n))
    graph = store.class_graph(model, cls)
    dst = next(n.neuron.id for n in sorted(graph.nodes, key=lambda n: -n.pagerank) if n.neuron.layer_index == last - 1)
    scripts = {name: cookbook.load(name) for name in ("paths_to_last_layer", "paths_between", "neighbourhood")}
    times: dict[str, list[float]] = {name: [] for name in scripts}
    slowest: dict[str, tuple[float, str]] = dict.fromkeys(scripts, (0.0, ""))
    wrong: list[str] = []
    for neuron in neurons:
        layer = store.neurons(model, [neuron])[0].layer_index
        runs = {"neighbourhood": {"neuron": neuron}, "paths_to_last_layer": {"src": neuron}}
        if layer < last - 1:
            runs["paths_between"] = {"src": neuron, "dst": dst}
        for name, extra in runs.items():
            script = scripts[name]
            params = {**script.params, "model": model, "class": cls, **extra}
            seconds, rows = timed(store, script.statement, params)
            times[name].append(seconds)
            slowest[name] = max(slowest[name], (seconds, neuron))
            if name == "neighbourhood":
                edges = sorted(store.neighbourhood(model, cls, neuron, hops=2).edges, key=lambda e: (-e.weight, e.src, e.dst))
                expected = [(e.src, e.dst, e.weight) for e in edges[:params["limit"]]]
                got = [(r["src"], r["dst"], r["weight"]) for r in rows]
            else:
                paths = store.paths(model, cls, neuron, extra.get("dst"), k=params["k"], mode="sum")
                expected = [(p.neurons, p.weights, p.score) for p in paths]
                got = [(tuple(r["neurons"]), tuple(r["weights"]), float(r["score"])) for r in rows]
            if got != expected:
                wrong.append(f"{name} from {neuron}")
    print(f"\nsweep: class {cls}, {len(neurons)} start neurons, paths_between to {dst}")
    print("| query | runs | p50 ms | p95 ms | max ms (from) | over 2 s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, values in times.items():
        values.sort()
        p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
        over = sum(v > TARGET_S for v in values)
        print(f"| `{name}` | {len(values)} | {statistics.median(values) * 1000:.0f} | {p95 * 1000:.0f} | "
              f"{slowest[name][0] * 1000:.0f} ({slowest[name][1]}) | {over} |")
    print(f"answers equal to the server's: {sum(map(len, times.values())) - len(wrong)} of "
          f"{sum(map(len, times.values()))}" + (f"; different: {wrong[:10]}" if wrong else ""))


def pictures(args: argparse.Namespace) -> None:
    """The Browser pictures of the docs, taken in headless Chromium with Browser's default settings."""
    import json
    import shutil
    import subprocess
    import tempfile
    from urllib.parse import urlsplit

    url = os.environ.get("TEST_NEO4J_BROWSER") or f"http://{urlsplit(args.neo4j).hostname}:7474/browser/"
    picture = next(s for s in cookbook.readme_snippets() if s.name == "README.md#1")  # the class picture
    schema = next(s for s in cookbook.readme_snippets() if s.name == "docs/cypher/README.md#1")
    style = ":style " + (cookbook.COOKBOOK / "summit.grass").read_text()
    shot = {"read": "rows", "settle_ms": 8000, "fullscreen": True}
    runs = [  # each in a fresh Browser, as a new user sees it: default settings and colours
        [{"name": "schema", "paste": schema.statement, "screenshot": str(REPO / "docs" / "cypher" / "schema.png"),
          **shot}],
        [{"name": "params", "read": "frame", "paste": picture.with_params({"model": args.model})},
         {"name": "class graph", "paste": picture.statement,
          "screenshot": str(REPO / "docs" / "screenshot-browser.png"), **shot},
         {"name": "style", "read": "command", "paste": style},
         {"name": "styled class graph", "paste": picture.statement,
          "screenshot": str(REPO / "docs" / "cypher" / "class-graph-styled.png"), **shot}],
    ]
    for steps in runs:
        with tempfile.TemporaryDirectory() as tmp:
            spec, out = Path(tmp) / "spec.json", Path(tmp) / "out.json"
            spec.write_text(json.dumps({"url": url, "user": args.user, "steps": steps, "width": 1280, "height": 900}))
            env = {**os.environ, "NEO4J_BROWSER_PASSWORD": os.environ[args.password_env]}
            subprocess.run([shutil.which("node") or "node", str(REPO / "web" / "scripts" / "neo4j-browser.mjs"),
                            str(spec), str(out)], cwd=REPO / "web", env=env, check=True)
            for step in json.loads(out.read_text())["steps"]:
                print(f"{step['name']}: ok={step['ok']} {step.get('nodes')} nodes, {step.get('relationships')} "
                      f"relationships {step.get('error') or ''}")

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="efficientnet_lite0-demo")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--sweep-class", type=int, default=323)
    parser.add_argument("--sweep", type=int, default=0,
                        help="start neurons for the sweep: the first layer's and N more at random (0 = every neuron)")
    parser.add_argument("--no-sweep", action="store_true")
    parser.add_argument("--files", default="",
                        help="only these cookbook files (comma-separated stems, e.g. shared_neurons_per_layer)")
    parser.add_argument("--pictures", action="store_true",
                        help="only take the docs' Browser pictures (docs/screenshot-browser.png, docs/cypher/*.png)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--neo4j", default=os.environ.get("TEST_NEO4J_URI", "bolt://127.0.0.1:7687"))
    parser.add_argument("--user", default=os.environ.get("TEST_NEO4J_USER", "neo4j"))
    parser.add_argument("--password-env", default="TEST_NEO4J_PASSWORD")
    args = parser.parse_args()
    if args.pictures:
        pictures(args)
        return 0
    from summit.store.neo4j_store import Neo4jStore, read_password

    store = Neo4jStore(args.neo4j, args.user, read_password(args.password_env))
    try:
        store.model(args.model)
        print(f"{args.model} in Neo4j {args.neo4j}, {time.strftime('%Y-%m-%d %H:%M')}, load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        bench_files(store, args.reps, {f for f in args.files.split(",") if f})
        if not args.no_sweep:
            sweep(store, args.model, args.sweep_class, args.sweep, args.seed)
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
