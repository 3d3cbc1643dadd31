"""Hostile content in every field, in a real browser: no script runs, and the text shows as written.

Every plain-text field of the schema (titles, summaries, objectives, step texts, campaign fields,
role and segment names, site name, vendor, copyright, talk metadata and VTT chapter titles) holds
payloads that run script if a page treats the field as HTML, Markdown links or attribute lists; a
module body holds the same as Markdown. The test opens every kind of page, hovers and clicks
everything carrying a payload, searches for it, and checks ``window.__pwned`` stays undefined.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import yaml

from generator.commands.build import build
from tests.conftest import configure

PAYLOAD = (
    '<img src=x onerror="window.__pwned=1"> "><svg onload="window.__pwned=1"> '
    "[x](javascript:window.__pwned=1) ![i](javascript:window.__pwned=1) {: onclick=\"window.__pwned=1\" } "
    "<script>window.__pwned=1</script> <a href=\"javascript:window.__pwned=1\">a</a> Q&A 'quoted' `tick` *star*"
)
"""What a person must see, literally, wherever a plain-text field is shown."""


def hostile(name: str) -> str:
    return f"{name} {PAYLOAD}"


BODY = """Plain words stay. <img src=x onerror="window.__pwned=1"> <script>window.__pwned=1</script>

[javascript link](javascript:window.__pwned=1) [data link](data:text/html,<script>window.__pwned=1</script>)
[page link](../procedures/renewal.md) [web link](https://example.com/)

<a href="javascript:window.__pwned=1" onmouseover="window.__pwned=1">raw link</a>
<div onclick="window.__pwned=1" style="position:fixed;inset:0">raw div</div>
<iframe src="javascript:window.__pwned=1"></iframe><svg onload="window.__pwned=1"></svg>

A paragraph with attributes
{: onclick="window.__pwned=1" onmouseover="window.__pwned=1" .pk-note }

!!! note "Body admonition"
    Inside the admonition <b onmouseover="window.__pwned=1">bold</b>.

| Column | Other |
|:--|--:|
| cell one | cell two |

- [x] task done

### Body heading { #body"onmouseover="window.__pwned=1 }

```html
<script>window.__pwned=1</script>
```
"""


def _write_project(root: Path, url: str) -> None:
    def dump(path: Path, documents: list[dict]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump_all(documents, allow_unicode=True, sort_keys=False), encoding="utf-8")

    dump(root / "site_config.yml", [{
        "site_name": hostile("site_name"), "description": hostile("description"), "site_url": url,
        "vendor": hostile("vendor"), "product": hostile("product"), "copyright": hostile("copyright"),
        "segments": [{"id": "enterprise", "name": hostile("segment-enterprise"), "description": hostile("segment-description")},
                     {"id": "smb", "name": hostile("segment-smb")}],
        "roles": [{"id": "sales", "name": hostile("role-sales")}],
    }])
    module = {
        "kind": "module", "id": "basics", "title": hostile("module-title"), "summary": hostile("module-summary"),
        "roles": ["sales"], "minutes": 10, "objectives": [hostile("objective")],
        "sections": [{"title": hostile("section-title"), "body": BODY}],
        "resources": [{"title": hostile("resource-title"), "url": "https://example.com/r.pdf"},
                      {"title": hostile("file-title"), "file": "files/a b(1).csv"}],
        "quiz": "check",
    }
    dump(root / "content/modules.yml", [module, {
        "kind": "module", "id": "second", "title": hostile("second-title"), "summary": hostile("second-summary"),
        "roles": ["sales"], "minutes": 5, "prerequisites": ["basics"],
    }])
    (root / "content/files").mkdir(parents=True, exist_ok=True)
    (root / "content/files/a b(1).csv").write_text("a,b\n1,2\n", encoding="utf-8")
    dump(root / "content/other.yml", [
        {"kind": "path", "id": "start", "title": hostile("path-title"), "role": "sales",
         "summary": hostile("path-summary"), "modules": ["basics", "second"]},
        {"kind": "procedure", "id": "renewal", "title": hostile("procedure-title"), "summary": hostile("procedure-summary"),
         "phase": "renewal", "trigger": "manual: " + hostile("procedure-trigger"), "goal": hostile("procedure-goal"),
         "kpis": [hostile("kpi")],
         "steps": [{"when": hostile("step-when"), "action": hostile("step-action"), "owner": "vendor",
                    "checklist": [hostile("checklist")], "template": hostile("step-template") + "\n```\n" + PAYLOAD},
                   {"when": "-60d", "action": "Second step.", "owner": {"enterprise": "vendor", "smb": "partner"}}]},
        {"kind": "responsibilities", "id": "who", "title": hostile("resp-title"), "summary": hostile("resp-summary"),
         "segments": [{"segment": "enterprise", "summary": hostile("plan-summary"),
                       "activities": [{"activity": hostile("activity"), "lead": "vendor",
                                       "vendor": hostile("activity-vendor"), "partner": hostile("activity-partner")}]}]},
        {"kind": "campaign", "id": "sprint", "title": hostile("campaign-title"), "summary": hostile("campaign-summary"),
         "roles": ["sales"], "trigger": hostile("campaign-trigger"), "action": hostile("campaign-action"),
         "rewards": [{"type": "money", "description": hostile("reward")}], "investment": hostile("campaign-investment"),
         "schedule": {"starts": hostile("starts"), "ends": hostile("ends"), "cadence": hostile("cadence")},
         "modules": ["basics"]},
        {"kind": "quiz", "id": "check", "title": hostile("quiz-title"), "summary": hostile("quiz-summary"),
         "questions": [{"id": "q1", "type": "single", "prompt": hostile("prompt"), "explanation": hostile("explanation"),
                        "choices": [{"text": hostile("choice-right"), "correct": True, "feedback": hostile("feedback")},
                                    {"text": hostile("choice-wrong")}]}]},
    ])
    talks = root / "transcripts"
    talks.mkdir()
    (talks / "kickoff.vtt").write_text(
        "WEBVTT\n\n"
        f"NOTE chapter: {hostile('chapter-one')}\n\n"
        "00:00:01.000 --> 00:00:06.000\n"
        "<v Mallory [x](javascript:window.__pwned=1) {: onclick=\"window.__pwned=1\" }>"
        "Welcome &lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt; [x](javascript:window.__pwned=1) everyone.\n\n"
        f"NOTE chapter: {hostile('chapter-two')}\n\n"
        "00:00:15.000 --> 00:00:22.000\n"
        "<v Mallory [x](javascript:window.__pwned=1) {: onclick=\"window.__pwned=1\" }>Second chapter words.\n",
        encoding="utf-8",
    )
    (talks / "kickoff.yml").write_text(yaml.safe_dump({
        "title": hostile("talk-title"), "speakers": [hostile("speaker")], "modules": ["basics"],
        "summary": hostile("talk-summary"), "review": "approved",
    }, allow_unicode=True), encoding="utf-8")


def _text(value: str) -> str:
    return " ".join(value.split())


EXPECTED = {
    "": ["module-title", "module-summary", "path-title", "path-summary", "procedure-title", "procedure-summary",
         "campaign-title", "campaign-summary", "resp-title", "resp-summary", "quiz-title", "quiz-summary",
         "talk-title", "role-sales", "site_name", "description"],
    "modules/basics/": ["module-title", "module-summary", "objective", "section-title", "resource-title",
                        "file-title", "path-title", "talk-title", "speaker", "quiz-title", "role-sales"],
    "modules/second/": ["second-title", "second-summary", "module-title"],
    "paths/start/": ["path-title", "path-summary", "module-title", "module-summary", "role-sales"],
    "procedures/renewal/": ["procedure-title", "procedure-summary", "procedure-trigger", "procedure-goal", "kpi",
                            "step-when", "step-action", "checklist", "vendor", "segment-enterprise", "segment-smb"],
    "who-does-what/": ["resp-title", "resp-summary", "segment-enterprise", "plan-summary", "activity",
                           "activity-vendor", "activity-partner", "vendor"],
    "campaigns/sprint/": ["campaign-title", "campaign-summary", "campaign-trigger", "campaign-action", "reward",
                          "campaign-investment", "starts", "ends", "cadence", "role-sales", "module-title"],
    "talks/kickoff/": ["talk-title", "speaker", "talk-summary", "chapter-one", "chapter-two", "module-title"],
    "quizzes/check/": ["quiz-title", "quiz-summary", "prompt", "choice-right", "choice-wrong"],
    "404.html": [],
}
"""Per page: the fields whose text (with the whole payload) a person sees in the article."""


def _assert_not_pwned(page, where: str) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined", f"script from content ran on {where}"


@pytest.mark.slow
def test_no_content_field_runs_script_on_any_page(tmp_path: Path, site_server, page) -> None:
    root = tmp_path / "hostile"
    _write_project(root, site_server.url)
    build(root, site_server.folder)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    for path, fields in EXPECTED.items():
        page.goto(site_server.url + path)
        page.wait_for_load_state("load")
        _assert_not_pwned(page, path)
        article = _text(page.locator("article").inner_text())
        for field in fields:
            assert _text(hostile(field)) in article, f"{path}: the text of {field} is not shown as written"
        header = _text(page.locator(".md-header__topic").first.inner_text())
        assert _text(hostile("site_name")) in header, f"{path}: site name not shown as written"
        footer = _text(page.locator(".md-copyright").inner_text())
        assert _text(hostile("copyright")) in footer
        assert page.locator("a[href^='javascript:' i], a[href^='data:' i], [onclick], [onmouseover], iframe, "
                            "article svg[onload], article img[onerror]").count() == 0, path

        # Hover and click everything showing a payload, and every link of the article but links that leave the page.
        for element in page.locator("article").get_by_text("window.__pwned").all():
            if element.is_visible():
                element.hover()
                if element.evaluate("element => element.closest('a') === null"):
                    element.click(no_wait_after=True, timeout=2000)
        for link in page.locator("article a").all():
            href = link.get_attribute("href") or ""
            if link.is_visible() and (href.startswith("#") or not re.match(r"^(https?:|\.\.?/|[\w%-]+/)", href)):
                link.click(no_wait_after=True, timeout=2000)
        _assert_not_pwned(page, path + " after clicks")

    # Transcript text (machine-made) and a message template (a code block) show as written.
    page.goto(site_server.url + "talks/kickoff/")
    transcript = _text(page.locator(".pk-transcript").inner_text())
    assert 'Mallory [x](javascript:window.__pwned=1) {: onclick="window.__pwned=1" }:' in transcript
    assert 'Welcome <img src=x onerror="window.__pwned=1"> [x](javascript:window.__pwned=1) everyone.' in transcript
    page.goto(site_server.url + "procedures/renewal/")
    page.locator("summary", has_text="Message template").click()
    template = _text(page.locator("details").first.inner_text())
    assert _text(f"{hostile('step-template')} ``` {PAYLOAD}") in template
    _assert_not_pwned(page, "procedure with its template open")

    # The body: safe Markdown survives, everything else is gone.
    page.goto(site_server.url + "modules/basics/")
    body = page.locator("article")
    assert body.get_by_text("Plain words stay.").is_visible()
    assert body.locator(".admonition.note .admonition-title", has_text="Body admonition").is_visible()
    assert body.locator("table td", has_text="cell two").is_visible()
    assert body.locator("li.task-list-item").is_visible()
    assert body.get_by_text("raw div").is_visible()
    assert body.locator("a[href='https://example.com/']", has_text="web link").is_visible()
    for dropped in ("javascript link", "data link", "raw link"):
        assert body.get_by_text(dropped).is_visible() and body.locator("a[href]", has_text=dropped).count() == 0
    body.locator("a", has_text="page link").click()
    page.wait_for_url(lambda url: url.startswith(site_server.url + "procedures/renewal/"))
    _assert_not_pwned(page, "after following a body link")

    # The quiz renders its prompts and feedback as text.
    page.goto(site_server.url + "quizzes/check/")
    page.locator(".pk-quiz label", has_text="choice-wrong").first.click()
    page.locator(".pk-quiz button", has_text="Check answers").click()
    page.wait_for_timeout(300)
    _assert_not_pwned(page, "quiz after checking")

    # Search results show titles and text from the index.
    page.goto(site_server.url)
    search = page.locator(".md-search__input")
    search.click()
    search.fill("summary")
    search.press("End")
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    page.wait_for_timeout(500)
    for result in page.locator(".md-search-result__item").all()[:5]:
        result.hover()
    _assert_not_pwned(page, "search results")
    assert dialogs == []


def test_versioned_site_whats_new_and_selector_run_no_script(tmp_path: Path, site_server, page) -> None:
    root = tmp_path / "hostile"
    _write_project(root, site_server.url)
    shutil.copytree(root / "content", root / "old/content")
    shutil.copy(root / "site_config.yml", root / "old/site_config.yml")
    modules = root / "content/modules.yml"
    modules.write_text(modules.read_text(encoding="utf-8").replace("minutes: 10", "minutes: 12"), encoding="utf-8")
    configure(root, versions=[{"version": "2", "title": hostile("release-two")},
                              {"version": "1", "path": "old", "title": hostile("release-one")}])
    build(root, site_server.folder)

    page.goto(site_server.url + "2/whats-new/")
    _assert_not_pwned(page, "what's new")
    article = _text(page.locator("article").inner_text())
    for field in ("release-two", "module-title"):
        assert _text(hostile(field)) in article, f"what's new: {field} is not shown as written"
    page.locator(".md-version").hover()
    assert _text(hostile("release-one")) in _text(page.locator(".md-version__list").inner_text())
    page.locator(".md-version__list .md-version__link", has_text="release-one").first.click()
    page.wait_for_url(lambda url: url.startswith(site_server.url + "1/"))
    banner = page.locator("[data-md-component=outdated]")
    banner.wait_for(state="visible")
    assert _text(hostile("release-one")) in _text(banner.inner_text())
    _assert_not_pwned(page, "an earlier release")
