"""``{% try_it "sentiment" %}``: a 「自分で試す」 box, where the reader runs the site's own checkpoints in the browser.

The box's task, model and prefilled text come from ``checkpoints/browser/boxes.json``, which the workshop's export
recipe (``snippets/workshop/export_browser.py``) writes with the ONNX files and the Python pipeline's answers (the
browser tests compare the two). The directive shows the recipe's output through the build (its page waits for it),
fills in what the page script needs (the text, where the model is, how much the first run downloads) and has the
model files put into the built site. ``docs/assets/javascripts/try_it.js`` does the rest, only when the reader asks.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
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


# one-click examples under each box's prefilled text, in the language its model reads (all of them read English
# only); a text of several lines is one example for a box that compares lines
EXAMPLES = {
    "sentiment": [
        "This is the best film I have seen in years.",
        "The service was slow and the food was cold.",
        "It was fine, nothing special.",
    ],
    "reviews": ["A charming story with a brilliant cast.", "Two hours of my life I will never get back."],
    "fill-mask": ["It was a [MASK] day.", "He had a [MASK] house.", "She [MASK] the letter."],
    "generate-course": ["In this course, we will teach you how to", "The best way to learn is", "Transformers are"],
    "generate-austen": ["It is a truth universally", "Mr. Darcy was", "She could not help"],
    "ner": ["Clara lives in Paris and works for Google.", "Arthur met Sarah at Microsoft in Seattle."],
    "similarity": [
        "The cat sat on the mat.\nA kitten was sleeping on the rug.\nThe stock market fell today.",
        "How do I reset my password?\nI forgot my login details.\nWhat time does the shop open?",
    ],
}


def _digest(files: list[Path]) -> str:
    """A short digest of the files' contents: names a download for the browser's cache (a new build, a new name)."""
    whole = hashlib.sha256()
    for file in files:
        whole.update(hashlib.sha256(file.read_bytes()).digest() if file.is_file() else b"-")
    return whole.hexdigest()[:12]


@dataclass(frozen=True)
class Published:
    folder: str  # under the site root, ending in "/": named by the contents' digest
    size: int  # bytes


def published_model(ctx: RenderContext, model: str) -> Published:
    """Have the built site carry an exported model, in a folder named by its contents (the browser keeps what it
    downloaded under that name: docs/assets/javascripts/runtime.js)."""
    state = ctx.state("try_it").setdefault("published", {})
    if model not in state:
        files = [ctx.project.root / EXPORT / model / file for file in MODEL_FILES]
        state[model] = Published(f"models/{model}-{_digest(files)}/", sum(f.stat().st_size for f in files))
    published: Published = state[model]
    for file in MODEL_FILES:
        ctx.publish(ctx.project.root / EXPORT / model / file, published.folder + file)
    return published


@dataclass(frozen=True)
class RuntimeFiles:
    digest: str  # names the browser's cache of this build's downloads (data-files)
    size: int  # bytes


def runtime_files(ctx: RenderContext) -> RuntimeFiles:
    """What every box and view downloads besides its model (the runtime and the page's scripts)."""
    state = ctx.state("try_it")
    if "runtime" not in state:
        files = [ctx.project.docs / f for f in RUNTIME]
        state["runtime"] = RuntimeFiles(_digest(files), sum(f.stat().st_size for f in files if f.is_file()))
    return state["runtime"]


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
    published, runtime = published_model(ctx, model), runtime_files(ctx)
    attributes = {
        "data-box": name,
        "data-task": box["task"],
        "data-root": ctx.site_root,
        "data-files": runtime.digest,
        "data-model": published.folder,
        "data-inputs": " ".join(export["models"][model]["inputs"]),
        "data-output": export["models"][model]["output"],
        "data-download": str(published.size + runtime.size),
        "data-text": box["text"],
        "data-examples": json.dumps(EXAMPLES.get(name, []), ensure_ascii=False),
        "data-settings": json.dumps(box["settings"]),
    }
    fallback = "<noscript>自分で試すには JavaScript が要ります。</noscript>"
    return ctx.placeholder(f'<div class="try-it" {attributes_html(attributes)}>{fallback}</div>')


def needs_export(directive: Directive, project: Project) -> list[str]:
    """The boxes and views show what the export recipe wrote: the build runs it before their pages."""
    return [RECIPE]


TRY_IT = DirectiveSpec("try_it", '{% try_it "box" %}', True, _render, snippets=needs_export)
