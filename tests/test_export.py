"""Export as CSV (round-tripping through the importer), JSON and GraphML, whole or scoped, masked or not."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from conftest import make_store

from engine.exporting import EXPORT_LABELS, ExportError, export_graph
from engine.exporting.collect import NOT_EXPORTED
from engine.importing import import_files
from engine.privacy import mask_value
from engine.store import apply_schema
from engine.store.base import GraphStore
from engine.store.embedded import EmbeddedFalkorDB
from graph_schema.domain import SCHEMA

FIXTURES = Path(__file__).parent / "fixtures" / "import"
FIXTURE_NODES = 26
FIXTURE_RELS = 46  # with the three posts (HOLDS) of posts.csv
SCOPE_C1 = {  # 幸福社区党委 and what lies under it
    "Org": {"O-C1", "O-G1", "O-U1"},
    "Area": {"A-C1", "A-G1", "A-B1"},
    "Unit": {"U-1"},
    "Member": {"M-1", "M-2", "M-4"},
    "Need": {"N-1"},
    "Offering": {"F-1"},
    "Agreement": {"G-1"},
}
STREET_2 = {"O-S2", "O-C2", "O-U2", "A-S2", "A-C2", "U-2", "M-3", "N-2", "F-2", "F-3", "G-2"}


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    """The store with the hand-made fixture files imported."""
    import_files(store, sorted(FIXTURES.glob("*.csv")))
    return store


def load_json(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        doc: dict[str, Any] = json.load(fh)
    return doc


def counts(store: GraphStore) -> tuple[dict[str, int], dict[str, int]]:
    nodes = {r["label"]: r["count"] for r in store.run("meta.count_by_label")}
    rels = {r["type"]: r["count"] for r in store.run("meta.count_by_rel")}
    return nodes, rels


def test_csv_export_imports_into_a_fresh_graph_unchanged(
    loaded: GraphStore, tmp_path: Path, falkordb_server: EmbeddedFalkorDB
) -> None:
    report = export_graph(loaded, tmp_path / "csv", "csv")
    assert sorted(p.name for p in report.files) == sorted(p.name for p in FIXTURES.glob("*.csv"))
    assert report.files[0].read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8

    fresh = make_store("falkordb", falkordb_server)
    try:
        apply_schema(fresh)
        import_files(fresh, report.files)
        assert counts(fresh) == counts(loaded)
        before = load_json(export_graph(loaded, tmp_path / "a.json", "json").files[0])
        after = load_json(export_graph(fresh, tmp_path / "b.json", "json").files[0])
        assert after["nodes"] == before["nodes"]  # every property, stamps included, came back
        assert after["relationships"] == before["relationships"]
    finally:
        fresh.drop_all()
        fresh.close()


def test_json_has_every_node_and_relationship_but_no_accounts(loaded: GraphStore, tmp_path: Path) -> None:
    loaded.run(
        "node.create.Account",
        {
            "props": {
                "id": "acc",
                "display_name": "管理员",
                "role": "admin",
                "password_hash": "x",
                "active": True,
            }
        },
    )
    out = tmp_path / "out"
    out.mkdir()
    path = export_graph(loaded, out, "json").files[0]

    doc = load_json(path)
    assert path == out / "lianjian.json"
    assert doc["schema_version"] >= 1
    assert len(doc["nodes"]) == FIXTURE_NODES and len(doc["relationships"]) == FIXTURE_RELS
    assert {n["label"] for n in doc["nodes"]} == set(SCOPE_C1)
    m1 = next(n for n in doc["nodes"] if n["id"] == "M-1")
    assert m1["props"]["phone"] == "13812341234" and m1["props"]["skills"] == ["医疗", "陪伴"]
    belongs = {(r["start"], r["end"]) for r in doc["relationships"] if r["type"] == "BELONGS_TO"}
    assert ("M-1", "O-G1") in belongs
    assert "acc" not in path.read_text(encoding="utf-8")


def test_graphml_loads_with_networkx(loaded: GraphStore, tmp_path: Path) -> None:
    path = export_graph(loaded, tmp_path / "g.graphml", "graphml").files[0]

    graph = nx.read_graphml(path)
    assert graph.number_of_nodes() == FIXTURE_NODES and graph.number_of_edges() == FIXTURE_RELS
    assert graph.nodes["M-1"]["label"] == "Member" and graph.nodes["M-1"]["skills"] == "医疗;陪伴"
    assert graph.nodes["A-B1"]["old_compound"] is True
    assert "households" not in graph.nodes["A-S1"]  # None is dropped
    assert {d["type"] for _, _, d in graph.edges("O-G1", data=True)} == {"COVERS"}


def test_scoped_export_holds_the_community_and_nothing_of_the_other_street(
    loaded: GraphStore, tmp_path: Path, falkordb_server: EmbeddedFalkorDB
) -> None:
    doc = load_json(export_graph(loaded, tmp_path / "s.json", "json", scope_org_id="O-C1").files[0])

    by_label: dict[str, set[str]] = {}
    for n in doc["nodes"]:
        by_label.setdefault(n["label"], set()).add(n["id"])
    assert by_label == SCOPE_C1
    exported = {n["id"] for n in doc["nodes"]}
    assert not exported & STREET_2
    assert all(r["start"] in exported and r["end"] in exported for r in doc["relationships"])
    assert ("O-C1", "O-G1") in {(r["start"], r["end"]) for r in doc["relationships"] if r["type"] == "LEADS"}

    csv_files = export_graph(loaded, tmp_path / "scoped", "csv", scope_org_id="O-C1").files
    fresh = make_store("falkordb", falkordb_server)
    try:
        apply_schema(fresh)
        report = import_files(fresh, csv_files)  # the scope stands on its own: no dangling reference
        assert sum(report.upserted.values()) == sum(len(ids) for ids in SCOPE_C1.values())
    finally:
        fresh.drop_all()
        fresh.close()

    with pytest.raises(ExportError):
        export_graph(loaded, tmp_path / "x.json", "json", scope_org_id="O-NONE")


def test_mask_pii_leaves_no_phone_number_or_full_name(loaded: GraphStore, tmp_path: Path) -> None:
    files = export_graph(loaded, tmp_path / "c", "csv", mask_pii=True).files
    files += export_graph(loaded, tmp_path / "m.json", "json", mask_pii=True).files
    files += export_graph(loaded, tmp_path / "m.graphml", "graphml", mask_pii=True).files
    texts = [p.read_text(encoding="utf-8-sig") for p in files]

    for text in texts:
        assert not re.search(r"1[3-9]\d{9}", text)
        assert "张三丰" not in text and "李医生" not in text
    assert any("138****1234" in t for t in texts) and any("张**" in t for t in texts)
    assert "幸福社区党委" in texts[1]  # organisations' names are not personal data


def test_csv_export_says_what_it_leaves_out(loaded: GraphStore, tmp_path: Path) -> None:
    loaded.run("node.create.Category", {"props": {"id": "elderly", "name": "助老服务", "level": 1}})
    loaded.run("node.create.Project", {"props": {"id": "P-1", "title": "助餐", "status": "claimed"}})
    loaded.run(
        "rel.bulk_create.FULFILLS.Project.Need", {"rows": [{"start": "P-1", "end": "N-1", "props": {}}]}
    )

    report = export_graph(loaded, tmp_path / "c", "csv")

    notes = "\n".join(report.notes)
    assert "服务类别" in notes and "项目" in notes and "FULFILLS" in notes
    assert "服务类别" in report.render_zh()


def test_every_label_and_relationship_of_the_schema_is_exported(store: GraphStore, tmp_path: Path) -> None:
    expected: set[tuple[str, str, str]] = set()
    for rel in SCHEMA.rel_types:
        for start, end in rel.endpoint_pairs():
            a, b = f"{rel.name}-{start}-{end}-a", f"{rel.name}-{start}-{end}-b"
            store.run(f"node.create.{start}", {"props": {"id": a}})
            store.run(f"node.create.{end}", {"props": {"id": b}})
            store.run(
                f"rel.bulk_create.{rel.name}.{start}.{end}", {"rows": [{"start": a, "end": b, "props": {}}]}
            )
            if start in EXPORT_LABELS and end in EXPORT_LABELS:
                expected.add((rel.name, start, end))

    doc = load_json(export_graph(store, tmp_path / "all.json", "json").files[0])

    assert {(r["type"], r["start_label"], r["end_label"]) for r in doc["relationships"]} == expected
    labels = {n["label"] for n in doc["nodes"]}
    assert labels == {lb for _, s, e in expected for lb in (s, e)} and not labels & set(NOT_EXPORTED)
    graph = nx.read_graphml(export_graph(store, tmp_path / "all.graphml", "graphml").files[0])
    assert graph.number_of_edges() == len(expected)


@pytest.mark.parametrize(
    ("prop", "value", "masked"),
    [
        ("phone", "13812341234", "138****1234"),
        ("contact_phone", "010-12345678", "010*****5678"),
        ("phone", "12345", "***45"),
        ("name", "张三丰", "张**"),
        ("contact_name", "王经理", "王**"),
        ("name", "李", "李*"),
        ("name", None, None),
        ("name", ["张三", "李四"], ["张*", "李*"]),
    ],
)
def test_mask_value(prop: str, value: Any, masked: Any) -> None:
    assert mask_value(prop, value) == masked
