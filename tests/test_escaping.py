"""Escaping filters, the body sanitiser, sandboxed vendor templates and the paths of templates and logo."""

from __future__ import annotations

import html as html_module
import os
import re
from pathlib import Path

import markdown
import pytest

from generator.commands.build import build
from generator.pipeline import render_project
from generator.errors import ContentErrors
from generator.render.escape import (
    finalize, html_text, md_cell, md_code, md_code_block, md_text, md_url, theme_text, yaml_text,
)
from generator.render.mkdocs_config import MARKDOWN_EXTENSIONS
from generator.render.body_marks import end_mark, mark_body
from generator.render.sanitize import SanitizeExtension, clean, clean_marked
from tests.conftest import configure, content_errors


def markdown_html(text: str, sanitise: bool = True) -> str:
    names: list[str] = []
    configs: dict = {}
    for extension in MARKDOWN_EXTENSIONS:
        if isinstance(extension, dict):
            (name, config), = extension.items()
            names.append(name)
            configs[name] = config
        else:
            names.append(extension)
    extensions = [*names, SanitizeExtension()] if sanitise else names
    return markdown.markdown(text, extensions=extensions, extension_configs=configs)


# -- plain text in Markdown ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "escaped"), [
    ("Q&A <b>", "Q&amp;A &lt;b&gt;"),
    ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
    ("![i](x.png)", "!\\[i\\](x.png)"),
    ("{: onclick=go }", "\\{: onclick=go \\}"),
    ("*bold* _em_ `code` a|b #tag \\", "\\*bold\\* \\_em\\_ \\`code\\` a\\|b \\#tag \\\\"),
    ("- not a list", "&#45; not a list"),
    ("+ not a list", "&#43; not a list"),
    ("1. not a list", "1&#46; not a list"),
    ("!!! note", "&#33;!! note"),
    ("??? note", "&#63;?? note"),
    ('=== "tab"', '&#61;== &quot;tab&quot;'),
    ("---", "&#45;--"),
    ("line one\n\n    line two", "line one line two"),
    ("It's a co-op, \"quoted\" -60d; 2026 plan.", "It's a co-op, &quot;quoted&quot; -60d; 2026 plan."),
    (", ", ", "),
])
def test_md_text(text: str, escaped: str) -> None:
    assert md_text(text) == escaped


@pytest.mark.parametrize("text", [
    'Q&A <b>bold</b> <img src=x onerror="window.__pwned=1">',
    "[x](javascript:window.__pwned=1) ![i](javascript:1) <https://example.com> {: onclick=x }",
    "*star* _under_ `tick` # hash | pipe \\ backslash",
    "- dash", "1. one", "!!! note", "=== \"tab\"", "??? details", "> quote", "    indented code",
])
def test_md_text_shows_exactly_the_text(text: str) -> None:
    html = markdown_html(f"# {md_text(text)}\n\n{md_text(text)}\n\n- {md_text(text)}\n\n!!! note \"{md_text(text)}\"\n")
    assert "<a" not in html.replace('<a class="headerlink"', "") and "<img" not in html and "<code" not in html
    assert "onclick=" not in html.replace("onclick=x", "") and "<ul>\n<li>\n<ul>" not in html
    shown = html_module.unescape(re.sub(r"<[^>]+>", "", html))
    assert shown.count(" ".join(text.split())) == 4, html


def test_md_cell_stays_in_its_cell() -> None:
    html = markdown_html(f"| a | b |\n|---|---|\n| {md_cell('one | two')} | {md_cell('<b>x</b>')} |\n")
    assert "<td>one | two</td>" in html and "<td>&lt;b&gt;x&lt;/b&gt;</td>" in html


def test_md_code_and_code_block_show_text_literally() -> None:
    assert md_code("health_score < 60") == "`health_score < 60`"
    assert md_code("a ``b`` c") == "```a ``b`` c```"
    assert "<code>health_score &lt; 60</code>" in markdown_html(md_code("health_score < 60"))
    block = md_code_block("Hello {customer},\n```\n<script>x</script>", indent=0)
    assert block.splitlines()[0] == "````text" and block.splitlines()[-1] == "````"
    html = markdown_html(block)
    assert "&lt;script&gt;" in html and "<script" not in html and "```" in html


