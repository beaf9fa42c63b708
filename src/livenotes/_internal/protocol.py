"""The messages between the build (worker_client.py) and the worker process (worker.py).

One JSON object a line. The build sends a ``Request`` on the worker's stdin; the worker answers on its reply
pipe with ``Ready`` once, then for each request any number of ``Progress`` lines and one ``Reply``. Messages
on the reply pipe carry a ``"type"`` so the reader knows which class to rebuild. Stdlib only: the worker
imports this before torch.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from .errors import SnippetError
from .results import Figure


def _line(kind: str, data: dict[str, Any]) -> str:
    return json.dumps({"type": kind, **data}, ensure_ascii=False)


def _fields(line: str, kind: str) -> dict[str, Any]:
    data = json.loads(line)
    if data.pop("type", None) != kind:
        raise ValueError(f"not a {kind} message: {line[:200]!r}")
    return data


@dataclass(frozen=True)
class Request:
    """Run one snippet: its file, its text, and the limits it runs under."""

    TYPE: ClassVar[str] = "request"
    path: str  # absolute path: tracebacks and __file__ use it
    display_path: str  # "snippets/x.py", as messages show it
    text: str
    timeout: float
    memory_limit: int  # bytes the snippet may allocate on top of what the worker holds when it starts
    random_init: bool = False
    forget_loads: bool = False  # start from no memoised checkpoint (tests that count loads ask for it)

    def to_json(self) -> str:
        return _line(self.TYPE, asdict(self))

    @classmethod
    def from_json(cls, line: str) -> Request:
        return cls(**_fields(line, cls.TYPE))


@dataclass(frozen=True)
class Ready:
    """The worker has imported torch and transformers and waits for requests."""

    TYPE: ClassVar[str] = "ready"
    pid: int

    def to_json(self) -> str:
        return _line(self.TYPE, asdict(self))

    @classmethod
    def from_json(cls, line: str) -> Ready:
        return cls(**_fields(line, cls.TYPE))


@dataclass(frozen=True)
class Progress:
    """A line the running snippet wrote to stderr, forwarded while it runs."""

    TYPE: ClassVar[str] = "progress"
    text: str

    def to_json(self) -> str:
        return _line(self.TYPE, asdict(self))

    @classmethod
    def from_json(cls, line: str) -> Progress:
        return cls(**_fields(line, cls.TYPE))


@dataclass(frozen=True)
class Reply:
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

    def to_json(self) -> str:
        data = asdict(self)
        data["failure"] = self.failure.to_json() if self.failure else None
        return _line(self.TYPE, data)

    @classmethod
    def from_json(cls, line: str) -> Reply:
        data = _fields(line, cls.TYPE)
        data["figures"] = [Figure(**f) for f in data.get("figures", [])]
        data["failure"] = SnippetError.from_json(data["failure"]) if data.get("failure") else None
        return cls(**data)


Message = Ready | Progress | Reply
_MESSAGES: dict[str, type[Ready] | type[Progress] | type[Reply]] = {m.TYPE: m for m in (Ready, Progress, Reply)}


def read_message(line: str | bytes) -> Message:
    """The message a line from the reply pipe holds; ``ValueError`` for anything else."""
    text = line.decode("utf-8") if isinstance(line, bytes) else line
    kind = json.loads(text).get("type")
    if kind not in _MESSAGES:
        raise ValueError(f"unknown message type {kind!r}: {text[:200]!r}")
    return _MESSAGES[kind].from_json(text)
