"""Every code block of every page: the code a reader copies is the code that runs (that none scrolls sideways is
checked with every page in the browser: tests/test_accessibility.py)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from livenotes import Project, load_snippet
from tests.browsing import site_pages
from tests.conftest import ROOT

_TITLED = re.compile(r'<span class="filename">(?P<title>[^<]*)</span>\s*<pre[^>]*>(?P<pre>.*?)</pre>', re.S)
_CODE = re.compile(r"<code[^>]*>(?P<code>.*?)</code>", re.S)
_TAG = re.compile(r"<[^>]+>")


def _text(pre_html: str) -> str:
    code = _CODE.search(pre_html)
    assert code is not None
    return html.unescape(_TAG.sub("", code["code"]))


def test_every_code_block_is_the_code_that_runs_with_no_engine_directive(built_site: Path) -> None:
    project = Project(ROOT)
    shown = 0
    for path in site_pages(built_site):
        page = (built_site / path / "index.html").read_text(encoding="utf-8")
        for block in re.finditer(r"<pre[^>]*>.*?</pre>", page, re.S):
            assert "livenotes:" not in block[0], f"{path}: an engine directive in a code block"
        for block in _TITLED.finditer(page):
            if not block["title"].startswith("snippets/"):
                continue
            snippet = load_snippet(project, block["title"].removeprefix("snippets/"))
            assert _text(block["pre"]).rstrip("\n") == snippet.shown_text.rstrip("\n"), f"{path}: {block['title']}"
            shown += 1
    assert shown >= 30, shown  # the snippets shown on the chapter pages
