"""Run ``mkdocs build`` in this process, then print one JSON line: seconds, exit code, heavy imports, search indexing.

Used by the benchmark and by the test that a warm build imports neither torch nor transformers.
Usage: python bench/build_probe.py [mkdocs build arguments...]
"""

from __future__ import annotations

import functools
import json
import sys
import time
from typing import Any

from material.plugins.search import plugin as search
from mkdocs.__main__ import cli

_indexing = [0.0]


def _timed(method: Any) -> Any:
    """``method``, adding the seconds it takes to the search indexing total."""

    @functools.wraps(method)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            _indexing[0] += time.perf_counter() - started

    return timed


def main() -> None:
    # Material's search plugin: reading each page into sections, then writing search_index.json
    search.SearchIndex.add_entry_from_context = _timed(search.SearchIndex.add_entry_from_context)
    search.SearchPlugin.on_post_build = _timed(search.SearchPlugin.on_post_build)
    started = time.perf_counter()
    try:
        cli.main(args=["build", *sys.argv[1:]], standalone_mode=False)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    except Exception:
        code = 1
    seconds = time.perf_counter() - started
    imported = sorted(name for name in ("torch", "transformers") if name in sys.modules)
    print(json.dumps({"seconds": seconds, "exit_code": code, "heavy_imports": imported, "search_index": _indexing[0]}))


if __name__ == "__main__":
    main()
