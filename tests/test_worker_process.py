"""The worker process itself: what it imports, how it ends, the memory it may use."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from livenotes._internal.protocol import Request
from livenotes._internal.worker_client import WorkerClient
from tests.conftest import Scratch


def test_the_worker_imports_neither_mkdocs_nor_nbformat(scratch: Scratch) -> None:
    result = scratch.run("import sys\nsorted(m for m in sys.modules if m.split('.')[0] in {'mkdocs', 'nbformat'})\n")
    assert result.ok, result.failure
    assert result.display == "[]"


def _hang_request(root: Path) -> Request:
    code = (
        "import pathlib, subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        "pathlib.Path('hang-started').write_text('yes')\n"
        "while True:\n"
        "    time.sleep(0.1)\n"
    )
    return Request(str(root / "snippets" / "hang.py"), "snippets/hang.py", code, 600.0, 1 << 30)


def _wait(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _group(pgid: int) -> list[int]:
    members = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry))
    return members


def test_the_worker_and_its_subprocesses_end_when_the_request_pipe_closes_mid_snippet(tmp_path: Path) -> None:
    (tmp_path / "snippets").mkdir()
    client = WorkerClient(tmp_path)
    try:
        client.start()
        process = client._process
        assert process is not None and process.stdin is not None
        process.stdin.write((_hang_request(tmp_path).to_json() + "\n").encode())
        process.stdin.flush()
        assert _wait(lambda: (tmp_path / "hang-started").exists() and len(_group(process.pid)) == 2, 60)
        process.stdin.close()  # what the kernel does for a build process that dies
        assert _wait(lambda: _group(process.pid) == [], 10), _group(process.pid)
        assert process.wait(10) == -signal.SIGKILL
    finally:
        client.close()


def test_a_worker_whose_parent_is_already_gone_exits_at_once(tmp_path: Path) -> None:
    # the parent died between fork and prctl(PR_SET_PDEATHSIG): the signal would never come
    read_fd, write_fd = os.pipe()
    done = subprocess.run(
        [sys.executable, "-m", "livenotes._internal.worker", "--reply-fd", str(write_fd), "--parent-pid", "1"],
        stdin=subprocess.PIPE,
        capture_output=True,
        pass_fds=(write_fd,),
        timeout=60,
        check=False,
    )
    os.close(write_fd)
    assert done.returncode == 1
    assert os.read(read_fd, 100) == b""  # it never said it was ready
    os.close(read_fd)
