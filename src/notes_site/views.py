"""``{% attention_view %}``, ``{% next_token_view %}`` and ``{% numbers_view %}``: the site's models opened up in the
reader's browser.

The attention view draws where each token of the reader's sentence looks (one head, or every head of a layer) in
MiniLM (an Encoder) and the workshop's tiny GPT-2 (a Decoder); the next-token view shows the tiny GPT-2's
probabilities for the next token and what temperature, top-k and top-p do to them; the numbers view has the
workshop's tiny Encoder-Decoder write the digits of a kanji numeral and draws its cross-attention. All run the export
recipe's ONNX files (with their "attentions" outputs), the same files the 「自分で試す」 boxes use, so a model is
downloaded once. ``docs/assets/javascripts/attention_view.js``, ``next_token_view.js`` and ``numbers_view.js`` draw
them.
"""

from __future__ import annotations

import json

from livenotes import Directive, DirectiveSpec, RenderContext, SnippetError
from notes_site.try_it import (
    EXPORT,
    attributes_html,
    exported,
    needs_export,
    not_exported,
    published_model,
    runtime_files,
)

# what a reader is told about each model (the rest comes from its config.json)
LABELS = {
    "all-MiniLM-L6-v2": ("MiniLM(Encoder。文全体を見る)", "英語"),
    "tiny-gpt2-austen": ("モデル工房の小さな GPT-2(Decoder。前だけを見る)", "オースティンの英語"),
    "tiny-gpt2-ja": ("モデル工房の日本語の小さな GPT-2(Decoder)", "日本語の man ページ"),
    "kanji-numbers": ("モデル工房の小さな Encoder-Decoder(漢数字 → 数字)", "漢数字"),
}
MAX_WRITTEN = 12  # digits an answer may have (9 in the training data) and a few more: where a written answer stops


def _model_spec(ctx: RenderContext, export: dict, name: str, examples: list[str]) -> dict:
    config = json.loads((ctx.project.root / EXPORT / name / "config.json").read_text(encoding="utf-8"))
    label, reads = LABELS[name]
    published = published_model(ctx, name)
    spec = {
        "name": name,
        "label": label,
        "reads": reads,
        "folder": published.folder,
        "inputs": export["models"][name]["inputs"],
        "layers": config.get("num_hidden_layers", config.get("n_layer", config.get("encoder_layers"))),
        "heads": config.get("num_attention_heads", config.get("n_head", config.get("encoder_attention_heads"))),
        "positions": config.get("max_position_embeddings", config.get("n_positions")),
        "causal": config.get("model_type") == "gpt2",
        "bytes": published.size,
        "examples": examples,  # one-click texts in the language the model reads
    }
    if config.get("is_encoder_decoder"):
        spec.update(start=config["decoder_start_token_id"], end=config["eos_token_id"], maxNew=MAX_WRITTEN)
    return spec


def _view(kind: str, title: str, css: str, ctx: RenderContext) -> str:
    export = exported(ctx)
    if export is None:
        return not_exported(ctx, title)
    view = export.get("views", {}).get(kind)
    if view is None:
        return ctx.placeholder(ctx.problem(SnippetError(f"the export has no {kind} view", ctx.where)))
    models = [_model_spec(ctx, export, name, view["examples"][name]) for name in view["models"]]
    attributes = {
        "data-root": ctx.site_root,
        "data-runtime-bytes": str((runtime := runtime_files(ctx)).size),
        "data-files": runtime.digest,
        "data-models": json.dumps(models, ensure_ascii=False),
    }
    fallback = f"<noscript>{title}には JavaScript が要ります。</noscript>"
    return ctx.placeholder(f'<div class="try-it {css}" {attributes_html(attributes)}>{fallback}</div>')


def _attention(directive: Directive, ctx: RenderContext) -> str:
    return _view("attention", "アテンションを見る", "attention-view", ctx)


def _next_token(directive: Directive, ctx: RenderContext) -> str:
    return _view("next-token", "次のトークンを見る", "next-token-view", ctx)


def _numbers(directive: Directive, ctx: RenderContext) -> str:
    return _view("numbers", "漢数字を数字に", "numbers-view", ctx)


ATTENTION_VIEW = DirectiveSpec("attention_view", "{% attention_view %}", False, _attention, snippets=needs_export)
NEXT_TOKEN_VIEW = DirectiveSpec("next_token_view", "{% next_token_view %}", False, _next_token, snippets=needs_export)
NUMBERS_VIEW = DirectiveSpec("numbers_view", "{% numbers_view %}", False, _numbers, snippets=needs_export)
