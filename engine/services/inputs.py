"""Pydantic inputs whose limits come from the graph schema, so no limit is written twice.

``prop_field`` turns a schema property into a pydantic ``Field`` (length, range, choices and
a Chinese description that also reach the OpenAPI schema); ``SchemaInput`` coerces and checks
every field named like a property of its label with ``graph_schema.validation``.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticUndefined

from engine.errors import Invalid
from graph_schema.domain import SCHEMA
from graph_schema.model import Prop, PropType
from graph_schema.taxonomy import CATEGORY_BY_ID
from graph_schema.validation import CoercionError, check_value, coerce


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


def _known_category(value: str) -> str:
    if value not in CATEGORY_BY_ID:
        raise ValueError(f"服务类别“{value}”不在服务类别表中")
    return value


Category = Annotated[str, AfterValidator(_known_category)]
"""A code of the service taxonomy (``elderly`` or ``elderly.meals``)."""


class SchemaInput(BaseModel):
    """An input whose fields named like properties of ``schema_label`` obey the schema's rules."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    schema_label: ClassVar[str]

    @field_validator("*", mode="before")
    @classmethod
    def _schema_rules(cls, value: Any, info: ValidationInfo) -> Any:
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

    def props(self, *, only_set: bool = False) -> dict[str, Any]:
        """The fields that are properties of the label, as a store payload."""
        label = SCHEMA.label(self.schema_label)
        names = self.model_fields_set if only_set else set(type(self).model_fields)
        return {k: getattr(self, k) for k in sorted(names) if label.prop(k) is not None}
