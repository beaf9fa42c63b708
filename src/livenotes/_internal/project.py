"""Where things live in a project: one place that knows the folder layout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Project:
    """The folder layout the engine works in (paths are absolute)."""

    root: Path

    @property
    def snippets(self) -> Path:
        """The example files the pages embed."""
        return self.root / "snippets"

    @property
    def approved(self) -> Path:
        """The approved outputs, one ``.txt`` per snippet."""
        return self.root / "approved"

    @property
    def docs(self) -> Path:
        """The Markdown pages."""
        return self.root / "docs"

    @property
    def cache(self) -> Path:
        """Results, file hashes and generated notebooks (safe to delete)."""
        return self.root / ".cache" / "livenotes"

    @property
    def checkpoints(self) -> Path:
        """Model folders: the offline MiniLM and what the recipes train."""
        return self.root / "checkpoints"

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The nearest folder at or above ``start`` that has a ``snippets/`` folder."""
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "snippets").is_dir():
                return cls(folder)
        raise FileNotFoundError(f"no snippets/ folder at or above {here}")

    def all_snippets(self) -> list[str]:
        """Every snippet name (path relative to ``snippets/``), sorted; files starting with ``_`` are helpers."""
        return sorted(
            p.relative_to(self.snippets).as_posix()
            for p in self.snippets.rglob("*.py")
            if not p.name.startswith("_") and "__pycache__" not in p.parts
        )
