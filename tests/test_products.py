"""A folder a recipe produces (``# livenotes: produces=...``) is never left stale or half-written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from livenotes._internal.protocol import Reply
from livenotes._internal.snippet import Snippet
from tests.conftest import Scratch

WRITE_THEN_HANG = (
    "# livenotes: produces=checkpoints/{folder}; timeout=1\n"
    "from pathlib import Path\n"
    "import time\n"
    "Path('checkpoints/{folder}').mkdir(exist_ok=True)\n"
    "Path('checkpoints/{folder}/model.safetensors').write_text('half')\n"
    "while True:\n"
    "    time.sleep(0.05)\n"
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scratch]:
    """A project of its own: a recipe declaring produces=checkpoints would make every other test's
    snippet that reads a checkpoint depend on it."""
    project = Scratch(Path(tmp_path_factory.mktemp("products")))
    yield project
    project.engine.close()


def test_a_recipe_killed_mid_write_leaves_no_folder(scratch: Scratch) -> None:
    result = scratch.run(WRITE_THEN_HANG.format(folder="killed"))
    assert result.failure is not None and result.failure.kind == "timeout"
    assert not (scratch.root / "checkpoints" / "killed").exists()


def test_a_recipe_that_raises_mid_write_leaves_no_folder(scratch: Scratch) -> None:
    code = WRITE_THEN_HANG.format(folder="raised").replace("while True:\n    time.sleep(0.05)\n", "1 / 0\n")
    result = scratch.run(code)
    assert result.failure is not None and "ZeroDivisionError" in result.failure.message
    assert not (scratch.root / "checkpoints" / "raised").exists()


def test_an_interrupted_recipe_leaves_no_folder(scratch: Scratch, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = scratch.root / "checkpoints" / "interrupted"

    def write_then_ctrl_c(snippet: Snippet) -> Reply:
        folder.mkdir()
        (folder / "model.safetensors").write_text("half")
        raise KeyboardInterrupt

    monkeypatch.setattr(scratch.engine.worker, "run", write_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        scratch.run("# livenotes: produces=checkpoints/interrupted\nprint('never runs')\n")
    assert not folder.exists()


def test_a_stale_folder_is_removed_before_its_recipe_writes_it_again(scratch: Scratch) -> None:
    folder = scratch.root / "checkpoints" / "stale"
    folder.mkdir()
    (folder / "old-shard.safetensors").write_text("from an older recipe")
    (folder / ".livenotes-key").write_text("the key of an older run")
    result = scratch.run(
        "# livenotes: produces=checkpoints/stale\n"
        "from pathlib import Path\n"
        "print(Path('checkpoints/stale').exists())\n"
        "Path('checkpoints/stale').mkdir()\n"
        "Path('checkpoints/stale/model.safetensors').write_text('new')\n"
    )
    assert result.ok, result.failure
    assert result.stdout == "False\n"  # the recipe started from nothing
    assert sorted(p.name for p in folder.iterdir()) == [".livenotes-key", "model.safetensors"]
    assert (folder / ".livenotes-key").read_text() == result.key


def test_a_declared_top_folder_is_never_removed(scratch: Scratch) -> None:
    # produces=checkpoints (a slip for checkpoints/x) must not wipe every checkpoint when the recipe fails
    result = scratch.run("# livenotes: produces=checkpoints\n1 / 0\n")
    assert result.failure is not None
    assert (scratch.root / "checkpoints" / "all-MiniLM-L6-v2" / "config.json").is_file()
