"""Evaluation in the background, for ``mkdocs serve``: pages render at once, outputs arrive later.

The runner owns its own ``Engine`` (and so the one worker process) on a thread that lives as long as
the server: the worker is started from it, and a worker dies with the thread that started it
(``PR_SET_PDEATHSIG``). Each build hands it the snippets its pages embed; it evaluates them in
dependency order, and when a result arrives that a page is showing as pending, it calls
``on_arrival`` (which makes the server rebuild, and the open page reload).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from .engine import Engine, Evaluation
from .errors import SnippetError
from .log import log
from .project import Project
from .runtime import Runtime


@dataclass(frozen=True)
class Progress:
    """What the runner is doing, for the placeholder of a snippet that has no result yet."""

    done: int
    total: int
    running: str | None  # snippets/x.py


class BackgroundRunner:
    """One thread, one engine, one worker; jobs replace each other (the newest build wins)."""

    def __init__(
        self, project: Project, *, use_cache: bool, runtime: Runtime | None = None, on_arrival: Callable[[], None]
    ) -> None:
        self.engine = Engine(project, use_cache=use_cache, lanes=1, runtime=runtime)  # one job at a time, in order
        # made in the main thread: SIGTERM/SIGHUP then end the server through its finally blocks (on_shutdown
        # kills the worker's whole group), where the default would kill the server alone on the spot
        self.engine.worker.handle_ending_signals()
        self._on_arrival = on_arrival
        self._lock = threading.Condition()
        self._job: list[str] | None = None  # the newest list of wanted snippets, not yet taken
        self._busy = False
        self._closed = False
        self._latest: dict[str, tuple[str, Evaluation]] = {}  # snippet → (key, evaluation) of its last run
        self._shown_waiting: set[str] = set()  # snippets a page rendered as pending
        self._progress = Progress(0, 0, None)
        self._thread = threading.Thread(target=self._loop, name="livenotes-runner", daemon=True)
        self._thread.start()

    # -- the build's side ----------------------------------------------------------------------
    def submit(self, names: list[str]) -> None:
        """Evaluate these snippets (and what they need), replacing any job not yet started."""
        with self._lock:
            self._job = list(dict.fromkeys(names))
            self._lock.notify_all()

    def wait(self, timeout: float) -> bool:
        """Wait until the submitted job is done, at most ``timeout`` seconds; True when it is."""
        with self._lock:
            return self._lock.wait_for(lambda: self._closed or (self._job is None and not self._busy), timeout)

    def latest(self, name: str, key: str) -> Evaluation | None:
        """The runner's evaluation of ``name`` when it was made with this key (failures included)."""
        with self._lock:
            return self._latest_locked(name, key)

    def shown_waiting(self, name: str, key: str) -> Evaluation | None:
        """``latest``, or, when there is none, remember that a page shows the snippet as waiting."""
        with self._lock:
            found = self._latest_locked(name, key)
            if found is None:
                self._shown_waiting.add(name)
            return found

    def _latest_locked(self, name: str, key: str) -> Evaluation | None:
        found = self._latest.get(name)
        return found[1] if found and found[0] == key else None

    @property
    def progress(self) -> Progress:
        """How far the current job is."""
        with self._lock:
            return self._progress

    def close(self) -> None:
        """Stop the thread and the worker (a snippet still running is killed with it)."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        # the thread may be waiting for the worker's reply: kill the worker, let that thread see it and return
        self.engine.worker.kill()
        self._thread.join(timeout=10)
        self.engine.close()

    # -- the thread ----------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._closed or self._job is not None)
                if self._closed:
                    return
                job, self._job, self._busy = self._job or [], None, True
            try:
                self._run(job)
            except Exception:  # the thread must survive anything one job does; the next build tries again
                log.exception("livenotes: the background runner failed")
            finally:
                with self._lock:
                    self._busy = False
                    self._progress = Progress(self._progress.total, self._progress.total, None)
                    self._lock.notify_all()

    def _run(self, job: list[str]) -> None:
        engine = self.engine
        engine.begin_build()
        try:
            order = engine.graph.order(job)
        except SnippetError:
            order = job  # a cycle: each snippet reports it when evaluated
        for index, name in enumerate(order):
            with self._lock:
                if self._closed or self._job is not None:
                    return  # a newer build replaced this job, or the server stops
            try:
                key = engine.key_of(name)[0]
            except SnippetError:
                key = ""
            known = self.latest(name, key)
            if known is not None and key and known.result.status in ("ok", "error", "invalid"):
                continue  # evaluated with this key already (a raised error is not cached on disk, but known here);
                # a timeout, crash or memory failure may pass next time: run it again
            with self._lock:
                self._progress = Progress(index, len(order), f"snippets/{name}")
            evaluation = engine.evaluate(name)
            with self._lock:
                if self._closed:
                    return  # killed on purpose: not a result to show
                self._latest[name] = (key, evaluation)
                arrived = name in self._shown_waiting
                self._shown_waiting.discard(name)
            if arrived:
                self._on_arrival()
        engine.end_build()
