"""Schemas of the notifications resource (an account's own inbox)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class NotificationOut(BaseModel):
    """One notification as its recipient sees it."""

    model_config = ConfigDict(extra="ignore")

    id: str
    kind: str = Field(description="通知类型代码")
    kind_zh: str = Field(description="通知类型")
    title: str = Field(description="标题")
    entity_label: str | None = Field(None, description="相关对象类型(Need、Project…)")
    entity_id: str | None = Field(None, description="相关对象编号")
    link: str | None = Field(None, description="工作台中相关对象的地址")
    created_at: str = Field(description="时间")
    read_at: str | None = Field(None, description="已读时间")
    read: bool = Field(description="是否已读")


class UnreadCount(BaseModel):
    """The badge's figure."""

    unread: int = Field(description="未读通知数")


class MarkedRead(BaseModel):
    """How many notifications a read-all marked."""

    marked: int = Field(description="本次标为已读的通知数")
