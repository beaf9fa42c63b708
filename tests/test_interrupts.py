"""Ctrl-C, SIGTERM, SIGHUP and SIGKILL stop MkDocs within 2 s, even mid-snippet, and leave no process behind.

Each test starts ``mkdocs build`` (or ``serve``) in its own session, waits until the worker runs a snippet that
never ends, signals it the way a terminal or a supervisor would, and follows both processes by id.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sites import make_site

EXIT_BOUND = 2.0  # the requirement: MkDocs and its worker are gone this long after the signal
PATIENCE = 120.0  # generous: how long MkDocs may take to start the worker and reach the snippet

# runs until a file named "release" exists; meanwhile a subprocess of its own sleeps in the worker's group
HANG = (
    "# livenotes: timeout=600\n"
    "import pathlib, subprocess, sys, time\n"
    "if not pathlib.Path('release').exists():\n"
    "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
    "pathlib.Path('snippet-started').write_text('yes')\n"
    "while not pathlib.Path('release').exists():\n"
    "    time.sleep(0.1)\n"
    "print('released')\n"
)


def _site(root: Path) -> Path:
    page = '# p\n\n{% run "quick.py" %}\n\n{% run "hang.py" %}\n'
    snippets = {"quick.py": "print('quick')\n", "hang.py": HANG}
    return make_site(root, page, snippets, {"quick.txt": "quick\n", "hang.txt": "released\n"})


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state, ppid, pgrp, ...); None once it is gone."""
    try:
        # the command name may hold spaces or parentheses: the fields come after the last ')'
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _processes() -> list[tuple[int, list[str]]]:
    found = []
    for entry in os.listdir("/proc"):
        stat = _stat(int(entry)) if entry.isdigit() else None
        if stat is not None:
            found.append((int(entry), stat))
    return found


def _children(pid: int) -> list[int]:
    return [child for child, stat in _processes() if int(stat[1]) == pid]


def _group(pgid: int) -> list[int]:
    """Live processes of a process group (the worker leads its own: the snippet's subprocesses are in it)."""
    return [pid for pid, stat in _processes() if int(stat[2]) == pgid and stat[0] != "Z"]


def _alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (a dead child its parent has not reaped yet)."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def _worker_of(pid: int) -> int | None:
    for child in _children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"livenotes._internal.worker" in command:
            return child
    return None


def _wait_for(predicate, timeout: float, what: str) -> float:  # type: ignore[no-untyped-def]
    """Poll until ``predicate()`` is true; the seconds it took. Fails (naming ``what``) past ``timeout``."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: still not the case after {timeout:g} s")
        time.sleep(0.02)
    return time.monotonic() - started


def _as_a_foreground_job() -> None:
    """A shell with job control starts a foreground job with Ctrl-C's signals at their defaults. A test run started
    in the background of a shell without job control inherits them ignored, and MkDocs would never see Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


class Running:
    """A MkDocs process started in its own session (as a shell starts a foreground job) and its worker."""

    def __init__(self, site: Path, *args: str) -> None:
        self.site = site
        self.log = site / "mkdocs.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "mkdocs", *args],
                cwd=site,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                start_new_session=True,
                preexec_fn=_as_a_foreground_job,
            )
        self.worker = 0

    def wait_until_the_snippet_runs(self) -> None:
        flag = self.site / "snippet-started"
        _wait_for(lambda: flag.exists() or self.process.poll() is not None, PATIENCE, "the snippet started")
        assert self.process.poll() is None, self.log.read_text()[-3000:]
        self.worker = _worker_of(self.process.pid) or 0
        assert self.worker, "no worker process found among MkDocs' children"
        _wait_for(lambda: len(_group(self.worker)) == 2, PATIENCE, "the snippet's subprocess started")

    def signal_and_time_the_exit(self, signum: int, *, group: bool) -> tuple[float, float]:
        """Seconds until MkDocs exited and until its worker was gone (both bounded by ``EXIT_BOUND``)."""
        sent = time.monotonic()
        if group:
            os.killpg(self.process.pid, signum)
        else:
            os.kill(self.process.pid, signum)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=EXIT_BOUND)
        mkdocs_exit = time.monotonic() - sent
        assert self.process.poll() is not None, f"MkDocs still running {mkdocs_exit:.1f} s after the signal"
        with contextlib.suppress(AssertionError):  # measured here, asserted below with the number in the message
            _wait_for(lambda: not _alive(self.worker), EXIT_BOUND - mkdocs_exit, "the worker exited")
        worker_exit = time.monotonic() - sent
        name = signal.Signals(signum).name
        print(f"{name}: MkDocs exited after {mkdocs_exit:.2f} s, its worker was gone after {worker_exit:.2f} s")
        assert not _alive(self.worker), f"the worker still runs {worker_exit:.1f} s after {name}"
        return mkdocs_exit, worker_exit

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        if self.worker:
            for pid in _group(self.worker):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@pytest.fixture
def running() -> Iterator[list[Running]]:
    started: list[Running] = []
    yield started
    for process in started:
        process.stop()


def _group_is_gone(pgid: int) -> None:
    # the worker is dead by now; its group's other members (the snippet's subprocess) get the same bound
    _wait_for(lambda: _group(pgid) == [], EXIT_BOUND, "the snippet's subprocess exited")


@pytest.mark.parametrize(
    ("signum", "group"),
    [(signal.SIGINT, True), (signal.SIGTERM, False), (signal.SIGHUP, True)],
    ids=["ctrl-c", "sigterm", "sighup"],
)
@pytest.mark.parametrize("command", [["build"], ["serve", "--dev-addr", "127.0.0.1:0"]], ids=["build", "serve"])
def test_a_signal_stops_mkdocs_mid_snippet_with_every_process_it_started(
    tmp_path: Path, running: list[Running], command: list[str], signum: int, group: bool
) -> None:
    mkdocs = Running(_site(tmp_path), *command)
    running.append(mkdocs)
    mkdocs.wait_until_the_snippet_runs()
    mkdocs.signal_and_time_the_exit(signum, group=group)
    _group_is_gone(mkdocs.worker)


def test_the_worker_dies_with_a_build_killed_by_sigkill(tmp_path: Path, running: list[Running]) -> None:
    build = Running(_site(tmp_path), "build")
    running.append(build)
    build.wait_until_the_snippet_runs()
    # the kernel's parent-death signal: nothing of the build runs after SIGKILL
    build.signal_and_time_the_exit(signal.SIGKILL, group=False)


def test_after_an_interrupted_build_the_next_one_starts_cleanly_and_is_right(
    tmp_path: Path, running: list[Running]
) -> None:
    site = _site(tmp_path)
    build = Running(site, "build")
    running.append(build)
    build.wait_until_the_snippet_runs()
    build.signal_and_time_the_exit(signal.SIGINT, group=True)
    (site / "release").write_text("")  # the same site; this time the snippet ends
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=site,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=PATIENCE,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((site / "site" / "livenotes-report.json").read_text())
    rows = {row["snippet"]: row for row in report["snippets"]}
    assert rows["snippets/hang.py"]["status"] == "ok"  # ran to the end, output as approved ("released")
    assert "released" in (site / "site" / "index.html").read_text()
    assert report["summary"]["cache_hits"] == 1  # quick.py finished before the interrupt and was kept
