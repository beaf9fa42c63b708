"""Find every reference in a built site that would make a reader's browser ask another host for something.

Scripts, styles, fonts, images, media and frames: attributes in HTML, ``url()`` and ``@import`` in CSS
(files, ``<style>`` blocks and ``style=""``). Links a reader clicks (``<a href>``) are not loads.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

# absolute or protocol-relative: anything not served from the site itself
_EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(?P<url>[^'")]+)\1\s*\)|@import\s+(['"])(?P<imported>[^'"]+)\3""", re.I)
_LOADING_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "xlink:href"),  # inside inline SVG
    "use": ("href", "xlink:href"),
}
# <link rel=...> values that only name a page (nothing is fetched)
_NAMING_RELS = {"canonical", "alternate", "prev", "next", "author", "license", "help", "search"}


def _urls(value: str, attribute: str) -> list[str]:
    if attribute == "srcset":
        return [part.strip().split()[0] for part in value.split(",") if part.strip()]
    return [value]


def css_references(css: str) -> list[str]:
    return [m.group("url") or m.group("imported") for m in _CSS_URL.finditer(css)]


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (where in the markup, url)
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for attribute in _LOADING_ATTRS.get(tag, ()):
            if values.get(attribute):
                self.found += [(f"<{tag} {attribute}>", url) for url in _urls(values[attribute], attribute)]
        if tag == "link" and values.get("href"):
            rels = set(values.get("rel", "").lower().split())
            if not rels or rels - _NAMING_RELS:
                self.found.append((f"<link rel={values.get('rel')}>", values["href"]))
        if values.get("style"):
            self.found += [(f"<{tag} style>", url) for url in css_references(values["style"])]
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found += [("<style>", url) for url in css_references(data)]


def html_references(html: str) -> list[tuple[str, str]]:
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.found


def third_party_references(site: Path) -> list[str]:
    """``file: what`` for every load from another host, over all HTML and CSS of a built site."""
    problems = []
    for path in sorted(site.rglob("*")):
        if path.suffix == ".html":
            found = html_references(path.read_text(encoding="utf-8"))
        elif path.suffix == ".css":
            found = [("url()", url) for url in css_references(path.read_text(encoding="utf-8"))]
        else:
            continue
        problems += [f"{path.relative_to(site)}: {what} {url}" for what, url in found if _EXTERNAL.match(url)]
    return problems