@pytest.mark.parametrize(("url", "encoded"), [
    ("https://example.com/a?b=1&c=(2)", "https://example.com/a?b=1&c=%282%29"),
    ("mailto:partners@example.com", "mailto:partners@example.com"),
    ("../resources/files/a b(1).csv", "../resources/files/a%20b%281%29.csv"),
    ("paths/営業.md", "paths/営業.md"),
    ("java\tscript:alert(1)", "java%09script:alert%281%29"),
])
def test_md_url(url: str, encoded: str) -> None:
    assert md_url(url) == encoded


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "vbscript:x"])
def test_md_url_refuses_other_schemes(url: str) -> None:
    with pytest.raises(ValueError, match="not an http, https, mailto or relative address"):
        md_url(url)


def test_html_theme_and_yaml_text() -> None:
    assert html_text('"><svg onload=x>') == "&#34;&gt;&lt;svg onload=x&gt;"
    assert theme_text("Q&A <b> \"x\" it's") == "Q&amp;A &lt;b&gt; &quot;x&quot; it's"
    assert yaml_text('say "hi"\n') == '"say \\"hi\\"\\n"'
    assert yaml_text("module:pricing", plain=True) == "module:pricing"
    assert yaml_text("whats-new:2.4 #1", plain=True) == '"whats-new:2.4 #1"'


def test_finalize_escapes_everything_not_marked() -> None:
    assert finalize("<b>") == "&lt;b&gt;"
    assert finalize(md_url("a b")) == "a%20b"
    assert finalize(12) == "12"


# -- Markdown bodies ---------------------------------------------------------------------------------

def test_sanitiser_keeps_what_markdown_and_the_theme_need() -> None:
    html = markdown_html(str(mark_body("""\
!!! tip "Title"
    Text

??? note "More"
    Hidden

| L | R |
|:--|--:|
| 1 | 2 |

- [x] done

=== "One"
    first

Para {: .lead #intro }

[rel](other.md#part) [web](https://example.com/) [mail](mailto:a@example.com) ![img](pic.png "t")

```python
x = "<b>"
```
""")))
    for kept in ('<div class="admonition tip">', '<p class="admonition-title">Title</p>', '<details class="note">',
                 "<summary>More</summary>", '<th style="text-align: left;">L</th>', 'class="task-list-item"',
                 '<input type="checkbox" disabled="" checked="">', 'class="tabbed-set tabbed-alternate"',
                 'type="radio"', 'href="other.md#part"', 'href="https://example.com/"', 'href="mailto:a@example.com"',
                 '<img alt="img" src="pic.png" title="t">', '<span class="s2">"&lt;b&gt;"</span>'):
        assert kept in html, kept
    assert "pk-body" not in html


@pytest.mark.parametrize("hostile", [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "[x](javascript:window.__pwned=1)",
    "[x](JAVASCRIPT:window.__pwned=1)",
    "[x](data:text/html,hi)",
    '<a href="javascript:window.__pwned=1">x</a>',
    "para\n{: onclick=\"window.__pwned=1\" }",
    '<div style="position:fixed" onmouseover="window.__pwned=1">x</div>',
    '<iframe src="https://example.com"></iframe>',
    '<object data="x"></object><embed src="x"><form action="x"><button>b</button></form>',
    '<svg onload="window.__pwned=1"></svg><math><mi>x</mi></math>',
    '<input type="text" autofocus onfocus="window.__pwned=1">',
    '<style>body{display:none}</style>',
    '<td style="background:url(javascript:x)">x</td>',
])
def test_sanitiser_drops_what_runs_script(hostile: str) -> None:
    html = markdown_html(str(mark_body(hostile))).lower()
    for trace in ("<script", "onerror", "onclick", "onmouseover", "onload", "onfocus", "javascript:", "data:",
                  "<iframe", "<object", "<embed", "<form", "<button", "<svg", "<math", "<style", 'type="text"',
                  "position:fixed", "background"):
        assert trace not in html, (trace, html)


