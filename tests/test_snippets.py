"""Every snippet of the site runs and matches its approved output (``make approve`` rewrites them)."""

from __future__ import annotations

import pytest

from livenotes import Engine, Project, check
from tests.conftest import ROOT

SNIPPETS = Project(ROOT).all_snippets()


@pytest.mark.parametrize("name", SNIPPETS)
def test_snippet_matches_its_approved_output(project_engine: Engine, name: str) -> None:
    result = project_engine.result(name)
    assert result.ok, f"{result.failure.where}: {result.failure.message}\n{result.failure.details}"  # type: ignore[union-attr]
    drift = check(project_engine.project, result)
    assert drift is None, drift.describe()  # type: ignore[union-attr]


def test_every_snippet_is_embedded_in_a_page() -> None:
    from livenotes import find_directives

    embedded = {
        d.arg
        for page in (ROOT / "docs").rglob("*.md")
        for d in find_directives(page.read_text(encoding="utf-8"))
        if d.kind == "run"
    }
    assert set(SNIPPETS) <= embedded, f"not on any page: {sorted(set(SNIPPETS) - embedded)}"


def test_each_checkpoint_is_loaded_once_in_a_run_of_every_snippet(project_engine: Engine) -> None:
    results = [project_engine.result(name) for name in SNIPPETS]
    executed = [r for r in results if not r.cached]
    loads = [path for r in executed for path in r.loads]
    assert len(loads) == len(set(loads)), loads
