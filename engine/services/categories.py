"""The service taxonomy 服务类别 managed in place (issue 12): administrators add a category or an
item, rename one, retire one (and restore it); everyone reads the effective taxonomy.

The effective taxonomy is the standard list of graph_schema/taxonomy.py read through the graph's
``Category`` nodes: a node's name and status win over the list's, and nodes the list lacks are the
entries administrators added. Before its first change the standard list is written into the graph
(``categories.seed``: missing nodes only). A retired entry (or an item of a retired category):
- is refused for new needs and offerings, and for changing a need's or offering's category to it
  (``require_offered``, with a Chinese message naming it);
- keeps its node: needs and offerings that already use it still show its code and name, and the
  export keeps it (Category nodes are exported whole).
Codes are ``top`` or ``top.item`` (lower-case letters, digits, ``_``); a code once used is never
reused, so history stays unambiguous.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from pydantic import Field, field_validator

from engine.actors import Actor, Role
from engine.errors import Conflict, Invalid, NotFound
from engine.services.clock import resolve
from engine.services.inputs import StrictInput
from engine.services.records import audit_record, present, public
from engine.services.scope import require_role
from engine.store.base import GraphStore
from engine.store.queries import categories as category_queries
from graph_schema.domain import CATEGORY_STATUSES
from graph_schema.taxonomy import CATEGORIES, CATEGORY_BY_ID

CODE = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
_ADMIN = "只有管理员可以维护服务类别"


class CategoryDraft(StrictInput):
    """A new category (no parent) or item (under a category)."""

    code: str = Field(min_length=1, max_length=31, description="编码(小写字母、数字、下划线,如 smart_home)")
    name: str = Field(min_length=1, max_length=50, description="名称")
    parent_id: str | None = Field(
        None, min_length=1, max_length=64, description="所属一级类别(不填为一级类别)"
    )
    description: str | None = Field(None, max_length=500, description="说明")
    skills: list[str] = Field(default_factory=list, max_length=10, description="常用技能")

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not CODE.match(value):
            raise ValueError("“编码”只能由小写字母、数字和下划线组成,且以字母开头")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("“名称”必须填写")
        return value

    @field_validator("skills")
    @classmethod
    def _skills(cls, value: list[str]) -> list[str]:
        cleaned = [s.strip() for s in value]
        if any(not s or len(s) > 20 for s in cleaned):
            raise ValueError("“常用技能”每项须为 1 到 20 个字")
        return list(dict.fromkeys(cleaned))


class CategoryRename(StrictInput):
    """A new name (and optionally a new description)."""

    name: str = Field(min_length=1, max_length=50, description="新名称")
    description: str | None = Field(None, max_length=500, description="说明")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("“名称”必须填写")
        return value


def _standard_rows() -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "parent": c.parent,
            "props": present(
                {
                    "id": c.id,
                    "name": c.name,
                    "level": 1 if c.parent is None else 2,
                    "status": "active",
                    "skills": list(c.skills),
                    "description": f"常见技能:{'、'.join(c.skills)}" if c.skills else None,
                }
            ),
        }
        for c in CATEGORIES
    ]


def seed(store: GraphStore) -> None:
    """Write the standard list's entries the graph lacks (tops first, then items); idempotent."""
    rows = _standard_rows()
    for batch in ([r for r in rows if r["parent"] is None], [r for r in rows if r["parent"]]):
        store.run(category_queries.SEED, {"rows": batch})


def effective(store: GraphStore) -> list[dict[str, Any]]:
    """Every entry: the standard list read through the graph's nodes, then entries added in the graph."""
    nodes = {
        r["category"]["id"]: (public(r["category"]), (r["parent_ids"] or [None])[0])
        for r in store.run(category_queries.LIST, {})
    }
    out: list[dict[str, Any]] = []
    for c in CATEGORIES:
        node, _ = nodes.pop(c.id, ({}, None))
        out.append(_entry(c.id, c.parent, node, c.name, list(c.skills), standard=True))
    added = sorted(nodes.items(), key=lambda kv: (kv[1][1] is not None, kv[0]))
    for code, (node, parent) in added:
        name, skills = node.get("name") or code, node.get("skills") or []
        out.append(_entry(code, parent, node, name, skills, standard=False))
    status = {e["id"]: e["status"] for e in out}
    for e in out:
        parent_ok = e["parent_id"] is None or status.get(e["parent_id"]) == "active"
        e["offered"] = e["status"] == "active" and parent_ok
    return out


def _entry(
    code: str, parent: str | None, node: dict[str, Any], name: str, skills: list[str], *, standard: bool
) -> dict[str, Any]:
    status = node.get("status") or "active"
    return {
        "id": code,
        "name": node.get("name") or name,
        "parent_id": parent,
        "level": 1 if parent is None else 2,
        "status": status,
        "status_zh": CATEGORY_STATUSES.get(status, status),
        "skills": node.get("skills") or skills,
        "description": node.get("description"),
        "retired_at": node.get("retired_at"),
        "standard": standard,
    }


def list_categories(store: GraphStore, *, include_retired: bool = True) -> list[dict[str, Any]]:
    """The effective taxonomy, tops each followed by their items (retired ones unless left out)."""
    entries = effective(store)
    items: dict[str | None, list[dict[str, Any]]] = {}
    for e in entries:
        items.setdefault(e["parent_id"], []).append(e)
    out: list[dict[str, Any]] = []
    for top in items.get(None, []):
        out.append(top)
        out.extend(items.get(top["id"], []))
    if not include_retired:
        out = [e for e in out if e["offered"]]
    return out


