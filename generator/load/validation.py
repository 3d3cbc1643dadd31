"""Validate plain YAML data against a model and turn pydantic's errors into located messages."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from generator.errors import ContentError
from generator.model._base import AtKey
from generator.load.yaml_source import Loc, Number, SourceDocument, format_loc

ModelT = typing.TypeVar("ModelT", bound=BaseModel)


def did_you_mean(value: object, candidates: typing.Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when one candidate is close to ``value``, else ``""``."""
    if not isinstance(value, str):
        return ""
    cutoff = 0.5 if len(value) <= 4 else 0.6  # short words differ by a larger share per typo
    close = difflib.get_close_matches(value, list(candidates), n=1, cutoff=cutoff)
    return f" (did you mean '{close[0]}'?)" if close else ""


def describe(value: object) -> str:
    """A short, human description of a YAML value for 'got …' messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, Number):
        return f"the number {value}" if len(value) <= 40 else f"a number of {len(value)} digits"
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 40 else f"'{value[:37]}...'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _unwrap(annotation: Any) -> list[Any]:
    """The classes an annotation may hold at the next level (list items, dict values, union arms)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (list, tuple, set):
        return _unwrap(typing.get_args(annotation)[0])
    if origin is dict:
        return _unwrap(typing.get_args(annotation)[1])
    if origin in (typing.Union, types.UnionType):
        return [arm for arg in typing.get_args(annotation) for arm in _unwrap(arg)]
    return [annotation]


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``loc`` (ignoring list indexes and dict keys)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            continue
        models = [arm for arm in _unwrap(field.annotation) if isinstance(arm, type) and issubclass(arm, BaseModel)]
        current = models[0] if models else None
    return current


def _choices(expected: str) -> list[str]:
    return re.findall(r"'([^']*)'", expected)


def _message(error: dict[str, Any], model: type[BaseModel], loc: Loc) -> str:
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    got = describe(value)
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        fields = list(parent.model_fields) if parent else []
        return f"unknown key '{loc[-1]}'{did_you_mean(loc[-1], fields)}"
    if kind == "literal_error":
        options = sorted(_choices(ctx.get("expected", "")))
        return f"expected one of [{', '.join(options)}], got {got}{did_you_mean(value, options)}"
    if kind in ("string_type", "string_unicode"):
        if isinstance(value, bool):
            key = f"{loc[-1]}: " if loc and isinstance(loc[-1], str) else "- " if loc else ""
            return f'expected text, got {got}; quote it: {key}"{got}"'
        return f"expected text, got {got}"
    if kind == "int_parsing_size":
        return f"expected a whole number of at most 4300 digits, got {got}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {got}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {got}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {got}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping, got {got}"
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return f"needs at least {least} item{'s' if least != 1 else ''}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}, got {got}"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}, got {got}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    message = error["msg"]
    return message[:1].lower() + message[1:]


def validate(model: type[ModelT], document: SourceDocument, data: Any = None) -> tuple[ModelT | None, list[ContentError]]:
    """Validate ``document`` (or ``data`` taken from it) and locate every error in the source file."""
    try:
        return model.model_validate(document.data if data is None else data), []
    except ValidationError as exc:
        return None, [_locate(error, model, document) for error in exc.errors(include_url=False)]


def _locate(error: dict[str, Any], model: type[BaseModel], document: SourceDocument) -> ContentError:
    loc: Loc = tuple(error["loc"])
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, AtKey):
        loc = (*loc, *cause.key)
    message = _message(error, model, loc)
    if error["type"] in ("missing", "extra_forbidden"):
        return document.error(loc, message, key=error["type"] == "extra_forbidden")
    written = document.existing_prefix(loc)
    position = document.position(written)
    return ContentError(document.path, position.line, position.col, format_loc(written), message)
