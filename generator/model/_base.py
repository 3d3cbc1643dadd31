"""Shared building blocks for the declarative models."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic_core import PydanticCustomError

ID_PATTERN = re.compile(r"^[^\W_][\w-]*$")


def _check_id(value: str) -> str:
    if not ID_PATTERN.match(value):
        space = next((char for char in value if char.isspace() and char != " "), None)  # one you cannot see
        hidden = f" (it contains {unicodedata.name(space, 'whitespace').lower()} U+{ord(space):04X})" if space else ""
        raise PydanticCustomError(
            "partnerkit_id",
            "'{value}' is not a valid id{hidden}: use letters, digits and hyphens, starting with a letter or digit",
            {"value": value, "hidden": hidden},
        )
    return value


Id = Annotated[str, AfterValidator(_check_id)]
"""A stable identifier: letters (any script), digits and hyphens. Page file names come from it."""


class Schema(BaseModel):
    """Base of every declared model: unknown keys are errors, numbers are accepted as text. The docstring
    under each field is its meaning in the content reference (``generator.readme_reference`` reads it from the
    source; pydantic's ``use_attribute_docstrings`` would parse every model's source at every start-up)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        coerce_numbers_to_str=True,
    )


class AtKey(ValueError):
    """A check across several keys, reported at one of them: ``raise AtKey("draw", "draw 9 is …")``,
    or deeper: ``AtKey((1, "id"), …)``."""

    def __init__(self, key: str | tuple[str | int, ...], message: str):
        super().__init__(message)
        self.key = key if isinstance(key, tuple) else (key,)
