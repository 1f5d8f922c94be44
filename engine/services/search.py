"""Text search 搜索 (issue 12, point 7): needs, offerings, units, orgs and members by the words of
their titles, descriptions and names, through the stores' full-text indexes, within what the
caller may see, members' names masked for those not entitled to them.

The user's text never reaches a query language as it was typed. It is cut into words: runs of
Chinese characters and runs of Latin letters or digits (after NFKC, so full-width ＡＢＣ１２ are
abc12, lower-cased); everything else (quotes, ``*``, ``|``, ``-``, ``@``, brackets, OR…) only
separates words. Each backend then gets a query built from those words alone:

- Neo4j (Lucene over the 'cjk' analyzer's overlapping bigrams): a word of two or more Chinese
  characters is a quoted phrase (``"助老"``: the bigram 助老; ``"助老助餐"``: 助老 老助 助餐 in a row,
  so any substring of the text is found); a single Chinese character or a Latin word is a
  wildcard ``*x*`` over the indexed terms (a lone character is never a term of its own: the
  analyzer emits bigrams). Words are joined with AND.
- FalkorDB: every word must be a substring of the text (``$tokens``; why not its full-text
  index: ``engine/store/queries/search.py``).

Who sees what (the same rules as the lists and directory reads):
- needs: admins all; planners and secretaries their jurisdiction's; units and members the open
  ones anywhere (the public demand list);
- offerings: admins all; planners and secretaries those of providers tied to their jurisdiction;
  units and members the active ones and their own;
- units and orgs: admins, units and members all (public directory, no personal data); planners
  and secretaries those tied to their jurisdiction;
- members: admins all; planners and secretaries those tied to their jurisdiction, names masked
  unless entitled (``engine.services.personal``); a member only itself; a unit none.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from engine.actors import Actor, Role
from engine.errors import Forbidden, Invalid
from engine.services.personal import mask_personal, with_provider_names
from engine.services.records import check_page
from engine.services.scope import Scope, jurisdiction
from engine.store.base import GraphStore, Row
from engine.store.queries import search as search_queries
from graph_schema.domain import NEED_STATUSES, OFFERING_STATUSES

KINDS: dict[str, str] = {
    "need": "需求",
    "offering": "资源",
    "unit": "驻区单位",
    "org": "党组织",
    "member": "党员",
}
MAX_QUERY_CHARS = 100
MAX_WORDS = 8
SNIPPET_BEFORE, SNIPPET_AFTER = 20, 60

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(f"[{_CJK}]+|[0-9a-z]+")
_IS_CJK = re.compile(f"[{_CJK}]")


@dataclass(frozen=True, slots=True)
class Terms:
    """The words of a search and the full-text query each backend runs for them."""

    words: tuple[str, ...]

    def query(self, backend: str) -> str:
        """Neo4j's Lucene query for the words (only letters, digits, CJK, quotes, * and AND)."""
        if backend == "neo4j":
            return " AND ".join(f'"{w}"' if _IS_CJK.match(w) and len(w) > 1 else f"*{w}*" for w in self.words)
        return " ".join(self.words)  # unused by FalkorDB's statements (they take $tokens)


def words_of(text: str) -> Terms:
    """The search words of ``text``; Invalid (in Chinese) when there are none or too many."""
    if len(text) > MAX_QUERY_CHARS:
        raise Invalid(f"搜索内容不能超过 {MAX_QUERY_CHARS} 个字")
    found = _WORD.findall(unicodedata.normalize("NFKC", text).lower())
    words = tuple(dict.fromkeys(found))  # each word once, in the order typed
    if not words:
        raise Invalid("请输入要搜索的文字(汉字、字母或数字)")
    if len(words) > MAX_WORDS:
        raise Invalid(f"搜索词太多:最多 {MAX_WORDS} 个词")
    return Terms(words)


