"""MkDocs hook: glossary terms become links with a tooltip at their first occurrence on each page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

from livenotes import PageCaches, SnippetError, Term, link_terms, read_glossary

GLOSSARY = "glossary.md"
_terms: list[Term] = []


def on_config(config: Any) -> None:
    global _terms
    try:
        _terms = read_glossary(Path(config.docs_dir) / GLOSSARY)
    except SnippetError as error:
        raise PluginError(f"glossary: {error}") from None


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    if page.file.src_uri == GLOSSARY or page.meta.get("glossary") is False:
        return html
    base = get_relative_url(GLOSSARY.replace(".md", "/"), page.url)
    # remembered by the page's content: linking takes longer than reading the result (a notebook page is a
    # megabyte of HTML), and most pages are unchanged from one build or serve rebuild to the next
    return PageCaches.of(config).linked(html, base, _terms, lambda: link_terms(html, _terms, base))
