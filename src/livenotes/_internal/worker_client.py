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
import threading
import time
from pathlib import Path

from .errors import SnippetError
from .execution import memory_advice
from .log import log
from .protocol import Message, Prepare, Progress, Ready, Reply, Request, read_message
from .runtime import Runtime
from .snippet import Snippet

STARTUP_TIMEOUT = 180.0
# after the snippet's own timeout, time for the worker to write where it hangs
GRACE = 2.0
# after SIGKILL, how long to wait for the worker to be reaped: a process stuck in the kernel (D state) must not
# hold up the build's exit; the kernel still ends it
STOP_WAIT = 1.0
# how often the worker's memory is looked at while it runs a snippet (the backstop below the rlimit)
MEMORY_POLL = 0.25
# signals that end a build like Ctrl-C does (see _exit_on_signal)
ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def _default_memory_limit() -> int:
    """Half the machine's memory, and at most 8 GiB: far above what training a small model takes (~1 GiB)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            total = next(int(line.split()[1]) * 1024 for line in meminfo if line.startswith("MemTotal:"))
    except (OSError, StopIteration, ValueError):
        total = 16 << 30
    return min(8 << 30, total // 2)


DEFAULT_MEMORY_LIMIT = _default_memory_limit()


def needs_libraries(snippet: Snippet) -> bool:
    """True when the snippet imports anything beyond the standard library (then the worker prepares first)."""
    return any(module not in sys.stdlib_module_names for module in snippet.imported_modules)


class WorkerDied(Exception):
    def __init__(self, failure: SnippetError) -> None:
        super().__init__(failure.message)
        self.failure = failure


def _resident(pid: int) -> int:
    """Bytes of a process's memory that only RAM or swap can hold (anonymous and shared), 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
    except OSError:
        return 0
    return sum(int(fields.get(name, "0 kB").split()[0]) * 1024 for name in ("RssAnon", "RssShmem"))


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL to the worker's whole process group (its session: the snippet's own subprocesses too)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def _exit_on_signal(signum: int, frame: object) -> None:
    """SIGTERM and SIGHUP end the build as an exception, as Ctrl-C does.

    Python's default for them is to die on the spot, which skips every ``finally`` and MkDocs'
    ``on_shutdown``: the worker would train on for nobody until its parent-death signal. As an exception,
    ``WorkerClient.run`` stops the worker's process group and the build process exits at once.
    """
    raise SystemExit(128 + signum)


