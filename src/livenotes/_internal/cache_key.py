"""Content-addressed keys: a snippet's key changes when anything that can change its output does.

The key covers what the snippet's code means (meaning.py: comments and layout aside), the keys of the snippets
it needs, the versions of Python and of every installed distribution it imports (with their dependencies), the
hashes of the checkpoints and data files it names, what the engine's execution code means, and the runtime it
executes in (CPU architecture, thread count, the worker's environment, the site's profile: ``Runtime.key``).
"""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import json
import os
import platform
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from .atomic import write_atomic
from .filehashes import FileHashes
from .meaning import digest_of_files, meaning
from .project import Project
from .runtime import Runtime
from .snippet import Snippet

# Bump when the meaning of a cached result changes in a way the digests below cannot see.
CACHE_FORMAT = 2
# how a snippet runs in the worker (not how the worker process is managed: that changes no output); the site's
# runtime profile adds its own files (Runtime.key)
WORKER_SOURCES = (Path(__file__).with_name("execution.py"), Path(__file__).with_name("figure_png.py"))


def engine_digest() -> str:
    """What the engine's code that runs snippets means (``WORKER_SOURCES``; comments and docstrings aside)."""
    return digest_of_files(WORKER_SOURCES)


@cache
def distributions_of_module() -> dict[str, list[str]]:
    """Top-level module → the distributions that provide it (read once per process: it scans every one)."""
    return metadata.packages_distributions()


def canonical_name(name: str) -> str:
    """A distribution's name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@cache
def _requirements(dist: str) -> tuple[str, ...]:
    try:
        declared = metadata.requires(dist) or []
    except metadata.PackageNotFoundError:
        return ()
    names = []
    for line in declared:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            names.append(canonical_name(req.name))
    return tuple(names)


def library_versions(
    modules: frozenset[str] | set[str],
    distributions: dict[str, list[str]] | None = None,
    implied: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, str]:
    """Versions of the distributions that provide ``modules``, and of everything they require.

    ``distributions``: module → providing distributions, when the caller remembers it (else it is read);
    ``implied``: what a distribution runs on without declaring it (the site's profile says: transformers → torch).
    """
    providers = distributions if distributions is not None else distributions_of_module()
    pending = [
        canonical_name(dist)
        for module in modules
        if module not in sys.stdlib_module_names
        for dist in providers.get(module, [])
    ]
    pending += [backend for dist in list(pending) for backend in (implied or {}).get(dist, ())]
    versions: dict[str, str] = {}
    while pending:
        dist = pending.pop()
        if dist in versions:
            continue
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
        pending.extend(_requirements(dist))
    return dict(sorted(versions.items()))


def _environment_fingerprint() -> str:
    """Changes whenever a distribution is installed, removed or upgraded (dist-info names carry versions)."""
    names = []
    for entry in sys.path:
        try:
            names += [n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
    return hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()


class VersionBook:
    """``library_versions``, and which distribution provides which module, remembered on disk while the
    installed distributions stay the same.

    Reading every distribution's metadata costs about a second (``packages_distributions()`` alone 0.3 s):
    a warm build must not pay it.
    """

    def __init__(self, store: Path, implied: dict[str, tuple[str, ...]] | None = None) -> None:
        self._store = store
        self._implied = implied or {}
        self._fingerprint = _environment_fingerprint() + json.dumps(self._implied, sort_keys=True)
        try:
            data = json.loads(store.read_text())
            if data.get("fingerprint") != self._fingerprint:
                data = {}
            known, distributions = data.get("known", {}), data.get("distributions")
        except (OSError, ValueError, AttributeError):
            known, distributions = {}, None
        self._known: dict[str, dict[str, str]] = known
        self._distributions: dict[str, list[str]] | None = distributions
        self._dirty = False

    def distributions(self) -> dict[str, list[str]]:
        """Top-level module → the distributions that provide it."""
        if self._distributions is None:
            self._distributions = distributions_of_module()
            self._dirty = True
        return self._distributions

    def versions(self, modules: frozenset[str] | set[str]) -> dict[str, str]:
        wanted = ",".join(sorted(modules))
        if wanted not in self._known:
            self._known[wanted] = library_versions(modules, self.distributions(), self._implied)
            self._dirty = True
        return self._known[wanted]

    def save(self) -> None:
        if self._dirty:
            data = {"fingerprint": self._fingerprint, "known": self._known, "distributions": self._distributions}
            write_atomic(self._store, json.dumps(data).encode())
            self._dirty = False


def code_digest(snippet: Snippet) -> str:
    """What a snippet's code means (comments and layout aside; its docstring counts: it may print it)."""
    return hashlib.sha256(meaning(snippet.text, filename=str(snippet.path)).encode()).hexdigest()


class KeyMaker:
    """Keys of snippets, from what they mean and what they read, in the runtime they execute in."""

    def __init__(self, project: Project, hashes: FileHashes, runtime: Runtime | None = None) -> None:
        self.project = project
        self.hashes = hashes
        self.runtime = runtime or Runtime()
        self.book = VersionBook(project.cache / "libraries.json", self.runtime.module.IMPLIED)
        self._engine = engine_digest()
        self._runtime = self.runtime.key()

    def input_fingerprint(self, name: str, made_by: str | None) -> str:
        """A checkpoint made by a snippet is identified by that snippet's key; anything else by its files."""
        if made_by is not None:
            return "made-by:" + made_by
        path = self.project.root / name
        if path.is_dir():
            return self.hashes.of_folder(path)
        return self.hashes.of_file(path) if path.is_file() else "absent"

    def key(
        self, snippet: Snippet, needed_keys: dict[str, str], inputs: dict[str, str | None]
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """The cache key, the provenance shown with the output, and the material the key is the digest of (kept
        with the result: ``explain`` compares it with today's). ``inputs`` maps a path to its maker's key."""
        modules = snippet.imported_modules
        fingerprints = {name: self.input_fingerprint(name, made_by) for name, made_by in inputs.items()}
        provenance: dict[str, Any] = {
            "python": platform.python_version(),
            "libraries": self.book.versions(modules),
            "inputs": fingerprints,
        }
        material = {
            "format": CACHE_FORMAT,
            "engine": self._engine,
            "runtime": self._runtime,
            "snippet": snippet.name,
            "code": code_digest(snippet),
            # the one header option that changes what runs (the checkpoint guard's); needs and produces are the
            # graph's, timeout and memory change no output
            "random_init": snippet.options.random_init,
            "needs": needed_keys,
            **provenance,
        }
        digest = hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()
        return digest, provenance, material

    def save(self) -> None:
        self.hashes.save()
        self.book.save()
