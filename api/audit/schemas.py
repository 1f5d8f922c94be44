"""Schemas of the audit resource."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class AuditEntryOut(BaseModel):
    """One write: who, when, what, and the values before and after."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "187a9c0b2e3f4a5b9c8d7e6f5a4b3c2d",
                    "at": "2026-11-24T08:00:00Z",
                    "actor": "yulin-secretary",
                    "role": "secretary",
                    "action": "need.cancel",
                    "entity_label": "Need",
                    "entity_id": "N-0001",
                    "before": {"status": "open"},
                    "after": {"status": "cancelled", "status_reason": "居民已自行解决"},
                }
            ]
        }
    )

    id: str
    at: str = Field(description="时间(UTC)")
    actor: str = Field(description="操作账号")
    role: str = Field(description="操作时的角色")
    action: str = Field(description="操作")
    entity_label: str = Field(description="对象类型")
    entity_id: str = Field(description="对象编号")
    before: dict[str, Any] | None = Field(None, description="操作前的值")
    after: dict[str, Any] | None = Field(None, description="操作后的值")
    seq: int | None = Field(None, description="哈希链序号(尚未封存时为空)")
    prev_hash: str | None = Field(None, description="前一条记录的哈希")
    hash: str | None = Field(None, description="本条记录的哈希(SHA-256,规范形式见 README)")


class BrokenLinkOut(BaseModel):
    """The first place the hash chain does not hold."""

    seq: int = Field(description="出错的链序号")
    entry_id: str | None = Field(None, description="出错处的记录编号")
    problem: Literal["content", "missing", "prev_hash", "order", "head"] = Field(
        description="content 内容被改动 · missing 记录缺失 · prev_hash 前序哈希不符 · order 序号重复或错乱 · "
        "head 链头不符(链尾被截断)"
    )
    detail: str = Field(description="说明")


class ChainReportOut(BaseModel):
    """What verifying the audit's hash chain found."""

    ok: bool = Field(description="整条链完好")
    entries: int = Field(description="已核验的记录数")
    unsealed: int = Field(description="尚未封存进链的记录数")
    head_seq: int = Field(description="链头序号")
    broken: BrokenLinkOut | None = Field(None, description="第一处断链")
