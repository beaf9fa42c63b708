"""Glossary terms as links with a tooltip, at their first occurrence on every page.

The glossary page is the one source: each term is a level-2 heading with an id and the forms to
match, e.g. ``## 転移学習(transfer learning) {#transfer-learning data-match="転移学習, transfer learning"}``,
and the paragraph under it is the definition (the tooltip). Matching is by substring, because
Japanese has no spaces between words (Material's ``abbr`` needs word boundaries and so never fires
inside Japanese text); an ASCII form still needs non-letters around it, so "token" is not found
inside "tokenizer". Text inside code, pre, links, headings, scripts and executed outputs is left alone.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .errors import SnippetError, location

_TERM_HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*\{(?P<attrs>[^}]*)\}\s*$")
_ID = re.compile(r"#(?P<id>[a-z0-9-]+)")
_MATCH = re.compile(r'data-match="(?P<forms>[^"]+)"')
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
# cite: a paper's title is its authors' words, not this site's use of a term
_SKIPPED_TAGS = {
    "a",
    "cite",
    "code",
    "pre",
    "kbd",
    "script",
    "style",
    "svg",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "button",
}
# an element a directive marks so (a box that starts closed, say: a term linked first there would have no link in
# the prose)
NO_GLOSSARY = "livenotes-no-glossary"
# outputs, diagrams, a code block's file name, and notebook cells (their code and outputs are not prose)
_SKIPPED_CLASSES = {
    NO_GLOSSARY,
    "livenotes-output",
    "livenotes-provenance",
    "livenotes-failure",
    "livenotes-drift",
    "livenotes-notebook-links",
    "mermaid",
    "filename",
    "jp-CodeCell",
    "jp-OutputArea",
}
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
TOOLTIP_LENGTH = 140


@dataclass(frozen=True)
class Term:
    """A glossary entry: its anchor, heading, the forms found in text, and its first paragraph."""

    anchor: str  # the heading's id on the glossary page
    title: str  # the heading as written, e.g. "転移学習(transfer learning)"
    forms: tuple[str, ...]  # what to look for in running text
    definition: str  # plain text of the first paragraph


def read_glossary(path: Path, display: str = "docs/glossary.md") -> list[Term]:
    """The terms of the glossary page; a malformed term heading is an error naming its line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    terms: list[Term] = []
    for number, line in enumerate(lines, 1):
        if not (line.startswith("## ") and "data-match=" in line):
            continue  # an ordinary section heading
        heading = _TERM_HEADING.match(line)
        anchor = _ID.search(heading.group("attrs")) if heading else None
        forms = _MATCH.search(heading.group("attrs")) if heading else None
        if not (heading and anchor and forms and forms.group("forms").strip(", ")):
            raise SnippetError(
                'a term heading needs an id and forms to match: ## term (alias) {#id data-match="term, alias"}',
                location(display, number),
            )
        paragraph = []
        for text in lines[number:]:
            if text.startswith("#") or (not text.strip() and paragraph):
                break
            if text.strip():
                paragraph.append(text.strip())
        if not paragraph:
            raise SnippetError(
                f"the term {heading.group('title')!r} has no definition under it", location(display, number)
            )
        definition = _MARKDOWN_LINK.sub(r"\1", " ".join(paragraph)).replace("**", "").replace("`", "")
        terms.append(
            Term(
                anchor=anchor.group("id"),
                title=heading.group("title"),
                forms=tuple(form.strip() for form in forms.group("forms").split(",") if form.strip()),
                definition=definition,
            )
        )
    seen: set[str] = set()
    for term in terms:
        for form in term.forms:
            if form.lower() in seen:
                raise SnippetError(f"the form {form!r} belongs to two terms", display)
            seen.add(form.lower())
    return terms


def _tooltip(definition: str) -> str:
    if len(definition) <= TOOLTIP_LENGTH:
        return definition
    return definition[: TOOLTIP_LENGTH - 1].rstrip() + "…"


def _is_word_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "_-")


def _find(text: str, form: str, start: int = 0) -> int:
    """Where ``form`` occurs in ``text`` as a whole; ASCII ends need a non-letter next to them."""
    lowered, wanted = text.lower(), form.lower()
    at = lowered.find(wanted, start)
    while at != -1:
        before = text[at - 1] if at > 0 else " "
        after = text[at + len(form)] if at + len(form) < len(text) else " "
        edges_ok = not (_is_word_char(form[0]) and _is_word_char(before)) and not (
            _is_word_char(form[-1]) and _is_word_char(after)
        )
        if edges_ok:
            return at
        at = lowered.find(wanted, at + 1)
    return -1


class _Linker(HTMLParser):
    def __init__(self, terms: list[Term], glossary_url: str) -> None:
        super().__init__(convert_charrefs=False)
        self.terms = terms
        self.url = glossary_url
        self.done: set[str] = set()
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped here or above)

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")
        if tag in _VOID_TAGS:
            return
        classes = set((dict(attrs).get("class") or "").split())
        skip = self.skipping or tag in _SKIPPED_TAGS or bool(classes & _SKIPPED_CLASSES)
        self.stack.append((tag, skip))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break

    def handle_data(self, data: str) -> None:
        self.out.append(data if self.skipping else self._link(data))

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")

    def _link(self, text: str) -> str:
        pieces, position = [], 0
        while True:
            best: tuple[int, int, Term] | None = None  # (where, -length, term): earliest, then longest
            for term in self.terms:
                if term.anchor in self.done:
                    continue
                for form in term.forms:
                    at = _find(text, form, position)
                    if at != -1 and (best is None or (at, -len(form)) < best[:2]):
                        best = (at, -len(form), term)
            if best is None:
                pieces.append(text[position:])
                return "".join(pieces)
            at, negative_length, term = best
            end = at - negative_length
            self.done.add(term.anchor)
            pieces.append(text[position:at])
            title = html.escape(_tooltip(term.definition), quote=True)
            pieces.append(
                f'<a class="glossary-term" href="{self.url}#{term.anchor}" title="{title}">{text[at:end]}</a>'
            )
            position = end


def link_terms(page_html: str, terms: list[Term], glossary_url: str) -> str:
    """``page_html`` with each term linked (with its definition as the title) where it first occurs."""
    linker = _Linker(terms, glossary_url)
    linker.feed(page_html)
    linker.close()
    return "".join(linker.out)
