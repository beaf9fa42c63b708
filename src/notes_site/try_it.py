"""``{% try_it "sentiment" %}``: a 「自分で試す」 box, where the reader runs the site's own checkpoints in the browser.

The box's task, model and prefilled text come from ``checkpoints/browser/boxes.json``, which the workshop's export
recipe (``snippets/workshop/export_browser.py``) writes with the ONNX files and the Python pipeline's answers (the
browser tests compare the two). The directive shows the recipe's output through the build (its page waits for it),
fills in what the page script needs (the text, where the model is, how much the first run downloads) and has the
model files put into the built site. ``docs/assets/javascripts/try_it.js`` does the rest, only when the reader asks.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from livenotes import Directive, DirectiveSpec, Project, RenderContext, SnippetError

RECIPE = "workshop/export_browser.py"  # writes EXPORT
EXPORT = Path("checkpoints/browser")  # relative to the project root
MODEL_FILES = ("model.onnx", "tokenizer.json", "tokenizer_config.json", "config.json")
# the runtime, placed by scripts/setup.sh from the npm registry (pinned, SHA-256 checked), and the page's scripts
RUNTIME = (
    "assets/vendor/onnxruntime-web/ort.wasm.bundle.min.mjs",
    "assets/vendor/onnxruntime-web/ort-wasm-simd-threaded.wasm",
    "assets/vendor/tokenizers/tokenizers.min.mjs",
    "assets/javascripts/try_it.js",
    "assets/javascripts/arithmetic.js",
    "assets/javascripts/runtime.js",
)


def exported(ctx: RenderContext) -> dict[str, Any] | None:
    """boxes.json as the recipe wrote it in this build (read once per build); None before the recipe ran."""
    state = ctx.state("try_it")
    if "export" not in state:
        evaluation = ctx.evaluation(RECIPE)
        path = ctx.project.root / EXPORT / "boxes.json"
        ok = evaluation is not None and evaluation.result.ok and path.is_file()
        state["export"] = json.loads(path.read_text(encoding="utf-8")) if ok else None
    return state["export"]


def published_model(ctx: RenderContext, model: str) -> int:
    """Have the built site carry an exported model (under models/); its size in bytes."""
    folder = ctx.project.root / EXPORT / model
    for file in MODEL_FILES:
        ctx.publish(folder / file, f"models/{model}/{file}")
    return sum((folder / f).stat().st_size for f in MODEL_FILES)


def runtime_bytes(ctx: RenderContext) -> int:
    """What every box and view downloads besides its model (the runtime and the page's scripts)."""
    state = ctx.state("try_it")
    if "runtime_bytes" not in state:
        docs = ctx.project.docs
        state["runtime_bytes"] = sum((docs / f).stat().st_size for f in RUNTIME if (docs / f).is_file())
    return int(state["runtime_bytes"])


def not_exported(ctx: RenderContext, title: str) -> str:
    return ctx.placeholder(
        f'<div class="admonition note try-it-missing"><p class="admonition-title">{html.escape(title)}</p>'
        "<p>ブラウザ用のモデルがまだ書き出されていません(モデル工房の「ブラウザ用に書き出す」を待っています)。</p></div>"
    )


def attributes_html(attributes: dict[str, str]) -> str:
    return " ".join(f'{key}="{html.escape(value, quote=True)}"' for key, value in attributes.items())


def _render(directive: Directive, ctx: RenderContext) -> str:
    name = directive.arg
    export = exported(ctx)
    if export is None:
        return not_exported(ctx, "自分で試す")
    box = export["boxes"].get(name)
    if box is None:
        known = ", ".join(sorted(export["boxes"]))
        return ctx.placeholder(ctx.problem(SnippetError(f"unknown try-it box {name!r} (known: {known})", ctx.where)))
    model = box["model"]
    download = published_model(ctx, model) + runtime_bytes(ctx)
    attributes = {
        "data-box": name,
        "data-task": box["task"],
        "data-root": ctx.site_root,
        "data-model": f"models/{model}/",
        "data-inputs": " ".join(export["models"][model]["inputs"]),
        "data-output": export["models"][model]["output"],
        "data-download": str(download),
        "data-text": box["text"],
        "data-settings": json.dumps(box["settings"]),
    }
    fallback = "<noscript>自分で試すには JavaScript が要ります。</noscript>"
    return ctx.placeholder(f'<div class="try-it" {attributes_html(attributes)}>{fallback}</div>')


def needs_export(directive: Directive, project: Project) -> list[str]:
    """The boxes and views show what the export recipe wrote: the build runs it before their pages."""
    return [RECIPE]


TRY_IT = DirectiveSpec("try_it", '{% try_it "box" %}', True, _render, snippets=needs_export)
