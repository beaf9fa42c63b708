"""Bad snippets: each fails alone, says where, and leaves the worker (or a fresh one) ready for the next."""

from __future__ import annotations

import logging
import re

import pytest

from livenotes import Engine, Evaluation
from livenotes._internal.render import output_html
from tests.conftest import RUNTIME, SITE, Scratch

GOOD = "print('still here')\n"


def _next_one_still_runs(scratch: Scratch) -> None:
    result = scratch.run(GOOD)
    assert result.ok and result.stdout == "still here\n"


def test_stdout_stderr_and_the_trailing_expression_are_kept_apart(scratch: Scratch) -> None:
    result = scratch.run("import sys\nprint('out')\nprint('err', file=sys.stderr)\n{'a': 1}\n")
    assert (result.stdout, result.stderr, result.display) == ("out\n", "err\n", "{'a': 1}")


def test_a_snippet_that_raises_names_its_file_and_line(scratch: Scratch) -> None:
    name = scratch.write("x = 1\n\ny = x / 0\n")
    scratch.engine.begin_build()
    result = scratch.engine.evaluate(name).result
    assert result.failure is not None and result.failure.kind == "error"
    assert result.failure.where == f"snippets/{name}:3"
    assert result.failure.message == "ZeroDivisionError: division by zero"
    assert "y = x / 0" in result.failure.details and "worker.py" not in result.failure.details
    _next_one_still_runs(scratch)


def test_a_hang_is_stopped_at_its_timeout_and_the_worker_restarts(scratch: Scratch) -> None:
    starts = scratch.engine.worker.starts
    name = scratch.write("# livenotes: timeout=1\nimport time\nwhile True:\n    time.sleep(0.05)\n")
    scratch.engine.begin_build()
    result = scratch.engine.evaluate(name).result
    assert result.failure is not None and result.failure.kind == "timeout"
    assert result.failure.where in (f"snippets/{name}:3", f"snippets/{name}:4")
    _next_one_still_runs(scratch)
    assert scratch.engine.worker.starts == starts + 1


def test_os_exit_is_a_crash_and_the_worker_restarts(scratch: Scratch) -> None:
    result = scratch.run("import os\nos._exit(3)\n")
    assert result.failure is not None and result.failure.kind == "crash"
    assert "exit status 3" in result.failure.message
    _next_one_still_runs(scratch)


def test_a_segfault_is_a_crash_that_names_the_line(scratch: Scratch) -> None:
    name = scratch.write("import ctypes\n\nctypes.string_at(0)\n")
    scratch.engine.begin_build()
    result = scratch.engine.evaluate(name).result
    assert result.failure is not None and result.failure.kind == "crash"
    assert "SIGSEGV" in result.failure.message
    assert result.failure.where == f"snippets/{name}:3"
    _next_one_still_runs(scratch)


def test_html_and_ansi_in_output_are_escaped_and_stripped(scratch: Scratch) -> None:
    result = scratch.run(
        "print('<script>alert(1)</script> \\x1b[31mred\\x1b[0m & <b>bold</b>')\n'<img src=x onerror=alert(1)>'\n"
    )
    html = output_html(Evaluation(result, None), texts=SITE.texts)
    assert "<script>" not in html and "<b>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; red &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "\x1b" not in html


def test_reading_stdin_gets_end_of_file_not_the_protocol(scratch: Scratch) -> None:
    result = scratch.run("input()\n")
    assert result.failure is not None and "EOFError" in result.failure.message
    _next_one_still_runs(scratch)


def test_figures_become_png_images(scratch: Scratch) -> None:
    result = scratch.run(
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(4, 3), dpi=50)\nax.plot([1, 2])\nplt.show()\n"
    )
    assert result.ok, result.failure
    (figure,) = result.figures
    assert 100 < figure.width <= 200 and 75 < figure.height <= 150  # cropped to what was drawn
    assert result.text().endswith(f"[figure 1: {figure.width}x{figure.height} png]\n")
    assert '<img src="data:image/png;base64,' in output_html(Evaluation(result, None), texts=SITE.texts)


def test_a_figures_alt_text_is_its_own_title(scratch: Scratch) -> None:
    result = scratch.run(
        "import matplotlib.pyplot as plt\n"
        "fig, (a, b) = plt.subplots(1, 2)\na.set_title('左 <1>')\nb.set_title('右')\nplt.show()\n"
        "fig = plt.figure()\nfig.suptitle('全体の題')\nfig.add_subplot().set_title('部分')\nplt.show()\n"
        "plt.figure()\nplt.show()\n"
    )
    assert [figure.title("、") for figure in result.figures] == ["左 <1>、右", "全体の題", ""]
    html = output_html(Evaluation(result, None), texts=SITE.texts)
    assert 'alt="左 &lt;1&gt;、右(snippets/' in html
    assert re.search(r'alt="snippets/[^"]+ の図 3"', html), "a figure without a title says where it comes from"


