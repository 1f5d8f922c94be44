"""Schemas of the audit resource."""

from __future__ import annotations

from typing import Any

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
