"""Schemas of the categories resource."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CategoryOut(BaseModel):
    """An entry of the service taxonomy."""

    id: str = Field(description="编码")
    name: str = Field(description="名称")
    parent_id: str | None = Field(None, description="所属一级类别")
    level: int = Field(description="层级:1 一级类别,2 服务项目")
    status: str = Field(description="active 启用 · retired 已停用")
    status_zh: str
    offered: bool = Field(description="可用于新的需求和资源(本身及所属一级类别均未停用)")
    skills: list[str] = Field(default_factory=list, description="常用技能")
    description: str | None = None
    retired_at: str | None = None
    standard: bool = Field(description="标准服务类别表中的条目(否则为管理员新增)")


class StatusChange(CategoryOut):
    """A retired or restored entry, with how many needs and offerings use it (kept as history)."""

    needs: int | None = Field(None, description="使用该类别的需求数(保留历史)")
    offerings: int | None = Field(None, description="使用该类别的资源数(保留历史)")
