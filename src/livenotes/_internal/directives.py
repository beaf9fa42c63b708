"""Find the engine's directives in a Markdown page (outside code fences).

``{% run "feature_extraction/embed.py" %}`` embeds a snippet and its output;
``{% build_report %}`` puts the build report table on a page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_DIRECTIVE = re.compile(r"""^\s*\{%\s*(?P<kind>run|build_report)\b\s*(?:"(?P<arg>[^"]*)")?\s*%\}\s*$""")
_LOOKS_LIKE_DIRECTIVE = re.compile(r"^\s*\{%.*%\}\s*$")
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})")


@dataclass(frozen=True)
class Directive:
    """One directive line of a page: ``run`` with its snippet path, ``build_report``, or ``invalid``."""

    kind: str  # "run", "build_report" or "invalid"
    arg: str
    line: int  # 1-based line in the page source
    source: str  # the line as written


def find_directives(markdown: str) -> Iterator[Directive]:
    """Every directive line outside fenced code, with its line number."""
    fence: str | None = None
    for lineno, line in enumerate(markdown.splitlines(), 1):
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
        if match:
            kind, arg = match.group("kind"), match.group("arg") or ""
            if kind == "run" and not arg:
                yield Directive("invalid", "run needs a snippet path in double quotes", lineno, line)
            else:
                yield Directive(kind, arg, lineno, line)
        elif _LOOKS_LIKE_DIRECTIVE.match(line):
            yield Directive(
                "invalid", 'unknown directive (use {% run "path.py" %} or {% build_report %})', lineno, line
            )


def replace_lines(markdown: str, replacements: dict[int, str]) -> str:
    """The page with the given (1-based) lines replaced by new text."""
    lines = markdown.splitlines()
    for lineno, text in replacements.items():
        lines[lineno - 1] = text
    return "\n".join(lines) + ("\n" if markdown.endswith("\n") else "")
