"""A vendor's template folder (``templates:``), for pages and e-mail: the one rule input files keep
(nothing outside the project, never through a link) held for templates too."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2

from generator.errors import ContentError, ContentErrors


class ProjectTemplateLoader(jinja2.FileSystemLoader):
    """A vendor's template folder (``templates:``) whose templates, links followed, must lie inside the
    folder: a template linking elsewhere is a located error (``templates/notify/x.j2``), never read."""

    def __init__(self, folder: Path, shown: str):
        super().__init__(folder)
        self.folder, self.shown = Path(os.path.realpath(folder)), shown.rstrip("/")

    def get_source(self, environment: jinja2.Environment, template: str):
        candidate = os.path.join(self.folder, *jinja2.loaders.split_template_path(template))
        real = os.path.realpath(candidate)
        if os.path.lexists(candidate) and os.path.commonpath([real, self.folder]) != str(self.folder):
            raise ContentErrors([ContentError(f"{self.shown}/{template}", 1, 1, "", f"leads outside the templates folder (to {real}):"
                           " templates must lie inside it")])
        return super().get_source(environment, template)
