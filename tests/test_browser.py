"""The built site in Debian's Chromium: executed output, the figure, mermaid, the glossary, no third party."""

from __future__ import annotations

import mimetypes
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from livenotes import Project, approved_path, matches
from tests.browsing import Traffic, browser_context, open_tab, page_url, site_pages
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[1] / "test-results"
# img.decode() waits forever for an image that never loads; fail after 10 s instead of hanging the suite
DECODE = "img => Promise.race([img.decode(), new Promise((_, no) => setTimeout(() => no(new Error('timeout')), 1e4))])"


def test_the_page_shows_the_executed_output_and_the_heatmap(tab: tuple, site_url: str) -> None:
    tab, traffic = tab
    tab.goto(f"{site_url}/feature-extraction/", wait_until="networkidle")
    output = tab.locator(".livenotes-output", has_text="文ベクトルの形")
    assert output.is_visible()
    assert "0.69" in output.inner_text()
    image = tab.locator(".livenotes-figure img").first
    image.scroll_into_view_if_needed()
    image.evaluate(DECODE)
    assert image.evaluate("img => img.naturalWidth") == int(image.get_attribute("width") or 0) > 300
    SHOTS.mkdir(exist_ok=True)
    output.screenshot(path=str(SHOTS / "feature-extraction-output.png"))
    tab.screenshot(path=str(SHOTS / "feature-extraction.png"), full_page=True)
    traffic.assert_clean()


def _diagrams(site: Path, path: str) -> int:
    return (site / path / "index.html").read_text(encoding="utf-8").count('class="mermaid"')


def test_every_diagram_renders_from_the_shipped_script(browser: Any, site_url: str, built_site: Path) -> None:
    with_diagrams = [(path, n) for path in site_pages(built_site) if (n := _diagrams(built_site, path))]
    assert len(with_diagrams) >= 2, with_diagrams
    for page_path, count in with_diagrams:
        with open_tab(browser, site_url) as (tab, traffic):
            tab.goto(f"{site_url}/{page_path}/", wait_until="networkidle")
            diagrams = tab.locator("div.mermaid")
            diagrams.nth(count - 1).wait_for(timeout=15000)
            assert tab.locator("pre.mermaid").count() == 0, page_path  # raw text would mean mermaid never ran
            assert diagrams.count() == count, page_path
            for i in range(count):
                diagram = diagrams.nth(i)
                diagram.scroll_into_view_if_needed()
                box = diagram.bounding_box()
                assert box is not None and box["height"] > 100, page_path
                # Material draws the SVG into a closed shadow root; the source text is gone from the light DOM
                assert diagram.evaluate("d => d.textContent.trim()") == ""
                diagram.screenshot(path=str(SHOTS / f"diagram-{page_path.replace('/', '-')}-{i}.png"))
            traffic.assert_clean()


@pytest.mark.parametrize(
    ("page_path", "at_least"), [("chapter-1-4/", 4), ("workshop/", 3), ("reading-log/", 2), ("feature-extraction/", 1)]
)
def test_every_figure_on_the_page_loads(tab: tuple, site_url: str, page_path: str, at_least: int) -> None:
    tab, traffic = tab
    tab.goto(f"{site_url}/{page_path}", wait_until="networkidle")
    tab.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true })")  # folded ones too
    images = tab.locator(".livenotes-figure img")
    assert images.count() >= at_least
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()  # the figures load lazily: decode() waits for the load
        images.nth(i).evaluate(DECODE)
        assert images.nth(i).evaluate("img => img.naturalWidth") > 300
    tab.screenshot(path=str(SHOTS / f"{page_path.strip('/')}.png"), full_page=True)
    traffic.assert_clean()


def test_a_glossary_term_in_japanese_text_shows_its_tooltip_on_hover(tab: tuple, site_url: str) -> None:
    tab, traffic = tab
    tab.goto(f"{site_url}/chapter-1-4/", wait_until="networkidle")
    term = tab.locator("article p a.glossary-term", has_text="自己教師あり学習").first
    term.scroll_into_view_if_needed()
    paragraph = term.locator("xpath=..").inner_text()
    assert "自己教師あり学習" in paragraph and " 自己教師あり学習 " not in paragraph  # no spaces around it
    term.hover()
    tooltip = tab.locator(".md-tooltip2--active, .md-tooltip--active").first
    tooltip.wait_for(timeout=5000)
    assert "データそのものから問題と正解を作って" in tooltip.inner_text()
    tab.screenshot(path=str(SHOTS / "glossary-tooltip.png"))
    term.click()
    tab.wait_for_url("**/glossary/#self-supervised")
    traffic.assert_clean()


