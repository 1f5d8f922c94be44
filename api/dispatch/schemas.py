"""Schemas of the dispatch resource: runs and proposals (the inputs are the engine's
DispatchRequest and ProposalDecision)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi.openapi.models import Example
from pydantic import BaseModel, ConfigDict, Field

from api.claims.schemas import ClaimMade

RUN_EXAMPLES: dict[str, Example] = {
    "街道派单": Example(
        summary="规划人员为本街道派单,紧急需求优先",
        value={"scope_org_id": "org-s01", "method": "optimal", "urgent_first": True},
    ),
    "社区派单": Example(summary="社区书记为本社区派单(默认范围为本社区)", value={}),
    "全区派单": Example(
        summary="区级规划人员为全区各街道派单(各街道分区并行求解,同一批次不超出资源容量)",
        value={"scope_org_id": "org-top"},
    ),
    "分散派单": Example(
        summary="分散派单:同一服务方越往后的建议得分越低,让更多服务方分担(报告中给出总得分的代价)",
        value={"scope_org_id": "org-s01", "fairness_mode": "spread"},
    ),
}


class RunOut(BaseModel):
    """A dispatch run: its scope, street partition, method and outcome."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5d1c0b7a-2e3f-4a5b-8c9d-0e1f2a3b4c5d",
                    "status": "done",
                    "method": "optimal",
                    "scope_org_id": "org-s01",
                    "street_id": "org-s01",
                    "streets": 1,
                    "created_at": "2026-11-24T02:00:00Z",
                    "finished_at": "2026-11-24T02:00:01Z",
                    "objective": 1523.5,
                    "greedy_objective": 1490.25,
                    "needs_total": 120,
                    "needs_served": 97,
                    "pairs": 143,
                }
            ]
        }
    )

    id: str
    status: str = Field(description="running 进行中 · done 已完成 · failed 失败")
    method: str
    scope_org_id: str
    street_id: str | None = Field(None, description="本批次所在的街道分区(跨多个街道时为空)")
    streets: int | None = Field(None, description="本批次覆盖的街道分区数")
    created_at: str
    finished_at: str | None = None
    objective: float | None = Field(None, description="建议的总得分")
    greedy_objective: float | None = Field(None, description="先到先得方式的总得分(对照)")
    needs_total: int | None = Field(None, description="范围内待派的需求数")
    needs_served: int | None = Field(None, description="获得建议的需求数")
    pairs: int | None = Field(None, description="建议数")
    needs_skipped: int | None = Field(
        None, description="数据有误(如只有纬度没有经度)无法计算得分而跳过的需求数"
    )
    offerings_skipped: int | None = Field(None, description="数据有误无法计算得分而跳过的资源数")
    fairness_mode: str | None = Field(None, description="none 不调整 · spread 分散派单")
    fairness: dict[str, Any] | None = Field(
        None,
        description="公平性:各网格、社区获得建议的需求占比(最低、平均),服务方承接量(最多、平均、基尼系数);"
        "分散派单时另有不分散时的总得分与得分代价(score_cost)",
    )


class SkippedOut(BaseModel):
    """A need or offering a run left out because its stored data cannot be scored, and why."""

    kind: Literal["need", "offering"] = Field(description="need 需求 · offering 资源")
    id: str
    reason: str = Field(examples=["位置只有纬度,缺少经度"])


class RunSummary(RunOut):
    """A run just made, with its comparison to greedy and the work done in each phase."""

    gap_to_greedy: float = Field(description="总得分相对先到先得的提升比例")
    urgent_total: int = Field(description="范围内紧急需求数")
    urgent_served: int = Field(description="获得建议的紧急需求数")
    candidates: int = Field(description="候选配对数")
    offerings: int = Field(description="参与匹配的资源数")
    seconds: dict[str, float] = Field(description="各阶段用时(秒):读取、候选、求解、写入")
    skipped: list[SkippedOut] = Field(
        default_factory=list, description="因数据有误无法计算得分而跳过的需求和资源(请修正后重新派单)"
    )
    partitions: dict[str, Any] = Field(
        default_factory=dict,
        description="分区求解情况:执行方式(serial 本机 · dask 集群)、工作进程数、分区数、协调求解的候选数",
    )


class ProposalOut(BaseModel):
    """A proposal: need and offering, its score with the named parts that sum to it, and the path
    linking provider and need in words; a member's name masked unless entitled."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b",
                    "status": "pending",
                    "score": 42.4,
                    "parts": {
                        "category": 10.0,
                        "skills": 6.0,
                        "distance": 8.4,
                        "registration": 6.0,
                        "place": 4.0,
                        "urgency": 8.0,
                    },
                    "path_words": "同一社区 · 已到本社区双报到 · 距离 0.8 公里",
                    "created_at": "2026-11-24T02:00:00Z",
                    "run_id": "5d1c0b7a-2e3f-4a5b-8c9d-0e1f2a3b4c5d",
                    "need_id": "need-00012",
                    "need_title": "幸福小区助餐服务需求",
                    "need_status": "open",
                    "org_id": "org-s01-c01",
                    "offering_id": "offer-00031",
                    "offering_title": "助餐配送志愿服务",
                    "provider_id": "unit-00003",
                    "provider_kind": "Unit",
                    "provider_name": "春城区第一人民医院",
                }
            ]
        }
    )

    id: str
    status: str = Field(description="pending 待确认 · accepted 已采纳 · rejected 已拒绝 · superseded 已失效")
    score: float
    parts: dict[str, float] = Field(description="得分构成,各项之和等于得分")
    path_words: str | None = Field(None, description="服务方与需求之间的关系说明")
    created_at: str
    decided_at: str | None = None
    decided_by: str | None = None
    reason: str | None = None
    claim_id: str | None = Field(None, description="采纳后生成的认领编号")
    run_id: str
    need_id: str
    need_title: str | None = None
    need_status: str
    org_id: str = Field(description="需求所属党组织")
    offering_id: str
    offering_title: str | None = None
    provider_id: str
    provider_kind: str = Field(description="Unit 或 Member")
    provider_name: str | None = Field(None, description="服务方名称;党员姓名除有权查看者外脱敏")


class ProposalAccepted(ProposalOut):
    """An accepted proposal with the dispatch claim it became."""

    claim: ClaimMade
