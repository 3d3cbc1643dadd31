"""What a person sees of a page, measured in the browser: how wide it is and which text sits under a
sticky or fixed element (the header, the tabs, the talk's player)."""

from __future__ import annotations

OVERLAPS = """(selector) => {
  const shown = (node) => node.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  const pinned = [...document.querySelectorAll("body *")].filter((node) => {
    const position = getComputedStyle(node).position;
    const box = node.getBoundingClientRect();
    return (position === "sticky" || position === "fixed") && shown(node) && box.width > 0 && box.height > 0;
  });
  const outermost = pinned.filter((node) => !pinned.some((other) => other !== node && other.contains(node)));
  const found = [];
  const root = selector ? document.querySelector(selector) : document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    const host = text.parentElement;
    if (!text.textContent.trim() || !host || !shown(host) || outermost.some((node) => node.contains(host))) { continue; }
    const range = document.createRange();
    range.selectNodeContents(text);
    for (const line of range.getClientRects()) {
      if (line.width < 1 || line.height < 1) { continue; }
      for (const node of outermost) {
        const box = node.getBoundingClientRect();
        if (line.left < box.right - 1 && line.right > box.left + 1 && line.top < box.bottom - 1 && line.bottom > box.top + 1) {
          found.push(`"${text.textContent.trim().slice(0, 40)}" under ${node.tagName.toLowerCase()}.${[...node.classList].join(".")}`);
        }
      }
    }
  }
  return [...new Set(found)];
}"""
"""Texts (first 40 characters) in the element ``selector`` names (null: the whole page) that lie under a
visible sticky or fixed element, in the viewport as it is."""

PAGE_WIDTH = "() => document.documentElement.scrollWidth"


def wait_until_still(page, quiet_ms: int = 300) -> None:
    """Wait until the page has not scrolled for ``quiet_ms`` (a jump to a heading, the theme's reaction
    to it): what a person sees once it has stopped moving, however slow the machine."""
    page.evaluate("() => { window.__pkStill = null; }")
    page.wait_for_function("""(quiet) => {
      const now = performance.now(), seen = window.__pkStill;
      if (!seen || seen.y !== scrollY) { window.__pkStill = { y: scrollY, since: now }; return false; }
      return now - seen.since >= quiet;
    }""", arg=quiet_ms, polling=50)


def keep_screenshot(page, name: str) -> None:
    """A full-page PNG of ``page`` as ``name.png`` in ``$PARTNERKIT_SCREENSHOTS``, when that is set (for a
    person reviewing how a page looks in a state only a running collector gives it)."""
    import os
    from pathlib import Path

    folder = os.environ.get("PARTNERKIT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
