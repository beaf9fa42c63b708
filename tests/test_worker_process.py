"""The worker process itself: what it imports, how it ends, the memory it may use."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from livenotes._internal.errors import SnippetError
from livenotes._internal.project import Project
from livenotes._internal.protocol import Request
from livenotes._internal.runtime import PLAIN_PROFILE, Runtime, x86
from livenotes._internal.snippet import load_snippet, parse_options
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
        [
            *(sys.executable, "-m", "livenotes._internal.worker", "--reply-fd", str(write_fd), "--parent-pid", "1"),
            *("--profile", PLAIN_PROFILE),
        ],
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


def test_a_snippet_past_its_memory_limit_fails_clearly_and_the_next_one_runs(scratch: Scratch) -> None:
    starts = scratch.engine.worker.starts
    name = scratch.write(
        "# livenotes: memory=300M\nimport numpy\n\nblock = numpy.ones(1 << 30, dtype=numpy.uint8)  # 1 GiB, touched\n"
    )
    scratch.engine.begin_build()
    result = scratch.engine.evaluate(name).result
    assert result.failure is not None and result.failure.kind == "memory"
    assert result.failure.message == (
        f"snippets/{name}:4 used more than the memory limit of 300 MiB (raise it with '# livenotes: memory=...')"
    )
    assert "MemoryError" in result.failure.details
    again = scratch.run("import torch\nprint(torch.ones(1000).sum().item())\n")
    assert again.ok and again.stdout == "1000.0\n"
    assert scratch.engine.worker.starts == starts  # the same worker: the limit stopped the allocation, not it


def test_torch_past_the_memory_limit_fails_clearly(scratch: Scratch) -> None:
    result = scratch.run("# livenotes: memory=300M\nimport torch\nt = torch.empty(1 << 30)\nt.fill_(1.0)\n")
    assert result.failure is not None and result.failure.kind == "memory"
    assert "used more than the memory limit of 300 MiB" in result.failure.message
    assert scratch.run("print('still here')\n").ok


def test_within_its_limit_a_snippet_allocates_freely(scratch: Scratch) -> None:
    result = scratch.run(
        "# livenotes: memory=1G\nimport numpy\nblock = numpy.ones(400 << 20, dtype=numpy.uint8)\nint(block.sum())\n"
    )
    assert result.ok, result.failure
    assert result.display == str(400 << 20)


def test_memory_the_rlimit_does_not_count_is_caught_by_the_client(scratch: Scratch) -> None:
    # shared memory (here an anonymous shared mapping) is outside RLIMIT_DATA: the client's sampling stops it
    result = scratch.run(
        "# livenotes: memory=100M; timeout=60\n"
        "import mmap, time\n"
        "shared = mmap.mmap(-1, 1 << 30)\n"
        "for offset in range(0, 1 << 30, 4096):\n"
        "    shared[offset] = 1\n"
        "time.sleep(30)\n"
    )
    assert result.failure is not None and result.failure.kind == "memory"
    assert "used more than the memory limit of 100 MiB" in result.failure.message
    assert "the worker was stopped" in result.failure.message
    starts = scratch.engine.worker.starts
    assert not scratch.engine.worker.running  # stopped; the next snippet starts a fresh one
    assert scratch.run("print('still here')\n").ok
    assert scratch.engine.worker.starts == starts + 1


@pytest.mark.parametrize(
    ("written", "size"), [("300M", 300 << 20), ("12G", 12 << 30), ("1.5GiB", 3 << 29), ("64k", 64 << 10)]
)
def test_the_memory_option_takes_binary_units(written: str, size: int) -> None:
    assert parse_options(f"# livenotes: memory={written}\n", "snippets/x.py").memory == size


@pytest.mark.parametrize("written", ["12", "lots", "0G", "-1G", "2T", ""])
def test_a_bad_memory_option_names_its_file_and_line(written: str) -> None:
    with pytest.raises(SnippetError, match="memory must be a size such as 12G") as raised:
        parse_options(f"import os\n# livenotes: memory={written}\n", "snippets/x.py")
    assert raised.value.where == "snippets/x.py:2"


@pytest.mark.skipif(not x86(), reason="qemu-x86_64 emulates an x86-64 CPU")
def test_the_worker_runs_on_an_emulated_cpu_when_asked(tmp_path: Path) -> None:
    # make check EMULATE=max: the one way to have onnxruntime pick the kernels of another CPU (setup installs qemu)
    (tmp_path / "snippets").mkdir()
    snippet = tmp_path / "snippets" / "where.py"
    snippet.write_text("print(open('/proc/self/status').readline().split()[1])\n")
    client = WorkerClient(tmp_path, runtime=Runtime(emulate="max"))
    try:
        reply = client.run(load_snippet(Project(tmp_path), "where.py"))
    finally:
        client.close()
    assert reply.failure is None, reply.failure
    assert reply.stdout == "qemu-x86_64\n"  # the worker's process is the emulator running Python
