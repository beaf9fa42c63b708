"""The worker and its client exchange typed messages, and the cache key covers how snippets run, not the process."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from livenotes._internal import cache_key, checkpoint_guard, execution, worker
from livenotes._internal.errors import SnippetError
from livenotes._internal.protocol import Progress, Ready, Reply, Request, read_message
from livenotes._internal.results import Figure
from tests.conftest import Scratch


def test_every_message_survives_the_pipe() -> None:
    reply = Reply(
        stdout="出力\n",
        stderr="warn\n",
        display="{'a': 1}",
        figures=[Figure("iVBORw0K", 120, 90)],
        failure=SnippetError("ZeroDivisionError: division by zero", "snippets/x.py:3", kind="error", details="trace"),
        duration=1.5,
        loads=["checkpoints/m (BertModel)"],
        peak_rss_kb=123456,
    )
    for message in (Ready(pid=42), Progress("step 1/3"), reply, Reply()):
        line = message.to_json()
        assert "\n" not in line  # one message, one line
        assert read_message(line) == message and read_message(line.encode()) == message
    request = Request("/p/snippets/x.py", "snippets/x.py", "print(1)\n", 12.0, 300 << 20, random_init=True)
    assert Request.from_json(request.to_json()) == request


def test_a_line_that_is_no_message_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown message type"):
        read_message('{"progress": "old format"}')
    with pytest.raises(ValueError, match="not a reply"):
        Reply.from_json(Ready(pid=1).to_json())


def test_the_key_covers_how_snippets_run_and_not_the_worker_process(scratch: Scratch) -> None:
    # run_snippet, prepare and the checkpoint guard shape every output: the key hashes their files; worker.py
    # only manages the process
    shaping = (execution.run_snippet, execution.prepare, checkpoint_guard.install, checkpoint_guard.begin_snippet)
    defined_in = {Path(inspect.getsourcefile(f) or "") for f in shaping}
    assert defined_in == set(cache_key.WORKER_SOURCES)
    assert Path(worker.__file__) not in cache_key.WORKER_SOURCES
    maker = cache_key.KeyMaker(scratch.project, scratch.engine.keys.hashes)
    assert maker._engine == cache_key.engine_digest()


def test_each_file_that_runs_snippets_is_in_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copies = tuple(tmp_path / source.name for source in cache_key.WORKER_SOURCES)
    for source, copy in zip(cache_key.WORKER_SOURCES, copies, strict=True):
        copy.write_bytes(source.read_bytes())
    monkeypatch.setattr(cache_key, "WORKER_SOURCES", copies)
    before = cache_key.engine_digest()
    for copy in copies:
        copy.write_bytes(copy.read_bytes() + b"\n")
        assert cache_key.engine_digest() != before, copy.name
        before = cache_key.engine_digest()
    assert worker.run_snippet is execution.run_snippet  # the worker runs snippets only through the hashed code
