"""Jurisdiction: which orgs an actor's role reaches, and the checks every service makes with it.

- ``admin``: everything.
- ``planner``: its org (a district or street) and every org it LEADS, transitively. Read-mostly:
  it reads and reports on everything in scope and may dispatch a claim there (平急结合), but
  it does not post, edit or cancel needs, run projects or evaluate.
- ``secretary``: its community org and the grids/buildings it leads: posts and manages the
  needs of those orgs, their claims, projects, problems and evaluations.
- ``unit`` / ``member``: itself, its offerings, its claims and the projects it serves. Open
  needs are a public demand list every role may read; they carry no personal data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.actors import Actor, Role
from engine.errors import Forbidden, NotFound
from engine.store.base import GraphStore
from engine.store.queries.closed_loop import scope as scope_queries


@dataclass(frozen=True, slots=True)
class Scope:
    """The orgs an actor reaches: all of them (admin) or a set of ids (possibly empty)."""

    everything: bool
    org_ids: frozenset[str]

    def covers(self, org_id: str | None) -> bool:
        """Whether ``org_id`` is inside the scope."""
        return self.everything or (org_id is not None and org_id in self.org_ids)

    def covers_any(self, org_ids: Iterable[str]) -> bool:
        """Whether any of ``org_ids`` is inside the scope."""
        return self.everything or not self.org_ids.isdisjoint(org_ids)

    @property
    def filter(self) -> list[str] | None:
        """The ``$org_ids`` parameter of list statements: None for everything."""
        return None if self.everything else sorted(self.org_ids)


def subtree(store: GraphStore, org_id: str) -> frozenset[str]:
    """Ids of ``org_id`` and every org it leads, transitively (empty when it does not exist)."""
    return frozenset(r["id"] for r in store.run(scope_queries.SUBTREE, {"org_id": org_id}))


def jurisdiction(store: GraphStore, actor: Actor) -> Scope:
    """The orgs ``actor`` reaches; one read for planners and secretaries, none for the others."""
    if actor.is_admin:
        return Scope(True, frozenset())
    if actor.role in (Role.PLANNER, Role.SECRETARY):
        ids = subtree(store, actor.scope_org_id or "")
        if not ids:
            raise Forbidden("账号的管辖党组织不存在,请联系管理员", "scope_missing")
        return Scope(False, ids)
    return Scope(False, frozenset())


def require_role(actor: Actor, roles: Iterable[Role], message_zh: str) -> None:
    """Raise Forbidden with ``message_zh`` unless ``actor`` has one of ``roles``."""
    if actor.role not in set(roles):
        raise Forbidden(message_zh)


def holder_kind(store: GraphStore, holder_id: str) -> str:
    """``Unit``, ``Member`` or ``Org`` for the id of a points holder, rater or provider."""
    row = store.one(scope_queries.HOLDER_KIND, {"id": holder_id})
    if row is None:
        raise NotFound("找不到该单位、党员或党组织")
    return str(row["kind"])


def provider_orgs(store: GraphStore, kind: str, provider_id: str) -> frozenset[str]:
    """Orgs a provider reports to, belongs to, joins or has served needs of."""
    row = store.one(scope_queries.PROVIDER_ORGS[kind], {"id": provider_id})
    return frozenset(row["org_ids"]) if row else frozenset()


def may_see_holder(store: GraphStore, actor: Actor, scope: Scope, kind: str, holder_id: str) -> bool:
    """Whether ``actor`` may read the records (points, ledger) of a unit, member or org."""
    if scope.everything:
        return True
    if actor.is_provider:
        return kind == actor.provider_label and holder_id == actor.subject_id
    if kind == "Org":
        return scope.covers(holder_id)
    return scope.covers_any(provider_orgs(store, kind, holder_id))
