"""HTML and Markdown for what a page shows: the snippet's code, its output, failures and drift.

Every text that came out of a snippet is ANSI-stripped and HTML-escaped here, and only here.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from .errors import SnippetError
from .log import log
from .results import Figure, Result
from .snippet import Snippet
from .texts import Texts

if TYPE_CHECKING:
    from .engine import Evaluation
    from .runner import Progress

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """Text safe to put in HTML: no terminal escapes, no control characters, markup escaped."""
    text = _ANSI.sub("", text.replace("\r\n", "\n"))
    # a carriage return redraws a terminal line: keep what a terminal would show last
    text = "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))
    return html.escape(_CONTROL.sub("", text))


def code_block(snippet: Snippet, indent: str = "") -> str:
    """The snippet as a reader runs it (Snippet.shown_text), as a fenced block (the copy button gives that code)."""
    text = snippet.shown_text
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    lines = [f'{fence}python title="{snippet.display_path}"', *body.splitlines(), fence]
    return "\n".join(indent + line if line else line for line in lines)


def _pre(text: str, css: str) -> str:
    return f'<pre class="{css}"><code>{clean(text)}</code></pre>'


def folded(css: str, summary: str, body: str) -> str:
    """``body`` (HTML) in a closed fold whose one visible line is ``summary`` (text): how a page puts a snippet's code,
    its printed numbers, its whole output, its stderr or its provenance one click away."""
    return f'<details class="{css}"><summary>{clean(summary)}</summary>{body}</details>'


def provenance(result: Result, texts: Texts, libraries: tuple[str, ...] = ()) -> str:
    """The small print under an output, one click away: Python, the site's ``libraries`` among those it used, its
    inputs, its key (every library's version in the tooltip)."""
    prov = result.provenance
    used = prov.get("libraries", {})
    shown = [f"Python {prov.get('python', '?')}"]
    shown += [f"{name} {used[name]}" for name in libraries if name in used]
    shown += [f"{name} @ {digest.removeprefix('made-by:')[:10]}" for name, digest in prov.get("inputs", {}).items()]
    shown.append(f"key {result.key[:12]}")
    every = ", ".join(f"{name}=={version}" for name, version in used.items())
    text = clean(texts.provenance.format(details=" · ".join(shown)))
    return folded("livenotes-provenance", texts.provenance_summary, f'<p title="{clean(every)}">{text}</p>')


def problem(error: SnippetError, embedded_in: str | None = None, texts: Texts | None = None) -> str:
    """The one place a problem becomes a log line (a warning: ``--strict`` fails on it) and an admonition."""
    texts = texts or Texts()
    details = f"\n{error.details}" if error.details and error.kind != "drift" else ""
    shown_at = f" (embedded in {embedded_in})" if embedded_in and embedded_in != error.where else ""
    place = f"{error.where or ''}{shown_at}".strip()
    log.warning("livenotes: %s%s%s", f"{place}: " if place else "", error.message, details)
    if error.kind == "drift":
        return (
            '<div class="admonition warning livenotes-drift">'
            f'<p class="admonition-title">{clean(texts.heading("drift"))}</p>'
            f"{_pre(error.message, 'livenotes-diff')}</div>"
        )
    where = f" ({clean(error.where)})" if error.where else ""
    body = _pre(error.details, "livenotes-traceback") if error.details else ""
    return (
        f'<div class="admonition failure livenotes-failure">'
        f'<p class="admonition-title">{clean(texts.heading(error.kind))}{where}</p>'
        f"<p><code>{clean(error.message)}</code></p>{body}</div>"
    )


def pending_html(display_path: str, progress: Progress | None, texts: Texts) -> str:
    """The placeholder of a snippet whose result is still being made (``mkdocs serve`` only)."""
    where = ""
    if progress is not None and progress.total:
        running = texts.pending_running.format(snippet=clean(progress.running)) if progress.running else ""
        where = texts.pending_progress.format(done=progress.done, total=progress.total, running=running)
    return (
        f'<div class="admonition info livenotes-pending" data-snippet="{clean(display_path)}" data-search-exclude>'
        f'<p class="admonition-title">{clean(texts.pending_title)}</p>'
        f"<p>{texts.pending_body.format(progress=where)}</p></div>"
    )


def figure_alt(snippet: str, number: int, figure: Figure, texts: Texts) -> str:
    """A figure's alt text: what its own title says it shows, and where it comes from."""
    source = texts.figure_alt.format(snippet=snippet, number=number)
    title = figure.title(texts.list_separator)
    return texts.figure_alt_titled.format(title=title, source=source) if title else source


def output_html(
    evaluation: Evaluation,
    embedded_in: str | None = None,
    texts: Texts | None = None,
    libraries: tuple[str, ...] = (),
    fold_text: bool = False,
) -> str:
    """The output block under a snippet: text (folded with ``fold_text``), figures, stderr (folded), provenance; or
    the problem (a drift or failure is never folded away)."""
    texts = texts or Texts()
    result = evaluation.result
    if result.failure is not None:
        return problem(result.failure, embedded_in, texts)
    # outputs stay out of the search index: readers search the prose and the code, not printed numbers
    parts = [f'<div class="livenotes-output" data-snippet="{clean(result.snippet)}" data-search-exclude>']
    text = result.stdout + (result.display + "\n" if result.display is not None else "")
    if text:
        printed = _pre(text, "livenotes-stdout")
        parts.append(folded("livenotes-printed", texts.printed_summary, printed) if fold_text else printed)
    for number, figure in enumerate(result.figures, 1):
        parts.append(
            f'<figure class="livenotes-figure"><img src="data:image/png;base64,{figure.png_base64}" '
            f'width="{figure.width}" height="{figure.height}" loading="lazy" '
            f'alt="{clean(figure_alt(result.snippet, number, figure, texts))}"></figure>'
        )
    if result.stderr.strip():
        parts.append(folded("livenotes-stderr", "stderr", _pre(result.stderr, "")))
    parts.append(provenance(result, texts, libraries))
    parts.append("</div>")
    if evaluation.problem is not None:
        parts.append(problem(evaluation.problem, embedded_in, texts))
    return "".join(parts)
