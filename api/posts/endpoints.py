"""Posts 职务 over HTTP: a secretary (its own orgs) or an admin (anywhere) assigns, edits and ends
posts; an org's posts (current, or with history) and a member's posts are read in scope."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import ActorDep, StoreDep
from api.posts.schemas import PostOut
from engine.services.posts import (
    PostDraft,
    PostEdit,
    PostEnd,
    assign_post,
    edit_post,
    end_post,
    get_post,
    list_posts,
    member_posts,
)

router = APIRouter(prefix="/posts", tags=["posts 职务"])


@router.get("", response_model=list[PostOut], summary="党组织的职务(现任,或含历史)")
def org_posts(
    store: StoreDep,
    actor: ActorDep,
    org_id: Annotated[str, Query(min_length=1, max_length=64, description="党组织编号")],
    include_ended: Annotated[bool, Query(description="含已离任的历史记录")] = False,
) -> list[dict[str, Any]]:
    """The posts of an org in one's jurisdiction, current ones first."""
    return list_posts(store, actor, org_id, include_ended=include_ended)


@router.get("/of-member/{member_id}", response_model=list[PostOut], summary="党员的职务(含历史)")
def of_member(store: StoreDep, actor: ActorDep, member_id: str) -> list[dict[str, Any]]:
    """Every post of a member the reader may see (the member itself sees all of its own)."""
    return member_posts(store, actor, member_id)


@router.post("", response_model=PostOut, status_code=201, summary="任职(社区书记、管理员)")
def assign(store: StoreDep, actor: ActorDep, body: PostDraft) -> dict[str, Any]:
    """A member takes a post; a new 书记 replaces the current one (history kept) unless
    ``replace`` is false; a 兼职委员 names the unit they come from."""
    return assign_post(store, actor, body)


@router.get("/{post_id}", response_model=PostOut, summary="职务详情")
def one(store: StoreDep, actor: ActorDep, post_id: str) -> dict[str, Any]:
    """One post, to readers of its org."""
    return get_post(store, actor, post_id)


@router.patch("/{post_id}", response_model=PostOut, summary="修改职务(社区书记、管理员)")
def edit(store: StoreDep, actor: ActorDep, post_id: str, body: PostEdit) -> dict[str, Any]:
    """Change a current post's role, start date, unit or note."""
    return edit_post(store, actor, post_id, body)


@router.post("/{post_id}/end", response_model=PostOut, summary="离任(社区书记、管理员)")
def end(store: StoreDep, actor: ActorDep, post_id: str, body: PostEnd) -> dict[str, Any]:
    """End a current post on a day with a reason; it stays as history."""
    return end_post(store, actor, post_id, body)
