"""The example's pages, one of each type, by the address a person opens (relative to the site root)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

PAGE_TYPES = {
    "home": "",
    "section index": "modules/",
    "module": "modules/pricing-roi/",
    "learning path": "paths/sales-onboarding/",
    "procedure": "procedures/renewal-90-60-30/",
    "who does what": "who-does-what/",
    "campaign": "campaigns/release-sprint/",
    "talk": "talks/partner-kickoff-2026-11/",
    "practice quiz": "quizzes/sales-foundations/",
    "exam": "quizzes/sales-silver/",
    "verify": "verify/",
    "my accounts": "accounts/",
}


@contextmanager
def served_example(folder: Path, **settings: Any) -> Iterator[str]:
    """The example copied into ``folder``, its site_config.yml changed by ``settings``, built by the
    installed ``partnerkit build`` from the project folder and served on 127.0.0.1; yields the URL."""
    from tests.cli.conftest import copy_example
    from tests.conftest import configure

    project = copy_example(folder / "ostrova")
    if settings:
        configure(project, **settings)
    with built_and_served(project) as url:
        yield url


@contextmanager
def built_and_served(project: Path) -> Iterator[str]:
    """``project`` built by the installed ``partnerkit build`` from its folder and its site served on
    127.0.0.1; yields the URL."""
    from tests.cli.conftest import partnerkit
    from tests.conftest import serve_folder

    built = partnerkit("build", cwd=project)
    assert built.returncode == 0, built.stderr
    url, server = serve_folder(project / "site")
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


EARLIER, CURRENT = "2.3", "2.4"
"""The releases of :func:`served_versioned_example`: the earlier one shows the outdated-release banner."""


@contextmanager
def served_versioned_example(folder: Path) -> Iterator[str]:
    """The example with two releases (``2.3`` tagged, ``2.4`` the committed tree and ``latest``), built
    by the installed ``partnerkit build`` and served on 127.0.0.1; yields the site's root URL."""
    from tests.cli.conftest import copy_example, git

    project = copy_example(folder / "ostrova")
    git(project, "tag", "v2.3")
    with (project / "site_config.yml").open("a", encoding="utf-8") as config:
        config.write(f'\nversions:\n  - version: "{EARLIER}"\n    title: {EARLIER} (Oct 2026)\n    ref: v2.3\n'
                     f'  - version: "{CURRENT}"\n    title: {CURRENT} (Nov 2026)\n    aliases: [latest]\ndefault: latest\n')
    git(project, "commit", "--quiet", "--all", "--message", "Releases")
    with built_and_served(project) as url:
        yield url
