"""Weight of partnerkit's own extras (scripts and stylesheet) per page type, gzipped.

Builds a copy of the example project (the repository's own content/, transcripts/ and site_config.yml,
analytics on) in a temporary folder, so nothing is written into the checkout, reads
which partnerkit files each built page loads, and prints per page type the most any page of that type
loads, gzipped file by file as a web server sends them. The anchor, measured in the same run, is every
script and the stylesheet unminified on every page (what each page loaded before pages loaded only what
they use). Goals: at most 8 KB on every page type, at most 3 KB on module pages. Also prints what a
signed-in rep's browser loads besides (the learner record, "Ask for help": pages.js loads them for that
rep only), and the beacon with what it needs (pages.js) against its goal (Plausible's self-contained
script, 723 bytes); exits 1 if any goal is not met.

    python benchmarks/page_weight.py
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from collector import BEACON_GOAL, beacon_line, beacon_with_needs, gzipped  # noqa: E402
from paired import copy_example  # noqa: E402

from generator.commands.build import build  # noqa: E402
from generator.render.mkdocs_config import ASSET_DIR  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "generator" / "assets" / "partnerkit"
GOAL, MODULE_GOAL = 8 * 1024, 3 * 1024
LOADED = re.compile(rf'(?:src|href)="[^"]*{ASSET_DIR}/([\w.-]+\.(?:js|css))"')
SIGNED_IN = re.compile(r'data-pk-signed-in="([^"]*)"')
TYPES = {"modules": "module", "paths": "path", "procedures": "procedure", "who-does-what": "who-does-what",
         "campaigns": "campaign", "talks": "talk", "verify": "verify"}


def page_type(site: Path, page: Path) -> str | None:
    parts = page.relative_to(site).parts
    if parts == ("index.html",):
        return "home"
    if parts == ("verify", "index.html"):
        return "verify"
    if parts == ("accounts", "index.html"):
        return "my accounts"
    if len(parts) == 2:
        return "section index"
    if len(parts) != 3:
        return None
    if parts[0] == "quizzes":
        return "exam" if "&#34;mode&#34;: &#34;exam&#34;" in page.read_text(encoding="utf-8") else "quiz"
    return TYPES.get(parts[0])


def main() -> int:
    anchor = sum(gzipped(path.read_bytes()) for path in sorted(SOURCES.iterdir()) if path.suffix in (".js", ".css"))
    with tempfile.TemporaryDirectory() as folder:
        project = copy_example(Path(folder) / "project")  # the build's cache and keys stay out of the checkout
        site = Path(folder) / "site"
        build(project, site)
        weights: dict[str, tuple[int, list[str]]] = {}
        extras: dict[str, tuple[int, list[str]]] = {}
        for page in sorted(site.rglob("index.html")):
            kind = page_type(site, page)
            if kind is None:
                continue
            html = page.read_text(encoding="utf-8")
            names = sorted(set(LOADED.findall(html)))
            weight = sum(gzipped((site / ASSET_DIR / name).read_bytes()) for name in names)
            if weight >= weights.get(kind, (-1, []))[0]:
                weights[kind] = (weight, names)
            found = SIGNED_IN.search(html)
            signed_in = found.group(1).split() if found else []
            extra = sum(gzipped((site / ASSET_DIR / name).read_bytes()) for name in signed_in)
            if extra >= extras.get(kind, (-1, []))[0]:
                extras[kind] = (extra, signed_in)
    print(f"anchor (every script and stylesheet, unminified, on every page): {anchor} bytes gzipped")
    print(f"goals: at most {GOAL} bytes on every page type, {MODULE_GOAL} on module pages")
    print(f"{'page type':<15} {'bytes gz':>8} {'vs anchor':>9} {'goal':>6}  {'':7}  files; what a signed-in rep's browser loads besides")
    failed = False
    for kind, (weight, names) in sorted(weights.items()):
        goal = MODULE_GOAL if kind == "module" else GOAL
        failed |= weight > goal
        extra, signed_in = extras[kind]
        besides = f"+{extra} ({', '.join(signed_in)})" if signed_in else "nothing"
        print(f"{kind:<15} {weight:>8} {weight / anchor:>9.0%} {goal:>6}  {'not met' if weight > goal else 'met':<7}  "
              f"{', '.join(names)}; {besides}")
    print(beacon_line())
    failed |= beacon_with_needs()[1] > BEACON_GOAL
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
