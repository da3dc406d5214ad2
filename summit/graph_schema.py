"""The graph schema, defined once for both stores (DESIGN.md, contract 2).

Labels, relationship types and their properties live here, together with the
Neo4j constraint/index statements and the LadybugDB (embedded) table DDL, so
the loaders, the stores, the bulk CSV writer and the Cypher cookbook agree.
docs/cypher/README.md draws it for Neo4j Browser users.

Models live side by side. Every load of an artifact gets a fresh *load id*;
``(:Model {id, active_load})-[:ACTIVE_LOAD]->(:Load)`` points at the load that
queries see, and the load holds everything else::

    (:Model)-[:ACTIVE_LOAD]->(:Load)-[:HAS_CLASS]->(:Class)
                             (:Load)-[:HAS_LAYER]->(:Layer)<-[:IN_LAYER]-(:Neuron)

Reloading a model writes a new load, moves the pointer (property and
relationship) in one statement and deletes the old load afterwards, so a reader
never sees half a model.

A class's two graphs are structures of their own, so a picture of one holds
nothing of another class (Neo4j Browser's "connect result nodes" adds every
relationship between the nodes it draws):

* the attribution graph: ``(:Class)-[:HAS_NODE]->(:GraphNode)-[:GRAPH_EDGE]->(:GraphNode)``,
  one ``GraphNode`` per neuron of the graph (``count``, ``pagerank``), ``-[:OF_NEURON]->(:Neuron)``;
* the influence graph: ``(:InfluenceNode)-[:INFLUENCES {count}]->(:InfluenceNode)``, one
  ``InfluenceNode`` per (class, neuron) with an influence edge in that class, ``-[:OF_NEURON]->(:Neuron)``.
  Expanding it from a node reads that class's edges only, so paths and neighbourhoods stay fast.

Every node a Browser draws has a ``name`` (neuron id, class name, layer name...), which Browser
uses as its default caption.

* Neo4j: every per-load node carries ``load`` and a unique ``key`` = ``<load>|<natural id>``
  (``Neuron.key = <load>|<neuron id>``, ``Class.key = <load>|<class index>``). Neurons, layers,
  graph nodes and influence nodes also carry a label per layer index (``Depth00``, ``Depth01``...),
  so Browser colours them by layer (Neo4j only; LadybugDB tables have one label).
* Embedded: each load has its own node/relationship tables, named
  ``<Label>_<load>``, so dropping an old load is a cheap ``DROP TABLE``
  (row-by-row deletion of tens of millions of edges is slow in LadybugDB).

``ClassInfluence`` nodes (``(:Class)-[:HAS_PACKED_INFLUENCE]->(:ClassInfluence)``) hold each
class's influence edges again as one packed byte array (``edges``, see
``summit.store.common.pack_edges``) and its activation counts of every neuron (``counts``, int64
by neuron ordinal): the server's paths and neighbourhoods read one node instead of thousands of
relationships. Cypher users read the same numbers from ``INFLUENCES`` and ``ACTIVATES``.
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
GRAPH_NODE = "GraphNode"  # one neuron of one class's attribution graph
INFLUENCE_NODE = "InfluenceNode"  # one neuron of one class's influence graph
EXAMPLE = "Example"
POINT = "Point"  # one class in one layer's 2-D embedding
CLASS_INFLUENCE = "ClassInfluence"
SUGGESTED_GROUP = "SuggestedGroup"  # neurons of one layer whose class-graph edges are alike
NOTE = "Note"  # a user's note on a neuron or group; per model, not per load (survives reloads)

SHARED_LABELS = (MODEL, LOAD)  # one node table for all loads; every other label is per load
DEPTH_LABELLED = (LAYER, NEURON, GRAPH_NODE, INFLUENCE_NODE)  # Neo4j: carry depth_label(layer index)

# --- relationships: key -> (from label, to label) ------------------------------
# The key names the relationship (and its embedded table); its Neo4j type is the key unless
# NEO4J_TYPE says otherwise (two keys share OF_NEURON: a LadybugDB table joins one pair of tables).
ACTIVE_LOAD = "ACTIVE_LOAD"  # Model -> Load, shared (written when a load becomes active)
HAS_CLASS = "HAS_CLASS"
HAS_LAYER = "HAS_LAYER"
IN_LAYER = "IN_LAYER"
ACTIVATES = "ACTIVATES"
HAS_NODE = "HAS_NODE"
OF_NEURON = "OF_NEURON"
GRAPH_EDGE = "GRAPH_EDGE"
INFLUENCE_OF_NEURON = "INFLUENCE_OF_NEURON"  # Neo4j type OF_NEURON
INFLUENCES = "INFLUENCES"
SIMILAR = "SIMILAR"
HAS_EXAMPLE = "HAS_EXAMPLE"
IN_GROUP = "IN_GROUP"
HAS_POINT = "HAS_POINT"
HAS_PACKED_INFLUENCE = "HAS_PACKED_INFLUENCE"

RELATIONSHIPS: dict[str, tuple[str, str]] = {  # per load, in write order
    HAS_CLASS: (LOAD, CLASS),
    HAS_LAYER: (LOAD, LAYER),
    IN_LAYER: (NEURON, LAYER),
    ACTIVATES: (CLASS, NEURON),
    HAS_NODE: (CLASS, GRAPH_NODE),
    OF_NEURON: (GRAPH_NODE, NEURON),
    GRAPH_EDGE: (GRAPH_NODE, GRAPH_NODE),
    INFLUENCE_OF_NEURON: (INFLUENCE_NODE, NEURON),
    INFLUENCES: (INFLUENCE_NODE, INFLUENCE_NODE),
    SIMILAR: (CLASS, CLASS),
    HAS_EXAMPLE: (NEURON, EXAMPLE),
    IN_GROUP: (NEURON, SUGGESTED_GROUP),
    HAS_POINT: (CLASS, POINT),
    HAS_PACKED_INFLUENCE: (CLASS, CLASS_INFLUENCE),
}
NEO4J_TYPE: dict[str, str] = {INFLUENCE_OF_NEURON: OF_NEURON}


def neo4j_type(rel: str) -> str:
    """The Neo4j relationship type of a RELATIONSHIPS key."""
    return NEO4J_TYPE.get(rel, rel)


def depth_label(layer_index: int) -> str:
    """Neo4j label of the nodes of one layer (``Depth07``): Browser colours a node by its first label."""
    return f"Depth{int(layer_index):02d}"


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
        ("id", "STRING"), ("name", "STRING"), ("layer", "STRING"), ("layer_index", "INT64"), ("channel", "INT64"),
        ("ord", "INT64"), ("featurevis", "STRING[]"),
    ),
    GRAPH_NODE: (  # key = "<class>|<neuron id>"; name = neuron id
        ("key", "STRING"), ("class", "INT64"), ("neuron", "STRING"), ("name", "STRING"), ("layer", "STRING"),
        ("layer_index", "INT64"), ("count", "INT64"), ("pagerank", "DOUBLE"),
    ),
    INFLUENCE_NODE: (  # key = "<class>|<neuron id>"; name = neuron id
        ("key", "STRING"), ("class", "INT64"), ("neuron", "STRING"), ("name", "STRING"), ("layer_index", "INT64"),
    ),
    EXAMPLE: (  # name = the image's file name
        ("key", "STRING"), ("neuron_id", "STRING"), ("name", "STRING"), ("rank", "INT64"), ("image", "STRING"),
        ("score", "DOUBLE"), ("media", "STRING"),
    ),
    POINT: (  # name = the layer
        ("key", "STRING"), ("name", "STRING"), ("layer", "STRING"), ("class_index", "INT64"), ("x", "DOUBLE"),
        ("y", "DOUBLE"),
    ),
    CLASS_INFLUENCE: (("class", "INT64"), ("name", "STRING"), ("edges", "BLOB"), ("counts", "BLOB")),
    SUGGESTED_GROUP: (  # name = "<layer> group <group>"
        ("group", "INT64"), ("name", "STRING"), ("layer", "STRING"), ("cohesion", "DOUBLE"), ("size", "INT64"),
    ),
}

REL_PROPERTIES: dict[str, tuple[tuple[str, str], ...]] = {
    HAS_CLASS: (),
    HAS_LAYER: (),
    IN_LAYER: (),
    ACTIVATES: (("count", "INT64"), ("mean", "DOUBLE"), ("act_sum", "DOUBLE")),
    HAS_NODE: (),
    OF_NEURON: (),
    GRAPH_EDGE: (("weight", "INT64"),),
    INFLUENCE_OF_NEURON: (),
    INFLUENCES: (("count", "INT64"),),
    SIMILAR: (("layer", "STRING"), ("cosine", "DOUBLE")),
    HAS_EXAMPLE: (),
    IN_GROUP: (),
    HAS_POINT: (),
    HAS_PACKED_INFLUENCE: (),
}

# Natural id of each per-load node (the embedded primary key; Neo4j key = "<load>|" + it).
NATURAL_ID: dict[str, str] = {label: props[0][0] for label, props in NODE_PROPERTIES.items()}
SHARED_ID = "id"  # natural id of Model and Load nodes (no load prefix)

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
    # what Browser users look things up by
    f"CREATE INDEX neuron_id IF NOT EXISTS FOR (n:{NEURON}) ON (n.id)",
    f"CREATE INDEX class_name IF NOT EXISTS FOR (n:{CLASS}) ON (n.name)",
    f"CREATE INDEX class_index IF NOT EXISTS FOR (n:{CLASS}) ON (n.index)",
    f"CREATE INDEX influencenode_load_class IF NOT EXISTS FOR (n:{INFLUENCE_NODE}) ON (n.load, n.class)",
    f"CREATE INDEX point_load_layer IF NOT EXISTS FOR (n:{POINT}) ON (n.load, n.layer)",
)
# Indexes of earlier releases that the current schema no longer uses (dropped by ensure_schema).
NEO4J_RETIRED_INDEXES: tuple[str, ...] = ("influences_class", "graph_edge_class")

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
    f"CREATE REL TABLE IF NOT EXISTS {ACTIVE_LOAD}(FROM {MODEL} TO {LOAD})",
    # Added after the first release: stores created before it gain the columns here.
    *(f"ALTER TABLE {MODEL} ADD IF NOT EXISTS {column} STRING DEFAULT ''" for column in MODEL_ADDED_COLUMNS),
    f"ALTER TABLE {MODEL} ADD IF NOT EXISTS nodes INT64 DEFAULT -1",
    f"ALTER TABLE {MODEL} ADD IF NOT EXISTS relationships INT64 DEFAULT -1",
    f"ALTER TABLE {MODEL} ADD IF NOT EXISTS load_seconds DOUBLE DEFAULT -1.0",
    f"ALTER TABLE {MODEL} ADD IF NOT EXISTS loaded STRING DEFAULT ''",
    # Users' notes, per model across its loads (added with them: older stores gain the table here).
    f"CREATE NODE TABLE IF NOT EXISTS {NOTE}("
    + ", ".join(f"`{name}` {kind}" for name, kind in NOTE_PROPERTIES) + ", PRIMARY KEY(`key`))",
)
MODEL_STATS = ("nodes", "relationships", "load_seconds", "loaded")  # Model properties `summit models` lists

_LOAD_ID = re.compile(r"^L[0-9a-f]{16}$")


def check_load_id(load: str) -> str:
    """Load ids are generated by Summit; they end up in embedded table names, so check their shape."""
    if not _LOAD_ID.match(load):
        raise BadInput(f"{load!r} is not a Summit load id")
    return load


def table(label: str, load: str) -> str:
    """The embedded table holding ``label`` (a node label or relationship key) for one load."""
    if label in SHARED_LABELS:
        return label
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
