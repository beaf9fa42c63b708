"""``{% run "path.py" %}``: a snippet's code, as its file has it, and under it the output of this build.

The code sits in a closed fold (one click opens it; the copy button is inside): a page reads as its ideas and what
the examples printed, and the code is there for the reader who wants it. With ``fold`` (``{% run "path.py" fold %}``)
the printed text is folded too and only the figures show: for an output that is the proof of what the prose says.
With ``fold_all`` the figures are folded with it: for a page whose prose and live view already show the idea.

The snippet path is relative to ``snippets/``. Under ``mkdocs serve`` an output still being made shows as pending;
a failure or a drift shows as a problem on the page (and a warning: ``--strict`` stops at it).
"""

from __future__ import annotations

from ..errors import SnippetError
from ..project import Project
from ..render import folded, output_html
from . import Directive, DirectiveSpec, RenderContext


def _render(directive: Directive, ctx: RenderContext) -> str:
    try:
        snippet = ctx.snippet(directive.arg)
    except SnippetError as error:
        return ctx.placeholder(ctx.problem(error))
    summary = ctx.texts.code_summary.format(path=snippet.display_path)
    code = ctx.placeholder(folded("livenotes-code", summary, f"\n{ctx.code_html(snippet)}\n"))
    if not ctx.execute:
        return code
    evaluation = ctx.evaluation(snippet.name)
    if evaluation is None:
        return code + "\n" + ctx.placeholder(ctx.pending(snippet.display_path))
    shown = output_html(evaluation, ctx.where, ctx.texts, ctx.libraries, fold_text="fold" in directive.options)
    if "fold_all" in directive.options and evaluation.problem is None:  # a drift or failure stays in view
        shown = folded("livenotes-folded-output", ctx.texts.output_summary, shown)
    return code + "\n" + ctx.placeholder(shown)


def _snippets(directive: Directive, project: Project) -> list[str]:
    return [directive.arg]


SPEC = DirectiveSpec(
    "run",
    '{% run "path.py" %}',
    True,
    _render,
    snippets=_snippets,
    in_notebook=True,
    options=frozenset({"fold", "fold_all"}),
)
