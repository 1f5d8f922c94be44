"""The audit trail: every write's statement leaves one AuditEntry (who, when, what, values
before and after as JSON text); only admins read it, filter it and verify its hash chain."""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from engine.actors import Actor, Role
from engine.errors import Invalid
from engine.services.audit_chain import ChainReport, record_event, verify
from engine.services.clock import optional_time
from engine.services.records import MAX_LIMIT, check_page, public
from engine.services.scope import require_role
from engine.store.base import GraphStore
from engine.store.queries.closed_loop import audit as audit_queries

if TYPE_CHECKING:  # the importer and exporter are heavy; only their reports' types are needed
    from engine.exporting.exporter import ExportReport
    from engine.importing.report import ImportReport

ADMIN_ONLY = "只有管理员可以查看操作日志"


def list_audit(
    store: GraphStore,
    actor: Actor,
    *,
    entity_id: str | None = None,
    entity_label: str | None = None,
    who: str | None = None,
    action: str | None = None,
    since: str | None = None,
    until: str | None = None,
    skip: int = 0,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Newest audit entries, filtered by entity, entity label, acting account (``who``), action
    (exact, or a prefix such as ``need`` for ``need.*``) and time range; before/after parsed."""
    require_role(actor, (Role.ADMIN,), ADMIN_ONLY)
    check_page(skip, limit)
    start, end = optional_time(since, "since"), optional_time(until, "until")
    if start and end and start > end:
        raise Invalid("“since”不能晚于“until”")
    params = {
        "entity_id": entity_id or None,
        "entity_label": entity_label or None,
        "actor": who or None,
        "action": action or None,
        "action_prefix": f"{action}." if action else None,
        "since": start,
        "until": end,
        "skip": skip,
        "limit": min(limit, MAX_LIMIT),
    }
    out = []
    for row in store.run(audit_queries.LIST, params):
        entry = public(row["entry"])
        for key in ("before", "after"):
            entry[key] = json.loads(entry[key]) if entry.get(key) else None
        out.append(entry)
    return out


def verify_audit(store: GraphStore, actor: Actor) -> ChainReport:
    """Walk the audit's hash chain and report the first broken link (admins only)."""
    require_role(actor, (Role.ADMIN,), ADMIN_ONLY)
    return verify(store)


def record_import(
    store: GraphStore, actor: Actor, report: ImportReport, *, kind: str | None, by: str | None
) -> str:
    """Audit an import (``import``, or ``import.rejected`` with its problem count): who, which files,
    which kind, rows read and nodes and relationships written per kind."""
    details: dict[str, Any] = {"files": report.files, "kind": kind, "by": by, "rows": report.rows}
    if report.ok:
        details |= {
            "written": report.upserted,
            "created": report.created,
            "relationships": report.relationships,
        }
    else:
        details["problems"] = len(report.problems)
    action = "import" if report.ok else "import.rejected"
    return record_event(store, actor, action, "Import", _name(report.files), details)


def record_export(store: GraphStore, actor: Actor, report: ExportReport, *, by: str | None) -> str:
    """Audit an export: who, format, files, scope, masking, and counts per label and type."""
    files = [str(p) for p in report.files]
    details = {
        "format": report.fmt,
        "files": files,
        "scope": report.scope_org_id,
        "masked": report.masked,
        "by": by,
        "nodes": {k: v for k, v in report.nodes.items() if v},
        "relationships": report.relationships,
    }
    return record_event(store, actor, "export", "Export", _name([PurePath(f).name for f in files]), details)


def _name(files: list[str]) -> str:
    """The entry's entity id for a set of files: the one file's name, or the first and a count."""
    if not files:
        return "-"
    return files[0] if len(files) == 1 else f"{files[0]} 等 {len(files)} 个文件"
