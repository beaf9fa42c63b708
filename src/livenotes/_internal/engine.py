"""The one way to run a snippet: key it, take it from the cache or run it in the worker, store it.

Used alike by the MkDocs hook, the tests and the command line.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from .atomic import write_atomic
from .cache import ResultCache
from .cache_key import KeyMaker, referenced_inputs
from .errors import SnippetError
from .filehashes import FileHashes
from .log import log
from .project import Project
from .results import Failure, Result
from .snippet import Snippet, load_snippet
from .worker_client import WorkerClient

Progress = Callable[[int, int, Result], None]
PRODUCT_STAMP = ".livenotes-key"  # in each folder a snippet produces: the key of the run that wrote it


class Engine:
    """Runs snippets for one project: keys them, reuses cached results, runs the rest in one warm worker."""

    def __init__(self, project: Project, *, use_cache: bool = True) -> None:
        self.project = project
        self.use_cache = use_cache
        self.cache = ResultCache(project.cache)
        self.keys = KeyMaker(project, FileHashes(project.cache / "filehashes.json"))
        self.worker = WorkerClient(project.root)
        self.begin_build()

    # -- per build -----------------------------------------------------------------------------
    def begin_build(self) -> None:
        """Forget what the previous build computed (``mkdocs serve`` keeps this object between builds)."""
        self.results: dict[str, Result] = {}
        self._keys: dict[str, tuple[str, dict]] = {}
        self._snippets: dict[str, Snippet] = {}
        self._producers: dict[str, str] | None = None

    def end_build(self) -> int:
        """Evict stale cache entries; return how many were removed."""
        live = {}
        for name in self.project.all_snippets():
            try:
                live[name] = self.key_of(name)[0]
            except SnippetError:
                continue
        self.keys.save()
        return self.cache.evict(live)

    def close(self) -> None:
        """Stop the worker process."""
        self.worker.close()

    # -- snippets and keys ---------------------------------------------------------------------
    def snippet(self, name: str, where: str | None = None) -> Snippet:
        """The snippet ``name``, loaded once per build; a ``SnippetError`` names ``where`` it was asked for."""
        if name not in self._snippets:
            snippet = load_snippet(self.project, name, where)
            self._snippets[snippet.name] = snippet
            self._snippets[name] = snippet
        return self._snippets[name]

    def producers(self) -> dict[str, str]:
        """Checkpoint folder → the snippet that writes it (from ``# livenotes: produces=...``)."""
        if self._producers is None:
            self._producers = {}
            for name in self.project.all_snippets():
                try:
                    for folder in self.snippet(name).options.produces:
                        self._producers[folder.rstrip("/")] = name
                except SnippetError:
                    continue
        return self._producers

    def maker_of(self, path: str) -> str | None:
        """The snippet that writes ``path`` (a produced folder or a file inside one), if any."""
        for folder, maker in self.producers().items():
            if path == folder or path.startswith(folder + "/"):
                return maker
        return None

    def needs(self, snippet: Snippet) -> list[str]:
        """Declared needs, plus the snippets that make the checkpoints this one reads."""
        found = list(snippet.options.needs)
        for path in referenced_inputs(self.project, snippet):
            maker = self.maker_of(path)
            if maker and maker != snippet.name and maker not in found:
                found.append(maker)
        return found

    def key_of(self, name: str, _chain: tuple[str, ...] = ()) -> tuple[str, dict]:
        """The cache key and provenance: code, options, libraries, inputs and the keys of what it needs."""
        snippet = self.snippet(name)
        if snippet.name in _chain:
            raise SnippetError("needs form a cycle: " + " → ".join((*_chain, snippet.name)), snippet.display_path)
        if snippet.name not in self._keys:
            chain = (*_chain, snippet.name)
            needed = {need: self.key_of(need, chain)[0] for need in self.needs(snippet)}
            # what it reads: made by another snippet (known by that one's key) or to be hashed (None);
            # what it writes itself is an output, not an input
            inputs: dict[str, str | None] = {}
            for path in referenced_inputs(self.project, snippet):
                maker = self.maker_of(path)
                if maker != snippet.name:
                    inputs[path] = self.key_of(maker, chain)[0] if maker else None
            self._keys[snippet.name] = self.keys.key(snippet, needed, inputs)
        return self._keys[snippet.name]

    # -- running -------------------------------------------------------------------------------
    def result(self, name: str, where: str | None = None) -> Result:
        """The result of a snippet in this build, running what it needs first."""
        try:
            snippet = self.snippet(name, where)
            key, provenance = self.key_of(snippet.name)
        except SnippetError as error:
            return Result(snippet=name, key="", failure=Failure("invalid", error.message, error.where or where))
        if snippet.name in self.results:
            return self.results[snippet.name]
        for need in self.needs(snippet):
            upstream = self.result(need)
            if not upstream.ok:
                failed = Result(
                    snippet.name,
                    key,
                    provenance=provenance,
                    failure=Failure(
                        "invalid",
                        f"it needs snippets/{need}, which failed ({_cause(upstream.failure)})",
                        snippet.display_path,
                    ),
                )
                self.results[snippet.name] = failed
                return failed
        cached = self.cache.get(snippet.name, key) if self.use_cache else None
        if cached is not None and not self._products_present(snippet, key):
            cached = None  # the result is known but the checkpoint it wrote is gone or older: make it again
        result = cached or self._execute(snippet, key, provenance)
        if result.ok and not result.cached:
            result.failure = self._stamp_products(snippet, key)
            if result.ok:  # a recipe that did not write what it declares is not cached
                self.cache.put(result)
        self.results[snippet.name] = result
        return result

    def run_all(self, names: Iterable[str], progress: Progress | None = None) -> list[Result]:
        """Results of several snippets in order, reporting each to ``progress``."""
        names = list(dict.fromkeys(names))
        done = []
        for index, name in enumerate(names, 1):
            result = self.result(name)
            done.append(result)
            if progress:
                progress(index, len(names), result)
        return done

    def _products_present(self, snippet: Snippet, key: str) -> bool:
        for folder in snippet.options.produces:
            stamp = self.project.root / folder / PRODUCT_STAMP
            if not stamp.is_file() or stamp.read_text().strip() != key:
                return False
        return True

    def _stamp_products(self, snippet: Snippet, key: str) -> Failure | None:
        """Mark each folder the snippet made with its key; a declared folder it did not make is a failure."""
        for folder in snippet.options.produces:
            path = self.project.root / folder
            if not path.is_dir():
                return Failure(
                    "error", f"declares produces={folder} but did not write that folder", snippet.display_path
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

    def _execute(self, snippet: Snippet, key: str, provenance: dict) -> Result:
        log.info("livenotes: running %s", snippet.display_path)
        self._clear_products(snippet, key)
        try:
            reply = self.worker.run(snippet)
        except BaseException:  # Ctrl-C or SIGTERM: the worker is already stopped, nothing writes any more
            self._remove_unstamped_products(snippet)
            raise
        if reply.failure is not None:
            self._remove_unstamped_products(snippet)
        return Result(
            snippet=snippet.name,
            key=key,
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


def _cause(failure: Failure) -> str:
    return f"{failure.where}: {failure.message}" if failure.where else failure.message
