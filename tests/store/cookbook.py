"""The Cypher cookbook (docs/cypher) as Neo4j Browser scripts: a ``:param`` block, then one statement.

Every file and every ```cypher block of README.md and docs/cypher/README.md must paste into
Neo4j Browser and run as it is, so parameters are set the way Browser evaluates on the server
(``:param name => literal;``: integers stay integers) and each line of the block ends with ``;``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
COOKBOOK = REPO / "docs" / "cypher"
READMES = (REPO / "README.md", COOKBOOK / "README.md")

_PARAM = re.compile(r"^:param\s+(\w+)\s*=>\s*(.+?)\s*;\s*$")
_STRING = re.compile(r"^'((?:[^'\\]|\\.)*)'$")
_FENCE = re.compile(r"^```cypher\n(.*?)^```", re.S | re.M)


@dataclass
class Script:
    """One pasteable snippet: where it comes from, its parameters (name -> value) and its statement."""

    name: str
    text: str
    params: dict[str, Any] = field(default_factory=dict)
    statement: str = ""

    def with_params(self, values: dict[str, Any]) -> str:
        """The snippet with some parameter values replaced (same block form), to paste against another model."""
        lines = []
        for line in self.text.splitlines():
            m = _PARAM.match(line)
            if m and m.group(1) in values:
                line = f":param {m.group(1)} => {literal(values[m.group(1)])};"
            lines.append(line)
        return "\n".join(lines) + "\n"


def literal(value: Any) -> str:
    """A Cypher literal for a parameter value (strings single-quoted, integers as integers, lists of them)."""
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"cookbook parameters are integers, strings or lists of them, not {value!r}")
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _value(text: str) -> Any:
    m = _STRING.match(text)
    if m:
        return re.sub(r"\\(.)", r"\1", m.group(1))
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if text.startswith("["):  # a list of such literals; Cypher's list syntax is Python's here
        value = ast.literal_eval(text)
        if literal(value) == text:
            return value
        raise ValueError(f"parameter literal {text!r} is not written as `[a, b]` with single-quoted strings")
    raise ValueError(f"parameter literal {text!r} is neither an integer, a quoted string nor a list of them")


def parse(name: str, text: str) -> Script:
    """Split a snippet into its parameter block and its one statement (comments kept, final ';' dropped)."""
    script = Script(name, text)
    body: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(":param"):
            m = _PARAM.match(stripped)
            if not m:
                raise ValueError(f"{name}: {line!r} is not `:param name => literal;`")
            script.params[m.group(1)] = _value(m.group(2))
        elif stripped.startswith(":"):
            raise ValueError(f"{name}: only :param lines may be Browser commands, not {line!r}")
        else:
            body.append(line)
    statement = "\n".join(body).strip()
    if statement.endswith(";"):
        statement = statement[:-1].rstrip()
    if ";" in re.sub(r"'(?:[^'\\]|\\.)*'|//.*", "", statement):
        raise ValueError(f"{name}: one statement per snippet")
    script.statement = statement
    return script


def sources() -> list[tuple[str, str]]:
    """(name, text) of every docs/cypher/*.cypher file and every ```cypher block of the READMEs."""
    out = [(p.name, p.read_text()) for p in sorted(COOKBOOK.glob("*.cypher"))]
    for readme in READMES:
        for i, m in enumerate(_FENCE.finditer(readme.read_text())):
            out.append((f"{readme.relative_to(REPO)}#{i + 1}", m.group(1)))
    return out


def files() -> list[Script]:
    """Every docs/cypher/*.cypher file."""
    return [parse(p.name, p.read_text()) for p in sorted(COOKBOOK.glob("*.cypher"))]


def readme_snippets() -> list[Script]:
    """Every ```cypher block of README.md and docs/cypher/README.md."""
    return [parse(name, text) for name, text in sources() if "#" in name]


def load(name: str) -> Script:
    return parse(name, (COOKBOOK / f"{name}.cypher").read_text())
