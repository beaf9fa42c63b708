"""SHA-256 of files, remembered by (size, mtime) so a warm build does not re-read checkpoints."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .atomic import write_atomic


class FileHashes:
    def __init__(self, store: Path) -> None:
        self._store = store
        self._known: dict[str, list] = {}
        self._dirty = False
        try:
            self._known = json.loads(store.read_text())
        except (OSError, ValueError):
            self._known = {}

    def of_file(self, path: Path) -> str:
        stat = path.stat()
        entry = self._known.get(str(path))
        if entry and entry[0] == stat.st_size and entry[1] == stat.st_mtime_ns:
            return entry[2]
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        self._known[str(path)] = [stat.st_size, stat.st_mtime_ns, digest.hexdigest()]
        self._dirty = True
        return digest.hexdigest()

    def of_folder(self, folder: Path) -> str:
        """One hash over every file in a folder (names and contents)."""
        digest = hashlib.sha256()
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(self.of_file(path).encode() + b"\0")
        return digest.hexdigest()

    def save(self) -> None:
        if self._dirty:
            write_atomic(self._store, json.dumps(self._known).encode())
            self._dirty = False
