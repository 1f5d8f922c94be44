"""Helpers the planners' notebooks share: a demo store of their own, a CJK font for matplotlib,
maps as scatter plots on longitude/latitude, and drawings of a community's ties.

Notebook-only code (matplotlib is a test/notebook dependency, not the engine's).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import matplotlib.pyplot as plt
import networkx as nx
from matplotlib.axes import Axes

from engine.analytics.index import REL_TITLES, index_of
from engine.demo import generate, graph_counts, load_dataset
from engine.reporting.figure import cjk_family
from engine.settings import Settings
from engine.store import apply_schema
from engine.store.base import GraphStore
from engine.store.connect import open_store
from graph_schema.domain import SCHEMA

LABEL_COLOURS = {
    "Org": "#c0392b",
    "Area": "#95a5a6",
    "Unit": "#2980b9",
    "Member": "#27ae60",
    "Need": "#e67e22",
    "Offering": "#8e44ad",
    "Project": "#16a085",
    "Agreement": "#f1c40f",
    "Category": "#7f8c8d",
    "Claim": "#d35400",
}


def use_cjk_font() -> str:
    """Make matplotlib draw Chinese: pick an installed CJK font (registering font files matplotlib
    has not indexed yet) and return its family name; fails with the install command otherwise."""
    family = cjk_family()
    if family is None:
        raise RuntimeError("没有中文字体: apt-get install fonts-wqy-microhei (或 fonts-noto-cjk)")
    plt.rcParams["font.sans-serif"] = [family, *plt.rcParams["font.sans-serif"]]
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["axes.unicode_minus"] = False
    return family


@contextlib.contextmanager
def demo_store(size: str = "tiny", seed: int = 2026) -> Iterator[GraphStore]:
    """An embedded store holding the ``size`` demo, in a temporary directory removed afterwards.

    With ``LIANJIAN_NOTEBOOK_STORE=env`` the store the environment configures (LIANJIAN_* or
    NEO4J_*) is used instead, and the demo is loaded only when that graph is empty."""
    with contextlib.ExitStack() as stack:
        if os.environ.get("LIANJIAN_NOTEBOOK_STORE") == "env":
            settings = Settings()
        else:
            data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="lj-nb-"))
            settings = Settings(data_dir=Path(data_dir), backend="falkordb")
        store = stack.enter_context(open_store(settings))
        if graph_counts(store).nodes.get("Member", 0) == 0:
            apply_schema(store)
            load_dataset(store, generate(size, seed))
        yield store


def map_points(
    ax: Axes,
    points: Iterable[tuple[float, float]],
    *,
    label: str,
    colour: str,
    size: float = 12,
    marker: str = "o",
    alpha: float = 0.8,
) -> int:
    """Scatter (lat, lon) points on longitude/latitude axes; returns how many were drawn."""
    pts = list(points)
    if pts:
        ax.scatter(
            [p[1] for p in pts],
            [p[0] for p in pts],
            s=size,
            c=colour,
            marker=marker,
            alpha=alpha,
            label=label,
        )
    ax.set_xlabel("经度")
    ax.set_ylabel("纬度")
    ax.set_aspect("equal", adjustable="datalim")
    return len(pts)


def draw_ties(
    ax: Axes, graph: nx.MultiDiGraph, *, seed: int = 7, title: str = "", max_labels: int = 40
) -> None:
    """Draw a small projected subgraph: nodes coloured by label, names on the best-connected ones,
    relationship titles on the edges when there are few."""
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes(data=True))
    for u, v, t in graph.edges(data="type"):
        simple.add_edge(u, v, title=REL_TITLES.get(t, t))
    pos = nx.spring_layout(simple, seed=seed, k=1.2 / max(1, simple.number_of_nodes()) ** 0.5)
    colours = [LABEL_COLOURS.get(d.get("label", ""), "#bdc3c7") for _, d in simple.nodes(data=True)]
    nx.draw_networkx_edges(simple, pos, ax=ax, alpha=0.3)
    nx.draw_networkx_nodes(simple, pos, ax=ax, node_color=colours, node_size=90)
    top = sorted(simple.degree, key=lambda x: (-x[1], x[0]))[:max_labels]
    ix = index_of(graph)
    names = {n: ix.name(n, mask_pii=True)[:10] for n, _ in top}  # members' names masked: 张某
    nx.draw_networkx_labels(
        simple, pos, labels=names, ax=ax, font_size=7, font_family=plt.rcParams["font.sans-serif"][0]
    )
    if simple.number_of_edges() <= 30:
        nx.draw_networkx_edge_labels(
            simple,
            pos,
            edge_labels=nx.get_edge_attributes(simple, "title"),
            ax=ax,
            font_size=6,
            font_family=plt.rcParams["font.sans-serif"][0],
        )
    handles = [
        plt.Line2D([], [], marker="o", ls="", color=c, label=SCHEMA.label(lb).title_zh)
        for lb, c in LABEL_COLOURS.items()
        if any(d.get("label") == lb for _, d in simple.nodes(data=True))
    ]
    ax.legend(handles=handles, fontsize=7, loc="upper right")
    ax.set_title(title)
    ax.axis("off")
