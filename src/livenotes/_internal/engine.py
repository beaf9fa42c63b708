"""The one way to evaluate a snippet: key it, take it from the cache or run it in the worker, store it,
and compare it with its approved output.

Used alike by the MkDocs hook, the notebooks, the tests and the command line. There is no path that
shows a result without comparing it: ``evaluate`` is the only public way to a result.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from . import approved
from .atomic import write_atomic
from .cache import ResultCache
from .cache_key import KeyMaker
from .errors import SnippetError
from .filehashes import FileHashes
from .graph import SnippetGraph
from .lanes import SIDE_BY_SIDE_ENV, default_lanes, evaluate_in_lanes
from .log import log
from .project import Project
from .results import Result
from .runtime import Runtime
from .snippet import Snippet, load_snippet
from .worker_client import WorkerClient

PRODUCT_STAMP = ".livenotes-key"  # in each folder a snippet produces: the key of the run that wrote it


@dataclass(frozen=True)
class Evaluation:
    """A snippet's result in this build and how it compares with its approved output."""

    result: Result
    drift: approved.Drift | None  # None when it matches (or when it failed: a failure has nothing to compare)

    @property
    def status(self) -> str:
        """``ok``, ``drift``, or the failure's kind."""
        if not self.result.ok:
            return self.result.status
        return "drift" if self.drift is not None else "ok"

    @property
    def problem(self) -> SnippetError | None:
        """The failure, or the drift as an error located at the snippet; None when all is well."""
        if self.result.failure is not None:
            return self.result.failure
        if self.drift is not None:
            return SnippetError(self.drift.describe(), f"snippets/{self.result.snippet}", kind="drift")
        return None


Progress = Callable[[int, int, Evaluation], None]


