"""A notebook page's CSS cut to what its HTML uses (src/livenotes/_internal/notebook_css.py).

The unit tests pin each rule of the cut; the browser test (tests/test_notebook_pages.py) checks on every built notebook
page that every element looks the same with the cut CSS as with JupyterLab's whole stylesheet."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from livenotes._internal import page_caches
from livenotes._internal.notebook_css import split_styles, used_css
from tests.browsing import open_tab, page_url, site_pages

PAGE = (
    '<div class="jupyter-wrapper">'
    '<div id="cell-1" class="jp-Cell jp-CodeCell" data-type="code"><pre>x</pre></div></div>'
)


def test_a_rule_stays_only_if_the_page_has_every_class_id_and_attribute_it_names() -> None:
    css = (
        ".jp-Cell{color:red}"
        ".jp-Cell.jp-mod-selected{color:blue}"
        "#cell-1{margin:0}"
        "#cell-2{margin:1px}"
        "[data-type]{padding:0}"
        "[data-other]{padding:1px}"
        "pre{tab-size:4}"
    )
    kept = used_css(css, PAGE)
    assert ".jp-Cell{color:red}" in kept
    assert "jp-mod-selected" not in kept
    assert "#cell-1" in kept and "#cell-2" not in kept
    assert "[data-type]" in kept and "data-other" not in kept
    assert "pre{tab-size:4}" in kept  # element names are not checked


def test_a_selector_list_keeps_only_its_selectors_that_can_match() -> None:
    kept = used_css(".jp-Cell, .jp-Dialog, .jp-CodeCell pre{color:red}", PAGE)
    assert kept == ".jp-Cell, .jp-CodeCell pre{color:red}"


def test_what_a_negation_names_does_not_count_against_the_selector() -> None:
    kept = used_css(".jp-Cell:not(.jp-mod-dropTarget){color:red}.jp-Cell:is(.jp-Menu, .jp-CodeCell){margin:0}", PAGE)
    assert ":not(.jp-mod-dropTarget)" in kept and ":is(.jp-Menu, .jp-CodeCell)" in kept


def test_media_blocks_are_cut_inside_and_dropped_when_empty() -> None:
    css = "@media print{.jp-Cell{color:black}.jp-Toolbar{display:none}}@media (max-width:1px){.jp-Menu{x:y}}"
    kept = used_css(css, PAGE)
    assert kept.startswith("@media print") and ".jp-Toolbar" not in kept and "max-width" not in kept


def test_custom_properties_stay_only_when_read_directly_or_through_another() -> None:
    css = ".jupyter-wrapper{--a:1px;--b:var(--a);--c:2px;--unused:var(--c)}.jp-Cell{margin:var(--b)}"
    kept = used_css(css, PAGE)
    assert "--a:1px" in kept and "--b:var(--a)" in kept
    assert "--c" not in kept and "--unused" not in kept


def test_keyframes_stay_only_when_an_animation_names_them() -> None:
    css = "@keyframes spin{to{transform:rotate(1turn)}}@keyframes fade{to{opacity:0}}.jp-Cell{animation:spin 1s}"
    kept = used_css(css, PAGE)
    assert "@keyframes spin" in kept and "fade" not in kept


def test_important_and_comments() -> None:
    kept = used_css("/* a comment */.jp-Cell{color:red !important}", PAGE)
    assert kept == ".jp-Cell{color:red !important}"


def test_split_styles_takes_every_style_block_out_in_order() -> None:
    page = '<style type="text/css">.a{}</style>\n<div class="a"></div><STYLE>.b{}</STYLE>'
    html, css = split_styles(page)
    assert html == '<div class="a"></div>'
    assert css == ".a{}\n.b{}"


_HTML = "text/html; charset=utf-8"
# every element of the notebook with the computed value of each property the whole stylesheet sets (only those can
# differ; all ~400 took 12 s on the workshop's 11,892 elements)
_COMPUTED = """names => [...document.querySelectorAll("article .jupyter-wrapper, article .jupyter-wrapper *")]
.map(el => {
  const style = getComputedStyle(el);
  return el.tagName + "." + el.getAttribute("class") + " {" +
    names.map(name => name + ":" + style.getPropertyValue(name)).join(";") + "}";
})"""
# the notebook's own CSS in a built page: the first style block, the one page_caches._render puts before the notebook
_CUT = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_PROPERTY = re.compile(r"[{;]\s*([a-z-]+)\s*:")


def _difference(built: str, whole: str) -> str:
    """An element's name and the properties whose values differ: as built → with the whole stylesheet."""
    name, _, rest = built.partition(" {")
    mine = dict(item.split(":", 1) for item in rest.rstrip("}").split(";") if ":" in item)
    theirs = dict(item.split(":", 1) for item in whole.partition(" {")[2].rstrip("}").split(";") if ":" in item)
    changed = [
        f"{key}: {mine.get(key)} → {theirs.get(key)}"
        for key in sorted(mine.keys() | theirs.keys())
        if mine.get(key) != theirs.get(key)
    ]
    return f"{name}: " + "; ".join(changed)


def _serving(body: str) -> Callable[[Any], None]:
    """A route handler that answers with ``body`` (Playwright passes the request too when a handler takes two)."""
    return lambda route: route.fulfill(body=body, content_type=_HTML)


def test_every_notebook_page_looks_the_same_as_with_jupyterlabs_whole_stylesheet(
    browser: Any, site_url: str, built_site: Path
) -> None:
    """Each notebook page twice in Chromium at 1280 px: as built (its cut CSS), and with the whole stylesheet
    mkdocs-jupyter gives in its place (the same for every notebook: taken from one converted again); every element's
    computed style is equal."""
    from mkdocs_jupyter import convert

    pages = [path for path in site_pages(built_site) if path.startswith("notebooks/")]
    assert len(pages) >= 8, pages
    _, whole = split_styles(convert.nb2html(str(next((built_site / pages[0]).glob("*.ipynb"))), **page_caches._OPTIONS))
    names = sorted(name for name in set(_PROPERTY.findall(whole)) if not name.startswith("--"))
    with open_tab(browser, site_url) as (tab, _):
        for path in pages:
            built = (built_site / path / "index.html").read_text(encoding="utf-8")
            cut = _CUT.search(built)
            assert cut and ".jp-" in cut.group(1), f"{path}: no notebook CSS"
            assert len(cut.group(1)) < len(whole) / 10, f"{path}: {len(cut.group(1)):,} of {len(whole):,} bytes kept"
            url = page_url(site_url, path)
            tab.goto(url, wait_until="load")
            as_built = tab.evaluate(_COMPUTED, names)
            tab.route(url, _serving(built.replace(cut.group(0), f"<style>{whole}</style>")))
            tab.goto(url, wait_until="load")
            with_whole = tab.evaluate(_COMPUTED, names)
            tab.unroute(url)
            assert len(as_built) == len(with_whole) > 100, path
            differing = [(a, b) for a, b in zip(as_built, with_whole, strict=True) if a != b]
            first = _difference(*differing[0]) if differing else ""
            assert not differing, f"{path}: {len(differing)} elements differ, the first: {first}"
