"""Directory reads the loop's pages need: an org (public, minimal), the org tree of a jurisdiction
(to pick where a need is posted), a unit, a member and a community's roll of members. Personal
data in them passes through ``engine.services.personal.mask_personal``."""

from __future__ import annotations

from typing import Any

from engine.actors import Actor
from engine.errors import Forbidden, NotFound
from engine.services.personal import mask_personal
from engine.services.records import check_page, public
from engine.services.scope import jurisdiction, may_see_holder, subtree
from engine.store.base import GraphStore, Row
from engine.store.queries import directory as directory_queries


def get_org(store: GraphStore, actor: Actor, org_id: str) -> dict[str, Any]:
    """An org's public fields, the org leading it and how many it leads (any signed-in role)."""
    row = store.one(directory_queries.ORG, {"id": org_id})
    if row is None:
        raise NotFound("党组织不存在")
    parent = (row["parents"] or [{}])[0]
    return {
        **row["org"],
        "parent_id": parent.get("id"),
        "parent_name": parent.get("name"),
        "children": row["children"],
    }


def _in_scope(store: GraphStore, actor: Actor, org_id: str, doing_zh: str) -> frozenset[str]:
    """The subtree of ``org_id`` after checking that an org role reaches it."""
    if actor.is_provider:
        raise Forbidden(f"服务方不能查看{doing_zh}")
    scope = jurisdiction(store, actor)
    if not scope.covers(org_id):
        raise Forbidden(f"只能查看本辖区的{doing_zh}")
    ids = subtree(store, org_id)
    if not ids:
        raise NotFound("党组织不存在")
    return ids


def org_tree(store: GraphStore, actor: Actor, org_id: str) -> list[dict[str, Any]]:
    """``org_id`` and every org it leads, root first then by depth: each with its parent, depth,
    the areas it covers and its member count. For planners, secretaries (within their
    jurisdiction) and admins."""
    _in_scope(store, actor, org_id, "组织架构")
    rows = store.run(directory_queries.TREE, {"id": org_id})
    ids = {r["org"]["id"] for r in rows}
    parents = {  # the leading org inside the subtree (the root has none)
        r["org"]["id"]: next((p for p in r["parent_ids"] if p in ids and r["org"]["id"] != org_id), None)
        for r in rows
    }
    depth: dict[str, int] = {}

    def level(node: str | None) -> int:
        if node is None:
            return -1
        if node not in depth:
            depth[node] = 0  # guards against a cycle in bad data
            depth[node] = level(parents[node]) + 1
        return depth[node]

    nodes = [
        {
            **r["org"],
            "parent_id": parents[r["org"]["id"]],
            "depth": level(r["org"]["id"]),
            "areas": sorted(r["areas"], key=lambda a: a["id"]),
            "members": r["members"],
        }
        for r in rows
    ]
    return sorted(nodes, key=lambda n: (n["depth"], n["id"]))


def get_unit(store: GraphStore, actor: Actor, unit_id: str) -> dict[str, Any]:
    """A resident unit (public to every signed-in role) with its ties; its contact person is
    personal data, masked unless ``actor`` is entitled to it."""
    row = store.one(directory_queries.UNIT, {"id": unit_id})
    if row is None:
        raise NotFound("驻区单位不存在")
    unit = mask_personal(store, actor, "Unit", [public(row["unit"])])[0]
    return {
        **unit,
        "reports_to": row["reports_to"],
        "own_orgs": row["own_orgs"],
        "areas": row["areas"],
        "active_offerings": row["active_offerings"],
    }


def _member_views(store: GraphStore, actor: Actor, rows: list[Row]) -> list[dict[str, Any]]:
    members = mask_personal(store, actor, "Member", [public(r["member"]) for r in rows])
    return [
        {**m, **{k: r[k] for k in ("belongs_to", "reports_to", "joins", "holds")}}
        for m, r in zip(members, rows, strict=True)
    ]


def get_member(store: GraphStore, actor: Actor, member_id: str) -> dict[str, Any]:
    """A member with the orgs it is tied to: to the member itself, admins, and planners and
    secretaries whose jurisdiction it is tied to; name and phone masked unless entitled."""
    row = store.one(directory_queries.MEMBER, {"id": member_id})
    if row is None:
        raise NotFound("党员不存在")
    if not may_see_holder(store, actor, jurisdiction(store, actor), "Member", member_id):
        raise Forbidden("无权查看该党员")
    return _member_views(store, actor, [row])[0]


def list_members(
    store: GraphStore, actor: Actor, org_id: str, *, skip: int = 0, limit: int = 50
) -> list[dict[str, Any]]:
    """Members that belong or report to ``org_id`` or an org it leads (a community's roll), by id;
    name and phone masked unless ``actor`` is entitled to them."""
    check_page(skip, limit)
    org_ids = _in_scope(store, actor, org_id, "党员名册")
    rows = store.run(directory_queries.MEMBERS, {"org_ids": sorted(org_ids), "skip": skip, "limit": limit})
    return _member_views(store, actor, rows)