def test_stderr_lines_are_forwarded_as_progress_while_the_snippet_runs(
    scratch: Scratch, caplog: pytest.LogCaptureFixture
) -> None:
    code = (
        "import sys, time\n"
        "for step in range(3):\n"
        "    print(f'step {step}', file=sys.stderr, flush=True)\n"
        "    time.sleep(0.6)\n"
    )
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.livenotes"):
        result = scratch.run(code)
    assert result.ok and result.stderr == "step 0\nstep 1\nstep 2\n"
    progress = [r.getMessage() for r in caplog.records if "| step" in r.getMessage()]
    assert len(progress) >= 2 and progress[0].endswith("| step 0")


def test_the_worker_computes_with_the_pinned_instruction_set(scratch: Scratch) -> None:
    result = scratch.run("import torch\nprint(torch.backends.cpu.get_cpu_capability())\n")
    assert result.ok, result.failure
    if RUNTIME.pinned:  # x86: AVX2 whatever the machine has, so approved outputs hold on every machine
        assert result.stdout == "AVX2\n"


def test_a_worker_imports_torch_only_for_a_snippet_that_needs_more_than_the_standard_library(scratch: Scratch) -> None:
    engine = Engine(
        scratch.project, lanes=1, runtime=RUNTIME
    )  # a worker of its own: the session's may have imported torch already
    try:
        engine.begin_build()
        plain = scratch.write("import sys\nprint(sorted(m for m in ('torch', 'transformers') if m in sys.modules))\n")
        assert engine.evaluate(plain).result.stdout == "[]\n"
        with_torch = scratch.write("import torch\nprint(round(torch.rand(1).item(), 4))\n")
        # prepared first (torch, transformers), then seeded like every snippet: torch.manual_seed(0)'s first draw
        assert engine.evaluate(with_torch).result.stdout == "0.4963\n"
        again = scratch.write("# again\n" + (scratch.root / "snippets" / plain).read_text())
        engine.begin_build()
        assert engine.evaluate(again).result.stdout == "['torch', 'transformers']\n"  # the same worker, now prepared
        assert engine.worker.starts == 1
    finally:
        engine.close()


class _Page:
    """Just enough of a page for the run directive's renderer (RenderContext), around one evaluation."""

    where, page_uri, site_root, execute = "docs/p.md:3", "p.md", "", True
    texts, libraries = SITE.texts, ()

    def __init__(self, evaluation: Evaluation) -> None:
        self.evaluation_ = evaluation

    def snippet(self, name: str) -> object:
        return type("S", (), {"name": name, "display_path": f"snippets/{name}"})()

    def evaluation(self, name: str) -> Evaluation:
        return self.evaluation_

    def placeholder(self, html: str) -> str:
        return html

    def code_html(self, snippet: object) -> str:
        return "<pre>code</pre>"

    def problem(self, error: object) -> str:
        return f'<div class="livenotes-drift">{error}</div>'


@pytest.mark.parametrize("option", ["", "fold", "fold_all"])
def test_fold_hides_the_printed_numbers_and_fold_all_the_figures_too_but_never_a_drift(
    scratch: Scratch, option: str
) -> None:
    from livenotes._internal.approved import Drift
    from livenotes._internal.directives import Directive
    from livenotes._internal.directives.run import SPEC

    result = scratch.run("import matplotlib.pyplot as plt\nprint(42)\nplt.plot([1, 2])\nplt.show()\n")
    directive = Directive("run", "x.py", 3, f'{{% run "x.py" {option} %}}', frozenset(option.split()))
    shown = SPEC.render(directive, _Page(Evaluation(result, None)))  # type: ignore[arg-type]
    printed = shown.index('<pre class="livenotes-stdout"')
    figure = shown.index("<img")

    def depth(at: int) -> int:  # how many folds are open at this point of the HTML
        return shown[:at].count("<details") - shown[:at].count("</details>")

    # "fold" puts the numbers in a fold, "fold_all" the whole output; the code's own fold is closed before either
    assert depth(printed) == (option != "")
    assert depth(figure) == (option == "fold_all")
    assert SITE.texts.output_summary in shown if option == "fold_all" else SITE.texts.output_summary not in shown
    drifted = Evaluation(result, Drift("approved/x.txt", "-41\n+42"))
    shown = SPEC.render(directive, _Page(drifted))  # type: ignore[arg-type]
    assert SITE.texts.output_summary not in shown and "livenotes-drift" in shown  # a drift is never folded away
