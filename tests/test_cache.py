"""Cache keys and invalidation: what changes a key, what does not, and a cache that survives abuse."""

from __future__ import annotations

import json
import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest

from livenotes import Engine, Project, Result
from livenotes._internal import cache_key, graph, runtime
from livenotes._internal.cache import ResultCache
from livenotes._internal.runtime import Runtime
from tests.conftest import RUNTIME, Scratch


def _key(scratch: Scratch, name: str) -> str:
    scratch.engine.begin_build()
    return scratch.engine.key_of(name)[0]


def test_the_key_follows_text_needs_checkpoints_and_versions(scratch: Scratch, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = scratch.root / "checkpoints" / "tiny"
    folder.mkdir(exist_ok=True)
    (folder / "config.json").write_text('{"a": 1}')
    upstream = scratch.write("print('up')\n", "keys/up.py")
    down = scratch.write("# livenotes: needs=keys/up.py\nimport numpy\nprint('checkpoints/tiny')\n", "keys/down.py")
    base = _key(scratch, down)
    assert _key(scratch, down) == base  # nothing changed, same key

    scratch.write("print('up, changed')\n", upstream)
    after_upstream = _key(scratch, down)
    assert after_upstream != base

    (folder / "config.json").write_text('{"a": 2}')
    after_checkpoint = _key(scratch, down)
    assert after_checkpoint != after_upstream

    book = scratch.engine.keys.book
    real = book.versions
    monkeypatch.setattr(book, "versions", lambda modules: {**real(modules), "numpy": "0.0.1"})
    assert _key(scratch, down) != after_checkpoint
    monkeypatch.undo()

    # what the code means counts, not how it is written: a comment, a wrapped line, a docstring's place
    scratch.write("# livenotes: needs=keys/up.py\nimport numpy\nprint(\n    'checkpoints/tiny'  # same code\n)\n", down)
    assert _key(scratch, down) == after_checkpoint
    scratch.write("# livenotes: needs=keys/up.py\nimport numpy\nprint('checkpoints/tiny', end='')\n", down)
    assert _key(scratch, down) != after_checkpoint


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("threads", "1"),
        ("PYTHONHASHSEED", None),
        ("ATEN_CPU_CAPABILITY", None),
        ("machine", "aarch64"),
        ("kernels", "default"),
        ("emulate", "max"),
    ],
)
def test_the_key_follows_the_runtime_a_snippet_runs_in(
    scratch: Scratch, monkeypatch: pytest.MonkeyPatch, variable: str, value: str | None
) -> None:
    # what the worker computes with, not only what it runs: thread count, its environment, the CPU
    name = scratch.write("print('same code')\n", "keys/runtime.py")
    base = _key(scratch, name)
    chosen = RUNTIME
    profile = RUNTIME.module
    if variable == "threads":
        chosen = Runtime(RUNTIME.profile, threads=1)
    elif variable == "machine":
        monkeypatch.setattr(runtime.platform, "machine", lambda: value)
    elif variable == "kernels":
        if not runtime.x86():
            pytest.skip("kernels are pinned on x86 only")
        chosen = Runtime(RUNTIME.profile, kernels="default")
    elif variable == "emulate":
        monkeypatch.setattr(runtime.shutil, "which", lambda name: "/usr/bin/" + name)
        chosen = Runtime(RUNTIME.profile, emulate="max")
    else:
        if variable not in RUNTIME.env():
            pytest.skip(f"{variable} is not set on this machine")
        table = profile.ENV if variable in profile.ENV else profile.KERNELS[profile.DEFAULT_KERNELS]
        monkeypatch.setitem(table, variable, "x")
    keys = scratch.engine.keys
    scratch.engine.keys = type(keys)(scratch.engine.project, keys.hashes, chosen)  # it reads the runtime when made
    try:
        assert _key(scratch, name) != base
    finally:
        scratch.engine.keys = keys  # the scratch engine is shared with the next tests


def test_a_checkpoint_made_by_a_snippet_makes_that_snippet_a_dependency(scratch: Scratch) -> None:
    maker = scratch.write("# livenotes: produces=checkpoints/made\nprint('training')\n", "made/maker.py")
    user = scratch.write("print('loading', 'checkpoints/made')\n", "made/user.py")
    scratch.engine.begin_build()
    assert scratch.engine.graph.needs(scratch.engine.snippet(user)) == [maker]
    before = scratch.engine.key_of(user)[0]
    scratch.write("# livenotes: produces=checkpoints/made\nprint('training longer')\n", maker)
    assert _key(scratch, user) != before


def test_remembered_versions_are_forgotten_when_the_environment_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = cache_key.VersionBook(tmp_path / "libraries.json")
    assert "numpy" in book.versions({"numpy"})
    book.save()
    monkeypatch.setattr(cache_key, "library_versions", lambda modules, *args: {"numpy": "0.0.1"})
    assert cache_key.VersionBook(tmp_path / "libraries.json").versions({"numpy"})["numpy"] != "0.0.1"
    monkeypatch.setattr(cache_key, "_environment_fingerprint", lambda: "another environment")
    assert cache_key.VersionBook(tmp_path / "libraries.json").versions({"numpy"}) == {"numpy": "0.0.1"}


def test_only_the_version_of_imported_libraries_and_their_dependencies_counts() -> None:
    versions = cache_key.library_versions({"transformers", "json"}, implied=RUNTIME.module.IMPLIED)
    assert {"transformers", "torch", "tokenizers", "huggingface-hub"} <= versions.keys()
    assert "matplotlib" not in versions and "json" not in versions


