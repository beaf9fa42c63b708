"""Every query the search must answer, read from the site itself: each glossary headword and alias, each chapter h2.

For a glossary form the right answer is the glossary entry or a section its "→" links name (where the term is
shown at work); for a heading, that heading's section. Nothing here is a hand-picked list, so a new term or heading
is tested the day it is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

_TERM = re.compile(r"^## (?P<title>.+?) \{#(?P<id>[\w-]+) data-match=\"(?P<forms>[^\"]+)\"\}$", re.M)
_LINK = re.compile(r"\]\((?P<page>[\w/-]+)\.md(?:#(?P<anchor>[\w-]+))?\)")


@dataclass(frozen=True)
class Query:
    text: str
    kind: str  # "term" or "heading"
    answers: frozenset[str]  # site-relative locations, any of which is a right answer: "glossary/#loss", "workshop/"

    def found(self, locations: list[str]) -> bool:
        return not self.answers.isdisjoint(locations)


def glossary_queries(glossary_md: Path) -> list[Query]:
    """The headword, the names in its parentheses and every data-match form of each glossary entry."""
    text = glossary_md.read_text(encoding="utf-8")
    heads = list(_TERM.finditer(text))
    queries: dict[str, Query] = {}
    for i, head in enumerate(heads):
        body = text[head.end() : heads[i + 1].start() if i + 1 < len(heads) else len(text)]
        shown = [
            f"{m['page']}/" + (f"#{m['anchor']}" if m["anchor"] else "")
            for line in body.splitlines()
            if line.startswith("→")
            for m in _LINK.finditer(line)
        ]
        answers = frozenset([f"glossary/#{head['id']}", *shown])
        headword, _, rest = head["title"].partition("(")
        names = [headword, *rest.rstrip(")").split(","), *head["forms"].split(",")]
        for name in (n.strip() for n in names):
            if name and name not in queries:
                queries[name] = Query(name, "term", answers)
    return list(queries.values())


class _Headings(HTMLParser):
    """The h2 headings of a built page's article, as the reader sees them (without the ¶ permalink)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._id: str | None = None
        self._text = ""
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h2" and dict(attrs).get("id"):
            self._id, self._text = dict(attrs)["id"], ""
        elif self._id and tag == "a" and "headerlink" in (dict(attrs).get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._skip:
            self._skip -= 1
        elif tag == "h2" and self._id:
            self.found.append((self._id, " ".join(self._text.split())))
            self._id = None

    def handle_data(self, data: str) -> None:
        if self._id and not self._skip:
            self._text += data


def chapters(site: Path) -> list[str]:
    """The chapter pages: each has a notebook generated from it."""
    return sorted(folder.name for folder in (site / "notebooks").iterdir() if folder.is_dir())


def heading_queries(site: Path) -> list[Query]:
    where: dict[str, set[str]] = {}  # a heading's text -> every place it heads (「もっと学ぶ」 ends every chapter)
    for chapter in chapters(site):
        parser = _Headings()
        parser.feed((site / chapter / "index.html").read_text(encoding="utf-8"))
        for id_, text in parser.found:
            where.setdefault(text, set()).add(f"{chapter}/#{id_}")
    # a text that heads several sections cannot say which one the reader wants: any of them answers it
    return [Query(text, "heading", frozenset(places)) for text, places in where.items()]


def all_queries(site: Path, docs: Path) -> list[Query]:
    return glossary_queries(docs / "glossary.md") + heading_queries(site)


# Mixed queries a reader types: Latin and Japanese together, with or without a space before the particle
MIXED = [
    Query("BERT の事前学習", "mixed", frozenset(["workshop/#bert"])),
    Query("GPT-2の事前学習", "mixed", frozenset(["workshop/#gpt2"])),
    Query("MiniLM を感情分析", "mixed", frozenset(["workshop/#sentiment"])),
]

PLACEHOLDER = "検索キーワードを入力してください"  # Material's ja translation of search.result.placeholder
# the links a reader sees in the first three results, without opening a "more on this page" fold
_FIRST_THREE = """() => [...document.querySelectorAll(".md-search-result__item")].slice(0, 3).map(li =>
    [...li.querySelectorAll("a.md-search-result__link")]
        .filter(a => !a.closest("details:not([open])"))
        .map(a => a.href))"""


def site_location(href: str) -> str:
    """``http://host/glossary/?h=x#loss`` -> ``glossary/#loss``: where a result link leads, relative to the site."""
    url = urlparse(href)
    return url.path.lstrip("/") + (f"#{url.fragment}" if url.fragment else "")


def material_search(tab: Any, text: str) -> list[list[str]]:
    """Type ``text`` into the header search box of an open page; the first three results' visible locations."""
    box = tab.locator(".md-search__input")
    if not box.is_visible():
        tab.locator("label.md-search__icon").first.click()
    meta = ".md-search-result__meta"
    box.fill("")
    box.press("End")  # Material reads the box on keyup
    tab.wait_for_function(f"document.querySelector('{meta}').textContent === '{PLACEHOLDER}'")
    box.fill(text)
    box.press("End")
    tab.wait_for_function(f"document.querySelector('{meta}').textContent !== '{PLACEHOLDER}'")
    return [[site_location(href) for href in group] for group in tab.evaluate(_FIRST_THREE)]
