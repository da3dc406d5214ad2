"""Exports of an artifact for other tools: the original Summit front end's JSON, GraphML, CSV."""

from summit.export.csv import export_csv
from summit.export.graphml import export_graphml
from summit.export.summit_json import export_summit

__all__ = ["export_csv", "export_graphml", "export_summit"]
