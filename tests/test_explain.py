"""``python -m livenotes explain NAME``: whether a snippet would run again, and which input changed."""

from __future__ import annotations

import subprocess
import sys

from livenotes._internal.explain import explain
from tests.conftest import ROOT, Scratch


def _explained(scratch: Scratch, name: str) -> str:
    scratch.engine.begin_build()
    return "\n".join(explain(scratch.engine, name))


def test_a_comment_or_layout_edit_is_explained_as_nothing_to_run(scratch: Scratch) -> None:
    name = scratch.run("x = 6 * 7\nprint(x)\n", "explain/same.py").snippet
    assert "would not run again" in _explained(scratch, name)
    scratch.write("# the answer\nx = 6*7\n\nprint(\n    x\n)\n", name)
    assert "would not run again" in _explained(scratch, name)


def test_a_code_edit_names_the_code_and_a_needed_snippets_edit_names_it(scratch: Scratch) -> None:
    up = scratch.write("print('up')\n", "explain/up.py")
    down = scratch.write("# livenotes: needs=explain/up.py\nprint('down')\n", "explain/down.py")
    scratch.engine.begin_build()
    assert scratch.engine.evaluate(down).result.ok
    scratch.write("print('up, changed')\n", up)
    told = _explained(scratch, down)
    assert "snippets/explain/down.py: would run again" in told
    assert "changed: needed snippet explain/up.py" in told
    assert "snippets/explain/up.py: would run again" in told and "changed: the snippet's code" in told
    assert told.index("down.py: would") < told.index("up.py: would")  # the chain, from the snippet asked about


def test_a_snippet_never_run_says_so(scratch: Scratch) -> None:
    name = scratch.write("print('new')\n", "explain/never.py")
    assert "would run (the cache holds no result of it)" in _explained(scratch, name)


def test_the_command_explains_a_snippet_of_the_real_site() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "livenotes", "explain", "reading_log/perceptron.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("snippets/reading_log/perceptron.py: ")
