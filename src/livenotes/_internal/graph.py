"""The snippets' dependency graph, in one place: what each reads, who makes it, what runs first.

A snippet depends on another when it declares ``# livenotes: needs=...`` or when it names a folder
that the other declares with ``# livenotes: produces=...`` (a recipe that trains a checkpoint).
The graph is made anew for every build, since snippets change between builds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .errors import SnippetError
from .project import Project
from .snippet import Snippet

INPUT_FOLDERS = ("checkpoints/", "data/")  # string literals starting so are files a snippet reads


def referenced_inputs(project: Project, snippet: Snippet) -> list[str]:
    """String literals naming what a snippet reads: ``checkpoints/...``, ``data/...``, or a model folder."""
    found = []
    for literal in snippet.string_literals:
        if "\n" in literal or len(literal) > 300 or literal.rstrip("/") + "/" in INPUT_FOLDERS:
            continue  # a bare "checkpoints/" (say, in removeprefix) names no input: it would key on every checkpoint
        if literal.startswith(INPUT_FOLDERS) or (project.root / literal / "config.json").is_file():
            found.append(literal.rstrip("/"))
    return sorted(set(found))


class SnippetGraph:
    """Inputs, producers, needs and run order of a project's snippets, for one build."""

    def __init__(self, project: Project, load: Callable[[str], Snippet]) -> None:
        self.project = project
        self._load = load
        self._producers: dict[str, str] | None = None
        self._inputs: dict[str, dict[str, str | None]] = {}  # keys, needs and order all ask, many times a build

    def producers(self) -> dict[str, str]:
        """Folder → the snippet that writes it (from ``# livenotes: produces=...``)."""
        if self._producers is None:
            self._producers = {}
            for name in self.project.all_snippets():
                try:
                    for folder in self._load(name).options.produces:
                        self._producers[folder.rstrip("/")] = name
                except SnippetError:
                    continue  # a broken snippet produces nothing; its own page reports it
        return self._producers

    def maker_of(self, path: str) -> str | None:
        """The snippet that writes ``path`` (a produced folder or a file inside one), if any."""
        for folder, maker in self.producers().items():
            if path == folder or path.startswith(folder + "/"):
                return maker
        return None

    def inputs(self, snippet: Snippet) -> dict[str, str | None]:
        """What the snippet reads → the snippet that makes it (None: a file to hash). Its own products are outputs."""
        if snippet.name not in self._inputs:
            found = {}
            for path in referenced_inputs(self.project, snippet):
                maker = self.maker_of(path)
                if maker != snippet.name:
                    found[path] = maker
            self._inputs[snippet.name] = found
        return self._inputs[snippet.name]

    def needs(self, snippet: Snippet) -> list[str]:
        """Declared needs, plus the snippets that make what this one reads."""
        found = list(snippet.options.needs)
        for maker in self.inputs(snippet).values():
            if maker and maker not in found:
                found.append(maker)
        return found

    def order(self, names: Iterable[str]) -> list[str]:
        """``names`` and everything they need, each after what it needs (stable otherwise).

        A cycle is a ``SnippetError`` at the snippet that closes it; a snippet that cannot be loaded
        keeps its place (running it reports the problem).
        """
        done: list[str] = []
        seen: set[str] = set()

        def visit(name: str, chain: tuple[str, ...]) -> None:
            try:
                snippet = self._load(name)
            except SnippetError:
                if name not in seen:
                    seen.add(name)
                    done.append(name)
                return
            if snippet.name in chain:
                raise SnippetError("needs form a cycle: " + " → ".join((*chain, snippet.name)), snippet.display_path)
            if snippet.name in seen:
                return
            for need in self.needs(snippet):
                visit(need, (*chain, snippet.name))
            seen.add(snippet.name)
            done.append(snippet.name)

        for name in names:
            visit(name, ())
        return done
