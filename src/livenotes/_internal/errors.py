"""The engine's one error type: every problem has a kind and names the file and line it comes from.

It is raised where things fail (a bad directive, a snippet that cannot be loaded, a snippet that
raised in the worker, a hang, a crash, a drifted output), carried in a ``Result`` as plain data,
and turned into a log line and a page admonition in one place (``render.problem``).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

# what went wrong, from the reader's side: the page shows a heading per kind
KINDS = ("invalid", "error", "timeout", "crash", "memory", "interrupted", "drift")


class SnippetError(Exception):
    """A problem with a snippet or a directive, of a ``kind``, located at ``where`` (``file:line``).

    :param message: one line, e.g. ``ZeroDivisionError: division by zero``
    :param where: ``snippets/x.py:12`` or ``docs/page.md:3`` when known
    :param kind: one of ``invalid`` (cannot be embedded or loaded), ``error`` (raised), ``timeout``,
        ``crash`` (the worker died), ``memory`` (over the memory limit), ``interrupted``, ``drift``
    :param details: the traceback's tail, the worker's last words, or a diff
    """

    def __init__(self, message: str, where: str | None = None, *, kind: str = "invalid", details: str = "") -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown kind of problem {kind!r} (known: {', '.join(KINDS)})")
        super().__init__(message)
        self.message = message
        self.where = where
        self.kind = kind
        self.details = details

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def __repr__(self) -> str:
        return f"SnippetError({self.message!r}, {self.where!r}, kind={self.kind!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SnippetError) and self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]  # mutable attributes: equal by value, not hashable

    def to_json(self) -> dict[str, Any]:
        """Plain data for the cache, the report and the worker's reply."""
        return {"kind": self.kind, "message": self.message, "where": self.where, "details": self.details}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SnippetError:
        """The error that ``to_json`` wrote."""
        kind, details = data.get("kind", "invalid"), data.get("details", "")
        return cls(data["message"], data.get("where"), kind=kind, details=details)


def location(path: Path | str, line: int | None = None, root: Path | None = None) -> str:
    """``docs/page.md:12``: a path relative to the project root when possible, and a line."""
    p = Path(path)
    if root is not None:
        with contextlib.suppress(ValueError):
            p = p.resolve().relative_to(root.resolve())
    text = p.as_posix()
    return f"{text}:{line}" if line else text
