"""What running a snippet gives: output, figures, failure, provenance. Plain data, JSON round-trip."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import SnippetError


@dataclass(frozen=True)
class Figure:
    """A matplotlib figure a snippet left open, as PNG (cropped like a notebook's inline figure)."""

    png_base64: str
    width: int
    height: int
    titles: list[str] = field(default_factory=list)  # what it says it shows (its suptitle, else its axes' titles)

    def title(self, separator: str = ", ", most: int = 4) -> str:
        """The titles as one line (a grid's first few): the page's alt text."""
        return separator.join(self.titles[:most]) + ("…" if len(self.titles) > most else "")


@dataclass
class Result:
    """What running a snippet gave in this build (or in the build that cached it)."""

    snippet: str
    key: str
    stdout: str = ""
    display: str | None = None  # repr of a trailing bare expression, as a notebook shows it
    stderr: str = ""
    figures: list[Figure] = field(default_factory=list)
    failure: SnippetError | None = None  # why it gave no result
    duration: float = 0.0
    loads: list[str] = field(default_factory=list)  # checkpoints read from disk while running
    peak_rss_kb: int = 0
    provenance: dict[str, Any] = field(default_factory=dict)
    material: dict[str, Any] = field(default_factory=dict)  # what the key is the digest of (cache_key.KeyMaker)
    cached: bool = False

    @property
    def ok(self) -> bool:
        """True when the snippet ran to the end."""
        return self.failure is None

    @property
    def status(self) -> str:
        """``"ok"`` or the failure's kind, as the build report shows it."""
        return "ok" if self.failure is None else self.failure.kind

    def text(self) -> str:
        """The text that approved outputs are compared with: stdout, the displayed value, one line per figure."""
        parts = [self.stdout]
        if self.display is not None:
            parts.append(self.display + "\n")
        parts.extend(f"[figure {i}: {f.width}x{f.height} png]\n" for i, f in enumerate(self.figures, 1))
        return "".join(parts)

    def to_json(self) -> dict[str, Any]:
        """Plain data for the cache and the build report."""
        data = plain(self)
        data.pop("cached")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Result:
        """The result that ``to_json`` wrote."""
        return cls(**revived(data))


def plain(outputs: Any) -> dict[str, Any]:
    """A dataclass holding outputs (a ``Result``, the worker's reply) as JSON-ready data: the failure too."""
    data = asdict(outputs)
    if "failure" in data:
        data["failure"] = outputs.failure.to_json() if outputs.failure else None
    return data


def revived(data: dict[str, Any]) -> dict[str, Any]:
    """What ``plain`` wrote, with its figures and failure as objects again (keys it lacks stay absent)."""
    data = dict(data)
    if "figures" in data:
        data["figures"] = [Figure(**f) for f in data["figures"]]
    if data.get("failure"):
        data["failure"] = SnippetError.from_json(data["failure"])
    return data