def test_an_unchanged_snippet_is_never_run_again(scratch: Scratch) -> None:
    name = scratch.write("print('once')\n")
    first = scratch.run("print('once')\n", name)
    assert first.ok and not first.cached
    fresh = Engine(scratch.project, runtime=RUNTIME)  # a new build process: same cache, no worker yet
    try:
        again = fresh.evaluate(name).result
        assert again.cached and again.stdout == "once\n"
        assert fresh.worker.starts == 0
    finally:
        fresh.close()


def test_a_corrupted_entry_is_recomputed(scratch: Scratch) -> None:
    name = scratch.write("print('fine')\n")
    result = scratch.run("print('fine')\n", name)
    entry = next((scratch.project.cache / "results").glob(f"{name.removesuffix('.py')}--*.json"))
    entry.write_text('{"snippet": "trunc')
    again = scratch.run("print('fine')\n", name)
    assert again.ok and not again.cached and again.stdout == "fine\n" and again.key == result.key
    assert json.loads(entry.read_text())["stdout"] == "fine\n"


def test_stale_entries_are_evicted_at_the_end_of_a_build(scratch: Scratch) -> None:
    name = scratch.write("print(1)\n")
    scratch.run("print(1)\n", name)
    scratch.run("print(2)\n", name)
    removed = scratch.engine.end_build()
    entries = list((scratch.project.cache / "results").glob(f"{name.removesuffix('.py')}--*.json"))
    assert removed >= 1 and len(entries) == 1
    assert json.loads(entries[0].read_text())["stdout"] == "2\n"


def _hammer(folder: str, writer: int, rounds: int, start: Any) -> tuple[int, int, float, float]:
    """Write and read one entry ``rounds`` times from the same moment as the other writer (``start`` is a barrier),
    and on until it has seen the other writer's entry (at most 20 s: a busy machine may run the two
    writers in turns for a while).

    Returns (torn or missing reads, reads that saw the other writer's entry, when it began, when it ended)."""
    cache = ResultCache(Path(folder))
    start.wait()
    began = time.monotonic()
    torn = others = i = 0
    while i < rounds or (others == 0 and time.monotonic() < began + 20):
        i += 1
        cache.put(Result("same.py", "k" * 64, stdout=f"{writer}:" + "x" * (1000 + i % 7)))
        got = cache.get("same.py", "k" * 64)
        head, _, body = got.stdout.partition(":") if got else ("", "", "")
        torn += got is None or head not in ("0", "1") or set(body) != {"x"} or not 1000 <= len(body) < 1007
        others += head == str(1 - writer)
    return torn, others, began, time.monotonic()


def test_two_writers_on_one_cache_never_see_a_torn_entry(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(2) as pool:
        start = manager.Barrier(2)
        (torn0, others0, began0, ended0), (torn1, others1, began1, ended1) = pool.starmap(
            _hammer, [(str(tmp_path), 0, 400, start), (str(tmp_path), 1, 400, start)]
        )
    assert began0 < ended1 and began1 < ended0, "the two writers did not run at the same time"
    assert others0 + others1 > 0, "no read ever saw the other writer's entry: they never overlapped"
    assert torn0 == torn1 == 0
    assert not [p for p in (tmp_path / "results").iterdir() if p.suffix != ".json"]  # no temp files left


def test_project_layout_lists_snippets_but_not_helpers(tmp_path: Path) -> None:
    (tmp_path / "snippets" / "a").mkdir(parents=True)
    for name in ("a/x.py", "a/_helper.py", "b.py"):
        (tmp_path / "snippets" / name).write_text("")
    assert Project(tmp_path).all_snippets() == ["a/x.py", "b.py"]


def test_a_cached_recipe_runs_again_when_its_checkpoint_is_gone(scratch: Scratch) -> None:
    code = (
        "# livenotes: produces=checkpoints/made-here\n"
        "from pathlib import Path\n"
        "Path('checkpoints/made-here').mkdir(exist_ok=True)\n"
        "Path('checkpoints/made-here/weights.txt').write_text('trained')\n"
        "print('trained')\n"
    )
    name = scratch.write(code)
    first = scratch.run(code, name)
    assert first.ok and not first.cached
    folder = scratch.root / "checkpoints" / "made-here"
    assert (folder / ".livenotes-key").read_text() == first.key
    assert scratch.run(code, name).cached
    (folder / "weights.txt").unlink()
    (folder / ".livenotes-key").unlink()
    again = scratch.run(code, name)
    assert again.ok and not again.cached and (folder / "weights.txt").is_file()


def test_a_recipe_that_does_not_write_what_it_declares_fails(scratch: Scratch) -> None:
    result = scratch.run("# livenotes: produces=checkpoints/never-made\nprint('forgot to save')\n")
    assert result.failure is not None and "did not write that folder" in result.failure.message


def test_a_snippet_whose_producer_fails_says_where_the_producer_failed(scratch: Scratch) -> None:
    maker = scratch.write(
        "# livenotes: produces=checkpoints/broken\nx = 1\nraise ValueError('no data')\n", "dep/maker.py"
    )
    user = scratch.write("print('loading', 'checkpoints/broken')\n", "dep/user.py")
    scratch.engine.begin_build()
    failure = scratch.engine.evaluate(user).result.failure
    assert failure is not None and failure.kind == "error"  # the upstream's kind: it raised
    assert f"snippets/{maker}, which failed (snippets/{maker}:3: ValueError: no data)" in failure.message


def test_a_bare_input_folder_name_is_not_an_input(scratch: Scratch) -> None:
    snippet = scratch.write(
        "name = 'checkpoints/tiny-x'.removeprefix('checkpoints/')\nprint(name, 'data')\n", "bare/names.py"
    )
    scratch.engine.begin_build()
    assert graph.referenced_inputs(scratch.project, scratch.engine.snippet(snippet)) == ["checkpoints/tiny-x"]
