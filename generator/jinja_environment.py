"""The one sandboxed Jinja set-up, for pages (``render``), e-mails (``notifications``) and the worklists'
HTML: a vendor's ``templates:`` folder first (:class:`ProjectTemplateLoader`: nothing outside it, never
through a link), then partnerkit's own templates; undefined names are errors; templates run sandboxed
(no access to Python internals from a vendor's template); compiled templates may be kept between runs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import jinja2
import jinja2.sandbox

from generator.template_folder import ProjectTemplateLoader

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
"""partnerkit's own templates in the installed package."""


class TemplateBytecode(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept in a folder between runs (the project's ``.partnerkit-cache/templates/``), so a
    command does not compile every template again; Jinja checks each against its template's source.
    A cache that cannot be read or written is skipped, never an error."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


class Sandbox(jinja2.sandbox.SandboxedEnvironment):
    """Jinja's sandbox with its verdict on an attribute remembered: Jinja's check
    (``SandboxedEnvironment.is_safe_attribute``: a name starting with ``_``, or one of
    ``is_internal_attribute``'s names for functions, methods, classes, frames, generators…) looks at the
    object's type and the attribute's name only, so the verdict is kept per (type, name) and a page's
    thousands of ``{{ x.y }}`` ask it once each. Every attribute is still checked; nothing else changes."""

    VERDICTS_KEPT = 4096
    """Verdicts remembered per environment at most (a template's ``attr`` filter can ask for any name)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._verdicts: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = super().is_safe_attribute(obj, attr, value)
            if len(self._verdicts) < self.VERDICTS_KEPT:
                self._verdicts[key] = verdict
        return verdict


def sandboxed_environment(
    override_dir: Path | None = None, shown: str = "templates", *, autoescape: bool = False,
    bytecode_dir: Path | None = None, keep_trailing_newline: bool = False,
    finalize: Callable[[Any], Any] | None = None, strict: bool = True,
) -> Sandbox:
    """A sandboxed environment over the vendor's templates in ``override_dir`` (shown in errors as
    ``shown``, the ``templates:`` setting) and then partnerkit's own. ``autoescape``: every printed value
    HTML-escaped (e-mail and worklist HTML; pages escape for Markdown through ``finalize`` instead);
    ``bytecode_dir``: where compiled templates are kept (``generator.layout.template_cache``); ``strict``: a
    name the template uses but was not given is an error (the report's template tests optional parts instead)."""
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(TEMPLATE_DIR)]
    if override_dir is not None:
        loaders.insert(0, ProjectTemplateLoader(override_dir, shown))
    return Sandbox(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined if strict else jinja2.Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=keep_trailing_newline,
        autoescape=autoescape,
        finalize=finalize,
        bytecode_cache=TemplateBytecode(str(bytecode_dir)) if bytecode_dir is not None else None,
    )
