"""The checkpoints the site trains itself: each loads cleanly and clears its bar."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator

import pytest

from livenotes import Engine, Project
from tests.conftest import ROOT, RUNTIME, SiteBuild

RECIPES = {
    "checkpoints/tiny-gpt2-austen": "workshop/pretrain_gpt2.py",
    "checkpoints/tiny-bert-austen": "workshop/pretrain_bert.py",
    "checkpoints/minilm-sentiment": "workshop/finetune_sentiment.py",
    "checkpoints/minilm-ner": "workshop/finetune_ner.py",
}


def _metrics(engine: Engine, folder: str) -> dict:
    result = engine.evaluate(RECIPES[folder]).result
    assert result.ok, result.failure
    return json.loads((ROOT / folder / "metrics.json").read_text())


@pytest.mark.parametrize("folder", sorted(RECIPES))
def test_each_checkpoint_is_safetensors_with_a_model_card(project_engine: Engine, folder: str) -> None:
    _metrics(project_engine, folder)
    files = {p.name for p in (ROOT / folder).iterdir()}
    assert {"config.json", "model.safetensors", "README.md", "tokenizer.json"} <= files
    assert not {"pytorch_model.bin", "training_args.bin"} & files
    card = (ROOT / folder / "README.md").read_text()
    assert card.startswith("---\n") and "recipe:" in card and "sha256" in card


def test_the_causal_lm_held_out_loss_is_at_most_sixty_percent_of_untrained(project_engine: Engine) -> None:
    metrics = _metrics(project_engine, "checkpoints/tiny-gpt2-austen")
    assert metrics["held_out_loss_trained"] <= 0.60 * metrics["held_out_loss_untrained"], metrics


def test_the_masked_lm_top5_beats_the_unigram_baseline(project_engine: Engine) -> None:
    metrics = _metrics(project_engine, "checkpoints/tiny-bert-austen")
    assert metrics["top5_trained"] > metrics["top5_unigram_baseline"], metrics


def test_mask_token_swallows_the_space_before_it(project_engine: Engine) -> None:
    from tokenizers import Tokenizer

    _metrics(project_engine, "checkpoints/tiny-bert-austen")
    tokenizer = Tokenizer.from_file(str(ROOT / "checkpoints/tiny-bert-austen/tokenizer.json"))
    tokens = tokenizer.encode("She was [MASK] to see him.").tokens
    assert tokens[:4] == ["She", "Ġwas", " [MASK]", "Ġto"], tokens


def test_transfer_learning_beats_random_weights(project_engine: Engine) -> None:
    metrics = _metrics(project_engine, "checkpoints/minilm-sentiment")
    assert metrics["accuracy_fine_tuned"] >= 0.75, metrics
    assert metrics["accuracy_fine_tuned"] - metrics["accuracy_from_scratch"] >= 0.08, metrics
    assert 0 < metrics["accuracy_tweets_fine_tuned"] <= 1, metrics  # reported, no bar: another domain


def test_ner_on_the_synthetic_data_reaches_ninety_percent_f1(project_engine: Engine) -> None:
    metrics = _metrics(project_engine, "checkpoints/minilm-ner")
    assert metrics["entity_f1"] >= 0.9, metrics


CONSUMERS = [
    ("workshop/generate_text.py", "text-generation", "checkpoints/tiny-gpt2-austen", "GPT2LMHeadModel"),
    ("workshop/fill_mask.py", "fill-mask", "checkpoints/tiny-bert-austen", "BertForMaskedLM"),
    (
        "workshop/classify_sentiment.py",
        "sentiment-analysis",
        "checkpoints/minilm-sentiment",
        "BertForSequenceClassification",
    ),
    ("workshop/ner_pipeline.py", "token-classification", "checkpoints/minilm-ner", "BertForTokenClassification"),
]


@pytest.fixture(scope="module")
def consumers_engine(site_build: SiteBuild) -> Iterator[Engine]:
    """A fresh worker that runs the four consumers again (each reads its own checkpoint: its loads are its own)."""
    names = {consumer for consumer, *_ in CONSUMERS}
    engine = Engine(Project(ROOT), rerun=lambda s: s.name in names, runtime=RUNTIME)
    yield engine
    engine.close()


@pytest.mark.parametrize(("consumer", "task", "folder", "model_class"), CONSUMERS)
def test_later_snippets_load_the_checkpoints_through_pipeline(
    consumers_engine: Engine, consumer: str, task: str, folder: str, model_class: str
) -> None:
    engine = consumers_engine
    snippet = engine.snippet(consumer)
    assert engine.graph.needs(snippet) == [RECIPES[folder]]
    # the code asks pipeline() for the task with the checkpoint folder as its model ...
    calls = [
        node
        for node in ast.walk(snippet.tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "pipeline"
    ]
    assert any(
        ast.literal_eval(call.args[0]) == task
        and any(k.arg == "model" and ast.literal_eval(k.value) == folder for k in call.keywords)
        for call in calls
        if call.args and isinstance(call.args[0], ast.Constant)
    ), f"{consumer} does not call pipeline({task!r}, model={folder!r})"
    # ... and running it really reads that folder with the task's model class
    result = engine.evaluate(consumer).result
    assert result.ok, result.failure
    assert not result.cached and f"{folder} ({model_class})" in result.loads, result.loads
