"""Every page of the built site in Debian's Chromium, at 1280 and 390 px: axe-core's WCAG 2 A and AA rules find
nothing, and no code or output block needs scrolling sideways (each page is loaded once for both)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browsing import open_tab, page_url, site_pages

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"  # fetched and checked by scripts/setup.sh --browser
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN = """async tags => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  const where = n => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n').slice(1, 2).join('');
  return result.violations.map(v => ({rule: v.id, count: v.nodes.length, first: v.nodes.slice(0, 3).map(where)}));
}"""


OVERFLOW = """() => [...document.querySelectorAll('.md-content pre > code')]
  .filter(c => c.scrollWidth > c.clientWidth + 1)
  .map(c => `${c.closest('.livenotes-output') ? 'output' : 'code'} ${c.scrollWidth} > ${c.clientWidth}: ` +
             c.textContent.slice(0, 60))"""


@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_passes_axe_and_no_code_or_output_scrolls_sideways(
    browser: Any, site_url: str, built_site: Path, width: int
) -> None:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make setup-browser` (make test does it)")
    pages = site_pages(built_site)
    assert len(pages) > 15
    found: dict[str, list[Any]] = {}
    for path in pages:
        with open_tab(browser, site_url, width=width) as (tab, _):
            tab.goto(page_url(site_url, path), wait_until="load")
            tab.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true })")  # every fold
            wide = tab.evaluate(OVERFLOW)
            tab.add_script_tag(path=str(AXE))
            if problems := [f"scrolls sideways: {w}" for w in wide] + [f"axe: {v}" for v in tab.evaluate(RUN, TAGS)]:
                found[path] = problems
    assert found == {}, "\n".join(f"{page}: {problem}" for page, problems in found.items() for problem in problems)
