"""Directives: the lines of a page the engine replaces, and the one parser that finds them (outside code fences).

A directive is ``{% name %}`` or ``{% name "argument" %}`` on a line of its own, with the options its kind
declares after them (``{% run "path.py" fold %}``). Each kind is declared once, as a
``DirectiveSpec``: its name and argument, what it renders on the page (``render``), the snippets whose outputs it
shows (``snippets``: the build evaluates them), and whether a chapter's notebook shows it (``run`` only). The
engine's own (``run``, ``quiz``, ``build_report``) are in this package, one module each (registry.py lists them); a
site adds its own (``Site.directives``). Every consumer (the MkDocs side, the notebooks, the tests) reads a page with
``parse_page`` and the same registry. A line that looks like a directive but is not one is a ``SnippetError`` at
``docs/page.md:LINE``, never silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import yaml

from ..errors import SnippetError, location

if TYPE_CHECKING:  # the types a renderer is handed (none of these modules imports this package)
    from ..engine import Evaluation
    from ..project import Project
    from ..snippet import Snippet
    from ..texts import Texts

_DIRECTIVE = re.compile(
    r"""^\s*\{%\s*(?P<kind>[a-z_]+)\b\s*(?:"(?P<arg>[^"]*)")?(?P<options>(?:\s+[a-z_]+)*)\s*%\}\s*$"""
)
_LOOKS_LIKE_DIRECTIVE = re.compile(r"^\s*\{%.*%\}\s*$")
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})")
# MkDocs' own front matter rule (mkdocs.utils.meta): a YAML block between --- lines at the very top
_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)


class RenderContext(Protocol):
    """What a directive's renderer is handed for one occurrence on one page (the MkDocs side makes it)."""

    where: str  # docs/page.md:LINE
    page_uri: str  # chapter-1-4.md
    site_root: str  # the site's root relative to the page ("../", or "" for the home page)
    texts: Texts
    libraries: tuple[str, ...]  # the site's libraries: their versions are shown under each output
    project: Project
    execute: bool  # False: pages show code only (the site's execute: false)

    def snippet(self, name: str) -> Snippet:
        """The snippet ``name``; a ``SnippetError`` at this directive when it cannot be loaded."""
        ...

    def evaluation(self, name: str) -> Evaluation | None:
        """The snippet's evaluation in this build; None when there is no output (serve, or execute: false)."""
        ...

    def pending(self, what: str) -> str:
        """The HTML of something whose output is still being made."""
        ...

    def problem(self, error: SnippetError) -> str:
        """The HTML of a problem, which is logged too (a warning: ``--strict`` stops at it)."""
        ...

    def placeholder(self, html: str) -> str:
        """Markdown that becomes this HTML on the page (Markdown never touches it)."""
        ...

    def code_html(self, snippet: Snippet) -> str:
        """A snippet's code, highlighted as the site highlights code."""
        ...

    def publish(self, source: Path, target: str) -> None:
        """A file the page needs in the built site, at ``target`` (relative to the site's root)."""
        ...

    def state(self, name: str) -> dict[str, Any]:
        """A directive's own memory for this build (read a file once per build, say)."""
        ...

    def report_rows(self) -> list[Any]:
        """The build report's rows so far (``report.Row``)."""
        ...

    @property
    def manifest(self) -> dict[str, Any] | None:
        """This build's download bundle (downloads.py), for a site's box about it; None until it is made."""
        ...

    def recipe_times(self, folders: list[str]) -> dict[str, float]:
        """Each recipe the folders come from (with what it needs) → its seconds in this build."""
        ...


