"""A stand-in for the web app's build where tests need its ``queries.json`` (server/prerender.py) but
run without ``npm run build``: the documents are read from web/src/lib/api/queries.ts."""

from __future__ import annotations

import json
import re
from pathlib import Path

from summit.server.prerender import QUERIES_FILE

QUERIES_TS = Path(__file__).resolve().parents[2] / "web" / "src" / "lib" / "api" / "queries.ts"


def web_app_documents() -> dict[str, str]:
    """Every exported string constant of queries.ts (``export const NAME = `...`;`` or ``"...";``), with
    ``${PART}`` replaced as JavaScript does: what the web app's build writes to queries.json (its
    ``ALL_QUERIES``). A constant this reader cannot expand raises KeyError."""
    constants: dict[str, str] = {}
    exported: list[str] = []
    for found in re.finditer(r"^(export )?const (\w+) = ([`\"])(.*?)\3;", QUERIES_TS.read_text(), re.S | re.M):
        text = found.group(4)
        if found.group(3) == "`":  # a template literal: its ${NAME} parts
            text = re.sub(r"\$\{(\w+)\}", lambda ref: constants[ref.group(1)], text)
        constants[found.group(2)] = text
        if found.group(1):
            exported.append(found.group(2))
    return {name: constants[name] for name in exported}


def built(web_dir: Path) -> Path:
    """``web_dir`` with the queries.json of a build of today's web app."""
    (web_dir / QUERIES_FILE).write_text(json.dumps(web_app_documents()))
    return web_dir
