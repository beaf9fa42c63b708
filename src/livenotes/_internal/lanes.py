"""Recipes side by side: while the engine's worker runs snippets in dependency order, another trains a recipe.

Training is almost all of a cold build (about 480 of 500 s on these 2-core machines), and the site's recipes
do not all need each other: the two fine-tunings can train while the GPT-2 and BERT pretraining do. Two
workers with two torch threads each on two cores only gain when an idle OpenMP thread sleeps instead of
spinning (``OMP_WAIT_POLICY=PASSIVE``). Measured on shortened copies of two recipes, one run each:

    wait policy    one after the other    side by side
    default        53.0 s                 77.0 s   (spinning threads fight over the cores)
    PASSIVE        57.4 s                 47.3 s

with the same printed output, losses included, in all four runs. The wait policy decides how a thread
waits, not what it computes, so it is not part of the cache key (``execution.runtime``); every result is
still compared with its approved output.

The calling thread is lane 0: it takes the next ready snippet in order, whatever it is, and runs it in the
engine's own worker. Each extra lane is a thread with a worker of its own that takes only recipes (snippets
that declare ``produces=``), except a recipe made from what the pages' snippets read too (here the browser
export, made from the four trained checkpoints): that one stays in the engine's worker, whose memo then
reads each checkpoint once for it and the snippets alike. (Keeping every recipe made from another recipe's
folder there, the two pretrainings included, cost 40 to 80 s of a cold build: they could no longer train
beside the fine-tunings.) A lane's worker is started by its thread and dies with it
(``PR_SET_PDEATHSIG``); the lanes end with the call. Ctrl-C, SIGTERM or SIGHUP in the calling thread kills
every lane's worker (a recipe cut short removes what it half wrote) before the exception goes on.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, Protocol

from .errors import SnippetError
from .graph import SnippetGraph
from .snippet import Snippet
from .worker_client import WorkerClient

SIDE_BY_SIDE_ENV = {"OMP_WAIT_POLICY": "PASSIVE"}
LANE_STOP_WAIT = 5.0  # seconds for a lane to see its killed worker and clean up after Ctrl-C


def default_lanes() -> int:
    """2 on a machine with two cores or more (more lanes: no measured gain), else 1."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1


class Evaluator(Protocol):
    """What the lanes need of the engine (engine.Engine is one): this module never imports it."""

    graph: SnippetGraph
    worker: WorkerClient
    lanes: int
    lane_starts: int

    def snippet(self, name: str) -> Snippet: ...
    def key_of(self, name: str) -> tuple[str, dict]: ...
    def evaluate(self, name: str) -> Any: ...
    def evaluate_on(self, worker: WorkerClient, name: str) -> Any: ...
    def new_worker(self) -> WorkerClient: ...


class _Board:
    """What is left to evaluate, what runs and what is done; every lane looks at it under one lock."""

    def __init__(self, engine: Evaluator, order: list[str], made: Callable[[Any], None]) -> None:
        self.engine = engine
        self.made = made
        self.lock = threading.Condition()
        self.pending = list(order)
        self.running: set[str] = set()
        self.finished: set[str] = set()
        self.failed: BaseException | None = None  # a lane's own bug: the call raises it
        self.closed = False
        self.needs: dict[str, list[str]] = {}
        recipes: set[str] = set()
        for name in order:  # loaded and keyed here, in one thread: the lanes then only read
            try:
                snippet = engine.snippet(name)
                engine.key_of(name)
                self.needs[name] = [engine.snippet(need).name for need in engine.graph.needs(snippet)]
            except SnippetError:
                self.needs[name] = []  # evaluating it reports the problem
                continue
            if snippet.options.produces:
                recipes.add(name)
        # what the pages' snippets (not the recipes) are made from: a recipe made from it too stays in lane 0
        read_by_pages = {need for name, needs in self.needs.items() if name not in recipes for need in needs}
        # what an extra lane may take
        self.side = {name for name in recipes if not read_by_pages & set(self.needs[name])}

    @property
    def over(self) -> bool:
        return self.closed or self.failed is not None or not (self.pending or self.running)

    def take(self, *, side: bool) -> str | None:
        """The first pending snippet whose needs are all done (under the lock), now marked as running."""
        for name in self.pending:
            if side and name not in self.side:
                continue
            if all(need in self.finished for need in self.needs[name]):
                self.pending.remove(name)
                self.running.add(name)
                return name
        return None

    def next(self, *, side: bool) -> str | None:
        """Wait for a snippet this lane may run; None when there is nothing more for it."""
        with self.lock:
            while not self.over:
                name = self.take(side=side)
                if name is not None:
                    return name
                self.lock.wait(1.0)
            return None

    def finish(self, name: str, evaluation: Any) -> None:
        with self.lock:
            self.running.discard(name)
            self.finished.add(name)
            if not self.closed:
                self.made(evaluation)
            self.lock.notify_all()


def evaluate_in_lanes(engine: Evaluator, order: list[str], made: Callable[[Any], None]) -> None:
    """Evaluate ``order`` (dependency-ordered) in ``engine.lanes`` lanes, handing each evaluation to ``made``."""
    board = _Board(engine, order, made)
    workers = [engine.new_worker() for _ in range(engine.lanes - 1)]
    threads = [
        threading.Thread(target=_lane, args=(board, worker), name=f"livenotes-lane-{index}", daemon=True)
        for index, worker in enumerate(workers, 1)
    ]
    engine.worker.handle_ending_signals()  # SIGTERM and SIGHUP become exceptions here, where the lanes are stopped
    for thread in threads:
        thread.start()
    try:
        while (name := board.next(side=False)) is not None:
            board.finish(name, engine.evaluate(name))
        if board.failed is not None:
            raise board.failed
    finally:
        with board.lock:
            board.closed = True
            board.lock.notify_all()
        for worker in workers:
            worker.kill()  # a no-op for one that is idle or never started
        for thread in threads:
            thread.join(LANE_STOP_WAIT)
        engine.lane_starts += sum(worker.starts for worker in workers)


def _lane(board: _Board, worker: WorkerClient) -> None:
    try:
        while (name := board.next(side=True)) is not None:
            board.finish(name, board.engine.evaluate_on(worker, name))
    except BaseException as error:  # handed to the calling thread, which raises it
        with board.lock:
            board.failed = error
            board.lock.notify_all()
    finally:
        worker.close()