@dataclass(frozen=True)
class DirectiveSpec:
    """One kind of directive, declared once: its syntax, what it renders, the outputs it shows."""

    name: str
    usage: str  # how to write it, for messages: '{% run "path.py" %}'
    argument: bool  # takes a quoted argument (then it is required)
    render: Callable[[Directive, RenderContext], str]  # the Markdown that replaces the line
    # snippets whose outputs it shows: the build evaluates them before any page renders
    snippets: Callable[[Directive, Project], list[str]] = field(default=lambda directive, project: [])
    in_notebook: bool = False  # a chapter's notebook shows it (as cells); others are left out of notebooks
    options: frozenset[str] = frozenset()  # the words it may take after its argument (each one at most once)


Registry = Mapping[str, DirectiveSpec]


@dataclass(frozen=True)
class Directive:
    """One directive line of a page."""

    kind: str  # its DirectiveSpec's name: "run", "quiz", ...
    arg: str  # its argument ("" for none): the snippet path for "run", the quiz file for "quiz"
    line: int  # 1-based line in the page's file
    source: str  # the line as written
    options: frozenset[str] = frozenset()  # the option words written after the argument

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
        """The snippet names the page embeds with ``run``, in page order (repeats kept)."""
        return [d.arg for d in self.directives if d.kind == "run"]

    def where(self, line: int) -> str:
        """``docs/page.md:LINE``."""
        return location(self.path, line)

    @property
    def body(self) -> str:
        """The Markdown after the front matter (MkDocs hands the same to ``on_page_markdown``, unless a plugin
        changed it)."""
        return "\n".join(self.text.splitlines()[self.body_line - 1 :]) + "\n"

    def chunks(self, registry: Registry) -> list[tuple[str, Directive | None]]:
        """The body as (prose before a directive a notebook shows, that directive) pairs; the last has none. The
        other directives' lines (and lines that are no directive) are left out of the prose: they mean nothing
        outside the site."""
        lines = self.text.splitlines()
        skipped = {d.line for d in self.directives} | set(self.errors)
        chunks: list[tuple[str, Directive | None]] = []
        start = self.body_line - 1
        for directive in self.directives:
            spec = registry.get(directive.kind)
            if spec is not None and spec.in_notebook:
                chunks.append((_prose(lines, start, directive.line - 1, skipped), directive))
                start = directive.line
        chunks.append((_prose(lines, start, len(lines), skipped), None))
        return chunks


def _prose(lines: list[str], start: int, end: int, skipped: set[int]) -> str:
    return "\n".join(line for number, line in enumerate(lines[start:end], start + 1) if number not in skipped)


def parse_page(path: str, text: str, registry: Registry) -> Page:
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
        spec = registry.get(match.group("kind")) if match else None
        if spec is not None and match is not None:
            arg = match.group("arg")
            options = match.group("options").split()
            unknown = sorted({o for o in options if o not in spec.options})
            repeated = sorted({o for o in options if options.count(o) > 1})
            if unknown or repeated:
                what = f"unknown option {', '.join(unknown)}" if unknown else f"option {', '.join(repeated)} twice"
                allowed = ", ".join(sorted(spec.options)) or "none"
                errors[lineno] = SnippetError(f"{spec.name}: {what} (its options: {allowed})", where)
            elif spec.argument and not arg:
                errors[lineno] = SnippetError(f"{spec.name} needs an argument in quotes, as in {spec.usage}", where)
            elif not spec.argument and arg is not None:
                errors[lineno] = SnippetError(f"{spec.name} takes no argument: write {spec.usage}", where)
            else:
                directives.append(Directive(spec.name, arg or "", lineno, line, frozenset(options)))
        elif _LOOKS_LIKE_DIRECTIVE.match(line):
            known = ", ".join(spec.usage for spec in registry.values())
            errors[lineno] = SnippetError(f"unknown directive (known: {known}): {line.strip()}", where)
    return Page(path, text, meta, tuple(directives), errors, body_line)


def replace_lines(markdown: str, replacements: dict[int, str]) -> str:
    """The page with the given (1-based) lines replaced by new text."""
    lines = markdown.splitlines()
    for lineno, text in replacements.items():
        lines[lineno - 1] = text
    return "\n".join(lines) + ("\n" if markdown.endswith("\n") else "")