class WorkerClient:
    """One long-lived worker process; ``run`` starts it when needed and replaces it after a crash or hang.

    Start it (the first ``run``) from a thread that lives as long as the build process: the main thread, or
    a long-lived runner thread. The worker asks the kernel for SIGKILL when the *thread* that started it
    exits (PR_SET_PDEATHSIG); that is how it dies with a build killed by SIGKILL, and a short-lived thread
    would kill it early. From the main thread, ``start`` also turns SIGTERM and SIGHUP into ``SystemExit``
    (where their handler is still the default), so they stop the build and its worker cleanly.
    """

    def __init__(self, root: Path, extra_env: dict[str, str] | None = None, runtime: Runtime | None = None) -> None:
        """``extra_env``: variables that change how the worker runs, never what it prints (see lanes.py);
        ``runtime``: the kernels it computes with and the CPU it runs on (runtime.py)."""
        self.root = root
        self.extra_env = extra_env or {}
        self.runtime = runtime or Runtime()
        self._process: subprocess.Popen[bytes] | None = None
        self._replies: int | None = None
        self._buffer = b""
        self._ended = False  # the last read met end of file (a death), not a timeout
        self._forget_loads = False
        self._closing = False  # set by kill(): no worker is started again
        self._over_memory = False  # the last read was cut short by the memory backstop
        self._running = ""  # the snippet being run, for progress lines
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as this client
        self._saved_handlers: dict[int, object] = {}
        self._prepared = False  # the running worker has imported torch and transformers (a Prepare)
        self.starts = 0

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start a worker and wait until it runs (the profile's libraries come later: ``_prepare``); ``WorkerDied``
        if it cannot."""
        self.handle_ending_signals()
        read_fd, write_fd = os.pipe()
        env = {**os.environ, **self.extra_env, **self.runtime.env()}
        log.info("livenotes: starting the worker")
        command = [
            *("-m", "livenotes._internal.worker", "--reply-fd", str(write_fd), "--parent-pid", str(os.getpid())),
            *("--profile", self.runtime.profile),
        ]
        self._process = subprocess.Popen(
            [*self.runtime.command(), sys.executable, *command],
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
        self._prepared = False
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
        try:
            outcome = self._run(snippet)
        except BaseException:
            # Ctrl-C (KeyboardInterrupt) or SIGTERM/SIGHUP (SystemExit) while the worker runs or starts: the
            # worker is in a session of its own, so no terminal signal reaches it; take its group down now
            self.stop()
            raise
        if isinstance(outcome, SnippetError):  # the worker did not answer: the duration is the time it was given
            return Reply(failure=outcome, duration=time.perf_counter() - started)
        return outcome

    def _run(self, snippet: Snippet) -> Reply | SnippetError:
        if self._closing:  # killed on purpose from another thread: start nothing more
            return SnippetError("the build stopped before this snippet ran", snippet.display_path, kind="interrupted")
        if not self.running:
            try:
                self.start()
            except WorkerDied as died:
                return died.failure
        assert self._process is not None and self._process.stdin is not None
        log_offset = self._log_size()
        if not self._prepared and needs_libraries(snippet):
            failure = self._prepare(snippet, log_offset)
            if failure is not None:
                return failure
        limit = snippet.options.memory or DEFAULT_MEMORY_LIMIT
        timeout = snippet.options.timeout * self.runtime.slowdown  # an emulated CPU, say, takes longer
        request = Request(
            path=str(snippet.path),
            display_path=snippet.display_path,
            text=snippet.text,
            timeout=timeout,
            memory_limit=limit,
            random_init=snippet.options.random_init,
            forget_loads=self._forget_loads,
        )
        self._forget_loads = False
        # the worker's rlimit makes allocations fail past the limit; memory it does not count (shared
        # memory, say) is caught here, with a margin so that the rlimit's clearer error comes first
        ceiling = _resident(self._process.pid) + limit + max(256 << 20, limit // 4)
        self._send(request)
        self._running = snippet.display_path
        reply = self._read_reply(timeout + GRACE, ceiling)
        self._running = ""
        if isinstance(reply, Reply):
            return reply
        if self._over_memory:
            advice = memory_advice(snippet.display_path, limit)
            failure = self._failure_after_death("memory", advice + ": the worker was stopped", snippet, log_offset)
        elif not self._ended:
            failure = self._failure_after_death(
                "timeout",
                f"no result after {timeout:g} s: the worker was stopped and will be restarted",
                snippet,
                log_offset,
            )
        else:
            failure = self._failure_after_death(
                "crash", "the worker process died while running this snippet; it will be restarted", snippet, log_offset
            )
        return failure

    def _prepare(self, snippet: Snippet, log_offset: int) -> SnippetError | None:
        """Have the worker prepare the profile's libraries, before the snippet's memory limit is measured."""
        log.info("livenotes: the worker prepares the snippets' libraries (once per worker)")
        self._send(Prepare(threads=self.runtime.threads))
        if not isinstance(self._read_reply(STARTUP_TIMEOUT), Ready):
            return self._failure_after_death(
                "crash", "the worker could not prepare the snippets' libraries", snippet, log_offset
            )
        self._prepared = True
        return None

    def _send(self, instruction: Prepare | Request) -> None:
        """One line on the worker's stdin; a worker that died meanwhile is reported by the read that follows."""
        assert self._process is not None and self._process.stdin is not None
        try:
            self._process.stdin.write((instruction.to_json() + "\n").encode())
            self._process.stdin.flush()
        except BrokenPipeError:
            pass

    def _read_reply(self, timeout: float, memory_ceiling: int | None = None) -> Message | None:
        """The next message that is not progress (progress lines are logged as they come).

        None on death, on timeout, or when the worker's resident memory passes ``memory_ceiling``.
        """
        assert self._replies is not None and self._process is not None
        self._ended = self._over_memory = False
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                try:
                    message = read_message(line)
                except ValueError:  # not our protocol: something in the worker wrote on the reply pipe
                    self._ended = True
                    return None
                if not isinstance(message, Progress):
                    return message
                log.info("livenotes:   %s | %s", self._running or "worker", message.text)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self._replies], [], [], min(left, MEMORY_POLL))
            if not ready:  # a reply waiting to be read wins over the memory check
                if memory_ceiling is not None and _resident(self._process.pid) > memory_ceiling:
                    self._over_memory = True
                    return None
                continue
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:  # end of file: the worker is gone
                self._ended = True
                return None
            self._buffer += chunk

    def _log_size(self) -> int:
        self._log.seek(0, os.SEEK_END)
        return self._log.tell()

    def _failure_after_death(self, kind: str, message: str, snippet: Snippet | None, offset: int = 0) -> SnippetError:
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
        return SnippetError(message, where, kind=kind, details=tail)

    def forget_loads(self) -> None:
        """The next snippet starts with no memoised checkpoint, as in a fresh worker (without its start-up cost)."""
        self._forget_loads = True

    def kill(self) -> None:
        """Kill the worker from another thread, for good; the thread waiting for its reply sees the death, cleans
        up (it alone closes the pipes), and starts no new worker."""
        self._closing = True
        if self._process is not None:
            _kill_group(self._process)

    def handle_ending_signals(self) -> None:
        """From the main thread: SIGTERM and SIGHUP become ``SystemExit`` (a runner's host calls this for it)."""
        if threading.current_thread() is not threading.main_thread() or self._saved_handlers:
            return  # only the main thread may set handlers; a runner thread's host decides for itself
        for signum in ENDING_SIGNALS:
            if signal.getsignal(signum) is signal.SIG_DFL:  # an ignored SIGHUP (nohup) or a host's handler stays
                self._saved_handlers[signum] = signal.signal(signum, _exit_on_signal)

    def stop(self) -> None:
        """Kill the worker's process group (the snippet's own subprocesses too)."""
        process, self._process = self._process, None
        if process is not None:
            _kill_group(process)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(STOP_WAIT)
            if process.stdin:
                with contextlib.suppress(OSError):
                    process.stdin.close()
            self._process = process  # kept so the caller can read its exit status
        if self._replies is not None:
            os.close(self._replies)
            self._replies = None

    def close(self) -> None:
        """Stop the worker and give SIGTERM and SIGHUP back their previous handlers."""
        self.stop()
        self._process = None
        self._log.close()
        if threading.current_thread() is threading.main_thread():
            for signum, handler in self._saved_handlers.items():
                if signal.getsignal(signum) is _exit_on_signal:
                    signal.signal(signum, handler)  # type: ignore[arg-type]
            self._saved_handlers = {}
