"""Japanese search in the header box, as a reader uses it: every glossary term and every chapter heading is found."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browsing import Traffic, open_tab
from tests.conftest import ROOT
from tests.search_queries import MIXED, all_queries, material_search

pytestmark = pytest.mark.browser
SHOTS = ROOT / "test-results"


@pytest.fixture(scope="module")
def search_tab(browser: object, site_url: str) -> Iterator[tuple[object, Traffic]]:
    with open_tab(browser, site_url) as (tab, traffic):
        tab.goto(f"{site_url}/", wait_until="networkidle")
        yield tab, traffic


def test_every_term_and_heading_is_found_among_the_first_three_results(
    search_tab: tuple, built_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tab, traffic = search_tab
    queries = all_queries(built_site, ROOT / "docs") + MIXED
    misses = []
    for query in queries:
        groups = material_search(tab, query.text)
        if not query.found([location for group in groups for location in group]):
            misses.append(f"{query.kind} {query.text!r}: wanted one of {sorted(query.answers)}, got {groups}")
    found = len(queries) - len(misses)
    with capsys.disabled():
        print(f"\nsearch recall: {found}/{len(queries)} ({100 * found / len(queries):.1f}%)")
    assert misses == [], "\n".join(misses)
    traffic.assert_clean()


def test_a_compound_term_is_highlighted_in_an_excerpt_and_the_page_it_opens(search_tab: tuple) -> None:
    tab, traffic = search_tab
    material_search(tab, "自己教師あり学習")
    first = tab.locator(".md-search-result__item").first
    marks = first.locator("mark").all_inner_texts()
    assert "自己教師あり学習" in marks, marks
    SHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SHOTS / "search-compound.png"))
    first.locator("a.md-search-result__link").first.click()
    tab.wait_for_selector("article mark[data-md-highlight]")
    assert "自己教師あり学習" in tab.locator("article mark[data-md-highlight]").all_inner_texts()
    tab.go_back(wait_until="networkidle")
    traffic.assert_clean()


def test_no_match_says_so_in_japanese(search_tab: tuple) -> None:
    tab, _ = search_tab
    assert material_search(tab, "量子色力学") == []
    assert tab.locator(".md-search-result__meta").inner_text() == "何も見つかりませんでした"


@pytest.mark.parametrize(
    ("typed", "finds"), [('<img src=x onerror="window.__typed = 1">', False), ("<b>BERT</b> の事前学習", True)]
)
def test_html_typed_into_the_box_stays_text(search_tab: tuple, typed: str, finds: bool) -> None:
    tab, traffic = search_tab
    groups = material_search(tab, typed)
    assert bool(groups) == finds
    results = tab.locator(".md-search-result")
    assert results.locator("img").count() == 0
    assert results.locator("b").count() == 0
    assert tab.evaluate("window.__typed") is None
    assert tab.locator(".md-search__input").input_value() == typed
    traffic.assert_clean()


def test_enter_opens_the_result_chosen_with_the_arrow_keys(search_tab: tuple, site_url: str) -> None:
    tab, traffic = search_tab
    groups = material_search(tab, "パープレキシティ")
    tab.locator(".md-search__input").press("ArrowDown")
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"{site_url}/{groups[0][0].split('#')[0]}**")
    assert tab.locator("article mark[data-md-highlight]").first.inner_text() == "パープレキシティ"
    tab.go_back(wait_until="networkidle")
    traffic.assert_clean()


def _config_block(template: Path) -> str:
    text = template.read_text(encoding="utf-8")
    block = text[text.index("{% block config %}") : text.index("{% endblock %}", text.index("{% block config %}"))]
    return " ".join(block.split())


def test_the_overridden_config_block_is_materials_own_but_for_the_worker() -> None:
    import material

    theirs = _config_block(Path(material.__file__).parent / "templates" / "base.html")
    ours = _config_block(ROOT / "overrides" / "main.html")
    worker = re.search(r'"search": "(assets/javascripts/workers/search\.[0-9a-f]+\.min\.js)"', theirs)
    assert worker, "Material's base.html no longer names its search worker as this test expects"
    assert ours == theirs.replace(worker[1], "assets/javascripts/workers/search_ja.js")