class Engine:
    """Evaluates snippets for one project: keys them, reuses cached results, runs the rest in one warm worker."""

    def __init__(
        self,
        project: Project,
        *,
        use_cache: bool = True,
        rerun: Callable[[Snippet], bool] | None = None,
        lanes: int | None = None,
        runtime: Runtime | None = None,
    ) -> None:
        """``rerun``: snippets to execute even when cached (the tests force the loads they count this way).

        ``lanes``: how many workers ``evaluate_all`` may use at once, recipes side by side (default: see lanes.py).
        ``runtime``: the kernels and the CPU snippets run with (default: the build's, runtime.py).
        """
        self.project = project
        self.use_cache = use_cache
        self._rerun = rerun or (lambda snippet: False)
        self.cache = ResultCache(project.cache)
        self.runtime = runtime or Runtime()
        self.keys = KeyMaker(project, FileHashes(project.cache / "filehashes.json"), self.runtime)
        self.lanes = default_lanes() if not lanes else max(1, lanes)
        self.worker = self.new_worker()
        self.lane_starts = 0  # workers started by extra lanes (lanes.py), for the report
        self.begin_build()

    @property
    def worker_starts(self) -> int:
        """How many worker processes this engine started: its own (restarts included) and its lanes'."""
        return self.worker.starts + self.lane_starts

    # -- per build -----------------------------------------------------------------------------
    def begin_build(self) -> None:
        """Forget what the previous build computed (``mkdocs serve`` keeps this object between builds)."""
        self._evaluations: dict[str, Evaluation] = {}
        self._keys: dict[str, tuple[str, dict]] = {}
        self._materials: dict[str, dict] = {}
        self._snippets: dict[str, Snippet] = {}
        self.graph = SnippetGraph(self.project, self.snippet)

    def end_build(self) -> int:
        """Evict stale cache entries; return how many were removed.

        Under another runtime than the build's (``check --kernels``/``--emulate``) nothing is evicted: the build's
        own entries are kept for the next build (the recipes' folders it rewrote are made again by that build).
        """
        if not self.runtime.is_default:
            self.keys.save()
            return 0
        live: dict[str, str | None] = {}
        for name in self.project.all_snippets():
            try:
                live[name] = self.key_of(name)[0]
            except SnippetError:
                live[name] = None  # no key now (a cycle, a snippet mid-edit): keep what it had, it may come back
        self.keys.save()
        return self.cache.evict(live)

    def close(self) -> None:
        """Stop the worker process."""
        self.worker.close()

    def new_worker(self) -> WorkerClient:
        """A worker for this project (not started): the engine's own, or an extra lane's."""
        return WorkerClient(self.project.root, SIDE_BY_SIDE_ENV if self.lanes > 1 else None, self.runtime)

    # -- snippets and keys ---------------------------------------------------------------------
    def snippet(self, name: str, where: str | None = None) -> Snippet:
        """The snippet ``name``, loaded once per build; a ``SnippetError`` names ``where`` it was asked for."""
        if name not in self._snippets:
            snippet = load_snippet(self.project, name, where)
            self._snippets[snippet.name] = snippet
            self._snippets[name] = snippet
        return self._snippets[name]

    def key_of(self, name: str) -> tuple[str, dict]:
        """The cache key and provenance: code, options, libraries, inputs and the keys of what it needs."""
        snippet = self.snippet(name)
        if snippet.name not in self._keys:
            for upstream in self.graph.order([snippet.name]):  # each after what it needs; a cycle raises here
                if upstream in self._keys:
                    continue
                s = self.snippet(upstream)
                needed = {need: self._keys[self.snippet(need).name][0] for need in self.graph.needs(s)}
                # what it reads: made by another snippet (known by that one's key) or to be hashed (None)
                inputs = {path: self._keys[maker][0] if maker else None for path, maker in self.graph.inputs(s).items()}
                digest, provenance, self._materials[s.name] = self.keys.key(s, needed, inputs)
                self._keys[s.name] = digest, provenance
        return self._keys[snippet.name]

    def material_of(self, name: str) -> dict:
        """What the snippet's key is the digest of (``explain`` compares it with a cached result's)."""
        self.key_of(name)
        return self._materials[self.snippet(name).name]

    # -- evaluating ----------------------------------------------------------------------------
    def evaluate(self, name: str, where: str | None = None) -> Evaluation:
        """The snippet's result in this build, compared with its approved output; runs what it needs first."""
        return self.evaluate_on(self.worker, name, where)

    def evaluate_on(self, worker: WorkerClient, name: str, where: str | None = None) -> Evaluation:
        """``evaluate``, executing the snippet itself (not what it needs) in ``worker`` (an extra lane's)."""
        try:
            snippet = self.snippet(name, where)
            key, provenance = self.key_of(snippet.name)
        except SnippetError as error:
            return _invalid(name, error)
        if snippet.name not in self._evaluations:
            result = self._upstream_failure(snippet, key, provenance) or self._result(snippet, key, provenance, worker)
            self._compared(result)
        return self._evaluations[snippet.name]

    def lookup(self, name: str, where: str | None = None) -> Evaluation | None:
        """The evaluation when it needs no execution: made in this build, cached with its products and its needs
        standing, or a snippet that cannot be embedded at all; else None (``mkdocs serve`` shows it as pending)."""
        try:
            snippet = self.snippet(name, where)
            key, _ = self.key_of(snippet.name)
        except SnippetError as error:
            return _invalid(name, error)
        if snippet.name in self._evaluations:
            return self._evaluations[snippet.name]
        cached = self._cached(snippet, key)
        if cached is None:
            return None
        for need in self.graph.needs(snippet):  # a cached result stands only while what it needs still stands
            upstream = self.lookup(need)
            if upstream is None or not upstream.result.ok:
                return None
        return self._compared(cached)

    def evaluate_all(self, names: Iterable[str], progress: Progress | None = None) -> list[Evaluation]:
        """Evaluations of several snippets and what they need, reporting each to ``progress`` as it is made.

        Each runs after what it needs; with more than one lane, recipes that do not need each other train
        side by side (lanes.py).
        """
        order = self.graph.order(dict.fromkeys(names))
        done: list[Evaluation] = []

        def made(evaluation: Evaluation) -> None:
            done.append(evaluation)
            if progress:
                progress(len(done), len(order), evaluation)

        if self.lanes > 1:
            evaluate_in_lanes(self, order, made)
        else:
            for name in order:
                made(self.evaluate(name))
        return done

    def _upstream_failure(self, snippet: Snippet, key: str, provenance: dict) -> Result | None:
        for need in self.graph.needs(snippet):
            upstream = self.evaluate(need).result
            if upstream.failure is not None:
                failure = SnippetError(  # of the upstream's kind: the page's heading says what really went wrong
                    f"it needs snippets/{need}, which failed ({upstream.failure})",
                    snippet.display_path,
                    kind=upstream.failure.kind,
                )
                return Result(snippet.name, key, provenance=provenance, failure=failure)
        return None

    def _compared(self, result: Result) -> Evaluation:
        """The one place a result is compared with its approved output (and kept for this build)."""
        drift = approved.check(self.project, result) if result.ok else None
        self._evaluations[result.snippet] = evaluation = Evaluation(result, drift)
        return evaluation

    def _cached(self, snippet: Snippet, key: str) -> Result | None:
        """The cached result, if caching is on and the folders it produced are still the ones it wrote."""
        if not self.use_cache:
            return None
        cached = self.cache.get(snippet.name, key)
        if cached is not None and not self.products_present(snippet, key):
            return None  # the result is known but the checkpoint it wrote is gone or older: make it again
        return cached

    def _result(self, snippet: Snippet, key: str, provenance: dict, worker: WorkerClient) -> Result:
        cached = None if self._rerun(snippet) else self._cached(snippet, key)
        if cached is not None:
            return cached
        result = self._execute(snippet, key, provenance, worker)
        if result.ok:
            result.failure = self._stamp_products(snippet, key)
            if result.ok:  # a recipe that did not write what it declares is not cached
                self.cache.put(result)
        return result

    def products_present(self, snippet: Snippet, key: str) -> bool:
        """The folders the snippet declares are there, stamped by the run of this key."""
        for folder in snippet.options.produces:
            stamp = self.project.root / folder / PRODUCT_STAMP
            if not stamp.is_file() or stamp.read_text().strip() != key:
                return False
        return True

    def _stamp_products(self, snippet: Snippet, key: str) -> SnippetError | None:
        """Mark each folder the snippet made with its key; a declared folder it did not make is a failure."""
        for folder in snippet.options.produces:
            path = self.project.root / folder
            if not path.is_dir():
                return SnippetError(
                    f"declares produces={folder} but did not write that folder", snippet.display_path, kind="error"
                )
            write_atomic(path / PRODUCT_STAMP, key.encode())
        return None

    def _product_folders(self, snippet: Snippet) -> list[Path]:
        """The declared folders that lie inside a folder of the project (never the project itself, nor a top
        folder such as checkpoints/: a slip in a header must not wipe them)."""
        root = self.project.root.resolve()
        folders = []
        for folder in snippet.options.produces:
            path = self.project.root / folder
            parent = path.parent.resolve()  # the folder itself may be a link to elsewhere
            if parent.is_relative_to(root) and parent != root:
                folders.append(path)
        return folders

    def _clear_products(self, snippet: Snippet, key: str) -> None:
        """Before a recipe runs: a folder stamped by another key is stale (or was left half-written); remove it.

        One stamped with this very key is being written again: unstamp it until the run succeeds.
        """
        for path in self._product_folders(snippet):
            stamp = path / PRODUCT_STAMP
            if stamp.is_file() and stamp.read_text().strip() == key:
                stamp.unlink()
            elif path.exists() or path.is_symlink():
                log.info("livenotes: removing %s before %s writes it again", path, snippet.display_path)
                _remove(path)

    def _remove_unstamped_products(self, snippet: Snippet) -> None:
        """After a failed, crashed or interrupted recipe: what it left without a stamp is half-written."""
        for path in self._product_folders(snippet):
            if (path.exists() or path.is_symlink()) and not (path / PRODUCT_STAMP).is_file():
                log.info("livenotes: removing %s, left half-written by %s", path, snippet.display_path)
                _remove(path)

    def _execute(self, snippet: Snippet, key: str, provenance: dict, worker: WorkerClient) -> Result:
        log.info("livenotes: running %s", snippet.display_path)
        self._clear_products(snippet, key)
        try:
            reply = worker.run(snippet)
        except BaseException:  # Ctrl-C or SIGTERM: the worker is already stopped, nothing writes any more
            self._remove_unstamped_products(snippet)
            raise
        if reply.failure is not None:
            self._remove_unstamped_products(snippet)
        return Result(
            snippet=snippet.name,
            key=key,
            material=self._materials[snippet.name],
            stdout=reply.stdout,
            display=reply.display,
            stderr=reply.stderr,
            figures=reply.figures,
            failure=reply.failure,
            duration=reply.duration,
            loads=reply.loads,
            peak_rss_kb=reply.peak_rss_kb,
            provenance=provenance,
        )


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink()  # a link to a folder elsewhere: remove the link, never what it points to
    else:
        shutil.rmtree(path)


def _invalid(name: str, error: SnippetError) -> Evaluation:
    """A snippet that cannot be embedded (missing, outside snippets/, a bad header, a cycle): nothing to compare."""
    return Evaluation(Result(snippet=name, key="", failure=error), None)
