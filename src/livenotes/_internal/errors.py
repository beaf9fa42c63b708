"""The engine's one error type: every problem names the file and line it comes from."""

from __future__ import annotations

import contextlib
from pathlib import Path


class SnippetError(Exception):
    """A problem with a snippet or a directive, located at ``where`` (``file:line``)."""

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def location(path: Path | str, line: int | None = None, root: Path | None = None) -> str:
    """``docs/page.md:12``: a path relative to the project root when possible, and a line."""
    p = Path(path)
    if root is not None:
        with contextlib.suppress(ValueError):
            p = p.resolve().relative_to(root.resolve())
    text = p.as_posix()
    return f"{text}:{line}" if line else text
