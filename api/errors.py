"""Errors as JSON ``{code, message}`` with a message a secretary understands, mapped in one place."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine.errors import DomainError
from engine.store.errors import ConstraintViolation, StoreUnavailable

log = logging.getLogger(__name__)
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


class ErrorBody(BaseModel):
    """What every error response carries."""

    code: str = Field(examples=["conflict"])
    message: str = Field(examples=["该需求已被认领满额,无法再认领"])
    details: list[dict[str, Any]] | None = Field(None, description="per-field problems of an invalid request")


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": words}
    for status, words in (
        (400, "请求内容无法解析(如 JSON 格式错误、嵌套过深)"),
        (401, "未登录或登录已失效"),
        (403, "无权进行此操作(角色或管辖范围之外)"),
        (404, "找不到请求的内容"),
        (409, "与当前状态冲突"),
        (422, "提交的内容有误:类型不对、超出范围、缺少字段、含有不允许的字符等;details 逐项列出"),
    )
}
"""The error answers every route may give, documented once in the OpenAPI (see create_app)."""


# pydantic error types in words (the field's name is put in front).
_PYDANTIC_ZH = {
    "missing": "必须填写",
    "string_too_long": "过长",
    "string_too_short": "过短",
    "too_long": "项数过多",
    "too_short": "项数过少",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为是或否",
    "bool_type": "应为是或否",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_attributes_type": "应为对象",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "datetime_parsing": "应为日期时间(如 2026-11-24T08:00:00Z)",
    "datetime_from_date_parsing": "应为日期时间(如 2026-11-24T08:00:00Z)",
    "date_parsing": "应为日期(如 2026-11-24)",
    "date_from_datetime_parsing": "应为日期(如 2026-11-24)",
    "extra_forbidden": "是不认识的字段",
    "json_invalid": "不是有效的 JSON",
    "value_error": "不符合要求",
    "finite_number": "应为有限的数字",
    "bad_character": "含有不允许的字符(控制字符或无效编码),请删除后重试",
    "string_unicode": "含有无效的字符编码",
    "string_pattern_mismatch": "格式不正确",
    "url_parsing": "不是有效的网址",
    "uuid_parsing": "不是有效的编号",
    "bool_from_float": "应为是或否",
    "multiple_of": "数值不符合要求",
    "date_from_datetime_inexact": "应为日期(如 2026-11-24)",
    "timezone_aware": "应带时区(如 2026-11-24T08:00:00+08:00)",
    "union_tag_invalid": "取值不在允许范围内",
    "model_type": "应为对象",
    "none_required": "应为空",
    "is_instance_of": "类型不正确",
    "recursion_loop": "嵌套过深",
}


def _field(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "请求"


def describe_validation_errors(errors: Sequence[Any]) -> tuple[str, list[dict[str, Any]]]:
    """One Chinese sentence for the first problems, and the per-field details."""
    details = []
    for err in errors:
        field = _field(err.get("loc", ()))
        words = _PYDANTIC_ZH.get(err.get("type", ""), "")
        if err.get("type") == "value_error" and err.get("ctx", {}).get("error"):
            words = str(err["ctx"]["error"])
        elif not words:
            words = "不符合要求"  # a pydantic error type without words here: never English
        # An engine rule's own message already names the field in Chinese: do not name it twice.
        own = err.get("type") == "value_error" and bool(err.get("ctx", {}).get("error"))
        message = words if own else f"“{field}”{words}"
        details.append({"field": field, "message": message, "type": err.get("type")})
    head = ";".join(d["message"] for d in details[:3])
    more = f" 等 {len(details)} 处问题" if len(details) > 3 else ""
    return f"提交的内容有误:{head}{more}", details


def error_response(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> JSONResponse:
    """The JSON error response used everywhere."""
    body = ErrorBody(code=code, message=message, details=details).model_dump(exclude_none=True)
    return JSONResponse(status_code=status, content=body)


_HTTP_CODES = {
    400: ("bad_request", "请求内容无法解析,请检查格式"),
    401: ("unauthorized", "请先登录"),
    403: ("forbidden", "无权进行此操作"),
    404: ("not_found", "找不到请求的内容"),
    405: ("method_not_allowed", "不支持该请求方式"),
    409: ("conflict", "与当前状态冲突"),
    413: ("too_large", "提交的内容过大"),
    415: ("unsupported_media_type", "不支持的内容格式"),
    422: ("invalid_input", "提交的内容有误"),
    429: ("too_many_requests", "请求过于频繁,请稍后再试"),
}


def install_error_handlers(app: FastAPI) -> None:
    """Map every error the app can raise to ``{code, message}`` JSON."""

    @app.exception_handler(DomainError)
    async def on_domain(_: Request, exc: DomainError) -> JSONResponse:
        response = error_response(exc.http_status, exc.code, exc.message_zh)
        if exc.retry_after is not None:
            response.headers["Retry-After"] = str(exc.retry_after)
        if exc.http_status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = describe_validation_errors(exc.errors())
        return error_response(422, "invalid_input", message, details)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, default = _HTTP_CODES.get(exc.status_code, ("error", "请求失败"))
        words = exc.detail if isinstance(exc.detail, str) else ""
        message = words if _CHINESE.search(words) else default  # the framework's own are English
        response = error_response(exc.status_code, code, message)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(ConstraintViolation)
    async def on_duplicate(_: Request, exc: ConstraintViolation) -> JSONResponse:
        return error_response(409, "duplicate", "编号已存在,不能重复创建")

    @app.exception_handler(StoreUnavailable)
    async def on_store_down(_: Request, exc: StoreUnavailable) -> JSONResponse:
        log.error("graph store unavailable: %s", exc)
        return error_response(503, "store_unavailable", "数据服务暂时不可用,请稍后再试")

    @app.exception_handler(Exception)
    async def on_bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        response = error_response(500, "internal_error", "系统内部错误,请联系管理员")
        request_id = getattr(request.state, "request_id", None)  # set by api/observability/middleware.py
        if request_id:  # this answer leaves outside that middleware: it carries the id itself
            response.headers["X-Request-ID"] = request_id
        return response
