"""Settings declared once, typed: the ``Settings`` dataclass below is the one declaration.

Every tunable number of the method and every server/store option is one field
of ``Settings``: its annotation is its type, its ``_setting(...)`` its default,
help text, group and bounds. ``resolve()`` merges defaults, ``SUMMIT_<NAME>``
environment variables and explicit overrides (CLI flags), rejects unknown names
with a hint, converts and range-checks values, and returns a frozen
``Settings``; code reads ``settings.batch_size`` (an ``int`` to the type
checker too). ``SETTINGS`` (name, default, type, help, bounds per setting) is
derived from the fields; the README's settings table is generated from it
(``summit settings --markdown``) and a test checks that it is up to date.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summit.errors import BadInput


@dataclass(frozen=True)
class Setting:
    """One setting as the CLI, the environment and the docs see it."""

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


def _setting(
    default: Any, help: str, group: str, *, minimum: float | None = None, maximum: float | None = None,
    choices: tuple[str, ...] | None = None,
) -> Any:
    """A field of ``Settings``: its default plus what the CLI, the environment and the docs need."""
    meta = {"help": help, "group": group, "minimum": minimum, "maximum": maximum, "choices": choices}
    return dataclasses.field(default=default, metadata=meta)


# --- graph-stage profiles: each a named set of the graph_* settings (METHOD.md 4, docs/method.md) ---
GRAPH_PROFILES: dict[str, dict[str, Any]] = {
    # The rules that produced Summit's published graphs (attribution-graph.ipynb at its March 2019
    # release: A_prob_threshold 0.01, unified_threshold False, prob_mass_initial 0.1).
    "summit": {"graph_counts": "activation", "graph_nodes": "influence", "graph_cut": "layer",
               "graph_threshold": "strict", "graph_relax": "pair", "graph_prune": "summit",
               "graph_mass": 0.1, "graph_mass_step": 0.005},
    # The notebook's final flags (August 2019): A_prob_threshold 0.03, unified_threshold True,
    # prob_mass_initial 0.075.
    "summit-unified": {"graph_counts": "graph", "graph_nodes": "influence", "graph_cut": "unified",
                       "graph_threshold": "strict", "graph_relax": "pair", "graph_prune": "summit",
                       "graph_mass": 0.075, "graph_mass_step": 0.005},
    # This project's own rules (the default: the widest held-out margin over the most active
    # neurons in both directions of the imagenet-val-1300 / imagenet-samples-1000 split, docs/method.md).
    "explorer": {"graph_counts": "activation", "graph_nodes": "all", "graph_cut": "layer",
                 "graph_threshold": "count", "graph_relax": "layer", "graph_prune": "none",
                 "graph_mass": 0.075, "graph_mass_step": 0.005},
}
DEFAULT_GRAPH_METHOD = "explorer"
GRAPH_RULES: tuple[str, ...] = tuple(GRAPH_PROFILES[DEFAULT_GRAPH_METHOD])


def _profile_default(name: str) -> Any:
    return GRAPH_PROFILES[DEFAULT_GRAPH_METHOD][name]


@dataclass(frozen=True)
class Settings:
    """Every setting with its value: immutable, validated, typed."""

    # --- method (METHOD.md); recorded in the artifact manifest -------------
    activation_mode: str = _setting(
        'mass', "How channels are selected per image: 'mass' or 'topk'.", 'method', choices=('mass', 'topk'))
    activation_mass: float = _setting(
        0.01, 'Cumulative share of normalised activation selected per image.', 'method', minimum=0.0,
        maximum=1.0)
    activation_topk: int = _setting(10, "Channels selected per image in 'topk' mode.", 'method', minimum=1)
    graph_activation_mass: float = _setting(
        0.03, "Cumulative activation share per image for the graph stage's counts (Summit's final notebook: "
        "3 %), recorded in the same pass as activation_mass.", 'method', minimum=0.0, maximum=1.0)
    exclude_channels: tuple[str, ...] = _setting(
        (), 'Neuron ids never selected (comma-separated), besides the known outliers.', 'method')
    exclude_outliers: bool = _setting(
        True, "Also exclude the model's known outlier channels (Summit's five of InceptionV1; none for "
        "other models).", 'method')
    influence: str = _setting(
        'auto', "Influence rule: 'auto' (conv rules, gradient fallback), 'grad', or 'none'.", 'method',
        choices=('auto', 'grad', 'none'))
    influence_topk: int = _setting(5, 'Inputs kept per output channel per image.', 'method', minimum=1)
    influence_targets: int = _setting(
        8, 'Output channels per image for the gradient fallback.', 'method', minimum=1)
    examples_per_neuron: int = _setting(10, 'Dataset example patches kept per neuron.', 'method', minimum=0)
    umap_neighbors: int = _setting(15, 'UMAP neighbours for the class embedding.', 'method', minimum=2)
    umap_min_dist: float = _setting(0.1, 'UMAP min_dist for the class embedding.', 'method', minimum=0.0)
    seed: int = _setting(
        0, 'Random seed (UMAP, feature visualisation, random ablations).', 'method', minimum=0)
    similar_per_class: int = _setting(
        20, 'Most similar classes stored per class and layer.', 'method', minimum=1)
    group_min_cosine: float = _setting(
        0.5, "Suggested groups: neurons of a layer are grouped while the mean cosine of their class-graph "
        "edge profiles stays at least this.", 'method', minimum=0.0, maximum=1.0)
    group_max_size: int = _setting(8, 'Suggested groups: most neurons in one group.', 'method', minimum=2)
    # --- graph stage (METHOD.md 4); ``graph_method`` picks a profile of the rest -
    graph_method: str = _setting(
        DEFAULT_GRAPH_METHOD, "Rules of the class graphs, a named profile of the graph_* settings below: "
        "'summit' (Summit's published graphs: A at activation_mass, per-layer cuts from 10 %), "
        "'summit-unified' (its notebook's final flags: A at graph_activation_mass, one cut over the graph "
        "from 7.5 %) or 'explorer' (this project's own: all neurons in PageRank, per-layer cuts from 7.5 %, "
        "only the invalid layer relaxed, no pruning). docs/method.md compares them.", 'graphs',
        choices=tuple(GRAPH_PROFILES))
    graph_counts: str = _setting(
        _profile_default("graph_counts"), "Activation counts behind personalisation and node counts: "
        "'activation' (A at activation_mass) or 'graph' (A at graph_activation_mass).", 'graphs',
        choices=("activation", "graph"))
    graph_nodes: str = _setting(
        _profile_default("graph_nodes"), "Nodes of a class's PageRank graph: 'influence' (only neurons with "
        "an influence edge of the class, as Summit) or 'all' (every neuron).", 'graphs',
        choices=("influence", "all"))
    graph_cut: str = _setting(
        _profile_default("graph_cut"), "PageRank mass cut: 'layer' (one cut per layer) or 'unified' (one cut "
        "over the whole graph).", 'graphs', choices=("layer", "unified"))
    graph_threshold: str = _setting(
        _profile_default("graph_threshold"), "Which nodes a cut keeps: 'strict' (PageRank strictly above the "
        "first value not added, as Summit) or 'count' (exactly the nodes added).", 'graphs',
        choices=("strict", "count"))
    graph_relax: str = _setting(
        _profile_default("graph_relax"), "Per-layer cuts, a layer with no kept edge to the layer below: "
        "'pair' (Summit: raise its mass and the lower layer's, recut everything, repeat) or 'layer' (raise "
        "only its own mass, layers bottom-up).", 'graphs', choices=("pair", "layer"))
    graph_prune: str = _setting(
        _profile_default("graph_prune"), "The graph written: 'summit' (higher nodes need a neighbour below; "
        "edges need their lower end to reach further down, one step) or 'none' (all kept nodes and the "
        "edges between them).", 'graphs', choices=("summit", "none"))
    graph_mass: float = _setting(
        _profile_default("graph_mass"), "Starting share of PageRank mass a cut keeps.", 'graphs',
        minimum=0.0, maximum=1.0)
    graph_mass_step: float = _setting(
        _profile_default("graph_mass_step"), 'Mass increase per relaxation round.', 'graphs', minimum=0.0,
        maximum=1.0)
    damping: float = _setting(0.85, 'PageRank damping factor.', 'graphs', minimum=0.0, maximum=1.0)
    pagerank_iterations: int = _setting(100, 'PageRank power iterations at most.', 'graphs', minimum=1)
    # --- ingest run ---------------------------------------------------------
    batch_size: int = _setting(32, 'Images per forward pass.', 'ingest', minimum=1)
    workers: int = _setting(2, 'Data-loading worker processes.', 'ingest', minimum=0)
    device: str = _setting('auto', "Torch device: 'auto', 'cpu', 'cuda', 'cuda:N'.", 'ingest')
    counts_device: str = _setting(
        "auto", "Where the sparse influence counts live: 'device' (the run's device), 'cpu' (host memory: "
        "slower, for GPUs too small for a full-ImageNet run) or 'auto' (the device, moved to host memory "
        "when less than a quarter of the GPU's memory is left).", "ingest", choices=("auto", "device", "cpu"))
    influence_kernel: str = _setting(
        'auto', "How the one-hop influence rule is computed: 'torch' (per-pair maps, then torch.topk), "
        "'triton' (fused kernels that never write the per-pair maps; a CUDA device, or TRITON_INTERPRET=1 on "
        "the CPU for checks) or 'auto' (triton on a CUDA device when the triton package is installed, else "
        "torch). Same counts either way.", 'ingest', choices=('auto', 'torch', 'triton'))
    decode: str = _setting(
        'cpu', "Where images are decoded, resized and cropped: 'cpu' (PIL in the loader workers), 'gpu' "
        "(JPEGs by torchvision's decode_jpeg on the CUDA device, batched; resize, crop and normalisation on the "
        "device; the loader workers only read files) or 'auto' (gpu on a CUDA device when the model uses the "
        "standard resize-crop-normalise preprocessing, else cpu).", 'ingest', choices=('auto', 'cpu', 'gpu'))
    checkpoint_every: int = _setting(
        2048, 'Images between atomic checkpoints of the accumulators.', 'ingest', minimum=1)
    # --- feature visualisation ---------------------------------------------
    featurevis_steps: int = _setting(
        512, 'Optimisation steps per feature visualisation.', 'featurevis', minimum=1)
    featurevis_size: int = _setting(
        128, 'Feature visualisation image size in pixels.', 'featurevis', minimum=16)
    featurevis_batch: int = _setting(16, 'Neurons optimised together in one batch.', 'featurevis', minimum=1)
    featurevis_lr: float = _setting(
        0.05, 'Adam learning rate for feature visualisation.', 'featurevis', minimum=0.0)
    featurevis_variants: int = _setting(
        0, 'Extra diverse images per neuron (0 = none).', 'featurevis', minimum=0)
    featurevis_diversity: float = _setting(
        1.0, "Weight of the diversity term between a neuron's variants.", 'featurevis', minimum=0.0)
    # --- faithfulness -------------------------------------------------------
    faithfulness_seeds: int = _setting(
        3, 'Random-ablation control runs per class.', 'faithfulness', minimum=1)
    # --- stores -------------------------------------------------------------
    store: str = _setting(
        'embedded', "Graph store: 'embedded' (LadybugDB) or 'neo4j'.", 'store', choices=('embedded', 'neo4j'))
    embedded_path: str = _setting('', "Embedded store path (default: the user's data directory).", 'store')
    neo4j_uri: str = _setting('', 'Neo4j Bolt URI, e.g. bolt://localhost:7687.', 'store')
    neo4j_user: str = _setting('neo4j', 'Neo4j user name.', 'store')
    neo4j_password_env: str = _setting(
        'NEO4J_PASSWORD', 'Name of the environment variable that holds the Neo4j password.', 'store')
    neo4j_password_file: str = _setting(
        '', 'File holding the Neo4j password (instead of the env var).', 'store')
    neo4j_database: str = _setting('neo4j', 'Neo4j database name.', 'store')
    load_batch: int = _setting(20000, 'Rows per transaction when loading a store.', 'store', minimum=1)
    # --- server -------------------------------------------------------------
    host: str = _setting('127.0.0.1', 'Address the server listens on.', 'server')
    port: int = _setting(8765, 'Port the server listens on.', 'server', minimum=0, maximum=65535)
    media_root: str = _setting(
        '', "Folder served under /media (default: the loaded artifacts' media).", 'server')
    cors_origins: tuple[str, ...] = _setting(
        (), 'Allowed CORS origins (comma-separated); empty = CORS off.', 'server')
    dev: bool = _setting(False, 'Development mode: GraphiQL on GET /graphql.', 'server')
    max_depth: int = _setting(10, 'Maximum GraphQL query depth.', 'server', minimum=1)
    max_tokens: int = _setting(2000, 'Maximum GraphQL tokens per query.', 'server', minimum=10)
    max_aliases: int = _setting(15, 'Maximum GraphQL aliases per query.', 'server', minimum=1)
    max_results: int = _setting(5000, 'Maximum items in one list result.', 'server', minimum=1)
    max_hops: int = _setting(4, 'Maximum hops for neighbourhood queries.', 'server', minimum=1)
    max_paths: int = _setting(20, 'Maximum K for path queries.', 'server', minimum=1)
    request_timeout: float = _setting(10.0, 'Per-request timeout in seconds.', 'server', minimum=0.1)
    response_cache: int = _setting(
        4096, "GraphQL responses kept in memory (read-only data; dropped when a model is (re)loaded); 0 "
        "= off.", 'server', minimum=0)
    image_graphs: bool = _setting(
        False, "Compute one image's attribution graph on request: loads each model's network from its "
        "artifact (torch) when the server starts.", 'server')
    allow_upload: bool = _setting(
        False, "Accept uploaded JPEG/PNG images for image graphs (kept in memory only; implies "
        "image_graphs).", 'server')
    upload_max_bytes: int = _setting(
        8 * 1024 * 1024, 'Largest uploaded image in bytes.', 'server', minimum=1024, maximum=64 * 1024 * 1024)
    image_root: str = _setting(
        '', "Folder holding the dataset images of image graphs (default: the dataset root each artifact's "
        "manifest records).", 'server')
    warm_up: bool = _setting(
        True, "At start, remember every class's graph and every neuron's picture in the background so "
        "first views of a class answer as fast as later ones.", 'server')
    wait_warm_up: bool = _setting(
        False, 'Keep the port closed until the warm-up has remembered every class graph and picture (ready '
        'when it opens).', 'server')
    # --- access (a server shared by a team) ---------------------------------
    token_file: str = _setting(
        '', 'File holding the access token: GraphQL, media and the web app then need it (header or a '
        'session cookie from a one-time link, `summit share`).', 'access')
    token_env: str = _setting(
        'SUMMIT_TOKEN', 'Name of the environment variable holding the access token (when no token_file).',
        'access')
    public: bool = _setting(
        False, 'Serve a non-loopback address without a token (a read-only public demo; rate limits apply).',
        'access')
    allowed_hosts: tuple[str, ...] = _setting(
        (), "Host names the server answers to besides localhost, 127.0.0.1 and [::1], e.g. the name "
        "teammates use (comma-separated; '*.example.org' matches subdomains).", 'access')
    link_hours: float = _setting(
        24.0, 'Hours a one-time access link (summit share) stays valid.', 'access', minimum=0.01)
    rate_limit: float = _setting(
        20.0, 'GraphQL requests per second per client address (sustained) on a shared server (a token, '
        '--public, or a non-loopback address; a loopback server without a token has no rate limit); 0 = no '
        'limit.', 'access',
        minimum=0.0)
    rate_burst: int = _setting(
        60, 'GraphQL requests a client address may send in a burst above rate_limit.', 'access', minimum=1)
    heavy_per_client: int = _setting(
        2, 'Requests with heavy queries (paths, neighbourhoods, comparisons, image graphs) one client address '
        'may run at once; more get 429.',
        'access', minimum=1)
    heavy_cost: int = _setting(
        10, "Requests of a client's rate_limit budget that one request with heavy queries costs.", 'access',
        minimum=1)
    heavy_workers: int = _setting(
        2, 'Threads for heavy queries; other requests use their own threads and never wait for these.',
        'access', minimum=1)

    def __post_init__(self) -> None:
        for setting in SETTINGS:
            value = setting.convert(getattr(self, setting.name), f"Settings({setting.name}=...)")
            object.__setattr__(self, setting.name, value)

    def group(self, name: str) -> dict[str, Any]:
        """The settings of one group (e.g. ``"method"`` for the manifest)."""
        return {s.name: getattr(self, s.name) for s in SETTINGS if s.group == name}

    def graph_rules(self) -> dict[str, Any]:
        """The graph-stage rules in force (the ``GRAPH_RULES`` settings)."""
        return {name: getattr(self, name) for name in GRAPH_RULES}

    def graph_rules_changed(self) -> dict[str, Any]:
        """Rules that differ from the ``graph_method`` profile (set one by one on top of it)."""
        profile = GRAPH_PROFILES[self.graph_method]
        return {k: v for k, v in self.graph_rules().items() if v != profile[k]}

    def replace(self, **overrides: Any) -> Settings:
        """A copy with ``overrides`` applied (converted and checked like CLI flags)."""
        return resolve(overrides, base=self, environ={})


def _declared() -> tuple[Setting, ...]:
    hints = typing.get_type_hints(Settings)
    out = []
    for f in dataclasses.fields(Settings):
        hint = hints[f.name]
        kind = typing.get_origin(hint) or hint
        out.append(Setting(f.name, f.default, kind, f.metadata["help"], f.metadata["group"],
                           f.metadata["minimum"], f.metadata["maximum"], f.metadata["choices"]))
    return tuple(out)


SETTINGS: tuple[Setting, ...] = _declared()
SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
SETTING_GROUPS: tuple[str, ...] = tuple(dict.fromkeys(s.group for s in SETTINGS))
# Environment variables that hold secrets by default (named by a ``*_env`` setting): not settings.
SECRET_ENV_VARS: frozenset[str] = frozenset(
    str(s.default) for s in SETTINGS if s.name.endswith("_env") and str(s.default).startswith("SUMMIT_"))


def user_data_dir() -> Path:
    """Where Summit keeps its data by default: ``$XDG_DATA_HOME/summit`` (``~/.local/share/summit``).

    The embedded store's default path and the demo's artifacts live under it.
    """
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "summit"


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
    """Defaults (or ``base``) < ``SUMMIT_*`` env vars < ``overrides`` (None values ignored).

    ``graph_method`` names a profile (``GRAPH_PROFILES``): when it is given (env var or
    override), or when starting from the defaults, its rules replace the graph_* values that
    were not themselves given, so ``--graph-method summit --graph-mass 0.2`` is Summit's rules
    with one change. Starting from ``base`` without a new ``graph_method``, base's rules stay.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    given: set[str] = set()
    for setting in SETTINGS:
        values[setting.name] = getattr(base, setting.name) if base is not None else setting.default
    for key, raw in env.items():
        if not key.startswith("SUMMIT_") or key in SECRET_ENV_VARS:
            continue
        name = key[len("SUMMIT_"):].lower()
        if name not in SETTINGS_BY_NAME:
            raise BadInput(f"environment variable {key}: " + unknown_setting_message(name))
        values[name] = SETTINGS_BY_NAME[name].convert(raw, f"environment variable {key}")
        given.add(name)
    for name, raw in (overrides or {}).items():
        if raw is None:
            continue
        if name not in SETTINGS_BY_NAME:
            raise BadInput(unknown_setting_message(name))
        values[name] = SETTINGS_BY_NAME[name].convert(raw, f"option --{name.replace('_', '-')}")
        given.add(name)
    if base is None or "graph_method" in given:
        for name, value in GRAPH_PROFILES[values["graph_method"]].items():
            if name not in given:
                values[name] = value
    return Settings(**values)


def markdown_table() -> str:
    """The README's settings table, generated from ``SETTINGS``."""
    lines = ["| setting | env var | default | group | meaning |", "| --- | --- | --- | --- | --- |"]
    for s in SETTINGS:
        default = ",".join(s.default) if isinstance(s.default, tuple) else s.default
        lines.append(f"| `{s.name}` | `{s.env_var}` | `{default!s}` | {s.group} | {s.help} |")
    return "\n".join(lines)
