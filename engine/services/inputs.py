"""Pydantic inputs whose limits come from the graph schema, so no limit is written twice.

``prop_field`` turns a schema property into a pydantic ``Field`` (length, range, choices and
a Chinese description that also reach the OpenAPI schema); ``SchemaInput`` coerces and checks
every field named like a property of its label with ``graph_schema.validation``.
"""

from __future__ import annotations

import re
import types
from datetime import date
from enum import Enum
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue, WithJsonSchema
from pydantic_core import PydanticCustomError, PydanticUndefined, core_schema

from engine.errors import Invalid
from graph_schema.domain import SCHEMA
from graph_schema.model import Prop, PropType
from graph_schema.taxonomy import CATEGORY_BY_ID
from graph_schema.validation import PAIR_MESSAGE, PAIRED, CoercionError, check_value, coerce

_FORMATS = {PropType.DATETIME: "date-time", PropType.DATE: "date"}
"""The OpenAPI string format of the time properties (a time without a zone is Beijing time)."""


def schema_prop(label: str, name: str) -> Prop:
    """The schema property ``label.name``; KeyError when the schema has no such property."""
    prop = SCHEMA.label(label).prop(name)
    if prop is None:
        raise KeyError(f"{label} has no property {name}")
    return prop


def prop_field(label: str, name: str, default: Any = PydanticUndefined, **extra: Any) -> Any:
    """A pydantic ``Field`` carrying the limits of schema property ``label.name``."""
    prop = schema_prop(label, name)
    schema_extra: dict[str, Any] = {}
    if prop.choices:
        key = "items" if prop.type is PropType.STRING_LIST else "enum"
        schema_extra[key] = {"enum": list(prop.choices)} if key == "items" else list(prop.choices)
    if prop.type in _FORMATS:
        schema_extra["format"] = _FORMATS[prop.type]
    return Field(
        default,
        max_length=prop.max_length,
        ge=prop.minimum,
        le=prop.maximum,
        description=prop.title_zh or None,
        json_schema_extra=schema_extra or None,
        **extra,
    )


def id_field(label: str, default: Any = PydanticUndefined, description: str | None = None) -> Any:
    """A field holding the id of a node of ``label`` (the schema's id limits)."""
    prop = schema_prop(label, "id")
    title = SCHEMA.label(label).title_zh
    return Field(default, min_length=1, max_length=prop.max_length, description=description or f"{title}编号")


def checked(label: str, name: str, raw: Any) -> Any:
    """``raw`` coerced and checked as property ``label.name``; raises Invalid with the reason."""
    prop = schema_prop(label, name)
    try:
        value = coerce(prop, raw)
    except CoercionError as exc:
        raise Invalid(str(exc)) from exc
    problems = check_value(prop, value)
    if problems:
        raise Invalid(problems[0].message)
    return value


_CATEGORY_CODE = re.compile(r"^[a-z][a-z0-9_]{0,30}(\.[a-z][a-z0-9_]{0,30})?$")


def _known_category(value: str) -> str:
    # A code of the standard list, or one an administrator added in the graph (issue 12), which
    # the use case checks with engine.services.categories.require_offered (retired ones refused).
    if value not in CATEGORY_BY_ID and not _CATEGORY_CODE.match(value):
        raise ValueError(f"服务类别“{value}”不在服务类别表中")
    return value


Category = Annotated[
    str,
    AfterValidator(_known_category),
    WithJsonSchema({"type": "string", "enum": list(CATEGORY_BY_ID), "description": "服务类别编码"}),
]
"""A code of the service taxonomy (``elderly`` or ``elderly.meals``)."""


# JSON types an input field takes, by the Python type it is annotated with: an object never becomes
# a string, a number never a boolean, a string never a number or a list.
_JSON_TYPES: dict[Any, tuple[type, ...]] = {str: (str,), bool: (bool,), int: (int,), float: (int, float)}
_TYPE_ERRORS = {
    str: "string_type",
    bool: "bool_type",
    int: "int_type",
    float: "float_type",
    list: "list_type",
}


