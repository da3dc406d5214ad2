"""Settings declared once: name, default, type, help, bounds.

Every tunable number of the method and every server/store option is declared
here exactly once. ``resolve()`` merges defaults, ``SUMMIT_<NAME>`` environment
variables and explicit overrides (CLI flags), rejects unknown names with a hint,
converts and range-checks values, and returns an immutable ``Settings``.
The README's settings table is generated from ``SETTINGS`` (``summit settings
--markdown``) and a test checks that it is up to date.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from summit.errors import BadInput


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    type: type
    help: str
    group: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None

    @property
    def env_var(self) -> str:
        return "SUMMIT_" + self.name.upper()

    def convert(self, raw: Any, source: str) -> Any:
        """Convert ``raw`` (from ``source``) to this setting's type and check bounds."""
        try:
            value = _convert(self.type, raw)
        except (TypeError, ValueError):
            raise BadInput(
                f"setting {self.name!r} from {source}: {raw!r} is not a valid "
                f"{self.type.__name__} ({self.help})"
            ) from None
        if self.choices is not None and value not in self.choices:
            raise BadInput(
                f"setting {self.name!r} from {source}: {value!r} is not one of "
                f"{', '.join(self.choices)}"
            )
        if self.minimum is not None and value < self.minimum:
            raise BadInput(f"setting {self.name!r} from {source}: {value} < minimum {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise BadInput(f"setting {self.name!r} from {source}: {value} > maximum {self.maximum}")
        return value


def _convert(kind: type, raw: Any) -> Any:
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ValueError(raw)
    if kind is int:
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            raise ValueError(raw)
        return int(raw)
    if kind is float:
        if isinstance(raw, bool):
            raise ValueError(raw)
        return float(raw)
    if kind is tuple:
        if isinstance(raw, str):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        return tuple(str(part) for part in raw)
    return kind(raw)


_S = Setting
SETTINGS: tuple[Setting, ...] = (
    # --- method (METHOD.md); recorded in the artifact manifest -------------
    _S("activation_mode", "mass", str, "How channels are selected per image: 'mass' or 'topk'.",
       "method", choices=("mass", "topk")),
    _S("activation_mass", 0.01, float, "Cumulative share of normalised activation selected per image.",
       "method", minimum=0.0, maximum=1.0),
    _S("activation_topk", 10, int, "Channels selected per image in 'topk' mode.", "method", minimum=1),
    _S("exclude_channels", (), tuple, "Neuron ids never selected (comma-separated).", "method"),
    _S("influence", "auto", str, "Influence rule: 'auto' (conv rules, gradient fallback), 'grad', or 'none'.",
       "method", choices=("auto", "grad", "none")),
    _S("influence_topk", 5, int, "Inputs kept per output channel per image.", "method", minimum=1),
    _S("influence_targets", 8, int, "Output channels per image for the gradient fallback.", "method", minimum=1),
    _S("examples_per_neuron", 10, int, "Dataset example patches kept per neuron.", "method", minimum=0),
    _S("damping", 0.85, float, "PageRank damping factor.", "method", minimum=0.0, maximum=1.0),
    _S("pagerank_iterations", 100, int, "PageRank power iterations.", "method", minimum=1),
    _S("graph_mass", 0.075, float, "Share of a layer's PageRank mass kept in a class graph.",
       "method", minimum=0.0, maximum=1.0),
    _S("graph_mass_step", 0.005, float, "Threshold increase when a layer keeps no connected neuron.",
       "method", minimum=0.0, maximum=1.0),
    _S("umap_neighbors", 15, int, "UMAP neighbours for the class embedding.", "method", minimum=2),
    _S("umap_min_dist", 0.1, float, "UMAP min_dist for the class embedding.", "method", minimum=0.0),
    _S("seed", 0, int, "Random seed (UMAP, feature visualisation, random ablations).", "method", minimum=0),
    _S("similar_per_class", 20, int, "Most similar classes stored per class and layer.", "method", minimum=1),
    # --- ingest run ---------------------------------------------------------
    _S("batch_size", 32, int, "Images per forward pass.", "ingest", minimum=1),
    _S("workers", 2, int, "Data-loading worker processes.", "ingest", minimum=0),
    _S("device", "auto", str, "Torch device: 'auto', 'cpu', 'cuda', 'cuda:N'.", "ingest"),
    _S("counts_device", "auto", str, "Where the sparse influence counts live: 'device' (the run's device), "
       "'cpu' (host memory: slower, for GPUs too small for a full-ImageNet run) or 'auto' (the device, moved "
       "to host memory when less than a quarter of the GPU's memory is left).", "ingest",
       choices=("auto", "device", "cpu")),
    _S("checkpoint_every", 2048, int, "Images between atomic checkpoints of the accumulators.",
       "ingest", minimum=1),
    # --- feature visualisation ---------------------------------------------
    _S("featurevis_steps", 512, int, "Optimisation steps per feature visualisation.", "featurevis", minimum=1),
    _S("featurevis_size", 128, int, "Feature visualisation image size in pixels.", "featurevis", minimum=16),
    _S("featurevis_batch", 16, int, "Neurons optimised together in one batch.", "featurevis", minimum=1),
    _S("featurevis_lr", 0.05, float, "Adam learning rate for feature visualisation.", "featurevis", minimum=0.0),
    _S("featurevis_variants", 0, int, "Extra diverse images per neuron (0 = none).", "featurevis", minimum=0),
    _S("featurevis_diversity", 1.0, float, "Weight of the diversity term between a neuron's variants.",
       "featurevis", minimum=0.0),
    # --- faithfulness -------------------------------------------------------
    _S("faithfulness_seeds", 3, int, "Random-ablation control runs per class.", "faithfulness", minimum=1),
    # --- stores -------------------------------------------------------------
    _S("store", "embedded", str, "Graph store: 'embedded' (LadybugDB) or 'neo4j'.", "store",
       choices=("embedded", "neo4j")),
    _S("embedded_path", "", str, "Embedded store path (default: the user's data directory).", "store"),
    _S("neo4j_uri", "", str, "Neo4j Bolt URI, e.g. bolt://localhost:7687.", "store"),
    _S("neo4j_user", "neo4j", str, "Neo4j user name.", "store"),
    _S("neo4j_password_env", "NEO4J_PASSWORD", str,
       "Name of the environment variable that holds the Neo4j password.", "store"),
    _S("neo4j_password_file", "", str, "File holding the Neo4j password (instead of the env var).", "store"),
    _S("neo4j_database", "neo4j", str, "Neo4j database name.", "store"),
    _S("load_batch", 20000, int, "Rows per transaction when loading a store.", "store", minimum=1),
    # --- server -------------------------------------------------------------
    _S("host", "127.0.0.1", str, "Address the server listens on.", "server"),
    _S("port", 8765, int, "Port the server listens on.", "server", minimum=0, maximum=65535),
    _S("media_root", "", str, "Folder served under /media (default: the loaded artifacts' media).", "server"),
    _S("cors_origins", (), tuple, "Allowed CORS origins (comma-separated); empty = CORS off.", "server"),
    _S("dev", False, bool, "Development mode: GraphiQL on GET /graphql.", "server"),
    _S("max_depth", 10, int, "Maximum GraphQL query depth.", "server", minimum=1),
    _S("max_tokens", 2000, int, "Maximum GraphQL tokens per query.", "server", minimum=10),
    _S("max_aliases", 15, int, "Maximum GraphQL aliases per query.", "server", minimum=1),
    _S("max_results", 5000, int, "Maximum items in one list result.", "server", minimum=1),
    _S("max_hops", 4, int, "Maximum hops for neighbourhood queries.", "server", minimum=1),
    _S("max_paths", 20, int, "Maximum K for path queries.", "server", minimum=1),
    _S("request_timeout", 10.0, float, "Per-request timeout in seconds.", "server", minimum=0.1),
    _S("response_cache", 4096, int, "GraphQL responses kept in memory (read-only data; dropped when a model "
       "is (re)loaded); 0 = off.", "server", minimum=0),
    _S("warm_up", True, bool, "At start, remember every class's graph and every neuron's picture in the "
       "background so first views of a class answer as fast as later ones.", "server"),
)

SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


class Settings(Mapping[str, Any]):
    """An immutable, validated mapping of every setting to its value."""

    def __init__(self, values: Mapping[str, Any]):
        self._values = dict(values)

    def __getitem__(self, key: str) -> Any:
        if key not in self._values:
            raise BadInput(unknown_setting_message(key))
        return self._values[key]

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        return self[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def group(self, name: str) -> dict[str, Any]:
        """The settings of one group (e.g. ``"method"`` for the manifest)."""
        return {s.name: self._values[s.name] for s in SETTINGS if s.group == name}

    def replace(self, **overrides: Any) -> Settings:
        return resolve(overrides, base=self, environ={})


def unknown_setting_message(name: str) -> str:
    hint = difflib.get_close_matches(name, SETTINGS_BY_NAME, n=1)
    suffix = f"; did you mean {hint[0]!r}?" if hint else ""
    return f"unknown setting {name!r}{suffix}"


def resolve(
    overrides: Mapping[str, Any] | None = None,
    *,
    base: Settings | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Defaults (or ``base``) < ``SUMMIT_*`` env vars < ``overrides`` (None values ignored)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        values[setting.name] = base[setting.name] if base is not None else setting.default
    for key, raw in env.items():
        if not key.startswith("SUMMIT_"):
            continue
        name = key[len("SUMMIT_"):].lower()
        if name not in SETTINGS_BY_NAME:
            raise BadInput(f"environment variable {key}: " + unknown_setting_message(name))
        values[name] = SETTINGS_BY_NAME[name].convert(raw, f"environment variable {key}")
    for name, raw in (overrides or {}).items():
        if raw is None:
            continue
        if name not in SETTINGS_BY_NAME:
            raise BadInput(unknown_setting_message(name))
        values[name] = SETTINGS_BY_NAME[name].convert(raw, f"option --{name.replace('_', '-')}")
    return Settings(values)


def markdown_table() -> str:
    """The README's settings table, generated from ``SETTINGS``."""
    lines = ["| setting | env var | default | group | meaning |", "| --- | --- | --- | --- | --- |"]
    for s in SETTINGS:
        default = ",".join(s.default) if isinstance(s.default, tuple) else s.default
        lines.append(f"| `{s.name}` | `{s.env_var}` | `{default!s}` | {s.group} | {s.help} |")
    return "\n".join(lines)
