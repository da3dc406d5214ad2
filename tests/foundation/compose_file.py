"""docker-compose.yml checked without Docker or Go: interpolation, the compose-spec schema, canonical form.

The same steps as ``docker compose config`` (compose-go): ``${VAR}`` interpolation
with the Compose rules (``:-``/``-`` defaults, ``:?``/``?`` required, ``:+``/``+``
alternatives, ``$$`` for a literal ``$``), validation against the vendored
compose-spec JSON schema (``compose_spec/``), then the short syntaxes the tests
look at (ports, volumes, environment, depends_on, build) in their long form, as
``docker compose config --format json`` prints them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA = Path(__file__).with_name("compose_spec") / "compose-spec.json"

_VARIABLE = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[_a-zA-Z][_a-zA-Z0-9]*))")
_BRACED = re.compile(r"^(?P<name>[_a-zA-Z][_a-zA-Z0-9]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?$", re.DOTALL)


class ComposeError(ValueError):
    """The compose file cannot be interpolated or does not fit the schema."""


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """``value`` with every ``$VAR``/``${VAR...}`` in its strings replaced (recursively)."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["named"]:
            return env.get(match["named"], "")
        braced = _BRACED.match(match["braced"])
        if braced is None:
            raise ComposeError(f"invalid interpolation format for {match[0]!r}")
        name, op, arg = braced["name"], braced["op"], interpolate(braced["arg"] or "", env)
        current = env.get(name)
        empty_counts = op is not None and op.startswith(":")  # ":-" etc. treat "" like unset
        present = current is not None and (current != "" or not empty_counts)
        if op is None:
            return current or ""
        if op.endswith("-"):
            return current if present else arg  # type: ignore[return-value]
        if op.endswith("+"):
            return arg if present else ""
        if not present:
            raise ComposeError(f"required variable {name} is missing a value" + (f": {arg}" if arg else ""))
        return current  # type: ignore[return-value]

    return _VARIABLE.sub(substitute, value)


def validate(config: Mapping[str, Any]) -> None:
    """Raise ComposeError naming every place where ``config`` breaks the compose-spec schema."""
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        raise ComposeError("; ".join(f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
                                     for e in errors))


def _port(spec: Any) -> dict[str, Any]:
    if isinstance(spec, dict):
        return spec
    text, _, protocol = str(spec).partition("/")
    parts = text.rsplit(":", 2)
    target = parts[-1]
    published = parts[-2] if len(parts) >= 2 else None
    out: dict[str, Any] = {"mode": "ingress", "target": int(target), "protocol": protocol or "tcp"}
    if published:
        out["published"] = published
    if len(parts) == 3:
        out["host_ip"] = parts[0]
    return out


def _volume(spec: Any, named: set[str]) -> dict[str, Any]:
    if isinstance(spec, dict):
        return spec
    source, _, rest = str(spec).partition(":")
    if not rest:
        return {"type": "volume", "target": source}
    target = rest.split(":", 1)[0]
    kind = "volume" if source in named else "bind"
    return {"type": kind, "source": source, "target": target}


def _environment(spec: Any) -> dict[str, str | None]:
    if isinstance(spec, dict):
        return {k: None if v is None else str(v) for k, v in spec.items()}
    out: dict[str, str | None] = {}
    for item in spec or []:
        key, eq, value = str(item).partition("=")
        out[key] = value if eq else None
    return out


def canonical(config: Mapping[str, Any]) -> dict[str, Any]:
    """The long form of the service fields Summit's tests read (as ``docker compose config`` prints them)."""
    out = dict(config)
    named = set((config.get("volumes") or {}).keys())
    services = {}
    for name, service in (config.get("services") or {}).items():
        service = dict(service)
        if "ports" in service:
            service["ports"] = [_port(p) for p in service["ports"]]
        if "volumes" in service:
            service["volumes"] = [_volume(v, named) for v in service["volumes"]]
        if "environment" in service:
            service["environment"] = _environment(service["environment"])
        if isinstance(service.get("depends_on"), list):
            service["depends_on"] = {d: {"condition": "service_started", "required": True}
                                     for d in service["depends_on"]}
        if isinstance(service.get("build"), str):
            service["build"] = {"context": service["build"]}
        if isinstance(service.get("build"), dict):
            service["build"] = {"dockerfile": "Dockerfile", **service["build"]}
        services[name] = service
    out["services"] = services
    return out


def load(path: Path, env: Mapping[str, str]) -> dict[str, Any]:
    """Read, interpolate, validate and canonicalise the compose file at ``path``."""
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ComposeError(f"{path.name} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ComposeError(f"{path.name} must hold a mapping at the top")
    config = interpolate(raw, env)
    validate(config)
    return canonical(config)
