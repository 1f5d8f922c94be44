"""Personal data (schema ``pii`` properties: a member's name and phone, a unit's contact person)
is shown in full only to those entitled to it, and masked (张**, 138****1234) for everyone else.

Entitled are: admins; the person itself (a member its own record, a unit its own contact); and
the secretary of the community the person belongs to — a member's formal affiliation
(BELONGS_TO) or the community it reports to (REPORTS_TO, 在职党员到社区报到), a unit's 双报到
community or its own party org, inside the secretary's jurisdiction. Planners, other
communities' secretaries, units and other members see masked values. Every response that
can carry personal data passes it through ``mask_personal`` (names of providers through
``with_provider_names``, which uses it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from engine.actors import Actor, Role
from engine.privacy import mask_value
from engine.services.scope import jurisdiction
from engine.store.base import GraphStore
from engine.store.queries import directory as directory_queries
from graph_schema.domain import PROVIDERS, SCHEMA

# Other labels with personal data whose community secretary may see it: a request's (诉求)
# contact is the secretary's of the community whose queue it is in (``dir.personal.ties.Request``).
TIED = ("Request",)
# Keys of a response that hold lists of records naming a provider (project crews, work logs).
NESTED_PROVIDER_LISTS = ("providers", "work_logs")


def entitled(store: GraphStore, actor: Actor, label: str, ids: Iterable[str]) -> frozenset[str]:
    """The ids among ``ids`` (nodes of ``label``) whose personal data ``actor`` may see in full."""
    wanted = frozenset(ids)
    if actor.is_admin:
        return wanted
    own = frozenset({actor.subject_id or ""}) & wanted if actor.provider_label == label else frozenset()
    if actor.role is not Role.SECRETARY or label not in (*PROVIDERS, *TIED) or not wanted - own:
        return own
    scope = jurisdiction(store, actor)
    rows = store.run(directory_queries.PERSONAL_TIES[label], {"ids": sorted(wanted - own)})
    return own | frozenset(str(r["id"]) for r in rows if scope.covers_any(r["org_ids"]))


def mask_personal(
    store: GraphStore, actor: Actor, label: str, nodes: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Copies of ``nodes`` (property maps of ``label`` with their ``id``) whose personal
    properties are masked unless ``actor`` is entitled to see them."""
    personal = SCHEMA.label(label).pii_props
    if not any(k in n for n in nodes for k in personal):
        return [dict(n) for n in nodes]
    shown = entitled(store, actor, label, (str(n["id"]) for n in nodes))
    return [
        dict(n) if n["id"] in shown else {**n, **{k: mask_value(k, n[k]) for k in personal if k in n}}
        for n in nodes
    ]


def _refs(record: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    """``record`` and the records nested in it that may name a provider."""
    yield record
    for key in NESTED_PROVIDER_LISTS:
        yield from record.get(key) or ()


def _named(record: Mapping[str, Any], names: Mapping[tuple[str, str], str | None]) -> dict[str, Any]:
    out = dict(record)
    if out.get("provider_id") and out.get("provider_kind"):
        out["provider_name"] = names.get((out["provider_kind"], out["provider_id"]))
    for key in NESTED_PROVIDER_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [_named(item, names) for item in out[key]]
    return out


def with_provider_names(
    store: GraphStore, actor: Actor, records: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Copies of ``records`` (claims, offerings, projects, …) with ``provider_name`` set on every
    record, crew member and work log that has ``provider_id`` and ``provider_kind``: a unit's
    name as it is, a member's name masked unless ``actor`` is entitled to see it."""
    wanted: dict[str, set[str]] = {label: set() for label in PROVIDERS}
    for record in records:
        for ref in _refs(record):
            if ref.get("provider_kind") in wanted and ref.get("provider_id"):
                wanted[ref["provider_kind"]].add(ref["provider_id"])
    names: dict[tuple[str, str], str | None] = {}
    for label, ids in wanted.items():
        if not ids:
            continue
        rows = store.run(directory_queries.PERSONAL_NAMES[label], {"ids": sorted(ids)})
        for row in mask_personal(store, actor, label, rows):
            names[(label, row["id"])] = row["name"]
    return [_named(record, names) for record in records]


def with_provider_name(store: GraphStore, actor: Actor, record: Mapping[str, Any]) -> dict[str, Any]:
    """One record with its provider names (see ``with_provider_names``)."""
    return with_provider_names(store, actor, [record])[0]
