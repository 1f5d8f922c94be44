"""Posts 职务 in import and export (issue 12), on both backends: the fixture's posts.csv imports with
every property, the CSV export writes them back, a fresh graph importing that export holds the same
posts, importing it again changes nothing, and a bad posts file is refused whole (naming file, row
and column in Chinese) with nothing written; a retired service category keeps its node in the export."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from engine.actors import SYSTEM
from engine.exporting import export_graph
from engine.importing import import_files
from engine.importing.report import ImportRejected
from engine.services.categories import retire_category
from engine.store import apply_schema
from engine.store.base import GraphStore
from engine.store.queries import posts as posts_queries

FIXTURES = Path(__file__).parent / "fixtures" / "import"
NODE_FILES = [p for p in sorted(FIXTURES.glob("*.csv")) if p.stem != "posts"]


def holds(store: GraphStore) -> list[dict[str, Any]]:
    """Every post of the graph, current and ended, in a stable order."""
    rows = store.run(posts_queries.ALL, {"org_ids": None, "skip": 0, "limit": 500})
    return [dict(r) for r in rows]


def rel_count(store: GraphStore) -> dict[str, int]:
    return {r["type"]: r["count"] for r in store.run("meta.count_by_rel")}


def test_posts_import_export_and_import_again_round_trip(store: GraphStore, tmp_path: Path) -> None:
    apply_schema(store)
    report = import_files(store, sorted(FIXTURES.glob("*.csv")))
    assert report.relationships["HOLDS"] == 3
    posts = {p["id"]: p for p in holds(store)}
    assert posts["P-1"]["role"] == "secretary" and posts["P-1"]["until"] is None
    assert posts["P-2"]["unit_id"] == "U-1" and posts["P-2"]["unit_name"] == "区人民医院"
    assert posts["P-3"]["until"] == "2024-12-31" and posts["P-3"]["ended_reason"] == "搬离小区"

    exported = export_graph(store, tmp_path / "csv", "csv")
    path = next(p for p in exported.files if p.name == "posts.csv")
    assert not [n for n in exported.notes if "HOLDS" in n]  # nothing of the posts is left out
    with path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    with (FIXTURES / "posts.csv").open(encoding="utf-8") as fh:
        fixture = list(csv.DictReader(fh))
    assert sorted(rows, key=lambda r: r["id"]) == sorted(fixture, key=lambda r: r["id"])

    before, counted = holds(store), rel_count(store)
    import_files(store, exported.files)  # the same export again: upserts by id, changes nothing
    assert holds(store) == before and rel_count(store) == counted

    store.drop_all()
    apply_schema(store)
    import_files(store, exported.files)
    assert holds(store) == before


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        ("P-9,M-3,O-C2,mayor,2024-01-01,,,,", "职务", "不存在"),
        ("P-9,M-9,O-C2,building_head,2024-01-01,,,,", "党员", "找不到"),
        ("P-9,M-3,O-C2,part_time_member,2024-01-01,,,,", "来自单位", "兼职委员"),
        ("P-9,M-3,O-G1,书记,2024-01-01,,,,", "职务", "已有现任书记"),
        ("P-9,M-3,O-C2,building_head,2024-13-01,,,,", "任职日期", "日期"),
        ("P-9,M-3,O-C2,building_head,2024-05-01,2024-01-01,,,", "离任日期", "早于"),
    ],
)
def test_a_bad_posts_file_is_refused_whole_and_writes_nothing(
    store: GraphStore, tmp_path: Path, line: str, column: str, words: str
) -> None:
    apply_schema(store)
    import_files(store, sorted(FIXTURES.glob("*.csv")))
    before, counted = holds(store), rel_count(store)
    bad = tmp_path / "posts.csv"
    good = "P-8,M-3,O-C2,central_household,2022-01-01,,,,"
    bad.write_text(
        (FIXTURES / "posts.csv").read_text(encoding="utf-8").splitlines()[0] + f"\n{good}\n{line}\n"
    )
    with pytest.raises(ImportRejected) as refused:
        import_files(store, [*NODE_FILES, bad])
    problems = refused.value.report.problems
    assert [p.row for p in problems] == [3] and problems[0].column == column and words in problems[0].message
    assert problems[0].file == "posts.csv"
    assert holds(store) == before and rel_count(store) == counted  # not even the good row


def test_a_retired_category_keeps_its_node_in_the_export(store: GraphStore, tmp_path: Path) -> None:
    apply_schema(store)
    import_files(store, NODE_FILES)
    retired = retire_category(store, SYSTEM, "health.tcm")
    assert retired["status"] == "retired"
    doc = json.loads(export_graph(store, tmp_path / "all.json", "json").files[0].read_text(encoding="utf-8"))
    categories = {n["id"]: n["props"] for n in doc["nodes"] if n["label"] == "Category"}
    assert categories["health.tcm"]["status"] == "retired" and categories["health.tcm"]["name"] == "中医理疗"
    assert len(categories) >= 220  # the whole taxonomy was written into the graph before the change
    parts = {(r["start"], r["end"]) for r in doc["relationships"] if r["type"] == "PART_OF"}
    assert ("health.tcm", "health") in parts
