"""Import and export of venues and amounts (issue 12, point 2), on both backends: a venue's hours,
mode and price, its bookings (with their need), goods' amounts and allocations come back from a
CSV export unchanged, whole and scoped to the community; an imported offering keeps the API's
rules (bad hours, a price without a paid mode) and is refused whole with the row named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import make_store, release_store
from test_services_world import NOW, World, need_draft, world_fixture  # noqa: F401
from test_venues import at, goods, slot, venue

from engine.exporting import export_graph
from engine.importing import import_files
from engine.importing.report import ImportRejected
from engine.services import NeedDraft, post_need
from engine.services.venues import AllocationDraft, BookingDraft, allocate, book_venue, cancel_booking
from engine.store import apply_schema
from engine.store.base import GraphStore
from engine.store.embedded import EmbeddedFalkorDB
from engine.store.queries.nodes import rel_stmt

LABELS = ("Offering", "Booking", "Allocation")
RELS = ("RESERVES", "BOOKED_FOR", "DRAWS_ON", "ALLOCATED_TO")


def ours(path: Path) -> tuple[dict[str, list[dict[str, Any]]], list[tuple[str, str, str]]]:
    """The offerings, bookings and allocations of a JSON export, and their relationships."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    nodes: dict[str, list[dict[str, Any]]] = {}
    for n in doc["nodes"]:
        if n["label"] in LABELS:  # an empty list is an empty cell in CSV: it comes back as none
            props = {k: v for k, v in n["props"].items() if v != []}
            nodes.setdefault(n["label"], []).append({**n, "props": props})
    rels = sorted((r["type"], r["start"], r["end"]) for r in doc["relationships"] if r["type"] in RELS)
    return {k: sorted(v, key=lambda n: n["id"]) for k, v in nodes.items()}, rels


def furnish(w: World) -> dict[str, str]:
    """A paid venue with two bookings (one for a need, one cancelled) and goods with an allocation."""
    s = w.store
    s.run(
        rel_stmt("bulk_create", "COVERS", "Org", "Area"),
        {"rows": [{"start": "C1", "end": "A1", "props": {}}]},
    )
    s.run(
        rel_stmt("bulk_create", "LOCATED_IN", "Unit", "Area"),
        {"rows": [{"start": "U1", "end": "A1", "props": {}}]},
    )
    vid = venue(w, access="paid", price=40.0, opening_hours=["mon-fri 09:00-17:00", "sat 09:00-12:00"])
    need = post_need(
        s,
        w.actor("sec1"),
        NeedDraft(**need_draft("C1", window_start=at("14:00"), window_end=at("16:00"))),
        now=NOW,
    )
    book_venue(s, w.actor("sec1"), vid, BookingDraft(need_id=need["id"], purpose="健康讲座"), now=NOW)
    gone = book_venue(s, w.actor("U1"), vid, slot("09:00", "10:00"), now=NOW)
    cancel_booking(s, w.actor("U1"), gone["id"], "改期", now=NOW)
    gid = goods(w, amount=200)
    allocate(s, w.actor("sec1"), gid, AllocationDraft(amount=30, need_id=need["id"]), now=NOW)
    return {"venue": vid, "goods": gid, "need": need["id"]}


def test_csv_export_round_trips_hours_mode_price_bookings_and_amounts(
    world: World, tmp_path: Path, falkordb_server: EmbeddedFalkorDB
) -> None:
    made = furnish(world)
    store = world.store
    before = ours(export_graph(store, tmp_path / "a.json", "json").files[0])
    assert len(before[0]["Booking"]) == 2 and len(before[0]["Allocation"]) == 1
    offered = {n["id"]: n for n in before[0]["Offering"]}
    assert offered[made["venue"]]["props"]["price"] == 40.0
    assert len(offered[made["venue"]]["props"]["opening_hours"]) == 6
    assert offered[made["goods"]]["props"]["amount_left"] == 170
    for scope, folder in ((None, "whole"), ("C1", "scoped")):
        files = export_graph(store, tmp_path / folder, "csv", scope_org_id=scope).files
        assert {"bookings.csv", "allocations.csv"} <= {p.name for p in files}
        fresh = make_store(store.backend, falkordb_server) if store.backend == "falkordb" else None
        target = fresh or store
        if fresh is None:  # Neo4j holds one database: empty it and import there
            target.drop_all()
        try:
            apply_schema(target)
            import_files(target, files)
            after = ours(export_graph(target, tmp_path / f"{folder}.json", "json").files[0])
            if scope is not None:  # the community's providers' offerings only (U1's and M1's)
                kept = {n["id"] for n in after[0]["Offering"]}
                assert {made["venue"], made["goods"]} <= kept and len(kept) < len(offered)
                expected = (
                    {**before[0], "Offering": [n for n in before[0]["Offering"] if n["id"] in kept]},
                    before[1],
                )
            else:
                expected = before
            assert after == expected, f"{folder} export did not come back unchanged"
        finally:
            if fresh is not None:
                release_store(fresh)


def test_an_imported_offering_keeps_the_venue_and_amount_rules(store: GraphStore, tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text("id,name,type\nU-9,示范小学,school\n", encoding="utf-8")
    head = "id,title,kind,access,price,opening_hours,amount,category,capacity,period,status,provider\n"
    bad = tmp_path / "offerings.csv"
    bad.write_text(
        head
        + "F-1,礼堂,venue,reservation,30,mon 09:00-17:00,,venue.meeting_room,5,week,active,U-9\n"
        + "F-2,会议室,venue,reservation,,周一全天,,venue.meeting_room,5,week,active,U-9\n"
        + "F-3,爱心物资,goods,,,,100,elderly,5,year,active,U-9\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as refused:
        import_files(store, [units, bad])
    problems = {(p.row, p.message) for p in refused.value.report.problems}
    assert any(row == 2 and "收费标准" in message for row, message in problems), problems
    assert any(row == 3 and "格式不对" in message for row, message in problems), problems
    good = tmp_path / "good" / "offerings.csv"
    good.parent.mkdir()
    good.write_text(
        head
        + "F-1,礼堂,venue,paid,30,mon-tue 09:00-17:00,,venue.meeting_room,5,week,active,U-9\n"
        + "F-3,爱心物资,goods,,,,100,elderly,5,year,active,U-9\n",
        encoding="utf-8",
    )
    import_files(store, [units, good])
    doc = json.loads(export_graph(store, tmp_path / "x.json", "json").files[0].read_text(encoding="utf-8"))
    offered = {n["id"]: n for n in doc["nodes"] if n["label"] == "Offering"}
    assert offered["F-1"]["props"]["opening_hours"] == ["mon 09:00-17:00", "tue 09:00-17:00"]
    assert offered["F-3"]["props"]["amount"] == 100 and offered["F-3"]["props"]["amount_left"] == 100
