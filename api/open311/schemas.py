"""GeoReport v2 documents, with the standard's field names exactly."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Service(BaseModel):
    """A GeoReport service: one category of the service taxonomy."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "service_code": "elderly.meals",
                    "service_name": "助餐送餐",
                    "description": "助老服务 · 助餐送餐",
                    "metadata": False,
                    "type": "realtime",
                    "keywords": "烹饪,配送",
                    "group": "助老服务",
                }
            ]
        }
    )

    service_code: str
    service_name: str
    description: str
    metadata: bool = Field(description="是否有附加字段定义(本平台没有)")
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str = Field(description="逗号分隔的关键词(该类别常需的技能)")
    group: str = Field(description="所属一级类别")


class ServiceRequest(BaseModel):
    """A GeoReport service request: one need, without any personal data."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "service_request_id": "N-0001",
                    "status": "open",
                    "status_notes": "待认领",
                    "service_name": "助餐送餐",
                    "service_code": "elderly.meals",
                    "description": "独居老人午餐配送:每周一至周五中午送餐上门",
                    "agency_responsible": "玉林社区党委",
                    "service_notice": None,
                    "requested_datetime": "2026-11-20T02:00:00Z",
                    "updated_datetime": "2026-11-20T02:00:00Z",
                    "expected_datetime": "2026-12-20T10:00:00Z",
                    "address": "玉林东路 3 号",
                    "address_id": None,
                    "zipcode": None,
                    "lat": 25.04,
                    "long": 102.71,
                    "media_url": None,
                }
            ]
        }
    )

    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None = None
    service_name: str | None = None
    service_code: str
    description: str | None = None
    agency_responsible: str | None = Field(None, description="负责的党组织名称")
    service_notice: str | None = None
    requested_datetime: str
    updated_datetime: str | None = None
    expected_datetime: str | None = Field(None, description="服务时间窗口的结束")
    address: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None


class SubmittedRequest(BaseModel):
    """GeoReport's answer to a new service request: its id (the tracking code) and a notice."""

    service_request_id: str | None = Field(None, description="查询码", examples=["7K2M9QX4TB"])
    token: str | None = Field(None, description="本平台即时给出查询码,不使用 token")
    service_notice: str | None = Field(None, description="给居民的提示(已有相同诉求时写明其查询码)")
    account_id: str | None = Field(None, description="代提交的网格员账号")