def get_category(store: GraphStore, code: str) -> dict[str, Any]:
    """One entry of the effective taxonomy; NotFound when there is none."""
    for e in effective(store):
        if e["id"] == code:
            return e
    raise NotFound("服务类别不存在")


def require_offered(store: GraphStore, code: str | None) -> None:
    """Raise Invalid unless ``code`` may be used for a new need or offering: an entry of the
    effective taxonomy that is not retired, under a category that is not retired."""
    if code is None:
        return
    row = store.one(category_queries.GET, {"id": code})
    if row is None:
        if code in CATEGORY_BY_ID:
            return  # the standard list, not (yet) written into this graph
        raise Invalid(f"服务类别“{code}”不在服务类别表中", "unknown_category")
    node = public(row["category"])
    parents = [public(p) for p in row["parents"] or []]
    for entry in (node, *parents):
        if entry.get("status") == "retired":
            which = "" if entry is node else f"所属的“{entry.get('name')}”"
            raise Invalid(
                f"服务类别“{node.get('name') or code}”{which}已停用,不能用于新的需求或资源;请选择其他类别",
                "category_retired",
            )


def add_category(
    store: GraphStore, actor: Actor, draft: CategoryDraft, *, now: str | None = None
) -> dict[str, Any]:
    """An administrator adds a category (no parent) or an item under an active category."""
    at = resolve(now)
    require_role(actor, (Role.ADMIN,), _ADMIN)
    seed(store)
    entries = {e["id"]: e for e in effective(store)}
    if draft.parent_id is not None:
        parent = entries.get(draft.parent_id)
        if parent is None or parent["level"] != 1:
            raise NotFound("所属一级类别不存在")
        if parent["status"] != "active":
            raise Conflict(f"一级类别“{parent['name']}”已停用,不能在其下新增", "category_retired")
        code = f"{draft.parent_id}.{draft.code}"
    else:
        code = draft.code
    if code in entries or code in CATEGORY_BY_ID:
        raise Conflict(f"编码“{code}”已被使用", "duplicate_category")
    if any(e["name"] == draft.name for e in entries.values()):
        raise Conflict(f"名称“{draft.name}”已被其他类别使用", "duplicate_category")
    props = present(
        {
            "id": code,
            "name": draft.name,
            "level": 1 if draft.parent_id is None else 2,
            "status": "active",
            "skills": draft.skills,
            "description": draft.description,
            "updated_at": at,
        }
    )
    written = store.one(
        category_queries.ADD,
        {
            "id": code,
            "nonce": uuid.uuid4().hex,
            "props": props,
            "parent_id": draft.parent_id,
            "audit": audit_record(
                actor,
                "category.add",
                "Category",
                code,
                at,
                before=None,
                after={**props, "parent_id": draft.parent_id},
            ),
        },
    )
    if written is None:
        raise Conflict(f"编码“{code}”已被使用", "duplicate_category")
    return get_category(store, code)


def rename_category(
    store: GraphStore, actor: Actor, code: str, rename: CategoryRename, *, now: str | None = None
) -> dict[str, Any]:
    """An administrator renames an entry (the code stays, so needs and offerings keep it)."""
    at = resolve(now)
    require_role(actor, (Role.ADMIN,), _ADMIN)
    seed(store)
    current = get_category(store, code)
    if any(e["name"] == rename.name and e["id"] != code for e in effective(store)):
        raise Conflict(f"名称“{rename.name}”已被其他类别使用", "duplicate_category")
    before = {"name": current["name"], "description": current["description"]}
    after = {"name": rename.name, "description": rename.description or current["description"]}
    written = store.one(
        category_queries.RENAME,
        {
            "id": code,
            "before_name": current["name"],
            "name": rename.name,
            "description": rename.description,
            "now": at,
            "audit": audit_record(actor, "category.rename", "Category", code, at, before=before, after=after),
        },
    )
    if written is None:
        raise Conflict("该类别正在被他人修改,请稍后重试", "busy")
    return get_category(store, code)


def _set_status(store: GraphStore, actor: Actor, code: str, to: str, at: str) -> dict[str, Any]:
    require_role(actor, (Role.ADMIN,), _ADMIN)
    seed(store)
    current = get_category(store, code)
    src = "active" if to == "retired" else "retired"
    if current["status"] != src:
        raise Conflict(f"该类别当前为“{current['status_zh']}”", "illegal_transition")
    usage = store.one(category_queries.USAGE, {"id": code, "prefix": f"{code}."}) or {}
    written = store.one(
        category_queries.SET_STATUS,
        {
            "id": code,
            "from": src,
            "to": to,
            "retired_at": at if to == "retired" else None,
            "now": at,
            "audit": audit_record(
                actor,
                f"category.{'retire' if to == 'retired' else 'restore'}",
                "Category",
                code,
                at,
                before={"status": src},
                after={"status": to, "needs": usage.get("needs"), "offerings": usage.get("offerings")},
            ),
        },
    )
    if written is None:
        raise Conflict("该类别正在被他人修改,请稍后重试", "busy")
    return {**get_category(store, code), "needs": usage.get("needs"), "offerings": usage.get("offerings")}


def retire_category(store: GraphStore, actor: Actor, code: str, *, now: str | None = None) -> dict[str, Any]:
    """Retire an entry: no new needs or offerings use it (or its items); history stays."""
    return _set_status(store, actor, code, "retired", resolve(now))


def restore_category(store: GraphStore, actor: Actor, code: str, *, now: str | None = None) -> dict[str, Any]:
    """Offer a retired entry again."""
    return _set_status(store, actor, code, "active", resolve(now))
