"""Every page of the built site in Debian's Chromium, at 1280 and 390 px: axe-core's WCAG 2 A and AA rules find
nothing, and no code or output block needs scrolling sideways (each page is loaded once per width for both)."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.browsing import open_tab, page_url, site_pages

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"  # fetched and checked by scripts/setup.sh --browser
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
COLLECT = """async () => {
  const result = await window.livenotesAxe;
  const where = n => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n').slice(1, 2).join('');
  return result.violations.map(v => ({rule: v.id, count: v.nodes.length, first: v.nodes.slice(0, 3).map(where)}));
}"""


OVERFLOW = """() => [...document.querySelectorAll('.md-content pre > code')]
  .filter(c => c.scrollWidth > c.clientWidth + 1)
  .map(c => `${c.closest('.livenotes-output') ? 'output' : 'code'} ${c.scrollWidth} > ${c.clientWidth}: ` +
             c.textContent.slice(0, 60))"""


WIDTHS = (1280, 390)
# axe.run does most of its work before it returns its promise: a timer starts it after this call has returned
START = """tags => {
  const run = () => axe.run(document, {runOnly: {type: 'tag', values: tags}});
  window.livenotesAxe = new Promise(done => setTimeout(() => done(run())));
}"""


def test_every_page_passes_axe_and_no_code_or_output_scrolls_sideways(
    browser: Any, site_url: str, built_site: Path
) -> None:
    """A tab per width, each going through every page (a full load each, so nothing carries over but the
    browser's cache), side by side: one tab's axe run goes on while the other loads its page and starts its own.
    Measured on this site, one run each: 73 s, against 105 s with a fresh tab per page for both widths side by side
    and 61 s for one width alone (so about 120 s one width after the other)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make setup-browser` (make test does it)")
    pages = site_pages(built_site)
    assert len(pages) > 15
    found: dict[str, list[Any]] = {}
    with ExitStack() as stack:
        tabs = {width: stack.enter_context(open_tab(browser, site_url, width=width))[0] for width in WIDTHS}
        for path in pages:
            wide: dict[int, list[str]] = {}
            for width, tab in tabs.items():
                tab.goto(page_url(site_url, path), wait_until="load")
                tab.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true })")  # every fold
                wide[width] = tab.evaluate(OVERFLOW)
                tab.add_script_tag(path=str(AXE))
                tab.evaluate(START, TAGS)  # returns at once: the run goes on in the tab
            for width, tab in tabs.items():
                problems = [f"scrolls sideways: {w}" for w in wide[width]]
                problems += [f"axe: {v}" for v in tab.evaluate(COLLECT)]
                if problems:
                    found[f"{path} at {width} px"] = problems
    assert found == {}, "\n".join(f"{page}: {problem}" for page, problems in found.items() for problem in problems)
