"""Checkpoints load from safetensors only, never run shipped code, and never answer with random weights."""

from __future__ import annotations

import pytest

from tests.conftest import Scratch

CLASSIFIER = (
    "from transformers import pipeline\n"
    "classifier = pipeline('text-classification', model='checkpoints/all-MiniLM-L6-v2')\n"
    "classifier('I love it')\n"
)


def test_a_checkpoint_without_its_task_head_fails_the_snippet(scratch: Scratch) -> None:
    result = scratch.run(CLASSIFIER)
    assert result.failure is not None
    assert "IncompleteCheckpoint" in result.failure.message
    assert "classifier.weight" in result.failure.message and "random-init" in result.failure.message


def test_random_initialisation_declared_on_purpose_runs(scratch: Scratch) -> None:
    result = scratch.run("# livenotes: random-init\n" + CLASSIFIER)
    assert result.ok, result.failure
    assert "'label': 'LABEL_" in (result.display or "")


@pytest.fixture(scope="module")
def pickle_only(scratch: Scratch) -> str:
    """A tiny BERT saved the old way: config.json + pytorch_model.bin (a pickle), no safetensors."""
    import torch
    from transformers import BertConfig, BertModel

    folder = scratch.root / "checkpoints" / "pickle-only"
    folder.mkdir()
    config = BertConfig(vocab_size=32, hidden_size=8, num_hidden_layers=1, num_attention_heads=2, intermediate_size=8)
    config.save_pretrained(folder)
    torch.save(BertModel(config).state_dict(), folder / "pytorch_model.bin")
    return "checkpoints/pickle-only"


def test_a_pickle_only_checkpoint_is_refused(scratch: Scratch, pickle_only: str) -> None:
    result = scratch.run(f"from transformers import AutoModel\nAutoModel.from_pretrained({pickle_only!r})\n")
    assert result.failure is not None
    assert "safetensors" in result.failure.message + result.failure.details


@pytest.mark.parametrize(
    "call",
    [
        "AutoModel.from_pretrained('checkpoints/all-MiniLM-L6-v2', trust_remote_code=True)",
        "AutoModel.from_pretrained('checkpoints/all-MiniLM-L6-v2', use_safetensors=False)",
    ],
)
def test_remote_code_and_pickles_are_refused(scratch: Scratch, call: str) -> None:
    result = scratch.run(f"from transformers import AutoModel\n{call}\n")
    assert result.failure is not None and "RefusedCheckpoint" in result.failure.message


def test_a_checkpoint_is_read_once_per_worker_and_copies_stay_independent(scratch: Scratch) -> None:
    load = "from transformers import AutoModel\nm = AutoModel.from_pretrained('checkpoints/all-MiniLM-L6-v2')\n"
    scratch.run(load)
    first = scratch.run(load + "m.embeddings.word_embeddings.weight.data.zero_()\n")
    second = scratch.run(load + "float(m.embeddings.word_embeddings.weight.abs().sum())\n")
    assert first.loads == [] and second.loads == []
    assert float(second.display or 0) > 0  # the first snippet's change did not leak into the second


def test_a_load_with_another_attention_implementation_is_not_served_from_the_memo(scratch: Scratch) -> None:
    # AutoModel moves attn_implementation into the config, where it is private and not serialised
    scratch.run("from transformers import AutoModel\nm = AutoModel.from_pretrained('checkpoints/all-MiniLM-L6-v2')\n")
    eager = scratch.run(
        "from transformers import AutoModel, AutoTokenizer\n"
        "m = AutoModel.from_pretrained('checkpoints/all-MiniLM-L6-v2', attn_implementation='eager')\n"
        "t = AutoTokenizer.from_pretrained('checkpoints/all-MiniLM-L6-v2')\n"
        "len(m(**t('hello world', return_tensors='pt'), output_attentions=True).attentions)\n"
    )
    assert eager.ok, eager.failure
    assert eager.display == "6"


def test_pipeline_and_a_direct_load_of_the_same_checkpoint_read_it_once(scratch: Scratch) -> None:
    # pipeline() passes dtype="auto", local_files_only=False, ...; a direct load passes none of them: same weights
    result = scratch.run(  # the memo starts empty in every test (conftest), whatever ran before
        "from transformers import AutoModel, pipeline\n"
        "extractor = pipeline('feature-extraction', model='checkpoints/all-MiniLM-L6-v2')\n"
        "same = AutoModel.from_pretrained('checkpoints/all-MiniLM-L6-v2')\n"
        "half = AutoModel.from_pretrained('checkpoints/all-MiniLM-L6-v2', dtype='float16')\n"
        "print(same.dtype, half.dtype)\n"
    )
    assert result.ok, result.failure
    assert result.stdout == "torch.float32 torch.float16\n"  # another dtype is another load
    assert result.loads == ["checkpoints/all-MiniLM-L6-v2 (BertModel)"] * 2