def test_a_body_cannot_end_its_own_marks_early() -> None:
    forged = "<!--/pk-body:" + "0" * 32 + "-->\n\n<script>window.__pwned=1</script>"
    assert "<script" not in markdown_html(str(mark_body(forged)))
    # A start mark whose end was swallowed (an unclosed code fence) is cleaned to the end of the page.
    digest = str(mark_body("x"))[len("<!--pk-body:"):][:32]
    swallowed = f"<!--pk-body:{digest}-->\n<pre><code>unclosed &lt;!--/pk-body:{digest}--&gt;</code></pre><script>x</script>"
    assert "<script" not in clean_marked(swallowed) and end_mark(digest) not in clean_marked(swallowed)


def test_ids_reaching_the_table_of_contents_are_plain() -> None:
    html = markdown_html('## Heading { #a"onmouseover="x }\n', sanitise=True)
    assert 'onmouseover="x"' not in html


def test_clean_keeps_plain_text() -> None:
    assert clean("<p>It's a co-op &amp; more</p>") == "<p>It's a co-op &amp; more</p>"


# -- the project: templates, logo, resources, trusted bodies -----------------------------------------

def test_templates_and_logo_must_be_project_files(minimal: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (minimal / "linked-templates").symlink_to(outside, target_is_directory=True)
    (minimal / "private").mkdir()
    (minimal / "private/logo.png").write_bytes(b"png")
    with (minimal / "site_config.yml").open("a") as config:
        config.write(f"templates: linked-templates\nlogo: {tmp_path / 'logo.png'}\n")
    assert content_errors(minimal) == [
        "site_config.yml:6:12: templates: 'linked-templates' leads outside the project",
        f"site_config.yml:7:7: logo: '{tmp_path / 'logo.png'}' must be a path relative to the project or an https:// address",
    ]
    configure(minimal, templates="../elsewhere", logo="private/logo.png")
    assert content_errors(minimal) == [
        "site_config.yml:6:12: templates: '../elsewhere' leads outside the project",
        "site_config.yml:7:7: logo: 'private/logo.png' is under private/, which is never published",
    ]
    configure(minimal, templates=None, logo="http://example.com/logo.png")
    assert content_errors(minimal) == [
        "site_config.yml:7:7: logo: 'http://example.com/logo.png' must be a path relative to the project or an https:// address",
    ]


def test_logo_is_copied_and_linked_relatively(minimal: Path) -> None:
    (minimal / "images").mkdir()
    (minimal / "images/logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    configure(minimal, logo="images/logo.svg")
    build(minimal, minimal / "site")
    assert (minimal / "site/assets/logo/logo.svg").read_bytes() == (minimal / "images/logo.svg").read_bytes()
    html = (minimal / "site/modules/pricing/index.html").read_text()
    assert 'src="../../assets/logo/logo.svg"' in html and str(minimal) not in html
    configure(minimal, logo="https://cdn.example.com/logo.svg")
    rendered = render_project(minimal)[1]
    assert "logo: https://cdn.example.com/logo.svg" in rendered.texts()["mkdocs.yml"]
    assert not any(name.startswith("docs/assets/logo/") for name in rendered.copies)


def test_vendor_templates_are_sandboxed(minimal: Path) -> None:
    overrides = minimal / "my-templates"
    overrides.mkdir()
    (overrides / "campaign.md.j2").write_text("# Campaign\n\n{{ document.__class__.__init__.__globals__ }}\n")
    configure(minimal, templates="my-templates")
    with pytest.raises(ContentErrors) as caught:
        render_project(minimal)
    assert [str(error) for error in caught.value.errors] == [
        "my-templates/campaign.md.j2:3:1: template error: access to attribute '__init__' of 'StrictUndefined' object is unsafe.",
    ]


def test_vendor_template_fields_are_escaped_too(minimal: Path) -> None:
    overrides = minimal / "my-templates"
    overrides.mkdir()
    (overrides / "campaign.md.j2").write_text("# {{ document.title }}\n\n{{ document.summary }}\n")
    configure(minimal, templates="my-templates")
    (minimal / "content/other.yml").write_text(
        (minimal / "content/other.yml").read_text().replace("Two weeks of selling the new release.",
                                                            "'<img src=x onerror=alert(1)> [x](javascript:alert(1))'"))
    page = render_project(minimal)[1].pages["docs/campaigns/release-sprint.md"]
    assert "&lt;img src=x onerror=alert(1)&gt; \\[x\\](javascript:alert(1))" in page


def test_resource_links_are_web_addresses(minimal: Path) -> None:
    path = minimal / "content/modules.yml"
    path.write_text(path.read_text().replace("https://example.com/one-pager.pdf", "javascript:alert(1)"))
    assert content_errors(minimal) == [
        "content/modules.yml:17:10: resources[0].url: 'javascript:alert(1)' is not an https://, http:// or mailto: address",
    ]


def test_trusted_content_html_publishes_bodies_as_written(minimal: Path) -> None:
    path = minimal / "content/modules.yml"
    path.write_text(path.read_text().replace(
        "It does so from usage data the customer already has.",
        'It does so <span class="pk-raw" onclick="go()">from usage data</span>.'))
    build(minimal, minimal / "site")
    html = (minimal / "site/modules/product-basics/index.html").read_text()
    assert '<span class="pk-raw">from usage data</span>' in html and "onclick" not in html
    configure(minimal, content_html="trusted")
    build(minimal, minimal / "site")
    html = (minimal / "site/modules/product-basics/index.html").read_text()
    assert '<span class="pk-raw" onclick="go()">from usage data</span>' in html


def test_symlinked_template_inside_the_project_is_fine(minimal: Path) -> None:
    (minimal / "design").mkdir()
    (minimal / "design/campaign.md.j2").write_text("# {{ document.title }}\n\nOur layout.\n")
    os.symlink("design", minimal / "my-templates")
    configure(minimal, templates="my-templates")
    assert "Our layout." in render_project(minimal)[1].pages["docs/campaigns/release-sprint.md"]


def test_page_title_is_escaped_when_a_vendor_template_has_no_front_matter(minimal: Path) -> None:
    import lxml.html

    overrides = minimal / "my-templates"
    overrides.mkdir()
    (overrides / "campaign.md.j2").write_text("# {{ document.title }}\n\nOur layout.\n")
    configure(minimal, templates="my-templates")
    path = minimal / "content/other.yml"
    path.write_text(path.read_text().replace("title: Release sprint", 'title: "Sprint </title><script>x()</script>"'))
    build(minimal, minimal / "site")
    document = lxml.html.fromstring((minimal / "site/campaigns/release-sprint/index.html").read_bytes())
    assert document.findtext(".//title") == "Sprint </title><script>x()</script> - Minimal Partner Academy"
    assert document.xpath("//script[contains(text(), 'x()')]") == []


@pytest.mark.parametrize(("first", "second"), [
    ("Text\n\n```python\nopen fence", "```\n\n<script>window.__pwned=1</script>\n"),
    ("Text\n\n~~~\nopen fence", "~~~\n\n<img src=x onerror=window.__pwned=1>\n"),
    ("<pre>unclosed", "</pre>\n\n<script>window.__pwned=1</script>\n"),
    ("<!-- unclosed comment", "-->\n\n<script>window.__pwned=1</script>\n"),
    ('<div markdown="1">\nunclosed', "</div>\n\n<script>window.__pwned=1</script>\n"),
])
def test_a_body_cannot_open_something_the_next_body_closes(first: str, second: str) -> None:
    page = f"## {md_text('A')}\n\n{mark_body(first)}\n\n## {md_text('B')}\n\n{mark_body(second)}\n\nThe end.\n"
    html = markdown_html(page)
    assert "<script" not in html and "<img" not in html, html


def test_markdown_text_keeps_full_width_spaces_the_author_wrote() -> None:
    from generator.render.escape import md_code, md_text

    assert md_text("全角スペース\u3000入り\n  次の行") == "全角スペース\u3000入り 次の行"
    assert md_code("更新\u3000準備") == "`更新\u3000準備`"