def test_the_copy_button_gives_the_snippet_file_and_that_code_runs(
    browser: object, site_url: str, tmp_path: Path
) -> None:
    with open_tab(browser, site_url, permissions=("clipboard-read", "clipboard-write")) as (tab, traffic):
        tab.goto(f"{site_url}/reading-log/", wait_until="networkidle")
        block = tab.locator(
            "div.highlight", has=tab.locator(".filename", has_text="snippets/reading_log/perceptron.py")
        )
        block.locator("xpath=ancestor::details[1]/summary").click()  # the code's fold: closed until asked
        block.scroll_into_view_if_needed()
        block.hover()
        block.locator('button[data-md-type="copy"]').click()  # Material 9.8: a button in the code's nav
        copied = tab.evaluate("navigator.clipboard.readText()")
        traffic.assert_clean()
    snippet = ROOT / "snippets" / "reading_log" / "perceptron.py"
    assert copied.rstrip("\n") == snippet.read_text(encoding="utf-8").rstrip("\n"), "not exactly the file"
    assert ">>>" not in copied and "このビルドで実行" not in copied  # no prompts, no output
    # run what landed in the clipboard, from the repository (where data/ is), as a reader would
    pasted = tmp_path / "pasted.py"
    pasted.write_text(copied, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(pasted)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    want = approved_path(Project(ROOT), "reading_log/perceptron.py").read_text(encoding="utf-8")
    printed = "".join(line for line in want.splitlines(keepends=True) if not line.startswith("[figure "))
    assert matches(printed, done.stdout)


def test_every_page_asks_only_this_site_for_anything(browser: object, site_url: str, built_site: Path) -> None:
    pages = site_pages(built_site)
    assert len(pages) > 15
    with browser_context(browser) as context:
        # every page in its own tab, all loading at once (the browser fetches them side by side), then checked
        tabs = [(context.new_page(), path) for path in pages]
        watched = [(tab, path, Traffic(tab, site_url)) for tab, path in tabs]
        for tab, path, _ in watched:
            tab.goto(page_url(site_url, path), wait_until="commit")
        for tab, _, _ in watched:
            tab.wait_for_load_state("networkidle")
            tab.mouse.wheel(0, 100000)  # lazy images too
        watched[-1][0].wait_for_timeout(300)
        for tab, path, traffic in watched:
            tab.wait_for_load_state("networkidle")
            traffic.assert_clean()
            # mermaid (2.7 MB) is loaded by the pages that draw a diagram, and only by them; the search index (0.5 MB)
            # by none until the reader turns to search (docs/assets/javascripts/on_demand.js)
            assert traffic.asked_for("mermaid.min.js") == bool(_diagrams(built_site, path)), path
            assert not traffic.asked_for("search_index.json"), path


def test_the_search_index_arrives_when_the_reader_turns_to_search(tab: tuple, site_url: str) -> None:
    tab, traffic = tab
    tab.goto(f"{site_url}/glossary/", wait_until="networkidle")
    assert not traffic.asked_for("search_index.json")
    tab.keyboard.press("s")  # Material's key for the search box
    result = tab.locator(".md-search-result__item").first
    tab.locator("input.md-search__input").fill("アテンション")
    result.wait_for(timeout=10000)
    assert traffic.asked_for("search_index.json")
    traffic.assert_clean()


def test_diagrams_draw_from_the_shipped_script_after_instant_navigation(browser: Any, built_site: Path) -> None:
    """Material's instant navigation swaps the content without running the new page's scripts: the diagrams of a
    page reached by a link must still be drawn, from this site's copy of mermaid (never unpkg.com). Material
    navigates instantly only to the addresses of its sitemap, taken with the page's host but without a port, so the
    site is answered from disk at an address without one, under site_url's path, as GitHub Pages serves it."""
    origin, base = "http://livenotes.test", urlparse(yaml_site_url()).path.strip("/")

    def from_disk(route: Any) -> None:
        path = urlparse(route.request.url).path.removeprefix(f"/{base}/")
        file = built_site / path / "index.html" if path == "" or path.endswith("/") else built_site / path
        if not file.is_file():
            route.fulfill(status=404, body="not found")
            return
        route.fulfill(body=file.read_bytes(), content_type=mimetypes.guess_type(file.name)[0] or "text/plain")

    with open_tab(browser, origin) as (tab, traffic):
        tab.context.route(f"{origin}/**", from_disk)
        tab.goto(f"{origin}/{base}/glossary/", wait_until="networkidle")
        assert not traffic.asked_for("mermaid.min.js")
        tab.evaluate("() => { window.notReloaded = true; }")
        tab.locator('nav.md-nav--primary a[href$="chapter-1-4/"]').first.click()
        tab.wait_for_url("**/chapter-1-4/")
        tab.locator("div.mermaid").first.wait_for(timeout=15000)
        assert tab.evaluate("() => window.notReloaded === true"), "the link reloaded the page: not instant navigation"
        assert tab.locator("pre.mermaid").count() == 0
        assert traffic.asked_for("mermaid.min.js")
        traffic.assert_clean()


def yaml_site_url() -> str:
    line = next(x for x in (ROOT / "mkdocs.yml").read_text(encoding="utf-8").splitlines() if x.startswith("site_url:"))
    return line.split(":", 1)[1].strip()
