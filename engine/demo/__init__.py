"""The deterministic demo district: a pure generator (``generate``) and its loader (``load_dataset``)."""

from engine.demo.dataset import NODE_LABELS, DemoDataset
from engine.demo.generator import generate
from engine.demo.loader import GraphCounts, LoadReport, graph_counts, load_dataset
from engine.demo.sizes import REFERENCE, SIZES, TARGET_FIELDS, SizeSpec

__all__ = [
    "NODE_LABELS",
    "REFERENCE",
    "SIZES",
    "TARGET_FIELDS",
    "DemoDataset",
    "GraphCounts",
    "LoadReport",
    "SizeSpec",
    "generate",
    "graph_counts",
    "load_dataset",
]