def snippet(text: str | None, words: tuple[str, ...]) -> str | None:
    """A short piece of ``text`` around the first of ``words`` it holds (its start when none)."""
    if not text:
        return None
    lower = text.lower()
    hits = [i for i in (lower.find(w) for w in words) if i >= 0]
    start = max(min(hits) - SNIPPET_BEFORE, 0) if hits else 0
    end = min(start + SNIPPET_BEFORE + SNIPPET_AFTER, len(text))
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def _params(actor: Actor, scope: Scope, kind: str) -> dict[str, Any] | None:
    """The scope parameters of ``kind`` for ``actor``; None when the role sees none of that kind."""
    if actor.is_provider:
        if kind == "member":
            return {"org_ids": None, "self_id": actor.subject_id} if actor.role is Role.MEMBER else None
        return {"org_ids": None, "open_only": True, "self_id": actor.subject_id}
    return {"org_ids": scope.filter, "open_only": False, "self_id": None}


def _hit(kind: str, row: Row) -> dict[str, Any]:
    return {"kind": kind, "id": row["id"], "title": row["title"], "score": float(row["score"])}


def _views(store: GraphStore, actor: Actor, kind: str, rows: list[Row], terms: Terms) -> list[dict[str, Any]]:
    """The hits of ``kind`` as callers see them: title, the line under it, a snippet, status."""
    words = terms.words
    if kind == "need":
        return [
            {
                **_hit(kind, r),
                "subtitle": r["org_name"],
                "snippet": snippet(r["description"], words),
                "status": r["status"],
                "status_zh": NEED_STATUSES.get(r["status"], r["status"]),
            }
            for r in rows
        ]
    if kind == "offering":
        named = with_provider_names(store, actor, [dict(r) for r in rows])
        return [
            {
                **_hit(kind, r),
                "subtitle": r["provider_name"],
                "snippet": snippet(r["description"], words),
                "status": r["status"],
                "status_zh": OFFERING_STATUSES.get(r["status"], r["status"]),
            }
            for r in named
        ]
    if kind == "unit":
        return [
            {**_hit(kind, r), "subtitle": "、".join(r["reports_to"]) or None, "snippet": r["address"]}
            for r in rows
        ]
    if kind == "org":
        return [{**_hit(kind, r), "subtitle": "、".join(r["parents"]) or None, "snippet": None} for r in rows]
    masked = mask_personal(store, actor, "Member", [{"id": r["id"], "name": r["title"]} for r in rows])
    return [
        {**_hit(kind, r), "title": m["name"], "subtitle": "、".join(r["belongs_to"]) or None, "snippet": None}
        for r, m in zip(rows, masked, strict=True)
    ]


def _jurisdiction(store: GraphStore, actor: Actor) -> Scope:
    if actor.role is Role.GRID_WORKER:
        raise Forbidden("网格员账号不能使用搜索")
    return jurisdiction(store, actor)


def search_kind(
    store: GraphStore,
    actor: Actor,
    kind: str,
    terms: Terms,
    *,
    skip: int = 0,
    limit: int = 20,
    scope: Scope | None = None,
) -> tuple[list[dict[str, Any]], bool]:
    """One page of ``kind``'s hits, best first, and whether more follow."""
    params = _params(actor, scope or _jurisdiction(store, actor), kind)
    if params is None:
        return [], False
    rows = store.run(
        search_queries.BY_KIND[kind],
        {
            "open_only": False,
            "self_id": None,
            **params,
            "query": terms.query(store.backend),
            "tokens": list(terms.words),
            "skip": skip,
            "limit": limit + 1,
        },
    )
    return _views(store, actor, kind, rows[:limit], terms), len(rows) > limit


def search(
    store: GraphStore, actor: Actor, text: str, *, kind: str | None = None, skip: int = 0, limit: int = 20
) -> dict[str, Any]:
    """Search ``text`` in one kind, or in every kind (a page of each): the words searched and the
    hits grouped by kind, best first (hits in the title or name first, then the index's score)."""
    check_page(skip, limit)
    if kind is not None and kind not in KINDS:
        raise Invalid(f"搜索类别“{kind}”不存在,可选:" + "、".join(f"{k}({v})" for k, v in KINDS.items()))
    terms = words_of(text)
    scope = _jurisdiction(store, actor)
    groups = []
    for k in [kind] if kind else list(KINDS):
        items, more = search_kind(store, actor, k, terms, skip=skip, limit=limit, scope=scope)
        groups.append({"kind": k, "kind_zh": KINDS[k], "items": items, "has_more": more})
    return {"q": text, "words": list(terms.words), "skip": skip, "limit": limit, "groups": groups}
