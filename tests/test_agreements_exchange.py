"""Import and export carry the agreements' obligations and renewal history and the 双报到
registrations (issue 12): a graph built through the services, exported as CSV and imported into a
fresh graph, exports the same JSON for them; a community's scoped export holds its registrations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import make_store

from engine.actors import SYSTEM, Actor, Role
from engine.exporting import export_graph
from engine.importing import import_files
from engine.services.agreements import AgreementDraft, RenewBody, create_agreement, renew_agreement
from engine.services.registrations import RegistrationDraft, accept_registration, submit_registration
from engine.store import apply_schema
from engine.store.base import GraphStore
from engine.store.embedded import EmbeddedFalkorDB
from engine.store.queries.nodes import node_stmt, rel_stmt

NOW = "2026-12-01T02:00:00Z"
MINE = ("Agreement", "Registration")


def build(store: GraphStore) -> None:
    """A street and its community with an area, two units and a member; an agreement renewed once,
    a unit's registration accepted and a member's pending."""
    apply_schema(store)
    stamps = {"created_at": NOW, "updated_at": NOW}
    rows = {
        "Org": [{"id": "O-S", "name": "街道党工委", "level": "street", "kind": "big_council", **stamps},
                {"id": "O-C", "name": "幸福社区党委", "level": "community", "kind": "big_council", **stamps}],
        "Area": [{"id": "A-C", "name": "幸福社区", "level": "community", **stamps}],
        "Unit": [{"id": "U-1", "name": "幸福小学", "type": "school", **stamps},
                 {"id": "U-2", "name": "幸福医院", "type": "hospital", **stamps}],
        "Member": [{"id": "M-1", "name": "李四", "in_service": True, **stamps}],
    }  # fmt: skip
    for label, nodes in rows.items():
        store.run(node_stmt("bulk_create", label), {"rows": nodes})
    for rel, start, end, a, b in (
        ("LEADS", "Org", "Org", "O-S", "O-C"),
        ("COVERS", "Org", "Area", "O-C", "A-C"),
        ("LOCATED_IN", "Unit", "Area", "U-1", "A-C"),
        ("LOCATED_IN", "Unit", "Area", "U-2", "A-C"),
        ("BELONGS_TO", "Member", "Org", "M-1", "O-C"),
    ):
        store.run(rel_stmt("bulk_create", rel, start, end), {"rows": [{"start": a, "end": b, "props": {}}]})
    draft = AgreementDraft(
        org_id="O-C",
        unit_id="U-1",
        title="幸福社区与幸福小学共建协议",
        terms="共建“四点半课堂”",
        valid_from="2026-01-01",
        valid_to="2026-12-31",
        obligations_a=["提供活动室", "组织志愿者"],
        obligations_b=["派教师辅导", "开放操场"],
    )
    made = create_agreement(store, SYSTEM, draft, now=NOW)
    renew_agreement(store, SYSTEM, made["id"], RenewBody(valid_to="2027-12-31"), now=NOW)
    unit = submit_registration(
        store, Actor("acc-u2", Role.UNIT, subject_id="U-2"), RegistrationDraft(org_id="O-C"), now=NOW
    )
    accept_registration(store, SYSTEM, unit["id"], "欢迎报到", now=NOW)
    member = Actor("acc-m1", Role.MEMBER, subject_id="M-1")
    submit_registration(
        store, member, RegistrationDraft(org_id="O-C", note="在职党员到居住地社区报到"), now=NOW
    )


def mine(doc: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """The agreement and registration nodes of a JSON export, and their relationships (no props)."""
    nodes = sorted((n for n in doc["nodes"] if n["label"] in MINE), key=lambda n: (n["label"], n["id"]))
    rels = sorted(
        (r["type"], r["start"], r["end"])
        for r in doc["relationships"]
        if r["type"] in ("PARTY_TO", "REGISTERS", "REGISTERS_AT", "REPORTS_TO")
    )
    return nodes, rels


def load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        doc: dict[str, Any] = json.load(fh)
    return doc


def test_csv_round_trip_keeps_obligations_history_and_registrations(
    store: GraphStore, tmp_path: Path, falkordb_server: EmbeddedFalkorDB
) -> None:
    build(store)
    before = mine(load(export_graph(store, tmp_path / "a.json", "json").files[0]))
    agreement = next(n["props"] for n in before[0] if n["label"] == "Agreement")
    assert agreement["obligations_b"] == ["派教师辅导", "开放操场"]
    assert (
        agreement["renewals"] == ["2026-12-01:2026-12-31→2027-12-31"]
        and agreement["valid_to"] == "2027-12-31"
    )
    assert sorted(n["props"]["status"] for n in before[0] if n["label"] == "Registration") == [
        "accepted",
        "pending",
    ]
    member_reg = next(n["id"] for n in before[0] if n["props"].get("registrant_kind") == "Member")
    assert {
        ("REPORTS_TO", "U-2", "O-C"),
        ("REGISTERS", "M-1", member_reg),
        ("REGISTERS_AT", member_reg, "O-C"),
    } <= set(before[1])

    report = export_graph(store, tmp_path / "csv", "csv")
    assert "registrations.csv" in {p.name for p in report.files}
    fresh = make_store("falkordb", falkordb_server)
    try:
        apply_schema(fresh)
        import_files(fresh, report.files)
        after = mine(load(export_graph(fresh, tmp_path / "b.json", "json").files[0]))
        assert after[0] == before[0]  # every property of agreements and registrations came back
        assert after[1] == before[1]
    finally:
        fresh.drop_all()
        fresh.close()


def test_a_communitys_scoped_export_holds_its_registrations(store: GraphStore, tmp_path: Path) -> None:
    build(store)
    whole = mine(load(export_graph(store, tmp_path / "a.json", "json").files[0]))
    scoped = mine(load(export_graph(store, tmp_path / "s.json", "json", scope_org_id="O-C").files[0]))
    assert [n["id"] for n in scoped[0]] == [n["id"] for n in whole[0]]
    assert len([n for n in scoped[0] if n["label"] == "Registration"]) == 2
