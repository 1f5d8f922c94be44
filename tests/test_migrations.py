"""A graph written by an older schema version is brought to the current one by ``apply_schema``
(``lianjian schema apply``), on both backends, and running it again changes nothing."""

from __future__ import annotations

from typing import Any

from test_services_world import snapshot

from engine.exporting.collect import collect
from engine.services.audit_chain import seal, verify
from engine.store.base import GraphStore
from engine.store.queries.nodes import node_stmt, rel_stmt
from engine.store.schema_apply import apply_schema, current_version
from graph_schema.domain import SCHEMA_VERSION
from graph_schema.migrations import MIGRATIONS

AT = "2026-05-01T08:00:00Z"


def version_1_graph(store: GraphStore) -> None:
    """What schema version 1 wrote for two projects of one unit: a finished one (its hours credited at
    completion) and one in progress; work logs without a status, SERVES and Project hours as logged."""
    store.run(node_stmt("bulk_create", "Unit"), {"rows": [{"id": "U1", "name": "区人民医院"}]})
    projects = [
        {"id": "P-done", "title": "助餐", "status": "completed", "hours_total": 5.0, "completed_at": AT},
        {"id": "P-run", "title": "陪诊", "status": "in_progress", "hours_total": 3.0},
    ]
    store.run(node_stmt("bulk_create", "Project"), {"rows": projects})
    logs = [
        {"id": "W1", "hours": 5.0, "logged_at": "2026-04-30T08:00:00Z"},
        {"id": "W2", "hours": 3.0, "logged_at": "2026-05-02T08:00:00Z"},
    ]
    store.run(node_stmt("bulk_create", "WorkLog"), {"rows": logs})
    serves = [
        {"start": "U1", "end": "P-done", "props": {"offering_id": "F1", "hours": 5.0}},
        {"start": "U1", "end": "P-run", "props": {"offering_id": "F2", "hours": 3.0}},
    ]
    store.run(rel_stmt("bulk_create", "SERVES", "Unit", "Project"), {"rows": serves})
    on = [{"start": "W1", "end": "P-done", "props": {}}, {"start": "W2", "end": "P-run", "props": {}}]
    store.run(rel_stmt("bulk_create", "ON", "WorkLog", "Project"), {"rows": on})
    logged = [{"start": "U1", "end": w["id"], "props": {}} for w in logs]
    store.run(rel_stmt("bulk_create", "LOGGED", "Unit", "WorkLog"), {"rows": logged})
    trail = [
        {"id": f"A{i}", "at": AT, "actor": "acc-1", "role": "admin", "action": "need.post",
         "entity_label": "Need", "entity_id": f"N{i}"}
        for i in (1, 2)
    ]  # fmt: skip
    store.run(node_stmt("bulk_create", "AuditEntry"), {"rows": trail})  # unsealed, without the label
    store.run("meta.schema_version_set", {"version": 1, "applied_at": AT})


def node(store: GraphStore, label: str, node_id: str) -> dict[str, Any]:
    row = store.one(node_stmt("get", label), {"id": node_id})
    assert row is not None
    return dict(row["node"])


def test_a_version_1_graph_is_migrated_and_a_second_apply_changes_nothing(store: GraphStore) -> None:
    assert SCHEMA_VERSION >= 2 and [m.version for m in MIGRATIONS] == list(range(2, SCHEMA_VERSION + 1))
    version_1_graph(store)
    assert current_version(store) == 1

    report = apply_schema(store)
    assert report.version_before == 1 and report.migrations == list(range(2, SCHEMA_VERSION + 1))
    assert current_version(store) == SCHEMA_VERSION

    done, running = node(store, "WorkLog", "W1"), node(store, "WorkLog", "W2")
    assert (done["status"], done["confirmed_at"]) == ("confirmed", AT)  # credited at completion under v1
    assert running["status"] == "pending" and running.get("confirmed_at") is None  # waits, as a new log
    projects = {p: node(store, "Project", p) for p in ("P-done", "P-run")}
    hours = {p: (n["hours_total"], n["hours_logged"]) for p, n in projects.items()}
    assert hours == {"P-done": (5.0, 5.0), "P-run": (0.0, 3.0)}  # (confirmed, logged)
    serves = {r.end: r.props for r in collect(store, scope_org_id=None).rels if r.type == "SERVES"}
    assert (serves["P-done"]["hours"], serves["P-done"]["hours_logged"]) == (5.0, 5.0)
    assert (serves["P-run"]["hours"], serves["P-run"]["hours_logged"]) == (0.0, 3.0)

    # the trail written before the Unsealed label is found and sealed, and the chain verifies
    assert verify(store).unsealed == 2
    assert seal(store) == 2 and verify(store).unsealed == 0
    assert verify(store).ok

    before = snapshot(store)
    again = apply_schema(store)
    assert again.version_before == SCHEMA_VERSION and again.migrations == []
    assert snapshot(store) == before
