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


ATTENTIONS = (
    "from transformers import AutoTokenizer\n"
    "t = AutoTokenizer.from_pretrained('checkpoints/all-MiniLM-L6-v2')\n"
    "out = m(**t('hello world', return_tensors='pt'), output_attentions=True)\n"
    "print(m.config._attn_implementation, out.attentions is not None and len(out.attentions))\n"
)


@pytest.mark.parametrize(
    ("first", "then", "printed"),
    [
        ("", "attn_implementation='eager'", "eager 6"),
        ("attn_implementation='eager'", "", "sdpa 0"),  # sdpa gives no attention weights
        # AutoModel moves attn_implementation into the config, where it is private and left out of the JSON
        (
            "",
            "config=AutoConfig.from_pretrained('checkpoints/all-MiniLM-L6-v2', attn_implementation='eager')",
            "eager 6",
        ),
    ],
)
def test_another_attention_implementation_shares_the_read_and_computes_its_own_way(
    scratch: Scratch, first: str, then: str, printed: str
) -> None:
    load = (
        "from transformers import AutoConfig, AutoModel\n"
        "m = AutoModel.from_pretrained('checkpoints/all-MiniLM-L6-v2', {})\n"
    )
    assert scratch.run(load.format(first)).loads == ["checkpoints/all-MiniLM-L6-v2 (BertModel)"]
    shared = scratch.run(load.format(then) + ATTENTIONS)
    assert shared.ok, shared.failure
    assert shared.loads == [] and shared.stdout == printed + "\n"
    # the same load in a worker that read nothing before gives the same model
    scratch.engine.worker.forget_loads()
    fresh = scratch.run(load.format(then) + ATTENTIONS)
    assert fresh.loads and fresh.stdout == shared.stdout


def test_the_same_eager_attention_weights_whether_shared_or_read(scratch: Scratch) -> None:
    compute = (
        "import torch\nfrom transformers import AutoModel, AutoTokenizer\n"
        "m = AutoModel.from_pretrained('checkpoints/all-MiniLM-L6-v2', attn_implementation='eager')\n"
        "t = AutoTokenizer.from_pretrained('checkpoints/all-MiniLM-L6-v2')\n"
        "with torch.no_grad():\n"
        "    out = m(**t('the animal was tired', return_tensors='pt'), output_attentions=True)\n"
        "print(torch.stack(out.attentions).double().sum().item(), out.last_hidden_state.double().sum().item())\n"
    )
    scratch.run("from transformers import AutoModel\nAutoModel.from_pretrained('checkpoints/all-MiniLM-L6-v2')\n")
    shared = scratch.run(compute)
    scratch.engine.worker.forget_loads()
    read = scratch.run(compute)
    assert shared.loads == [] and read.loads, (shared.loads, read.loads)
    assert shared.stdout == read.stdout and shared.ok


def test_a_direct_load_and_an_auto_load_of_the_same_checkpoint_read_it_once(scratch: Scratch) -> None:
    # AutoModel passes the folder's configuration as an object; a direct from_pretrained passes none
    result = scratch.run(
        "from transformers import AutoModel, BertModel\n"
        "direct = BertModel.from_pretrained('checkpoints/all-MiniLM-L6-v2')\n"
        "auto = AutoModel.from_pretrained('checkpoints/all-MiniLM-L6-v2')\n"
        "other = BertModel.from_pretrained('checkpoints/all-MiniLM-L6-v2', hidden_dropout_prob=0.5)\n"
        "print(auto.config.hidden_dropout_prob, other.config.hidden_dropout_prob)\n"
    )
    assert result.ok, result.failure
    assert result.stdout == "0.1 0.5\n"  # an argument that edits the configuration is another load
    assert result.loads == ["checkpoints/all-MiniLM-L6-v2 (BertModel)"] * 2


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
