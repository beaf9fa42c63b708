"""``{% build_report %}``: the table of every snippet of this build (page, status, time, cache)."""

from __future__ import annotations

from .. import report
from . import Directive, DirectiveSpec, RenderContext


def _render(directive: Directive, ctx: RenderContext) -> str:
    return report.markdown_table(ctx.report_rows(), ctx.texts)


SPEC = DirectiveSpec("build_report", "{% build_report %}", False, _render)
