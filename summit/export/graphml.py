"""GraphML of one class's attribution graph (for Gephi, Cytoscape, yEd, networkx).

A directed graph: one node per kept neuron (id = neuron id; attributes
``layer``, ``layer_index``, ``channel``, ``count``, ``pagerank``), one edge per
graph edge from the lower-layer neuron to the higher one (attribute
``weight``). Graph attributes: ``class_index``, ``wnid``, ``name``, ``model``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import polars as pl

from summit.artifact import has_table, read_manifest, read_table
from summit.errors import ArtifactError, NotFound

NS = "http://graphml.graphdrawing.org/xmlns"
_KEYS = (  # (id, for, name, type)
    ("g_class", "graph", "class_index", "int"), ("g_wnid", "graph", "wnid", "string"),
    ("g_name", "graph", "name", "string"), ("g_model", "graph", "model", "string"),
    ("n_layer", "node", "layer", "string"), ("n_layer_index", "node", "layer_index", "int"),
    ("n_channel", "node", "channel", "int"), ("n_count", "node", "count", "long"),
    ("n_pagerank", "node", "pagerank", "double"), ("e_weight", "edge", "weight", "long"),
)


def _data(parent: ET.Element, key: str, value: object) -> None:
    el = ET.SubElement(parent, "data", key=key)
    el.text = repr(value) if isinstance(value, float) else str(value)


def export_graphml(artifact: Path | str, out: Path | str, class_index: int) -> Path:
    """Write ``class-<k>.graphml`` into the folder ``out``; return its path."""
    for table in ("class_nodes", "class_edges"):
        if not has_table(artifact, table):
            raise ArtifactError(f"artifact {artifact}: table {table!r} is missing; run `summit graphs` first")
    from summit.graphs.validate import validate_graph_tables

    manifest = read_manifest(artifact)
    validate_graph_tables(artifact, references=False)
    classes = read_table(artifact, "classes").filter(pl.col("class_index") == class_index)
    if classes.height == 0:
        raise NotFound(f"class {class_index} is not in artifact {artifact}")
    cls = classes.row(0, named=True)
    neurons = read_table(artifact, "neurons")
    nodes = (read_table(artifact, "class_nodes").filter(pl.col("class_index") == class_index)
             .join(neurons, on="neuron_id", how="left").sort(["layer_index", "channel"]))
    edges = read_table(artifact, "class_edges").filter(pl.col("class_index") == class_index).sort(["src", "dst"])

    ET.register_namespace("", NS)
    root = ET.Element("graphml", xmlns=NS)
    for key_id, target, name, kind in _KEYS:
        ET.SubElement(root, "key", {"id": key_id, "for": target, "attr.name": name, "attr.type": kind})
    graph = ET.SubElement(root, "graph", id=f"class-{class_index}", edgedefault="directed")
    _data(graph, "g_class", class_index)
    _data(graph, "g_wnid", cls["wnid"])
    _data(graph, "g_name", cls["name"])
    _data(graph, "g_model", manifest.get("model", {}).get("name", ""))
    for row in nodes.iter_rows(named=True):
        node = ET.SubElement(graph, "node", id=row["neuron_id"])
        _data(node, "n_layer", row["layer"])
        _data(node, "n_layer_index", row["layer_index"])
        _data(node, "n_channel", row["channel"])
        _data(node, "n_count", row["count"])
        _data(node, "n_pagerank", float(row["pagerank"]))
    for i, row in enumerate(edges.iter_rows(named=True)):
        edge = ET.SubElement(graph, "edge", id=f"e{i}", source=row["src"], target=row["dst"])
        _data(edge, "e_weight", row["weight"])
    path = Path(out) / f"class-{class_index}.graphml"
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path
