"""The graph schema, defined once for both stores (DESIGN.md, contract 2).

Labels, relationship types and their properties live here, together with the
Neo4j constraint/index statements and the LadybugDB (embedded) table DDL, so
the loaders, the stores, the bulk CSV writer and the Cypher cookbook agree.

Models live side by side. Every load of an artifact gets a fresh *load id*;
``(:Model {id, active_load})`` points at the load that queries see. Reloading
a model writes a new load, flips the pointer in one statement and deletes the
old load afterwards, so a reader never sees half a model.

* Neo4j: every node carries ``load`` and a unique ``key`` = ``<load>|<natural id>``
  (``Neuron.key = <load>|<neuron id>``, ``Class.key = <load>|<class index>``).
* Embedded: each load has its own node/relationship tables, named
  ``<Label>_<load>``, so dropping an old load is a cheap ``DROP TABLE``
  (row-by-row deletion of tens of millions of edges is slow in LadybugDB).

``ClassInfluence`` nodes hold each class's influence edges as one packed byte
array (``edges``, see ``summit.store.common.pack_edges``) and its activation
counts of every neuron (``counts``, int64 by neuron ordinal): paths and
neighbourhoods read one node instead of expanding thousands of relationships. The ``INFLUENCES``
relationships stay for Cypher users (the cookbook in ``docs/cypher``).
"""

from __future__ import annotations

import re

from summit.errors import BadInput

# --- labels -----------------------------------------------------------------
MODEL = "Model"
LOAD = "Load"
CLASS = "Class"
LAYER = "Layer"
NEURON = "Neuron"
EXAMPLE = "Example"
POINT = "Point"  # one class in one layer's 2-D embedding
CLASS_INFLUENCE = "ClassInfluence"
SUGGESTED_GROUP = "SuggestedGroup"  # neurons of one layer whose class-graph edges are alike
NOTE = "Note"  # a user's note on a neuron or group; per model, not per load (survives reloads)

# --- relationship types: name -> (from label, to label) ---------------------
IN_LAYER = "IN_LAYER"
ACTIVATES = "ACTIVATES"
INFLUENCES = "INFLUENCES"
HAS_NODE = "HAS_NODE"
GRAPH_EDGE = "GRAPH_EDGE"
SIMILAR = "SIMILAR"
HAS_EXAMPLE = "HAS_EXAMPLE"
IN_GROUP = "IN_GROUP"

RELATIONSHIPS: dict[str, tuple[str, str]] = {
    IN_LAYER: (NEURON, LAYER),
    ACTIVATES: (CLASS, NEURON),
    INFLUENCES: (NEURON, NEURON),
    HAS_NODE: (CLASS, NEURON),
    GRAPH_EDGE: (NEURON, NEURON),
    SIMILAR: (CLASS, CLASS),
    HAS_EXAMPLE: (NEURON, EXAMPLE),
    IN_GROUP: (NEURON, SUGGESTED_GROUP),
}

FAITHFULNESS_FIELDS = (
    "images", "graph_neurons", "base_prob", "graph_prob_drop", "random_prob_drop_mean",
    "random_prob_drop_std", "base_top1", "graph_top1_drop", "random_top1_drop_mean", "random_top1_drop_std",
    "active_prob_drop", "active_top1_drop",
)

# --- properties (embedded column types; Neo4j stores the same names) --------
# Per-load node tables: label -> ordered (property, LadybugDB type); the first is the primary key.
NODE_PROPERTIES: dict[str, tuple[tuple[str, str], ...]] = {
    CLASS: (
        ("index", "INT64"), ("wnid", "STRING"), ("name", "STRING"), ("images", "INT64"),
        ("top1_correct", "INT64"), ("accuracy", "DOUBLE"), ("prob_hist", "INT64[]"),
        ("top1_prob_hist", "INT64[]"), ("has_faithfulness", "BOOLEAN"),
        *((f"f_{name}", "INT64" if name in ("images", "graph_neurons") else "DOUBLE")
          for name in FAITHFULNESS_FIELDS),
    ),
    LAYER: (("name", "STRING"), ("index", "INT64"), ("channels", "INT64")),
    NEURON: (
        ("id", "STRING"), ("layer", "STRING"), ("layer_index", "INT64"), ("channel", "INT64"),
        ("ord", "INT64"), ("featurevis", "STRING[]"),
    ),
    EXAMPLE: (
        ("key", "STRING"), ("neuron_id", "STRING"), ("rank", "INT64"), ("image", "STRING"),
        ("score", "DOUBLE"), ("media", "STRING"),
    ),
    POINT: (("key", "STRING"), ("layer", "STRING"), ("class_index", "INT64"), ("x", "DOUBLE"), ("y", "DOUBLE")),
    CLASS_INFLUENCE: (("class", "INT64"), ("edges", "BLOB"), ("counts", "BLOB")),
    SUGGESTED_GROUP: (("group", "INT64"), ("layer", "STRING"), ("cohesion", "DOUBLE"), ("size", "INT64")),
}

REL_PROPERTIES: dict[str, tuple[tuple[str, str], ...]] = {
    IN_LAYER: (),
    ACTIVATES: (("count", "INT64"), ("mean", "DOUBLE"), ("act_sum", "DOUBLE")),
    INFLUENCES: (("class", "INT64"), ("count", "INT64")),
    HAS_NODE: (("pagerank", "DOUBLE"), ("count", "INT64")),
    GRAPH_EDGE: (("class", "INT64"), ("weight", "INT64")),
    SIMILAR: (("layer", "STRING"), ("cosine", "DOUBLE")),
    HAS_EXAMPLE: (),
    IN_GROUP: (),
}

