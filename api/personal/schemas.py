"""Schemas of the personal-data resource (PIPL)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from engine.services.inputs import StrictInput
from engine.services.pipl import REASON_MAX, REASON_MIN, REVEAL_MAX

Reason = Field(min_length=1, max_length=REASON_MAX, description=f"理由(至少 {REASON_MIN} 个字),记入操作日志")


class PersonalData(BaseModel):
    """Everything the graph holds about the signed-in member or unit, unmasked (PIPL Art. 45)."""

    exported_at: str
    label: str = Field(examples=["Member"])
    person: dict[str, Any] = Field(description="本人(本单位)记录")
    related: dict[str, list[dict[str, Any]]] = Field(
        description="按对象类型:组织关系、资源、认领、项目及时长、服务记录、评价、积分、报名、报到申请、承诺等"
    )
    claimed_needs: list[dict[str, Any]] = Field(description="认领过的需求")
    accounts: list[dict[str, Any]] = Field(description="本人账号(不含密码)及其通知")
    requests: list[dict[str, Any]] = Field(description="以本人电话提交的诉求")


class AnonymiseBody(StrictInput):
    """Why a person is anonymised (the person's request, a ticket number…)."""

    reason: str = Reason


class Anonymised(BaseModel):
    """The outcome of anonymising: the new name, and whether anything changed this time."""

    id: str
    name: str | None = Field(None, examples=["已匿名-1a2b3c4d"])
    changed: bool = Field(description="本次是否有改动(已匿名化的再次提交不会改动)")
    accounts_disabled: int = 0


class RequestAnonymised(BaseModel):
    """A request whose contact was removed, and whether anything changed this time."""

    id: str
    changed: bool


class RevealBody(StrictInput):
    """Whose phones to reveal in an emergency, and why."""

    people: list[str] = Field(min_length=1, max_length=REVEAL_MAX, description="党员或驻区单位编号")
    reason: str = Reason


class Revealed(BaseModel):
    """A callee's full phone (a unit's contact phone)."""

    id: str
    phone: str | None
