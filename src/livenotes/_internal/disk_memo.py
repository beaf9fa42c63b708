"""Values remembered on disk by the digest of everything they are made from.

For work the build repeats on unchanged input (a notebook's rendering, the glossary's links on a page, a
page's search entries): the first build stores the value, later builds read it. Entries are written
atomically, so concurrent builds read the old file or the new one; an unreadable entry is a miss. What a
build did not use is evicted at its end.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from .atomic import write_atomic


class DiskMemo:
    def __init__(self, folder: Path, suffix: str) -> None:
        self.folder = folder
        self.suffix = suffix
        self._used: set[Path] = set()

    def path(self, *parts: str) -> Path:
        """The entry for these parts (their order matters); counts as used by this build."""
        digest = hashlib.sha256()
        for part in parts:
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
        path = self.folder / f"{digest.hexdigest()}{self.suffix}"
        self._used.add(path)
        return path

    @staticmethod
    def read(path: Path) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    @staticmethod
    def write(path: Path, text: str) -> None:
        write_atomic(path, text.encode("utf-8"))

    def recall(self, *parts: str, make: Callable[[], str]) -> str:
        """The text remembered for these parts, or ``make()``'s, remembered now."""
        path = self.path(*parts)
        remembered = self.read(path)
        if remembered is not None:
            return remembered
        text = make()
        self.write(path, text)
        return text

    def begin_build(self) -> None:
        self._used = set()

    def evict(self) -> int:
        """Remove the entries this build did not use (none when it used none: it did not get this far)."""
        if not self._used or not self.folder.is_dir():
            return 0
        stale = [path for path in self.folder.glob(f"*{self.suffix}") if path not in self._used]
        for path in stale:
            path.unlink(missing_ok=True)
        return len(stale)
