"""A Markdown page, parsed once: its directives (outside code fences) and the malformed ones as errors.

``{% run "feature_extraction/embed.py" %}`` embeds a snippet and its output;
``{% build_report %}`` puts the build report table on a page; ``{% quiz "chapter1.yml" %}`` a quiz from
``quizzes/`` (its answer key partly taken from this build's outputs). A line that looks like a directive
but is not one is a ``SnippetError`` at ``docs/page.md:LINE``, never silently ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import SnippetError, location

_DIRECTIVE = re.compile(r"""^\s*\{%\s*(?P<kind>run|build_report|quiz)\b\s*(?:"(?P<arg>[^"]*)")?\s*%\}\s*$""")
_LOOKS_LIKE_DIRECTIVE = re.compile(r"^\s*\{%.*%\}\s*$")
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})")
# MkDocs' own front matter rule (mkdocs.utils.meta): a YAML block between --- lines at the very top
_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)


@dataclass(frozen=True)
class Directive:
    """One directive line of a page: ``run`` with its snippet path, or ``build_report``."""

    kind: str  # "run", "build_report" or "quiz"
    arg: str  # the snippet path for "run", the quiz file for "quiz"
    line: int  # 1-based line in the page's file
    source: str  # the line as written

    @property
    def indent(self) -> str:
        """The line's leading whitespace (a directive inside a tab or admonition keeps it)."""
        return self.source[: len(self.source) - len(self.source.lstrip())]


@dataclass(frozen=True)
class Page:
    """A page's file, parsed once per build."""

    path: str  # "docs/pipeline.md"
    text: str  # the file as read, front matter included
    meta: dict[str, Any]
    directives: tuple[Directive, ...]
    errors: dict[int, SnippetError]  # file line → why that directive-looking line is not one
    body_line: int  # the file line where the Markdown after the front matter (and its blank lines) starts

    @property
    def snippets(self) -> list[str]:
        """The snippet names the page embeds, in page order (repeats kept)."""
        return [d.arg for d in self.directives if d.kind == "run"]

    def where(self, line: int) -> str:
        """``docs/page.md:LINE``."""
        return location(self.path, line)

    @property
    def body(self) -> str:
        """The Markdown after the front matter (MkDocs hands the same to ``on_page_markdown``, unless a plugin
        changed it)."""
        return "\n".join(self.text.splitlines()[self.body_line - 1 :]) + "\n"

    def chunks(self) -> list[tuple[str, Directive | None]]:
        """The body as (prose before a run directive, that directive) pairs; the last has no directive."""
        lines = self.text.splitlines()
        chunks: list[tuple[str, Directive | None]] = []
        start = self.body_line - 1
        for directive in self.directives:
            if directive.kind == "run":
                chunks.append(("\n".join(lines[start : directive.line - 1]), directive))
                start = directive.line
        chunks.append(("\n".join(lines[start:]), None))
        return chunks


def parse_page(path: str, text: str) -> Page:
    """Read a page's front matter and its directives (line numbers are those of the file)."""
    meta: dict[str, Any] = {}
    body_line = 1
    front = _FRONT_MATTER.match(text)
    if front:
        try:
            loaded = yaml.safe_load(front.group(1))
        except yaml.YAMLError:
            loaded = None  # MkDocs reports a bad front matter itself
        if isinstance(loaded, dict):  # as MkDocs does: only a mapping is front matter, and blank lines after it go
            meta = loaded
            rest = text[front.end() :]
            body_line = front.group(0).count("\n") + len(rest) - len(rest.lstrip("\n")) + 1
    directives: list[Directive] = []
    errors: dict[int, SnippetError] = {}
    fence: str | None = None
    lines = text.splitlines()
    for lineno in range(body_line, len(lines) + 1):
        line = lines[lineno - 1]
        opened = _FENCE.match(line)
        if fence is not None:
            if (
                opened
                and opened.group("fence")[0] == fence[0]
                and len(opened.group("fence")) >= len(fence)
                and not line.strip()[len(opened.group("fence")) :].strip()
            ):
                fence = None
            continue
        if opened:
            fence = opened.group("fence")
            continue
        match = _DIRECTIVE.match(line)
        where = location(path, lineno)
        if match:
            kind, arg = match.group("kind"), match.group("arg") or ""
            if kind == "run" and not arg:
                errors[lineno] = SnippetError(f"run needs a snippet path in double quotes: {line.strip()}", where)
            elif kind == "quiz" and not arg:
                errors[lineno] = SnippetError(f"quiz needs a file of quizzes/ in double quotes: {line.strip()}", where)
            else:
                directives.append(Directive(kind, arg, lineno, line))
        elif _LOOKS_LIKE_DIRECTIVE.match(line):
            errors[lineno] = SnippetError(
                f'unknown directive (use {{% run "path.py" %}}, {{% quiz "file.yml" %}} or {{% build_report %}}): '
                f"{line.strip()}",
                where,
            )
    return Page(path, text, meta, tuple(directives), errors, body_line)


def replace_lines(markdown: str, replacements: dict[int, str]) -> str:
    """The page with the given (1-based) lines replaced by new text."""
    lines = markdown.splitlines()
    for lineno, text in replacements.items():
        lines[lineno - 1] = text
    return "\n".join(lines) + ("\n" if markdown.endswith("\n") else "")
