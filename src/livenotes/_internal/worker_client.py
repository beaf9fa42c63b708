"""The build's side of the worker: start it, send a snippet, wait with a timeout, restart on death."""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .log import log
from .protocol import Message, Progress, Ready, Reply, Request, read_message
from .results import Failure
from .snippet import Snippet

STARTUP_TIMEOUT = 180.0
# after the snippet's own timeout, time for the worker to write where it hangs
GRACE = 2.0


def _default_memory_limit() -> int:
    """Half the machine's memory, and at most 8 GiB: far above what training a small model takes (~1 GiB)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            total = next(int(line.split()[1]) * 1024 for line in meminfo if line.startswith("MemTotal:"))
    except (OSError, StopIteration, ValueError):
        total = 16 << 30
    return min(8 << 30, total // 2)


DEFAULT_MEMORY_LIMIT = _default_memory_limit()

WORKER_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "MPLBACKEND": "Agg",
    "PYTHONHASHSEED": "0",
    "PYTHONUNBUFFERED": "0",
}


class WorkerDied(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class WorkerClient:
    """One long-lived worker process; ``run`` starts it when needed and replaces it after a crash or hang."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._process: subprocess.Popen[bytes] | None = None
        self._replies: int | None = None
        self._buffer = b""
        self._ended = False  # the last read met end of file (a death), not a timeout
        self._running = ""  # the snippet being run, for progress lines
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as this client
        self.starts = 0

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        read_fd, write_fd = os.pipe()
        env = {**os.environ, **WORKER_ENV}
        log.info("livenotes: starting the worker (imports torch and transformers once)")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "livenotes._internal.worker", "--reply-fd", str(write_fd)],
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=self._log,
            pass_fds=(write_fd,),
            cwd=self.root,
            env=env,
            start_new_session=True,  # so a kill takes the whole group, threads and children included
        )
        os.close(write_fd)
        self._replies, self._buffer = read_fd, b""
        self.starts += 1
        started = time.monotonic()
        ready = self._read_reply(STARTUP_TIMEOUT)
        if not isinstance(ready, Ready):
            failure = self._failure_after_death("crash", "the worker did not start", None)
            raise WorkerDied(failure)
        log.debug("livenotes: worker %s ready in %.1f s", ready.pid, time.monotonic() - started)

    def run(self, snippet: Snippet) -> Reply:
        """The worker's reply for a snippet; a reply with only a failure when the worker hangs or dies."""
        started = time.perf_counter()
        outcome = self._run(snippet)
        if isinstance(outcome, Failure):  # the worker did not answer: the duration is the time it was given
            return Reply(failure=outcome, duration=time.perf_counter() - started)
        return outcome

    def _run(self, snippet: Snippet) -> Reply | Failure:
        if not self.running:
            try:
                self.start()
            except WorkerDied as died:
                return died.failure
        assert self._process is not None and self._process.stdin is not None
        log_offset = self._log_size()
        request = Request(
            path=str(snippet.path),
            display_path=snippet.display_path,
            text=snippet.text,
            timeout=snippet.options.timeout,
            memory_limit=DEFAULT_MEMORY_LIMIT,
            random_init=snippet.options.random_init,
        )
        try:
            self._process.stdin.write((request.to_json() + "\n").encode())
            self._process.stdin.flush()
        except BrokenPipeError:
            pass  # the reply read below sees the death and reports it
        self._running = snippet.display_path
        reply = self._read_reply(snippet.options.timeout + GRACE)
        self._running = ""
        if isinstance(reply, Reply):
            return reply
        if not self._ended:
            failure = self._failure_after_death(
                "timeout",
                f"no result after {snippet.options.timeout:g} s: the worker was stopped and will be restarted",
                snippet,
                log_offset,
            )
        else:
            failure = self._failure_after_death(
                "crash", "the worker process died while running this snippet; it will be restarted", snippet, log_offset
            )
        return failure

    def _read_reply(self, timeout: float) -> Message | None:
        """The next message that is not progress (progress lines are logged as they come); None on death or timeout."""
        assert self._replies is not None
        self._ended = False
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                message = read_message(line)
                if not isinstance(message, Progress):
                    return message
                log.info("livenotes:   %s | %s", self._running or "worker", message.text)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self._replies], [], [], left)
            if not ready:
                return None
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:  # end of file: the worker is gone
                self._ended = True
                return None
            self._buffer += chunk

    def _log_size(self) -> int:
        self._log.seek(0, os.SEEK_END)
        return self._log.tell()

    def _failure_after_death(self, kind: str, message: str, snippet: Snippet | None, offset: int = 0) -> Failure:
        self.stop()
        self._log.seek(offset)
        words = self._log.read().decode("utf-8", errors="replace")
        where = None
        if snippet is not None:
            where = snippet.display_path
            lines = re.findall(rf'File "{re.escape(str(snippet.path))}", line (\d+)', words)
            if lines:
                where = f"{snippet.display_path}:{lines[0]}"
        if self._process is not None and self._process.returncode and self._process.returncode < 0:
            message += f" (signal {signal.Signals(-self._process.returncode).name})"
        elif self._process is not None and self._process.returncode:
            message += f" (exit status {self._process.returncode})"
        tail = "\n".join(words.strip().splitlines()[-20:])
        return Failure(kind=kind, message=message, where=where, details=tail)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            if process.stdin:
                process.stdin.close()
            self._process = process  # kept so the caller can read its exit status
        if self._replies is not None:
            os.close(self._replies)
            self._replies = None

    def close(self) -> None:
        self.stop()
        self._process = None
        self._log.close()
