"""Export the graph, or one organisation's scope of it, as CSV (the import's format), JSON or GraphML."""

from engine.exporting.collect import EXPORT_LABELS, ExportError
from engine.exporting.exporter import ExportReport, export_graph

__all__ = ["EXPORT_LABELS", "ExportError", "ExportReport", "export_graph"]
