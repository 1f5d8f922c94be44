"""Benchmark: the planners' analytics on the ``city`` demo — projection, each analysis, mobilisation.

Product path: ``engine.services.analytics_projection.project`` (paged registered statements through the
GraphStore) for the whole city and for one street planner's scope, the GraphIndex, then every
analysis of ``engine.analytics`` on the projection, each timed cold (first call) and warm (best
of ``--repeat``), and ``Mobiliser.find`` for random places and skills.

Baseline, same run: the same nodes and relationships read with raw Cypher through the
``falkordb`` client, one unpaged query per label and per relationship type and endpoint pair
(the fastest read measured here), no project code: the ratio says what paging and the store
layer cost.

Printed: seconds per step, the share of time spent in the store versus in the analysis, and the
targets: every planner query (a street's scoped projection plus an analysis, or one analysis on
the cached city projection) under 2 s, mobilisation under 1 s.

Run:  .venv/bin/python bench/analytics_city.py [--size city] [--data-dir DIR] [--repeat 3] [--finds 30]
(with --data-dir, a demo already loaded there is reused; the default is a fresh temp dir).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from falkordb import FalkorDB

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.analytics import coverage, gaps, network, relationships  # noqa: E402
from engine.analytics.index import index_of  # noqa: E402
from engine.analytics.mobilisation import Mobiliser  # noqa: E402
from engine.demo import generate, graph_counts, load_dataset  # noqa: E402
from engine.services.analytics_projection import ProjectionStats, project  # noqa: E402
from engine.store.embedded import EmbeddedFalkorDB  # noqa: E402
from engine.store.falkordb_store import FalkorDBStore  # noqa: E402
from engine.store.queries.analytics import PROJECTED_LABELS, projected_pairs, projected_props  # noqa: E402
from engine.store.schema_apply import apply_schema  # noqa: E402
from graph_schema.domain import SCHEMA  # noqa: E402
from graph_schema.taxonomy import ALL_SKILLS  # noqa: E402

GRAPH = "bench_analytics"
QUERY_TARGET_S = 2.0
MOBILISE_TARGET_S = 1.0


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds ``fn`` took and what it returned."""
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def baseline_read(client: FalkorDB) -> tuple[float, int]:
    """Seconds to read every projected node and relationship with raw unpaged Cypher; rows read."""
    graph = client.select_graph(GRAPH)
    rows = 0
    started = time.perf_counter()
    for label in PROJECTED_LABELS:
        columns = ", ".join(f"n.{p}" for p in projected_props(label))
        rows += len(graph.ro_query(f"MATCH (n:{label}) RETURN {columns}").result_set)
    for rel_type, start, end in projected_pairs():
        props = "".join(f", r.{p.name}" for p in SCHEMA.rel(rel_type).props)
        query = f"MATCH (a:{start})-[r:{rel_type}]->(b:{end}) RETURN a.id, b.id{props}"
        rows += len(graph.ro_query(query).result_set)
    return time.perf_counter() - started, rows


def analyses(g: Any, rng: random.Random) -> dict[str, Callable[[], Any]]:
    """Every planner analysis on projection ``g``, with arguments drawn from it."""
    ix = index_of(g)
    units = ix.ids("Unit")
    orgs = [o for o in ix.ids("Org") if ix.prop(o, "level") == "community"] or ix.ids("Org")
    grids = [o for o in ix.ids("Org") if ix.prop(o, "level") == "grid"] or orgs
    unit, org, grid = rng.choice(units), rng.choice(orgs), rng.choice(grids)
    return {
        "neighbourhood (2 hops)": lambda: relationships.neighbourhood(g, org, hops=2),
        "paths unit → grid branch": lambda: relationships.paths_between(g, unit, grid),
        "council composition": lambda: relationships.council_composition(g, org),
        "unit ties": lambda: relationships.unit_ties(g, unit),
        "uncovered areas": lambda: coverage.uncovered_areas(g),
        "两新 party-org share": lambda: coverage.two_new_org_share(g),
        "双报到 share": lambda: coverage.in_service_reporting_share(g),
        "supply vs demand": lambda: gaps.supply_demand(g),
        "needs without provider": lambda: gaps.needs_without_provider(g),
        "monthly trends": lambda: gaps.monthly_trends(g),
        "bridges (betweenness)": lambda: network.bridges(g),
        "dependence": lambda: network.dependence(g),
        "clusters (Louvain)": lambda: network.clusters(g),
        "partnership suggestions": lambda: network.suggest_partnerships(g),
    }


