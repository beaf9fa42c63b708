"""The result cache: one JSON file per (snippet, key), written atomically.

A corrupted entry counts as a miss (and is removed); two builds sharing the folder at worst write
the same entry twice, and each write replaces the file whole.
"""

from __future__ import annotations

import json
from pathlib import Path

from .atomic import write_atomic
from .log import log
from .results import Result


def _slug(snippet: str) -> str:
    return snippet.removesuffix(".py").replace("/", "__")


class ResultCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder / "results"

    def _path(self, snippet: str, key: str) -> Path:
        return self.folder / f"{_slug(snippet)}--{key}.json"

    def get(self, snippet: str, key: str) -> Result | None:
        path = self._path(snippet, key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            result = Result.from_json(data)
            if result.key != key or result.snippet != snippet:
                raise ValueError("entry does not match its file name")
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.info("livenotes: cache entry %s is unreadable (%s); running the snippet again", path.name, exc)
            path.unlink(missing_ok=True)
            return None
        result.cached = True
        return result

    def latest(self, snippet: str) -> Result | None:
        """The most recently written entry of a snippet, whatever its key (``explain`` compares with it)."""
        entries = sorted(self.folder.glob(f"{_slug(snippet)}--*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for path in entries:
            result = self.get(snippet, path.stem.split("--", 1)[1])
            if result is not None:
                return result
        return None

    def put(self, result: Result) -> None:
        data = json.dumps(result.to_json(), ensure_ascii=False).encode()
        write_atomic(self._path(result.snippet, result.key), data)

    def evict(self, live: dict[str, str | None]) -> int:
        """Remove entries of snippets no longer present and old versions of present ones; return how many.

        A snippet whose key is None (it cannot be keyed right now) keeps every entry it has.
        """
        if not self.folder.is_dir():
            return 0
        wanted = {self._path(snippet, key).name for snippet, key in live.items() if key is not None}
        kept = tuple(f"{_slug(snippet)}--" for snippet, key in live.items() if key is None)
        removed = 0
        for path in self.folder.glob("*.json"):
            if path.name not in wanted and not path.name.startswith(kept):
                path.unlink(missing_ok=True)
                removed += 1
        return removed
