"""Every snippet of the site runs and matches its approved output (``make approve`` rewrites them)."""

from __future__ import annotations

import pytest

from livenotes import Engine, Project, parse_page
from tests.conftest import ROOT, SITE

SNIPPETS = Project(ROOT).all_snippets()


@pytest.mark.parametrize("name", SNIPPETS)
def test_snippet_matches_its_approved_output(project_engine: Engine, name: str) -> None:
    evaluation = project_engine.evaluate(name)
    assert evaluation.problem is None, f"{evaluation.problem}\n{evaluation.problem.details}"  # type: ignore[union-attr]


def test_every_snippet_is_embedded_in_a_page() -> None:
    embedded = {
        name
        for page in (ROOT / "docs").rglob("*.md")
        for name in parse_page(page.name, page.read_text("utf-8"), SITE.registry).snippets
    }
    assert set(SNIPPETS) <= embedded, f"not on any page: {sorted(set(SNIPPETS) - embedded)}"


def test_each_checkpoint_is_loaded_once_in_a_run_of_every_snippet(rerun_engine: Engine) -> None:
    evaluations = rerun_engine.evaluate_all(SNIPPETS)
    # the consumers (every snippet but the recipes) ran again in this fresh worker, whatever the cache held
    consumers = {n for n in SNIPPETS if not rerun_engine.snippet(n).options.produces}
    executed = [e.result for e in evaluations if e.result.snippet in consumers]
    assert all(not r.cached for r in executed) and {r.snippet for r in executed} == consumers
    loads = [path for r in executed for path in r.loads]
    assert loads, "no snippet read a checkpoint: nothing was counted"
    # one read per (checkpoint, class) however the snippets spell the load (pipeline() or from_pretrained,
    # another attention implementation); a load that adds random weights is read for itself, and each such
    # load here is the only one of its checkpoint and class
    assert sorted(loads) == sorted(set(loads)), loads