def _json_kind(annotation: Any) -> Any:
    """str, bool, int, float, list, or None when the annotation is none of those (left to pydantic)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _json_kind(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        kinds = {_json_kind(a) for a in get_args(annotation) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    if origin is Literal:
        return str if all(isinstance(a, str) for a in get_args(annotation)) else None
    if origin is list:
        return list
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return str
    return annotation if annotation in _JSON_TYPES else None


def _item_kind(annotation: Any) -> Any:
    """The item type of a ``list[...]`` annotation (through Optional and Annotated), or None."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _item_kind(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        found = {_item_kind(a) for a in get_args(annotation) if a is not type(None)}
        return found.pop() if len(found) == 1 else None
    if origin is list:
        args = get_args(annotation)
        return _json_kind(args[0]) if args else None
    return None


def strict_json(annotation: Any, value: Any) -> None:
    """Refuse ``value`` unless it has the JSON type ``annotation`` names (None left to pydantic):
    raises pydantic's own error types, which the API words in Chinese."""
    kind = _json_kind(annotation)
    if value is None or kind is None:
        return
    if kind is list:
        if not isinstance(value, list):
            raise PydanticCustomError("list_type", "Input should be a valid list")
        item = _item_kind(annotation)
        if item is not None:
            for x in value:
                strict_json(item, x)
        return
    if isinstance(value, date) and kind is str:
        return  # a Python caller's date or datetime (JSON has none): the schema rules turn it to text
    ok = isinstance(value, _JSON_TYPES[kind]) and (kind is bool or not isinstance(value, bool))
    if not ok:
        raise PydanticCustomError(
            _TYPE_ERRORS[kind], "Input should be a valid {kind}", {"kind": kind.__name__}
        )


class StrictInput(BaseModel):
    """An input taken as JSON types only: no object read as a string, no number as a boolean;
    no field it does not know."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _input_rules(cls, value: Any, info: ValidationInfo) -> Any:
        strict_json(cls.model_fields[info.field_name or ""].annotation, value)
        return value


class SchemaInput(StrictInput):
    """An input whose fields named like properties of ``schema_label`` obey the schema's rules; a
    latitude and a longitude are given together or not at all (the OpenAPI says so too)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    schema_label: ClassVar[str]

    @field_validator("*", mode="before")
    @classmethod
    def _input_rules(cls, value: Any, info: ValidationInfo) -> Any:
        strict_json(cls.model_fields[info.field_name or ""].annotation, value)
        prop = SCHEMA.label(cls.schema_label).prop(info.field_name or "")
        if prop is None or value is None:
            return value
        typed = coerce(prop, value)  # CoercionError is a ValueError: pydantic reports it per field
        if typed is None:
            if prop.required:
                raise ValueError(f"“{prop.title_zh}”必须填写")
            return None
        problems = check_value(prop, typed)
        if problems:
            raise ValueError(problems[0].message)
        return typed

    @model_validator(mode="after")
    def _paired(self) -> SchemaInput:
        if all(name in type(self).model_fields for name in PAIRED):
            values = [getattr(self, name) for name in PAIRED]
            given = [name in self.model_fields_set for name in PAIRED]
            if (values[0] is None) != (values[1] is None) or given[0] != given[1]:
                raise ValueError(PAIR_MESSAGE)
        return self

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler.resolve_ref_schema(handler(schema))
        if all(name in cls.model_fields for name in PAIRED):
            numbers = {name: {"type": "number"} for name in PAIRED}
            nothing = {name: {"type": "null"} for name in PAIRED}
            json_schema["anyOf"] = [
                {"properties": numbers, "required": list(PAIRED)},
                {"properties": nothing},
            ]
            json_schema["description"] = f"{json_schema.get('description', '')}\n\n{PAIR_MESSAGE}。".strip()
        return json_schema

    def props(self, *, only_set: bool = False) -> dict[str, Any]:
        """The fields that are properties of the label, as a store payload."""
        label = SCHEMA.label(self.schema_label)
        names = self.model_fields_set if only_set else set(type(self).model_fields)
        return {k: getattr(self, k) for k in sorted(names) if label.prop(k) is not None}