def run_analyses(g: Any, repeat: int, seed: int) -> list[tuple[str, float, float]]:
    """(name, cold seconds, best warm seconds) per analysis."""
    out = []
    for name, fn in analyses(g, random.Random(seed)).items():
        cold, _ = timed(fn)
        warm = min(timed(fn)[0] for _ in range(repeat))
        out.append((name, cold, warm))
    return out


def show_projection(title: str, stats: ProjectionStats, index_s: float) -> None:
    total = stats.seconds + index_s
    print(
        f"{title}: {stats.nodes:,} nodes, {stats.edges:,} relationships, {stats.statements} statements: "
        f"{total:.2f} s = store {stats.store_seconds:.2f} s ({stats.store_seconds / total:.0%}) "
        f"+ graph build {stats.build_seconds:.2f} s + index {index_s:.2f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="city")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--finds", type=int, default=30)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lj-bench-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        server = EmbeddedFalkorDB(data_dir).start()
        try:
            client = FalkorDB(unix_socket_path=str(server.socket_path))
            store = FalkorDBStore(client, GRAPH)
            if graph_counts(store).nodes.get("Member", 0) == 0:
                apply_schema(store)
                report = load_dataset(store, generate(args.size, args.seed))
                print(f"loaded the {args.size} demo: {report.nodes:,} nodes, {report.relationships:,} rels")
            return measure(store, client, args)
        finally:
            server.stop()


def measure(store: FalkorDBStore, client: FalkorDB, args: argparse.Namespace) -> int:
    base_s, base_rows = baseline_read(client)
    print(f"baseline: raw unpaged Cypher read {base_rows:,} rows in {base_s:.2f} s")

    whole_s, g = timed(lambda: project(store))
    index_s, ix = timed(lambda: index_of(g))
    stats: ProjectionStats = g.graph["stats"]
    show_projection("city projection", stats, index_s)
    print(f"  store read / baseline read = {stats.store_seconds / base_s:.2f}")

    results = run_analyses(g, args.repeat, args.seed)
    analysis_cold = sum(cold for _, cold, _ in results)
    print(f"\n{'analysis on the cached city projection':<40}{'cold s':>9}{'warm s':>9}")
    for name, cold, warm in results:
        flag = "" if cold < QUERY_TARGET_S else "  > target"
        print(f"{name:<40}{cold:>9.3f}{warm:>9.3f}{flag}")

    street = next(o for o in ix.ids("Org") if ix.prop(o, "level") == "street")
    sg = project(store, org_id=street)
    scoped_index_s, _ = timed(lambda: index_of(sg))
    sstats: ProjectionStats = sg.graph["stats"]
    print()
    show_projection(f"street planner scope ({ix.name(street)})", sstats, scoped_index_s)
    scoped = run_analyses(sg, 1, args.seed)
    worst = max(cold for _, cold, _ in scoped)
    scoped_query = sstats.seconds + scoped_index_s + worst
    print(
        f"  slowest analysis on it {worst:.3f} s; scoped projection + slowest analysis {scoped_query:.2f} s"
    )

    build_s, mob = timed(lambda: Mobiliser(g))
    rng = random.Random(args.seed)
    areas = ix.ids("Area")
    times: list[float] = []
    for i in range(args.finds):
        place: Any = rng.choice(areas) if i % 2 else ix.point(rng.choice(areas))
        skills = rng.sample(ALL_SKILLS, 2)
        started = time.perf_counter()
        mob.find(place, skills, limit=20)
        times.append(time.perf_counter() - started)
    print(
        f"\nmobilisation: Mobiliser built in {build_s:.2f} s (once per projection); find over {args.finds} "
        f"places: median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms"
    )

    store_total = stats.store_seconds
    analysis_total = stats.build_seconds + index_s + analysis_cold
    print(
        f"\nshare of time, city projection + every analysis once: store {store_total:.2f} s "
        f"({store_total / (store_total + analysis_total):.0%}), analysis {analysis_total:.2f} s "
        f"({analysis_total / (store_total + analysis_total):.0%})"
    )
    slowest = max(cold for _, cold, _ in results)
    ok = slowest < QUERY_TARGET_S and scoped_query < QUERY_TARGET_S and max(times) < MOBILISE_TARGET_S
    print(
        f"targets: planner query < {QUERY_TARGET_S:g} s (slowest on the city {slowest:.2f} s, street scope "
        f"{scoped_query:.2f} s), mobilisation < {MOBILISE_TARGET_S:g} s (max {max(times):.3f} s): "
        + ("met" if ok else "NOT met")
    )
    print(f"(whole city projection wall time {whole_s:.2f} s is paid once per process: ProjectionCache)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
