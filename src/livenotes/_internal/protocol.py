"""The messages between the build (worker_client.py) and the worker process (worker.py).

One JSON object a line. The worker says ``Ready`` once it runs. The build sends on its stdin a ``Prepare``
(the worker has the site's profile import what the snippets share, and says ``Ready`` again) before the first
snippet that imports more than the standard library, and a ``Request`` per snippet, answered by any number of
``Progress`` lines and one ``Reply``. Every message carries a ``"type"`` so the reader knows which class to
rebuild. Stdlib only: the worker imports this before anything heavy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from .errors import SnippetError
from .results import Figure, plain, revived


class _Message:
    """One line of the protocol: the dataclass's fields as JSON, with its ``TYPE``."""

    TYPE: ClassVar[str]

    def to_json(self) -> str:
        return json.dumps({"type": self.TYPE, **plain(self)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> Self:
        return cls.from_data(json.loads(line))

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self:
        """The message from a parsed line (its ``type`` must be this class's)."""
        data = dict(data)
        kind = data.pop("type", None)
        if kind != cls.TYPE:
            raise ValueError(f"not a {cls.TYPE} message but {kind!r}")
        return cls(**revived(data))


@dataclass(frozen=True)
class Request(_Message):
    """Run one snippet: its file, its text, and the limits it runs under."""

    TYPE: ClassVar[str] = "request"
    path: str  # absolute path: tracebacks and __file__ use it
    display_path: str  # "snippets/x.py", as messages show it
    text: str
    timeout: float
    memory_limit: int  # bytes the snippet may allocate on top of what the worker holds when it starts
    random_init: bool = False
    forget_loads: bool = False  # start from no memoised checkpoint (tests that count loads ask for it)


@dataclass(frozen=True)
class Prepare(_Message):
    """Import and set up what the snippets share (the site's profile decides what), once per worker."""

    TYPE: ClassVar[str] = "prepare"
    threads: int = 2  # for the numeric libraries: how a reduction is split


@dataclass(frozen=True)
class Ready(_Message):
    """The worker has started, or has done a ``Prepare``, and waits for requests."""

    TYPE: ClassVar[str] = "ready"
    pid: int


@dataclass(frozen=True)
class Progress(_Message):
    """A line the running snippet wrote to stderr, forwarded while it runs."""

    TYPE: ClassVar[str] = "progress"
    text: str


@dataclass(frozen=True)
class Reply(_Message):
    """What running a snippet gave; the client also makes one (failure only) when the worker dies or hangs."""

    TYPE: ClassVar[str] = "reply"
    stdout: str = ""
    stderr: str = ""
    display: str | None = None
    figures: list[Figure] = field(default_factory=list)
    failure: SnippetError | None = None
    duration: float = 0.0
    loads: list[str] = field(default_factory=list)
    peak_rss_kb: int = 0


Message = Ready | Progress | Reply
_MESSAGES: dict[str, type[Ready] | type[Progress] | type[Reply]] = {m.TYPE: m for m in (Ready, Progress, Reply)}


def read_instruction(line: str) -> Prepare | Request:
    """What the build asks on the worker's stdin; ``ValueError`` for anything else."""
    data = json.loads(line)
    if isinstance(data, dict) and data.get("type") == Prepare.TYPE:
        return Prepare.from_data(data)
    return Request.from_data(data)


def read_message(line: str | bytes) -> Message:
    """The message a line from the reply pipe holds; ``ValueError`` for anything else."""
    text = line.decode("utf-8") if isinstance(line, bytes) else line
    data = json.loads(text)  # parsed once: a reply carries its figures as base64, megabytes at times
    kind = data.get("type") if isinstance(data, dict) else None
    if kind not in _MESSAGES:
        raise ValueError(f"unknown message type {kind!r}: {text[:200]!r}")
    return _MESSAGES[kind].from_data(data)
