"""HTML and Markdown for what a page shows: the snippet's code, its output, failures and drift.

Every text that came out of a snippet is ANSI-stripped and HTML-escaped here, and only here.
"""

from __future__ import annotations

import html
import re

from .approved import Drift
from .results import Failure, Result
from .snippet import Snippet

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SHOWN_LIBRARIES = ("torch", "transformers", "tokenizers", "numpy", "matplotlib", "scikit-learn")


def clean(text: str) -> str:
    """Text safe to put in HTML: no terminal escapes, no control characters, markup escaped."""
    text = _ANSI.sub("", text.replace("\r\n", "\n"))
    # a carriage return redraws a terminal line: keep what a terminal would show last
    text = "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))
    return html.escape(_CONTROL.sub("", text))


def code_block(snippet: Snippet, indent: str = "") -> str:
    """The snippet exactly as its file, as a fenced block (the copy button gives runnable code)."""
    longest = max((len(run) for run in re.findall(r"`+", snippet.text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = snippet.text if snippet.text.endswith("\n") else snippet.text + "\n"
    lines = [f'{fence}python title="{snippet.display_path}"', *body.splitlines(), fence]
    return "\n".join(indent + line if line else line for line in lines)


def _pre(text: str, css: str) -> str:
    return f'<pre class="{css}"><code>{clean(text)}</code></pre>'


def provenance(result: Result) -> str:
    prov = result.provenance
    libraries = prov.get("libraries", {})
    shown = [f"Python {prov.get('python', '?')}"]
    shown += [f"{name} {libraries[name]}" for name in _SHOWN_LIBRARIES if name in libraries]
    shown += [f"{name} @ {digest.removeprefix('made-by:')[:10]}" for name, digest in prov.get("inputs", {}).items()]
    shown.append(f"key {result.key[:12]}")
    every = ", ".join(f"{name}=={version}" for name, version in libraries.items())
    return f'<p class="livenotes-provenance" title="{clean(every)}">このビルドで実行: {clean(" · ".join(shown))}</p>'


def failure_html(failure: Failure, title: str | None = None) -> str:
    where = f" ({clean(failure.where)})" if failure.where else ""
    heading = title or {
        "error": "スニペットの実行でエラーが発生しました",
        "timeout": "スニペットが時間内に終わりませんでした",
        "crash": "ワーカープロセスが異常終了しました",
        "memory": "スニペットがメモリの上限を超えました",
        "invalid": "スニペットを埋め込めませんでした",
    }.get(failure.kind, "スニペットの失敗")
    details = _pre(failure.details, "livenotes-traceback") if failure.details else ""
    return (
        f'<div class="admonition failure livenotes-failure">'
        f'<p class="admonition-title">{heading}{where}</p>'
        f"<p><code>{clean(failure.message)}</code></p>{details}</div>"
    )


def drift_html(drift: Drift) -> str:
    return (
        '<div class="admonition warning livenotes-drift">'
        '<p class="admonition-title">承認済みの出力と異なります</p>'
        f"{_pre(drift.describe(), 'livenotes-diff')}</div>"
    )


def output_html(result: Result, drift: Drift | None) -> str:
    """The output block under a snippet: text, figures, stderr (folded), provenance."""
    if result.failure is not None:
        return failure_html(result.failure)
    # outputs stay out of the search index: readers search the prose and the code, not printed numbers
    parts = [f'<div class="livenotes-output" data-snippet="{clean(result.snippet)}" data-search-exclude>']
    text = result.stdout + (result.display + "\n" if result.display is not None else "")
    if text:
        parts.append(_pre(text, "livenotes-stdout"))
    for number, figure in enumerate(result.figures, 1):
        parts.append(
            f'<figure class="livenotes-figure"><img src="data:image/png;base64,{figure.png_base64}" '
            f'width="{figure.width}" height="{figure.height}" loading="lazy" '
            f'alt="snippets/{clean(result.snippet)} の図 {number}"></figure>'
        )
    if result.stderr.strip():
        parts.append(f'<details class="livenotes-stderr"><summary>stderr</summary>{_pre(result.stderr, "")}</details>')
    parts.append(provenance(result))
    parts.append("</div>")
    if drift is not None:
        parts.append(drift_html(drift))
    return "".join(parts)
