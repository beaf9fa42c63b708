"""The worker and its client exchange typed messages, and the cache key covers how snippets run, not the process."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from livenotes._internal import cache_key, execution, figure_png, worker
from livenotes._internal.errors import SnippetError
from livenotes._internal.protocol import Progress, Ready, Reply, Request, read_message
from livenotes._internal.results import Figure
from notes_site import checkpoint_guard
from tests.conftest import RUNTIME


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


def test_the_key_covers_how_snippets_run_and_not_the_worker_process() -> None:
    # run_snippet and prepare shape every output, and so does the site's profile (its prepare, seed and guard): the
    # key digests what their files mean; worker.py only manages the process
    shaping = (
        execution.run_snippet,
        execution.prepare,
        figure_png.compact,
        RUNTIME.module.prepare,
        checkpoint_guard.install,
    )
    defined_in = {Path(inspect.getsourcefile(f) or "") for f in shaping}
    keyed = {*cache_key.WORKER_SOURCES, *RUNTIME.module.SOURCES}
    assert defined_in <= keyed, defined_in - keyed
    assert Path(worker.__file__) not in keyed
    assert worker.run_snippet is execution.run_snippet  # the worker runs snippets only through the keyed code


def _copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Copies of every keyed file, which the key then reads instead."""
    copies = []
    for source in cache_key.WORKER_SOURCES:
        copies.append(tmp_path / source.name)
        copies[-1].write_bytes(source.read_bytes())
    monkeypatch.setattr(cache_key, "WORKER_SOURCES", tuple(copies))
    profile = []
    for source in RUNTIME.module.SOURCES:
        profile.append(tmp_path / f"profile-{source.name}")
        profile[-1].write_bytes(source.read_bytes())
    monkeypatch.setattr(RUNTIME.module, "SOURCES", tuple(profile))
    return copies + profile


def _digests() -> tuple[str, str]:
    return cache_key.engine_digest(), RUNTIME.key()["profile_meaning"]


@pytest.mark.parametrize(
    "edit",
    [
        lambda text: text + "\n# a comment at the end\n",
        lambda text: text.replace("\n\n\n", "\n\n\n\n", 1),
        lambda text: re.sub(r'^(""")', r"\1The words of a docstring changed. ", text, count=1, flags=re.M),
    ],
    ids=["comment", "blank line", "docstring"],
)
def test_a_comment_layout_or_docstring_edit_of_the_keyed_code_reruns_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Callable[[str], str]
) -> None:
    copies = _copies(tmp_path, monkeypatch)
    before = _digests()
    for copy in copies:
        edited = edit(copy.read_text(encoding="utf-8"))
        assert edited != copy.read_text(encoding="utf-8"), copy.name
        copy.write_text(edited, encoding="utf-8")
        assert _digests() == before, copy.name


def test_a_change_of_what_the_keyed_code_does_reruns_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies = _copies(tmp_path, monkeypatch)
    for copy in copies:
        before = _digests()
        copy.write_text(copy.read_text(encoding="utf-8") + "\nCHANGED = 1\n", encoding="utf-8")
        assert _digests() != before, copy.name