# Natural id of each per-load node (the embedded primary key; Neo4j key = "<load>|" + it).
NATURAL_ID: dict[str, str] = {label: props[0][0] for label, props in NODE_PROPERTIES.items()}

# --- Neo4j: constraints and indexes (run before loading) ---------------------
NEO4J_SCHEMA: tuple[str, ...] = (
    f"CREATE CONSTRAINT model_id IF NOT EXISTS FOR (n:{MODEL}) REQUIRE n.id IS UNIQUE",
    f"CREATE CONSTRAINT load_id IF NOT EXISTS FOR (n:{LOAD}) REQUIRE n.id IS UNIQUE",
    *(
        f"CREATE CONSTRAINT {label.lower()}_key IF NOT EXISTS FOR (n:{label}) REQUIRE n.key IS UNIQUE"
        for label in NODE_PROPERTIES
    ),
    *(f"CREATE INDEX {label.lower()}_load IF NOT EXISTS FOR (n:{label}) ON (n.load)" for label in NODE_PROPERTIES),
    f"CREATE CONSTRAINT note_key IF NOT EXISTS FOR (n:{NOTE}) REQUIRE n.key IS UNIQUE",
    f"CREATE INDEX note_model IF NOT EXISTS FOR (n:{NOTE}) ON (n.model)",
    f"CREATE INDEX point_load_layer IF NOT EXISTS FOR (n:{POINT}) ON (n.load, n.layer)",
    f"CREATE INDEX influences_class IF NOT EXISTS FOR ()-[r:{INFLUENCES}]-() ON (r.class)",
    f"CREATE INDEX graph_edge_class IF NOT EXISTS FOR ()-[r:{GRAPH_EDGE}]-() ON (r.class)",
)

# Model properties added after the first release (all strings, '' when unknown): where the artifact
# was loaded from, the graph rules profile (``graph_method``) and the held-out faithfulness summary
# (JSON of the manifest's ``faithfulness`` entry).
MODEL_ADDED_COLUMNS = ("artifact_path", "graph_method", "faithfulness")

# --- notes: shared by every load of a model ---------------------------------
# ``key`` = "<model>|<kind>|<target>"; kind "neuron" (target = neuron id) or "group" (target = the
# group's id in the user's view; ``neurons`` = its members when the note was written).
NOTE_PROPERTIES: tuple[tuple[str, str], ...] = (
    ("key", "STRING"), ("model", "STRING"), ("kind", "STRING"), ("target", "STRING"), ("neurons", "STRING[]"),
    ("text", "STRING"), ("updated", "STRING"),
)

# --- embedded (LadybugDB) ---------------------------------------------------
EMBEDDED_SHARED_DDL: tuple[str, ...] = (
    f"CREATE NODE TABLE IF NOT EXISTS {MODEL}(id STRING, active_load STRING, name STRING, classes INT64, "
    "images INT64, top1_correct INT64, dataset STRING, created STRING, PRIMARY KEY(id))",
    f"CREATE NODE TABLE IF NOT EXISTS {LOAD}(id STRING, model STRING, created STRING, PRIMARY KEY(id))",
    # Added after the first release: stores created before it gain the columns here.
    *(f"ALTER TABLE {MODEL} ADD IF NOT EXISTS {column} STRING DEFAULT ''" for column in MODEL_ADDED_COLUMNS),
    # Users' notes, per model across its loads (added with them: older stores gain the table here).
    f"CREATE NODE TABLE IF NOT EXISTS {NOTE}("
    + ", ".join(f"`{name}` {kind}" for name, kind in NOTE_PROPERTIES) + ", PRIMARY KEY(`key`))",
)

_LOAD_ID = re.compile(r"^L[0-9a-f]{16}$")


def check_load_id(load: str) -> str:
    """Load ids are generated by Summit; they end up in embedded table names, so check their shape."""
    if not _LOAD_ID.match(load):
        raise BadInput(f"{load!r} is not a Summit load id")
    return load


def table(label: str, load: str) -> str:
    """The embedded table holding ``label`` for one load."""
    return f"{label}_{check_load_id(load)}"


def embedded_load_ddl(load: str) -> list[str]:
    """CREATE statements for every per-load node and relationship table."""
    statements = []
    for label, props in NODE_PROPERTIES.items():
        cols = ", ".join(f"`{name}` {kind}" for name, kind in props)
        statements.append(f"CREATE NODE TABLE {table(label, load)}({cols}, PRIMARY KEY(`{props[0][0]}`))")
    for rel, (src, dst) in RELATIONSHIPS.items():
        cols = "".join(f", `{name}` {kind}" for name, kind in REL_PROPERTIES[rel])
        statements.append(f"CREATE REL TABLE {table(rel, load)}(FROM {table(src, load)} TO {table(dst, load)}{cols})")
    return statements


def embedded_drop_ddl(load: str) -> list[str]:
    """DROP statements for a load's tables (relationships first)."""
    return [f"DROP TABLE IF EXISTS {table(name, load)}" for name in (*RELATIONSHIPS, *NODE_PROPERTIES)]
