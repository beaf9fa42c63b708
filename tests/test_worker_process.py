"""The worker process itself: what it imports, how it ends, the memory it may use."""

from __future__ import annotations

from tests.conftest import Scratch


def test_the_worker_imports_neither_mkdocs_nor_nbformat(scratch: Scratch) -> None:
    result = scratch.run("import sys\nsorted(m for m in sys.modules if m.split('.')[0] in {'mkdocs', 'nbformat'})\n")
    assert result.ok, result.failure
    assert result.display == "[]"
