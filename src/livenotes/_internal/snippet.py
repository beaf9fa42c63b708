"""A snippet file: its text, the options in its header, and what it visibly depends on."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .errors import SnippetError, location
from .project import Project

DEFAULT_TIMEOUT = 120.0
_OPTION_LINE = re.compile(r"^#\s*livenotes:\s*(.*)$")
_KNOWN_OPTIONS = {"timeout", "random-init", "needs", "produces", "memory"}
_SIZE = re.compile(r"^(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[KMG])(?:i?B)?$", re.IGNORECASE)
_UNITS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


@dataclass(frozen=True)
class Options:
    """What a snippet declares in ``# livenotes: ...`` header comments."""

    timeout: float = DEFAULT_TIMEOUT
    # the snippet shows a model with (partly) random weights on purpose
    random_init: bool = False
    # other snippets that must run first (they make a checkpoint this one loads)
    needs: tuple[str, ...] = ()
    # folders this snippet writes (checkpoints other snippets load)
    produces: tuple[str, ...] = ()
    # bytes the snippet may allocate in the worker; None: the build's default (see worker_client)
    memory: int | None = None


@dataclass(frozen=True)
class Snippet:
    """One example file under ``snippets/``, read and checked."""

    name: str  # path relative to snippets/, e.g. "feature_extraction/embed.py"
    path: Path
    text: str
    options: Options = field(default_factory=Options)

    @property
    def display_path(self) -> str:
        """``snippets/<name>``, as messages and pages show it."""
        return f"snippets/{self.name}"

    @cached_property
    def shown_text(self) -> str:
        """The code as a reader sees and copies it: the file without its ``# livenotes:`` lines (comments for the
        engine; the code runs the same without them)."""
        kept = [line for line in self.text.splitlines(keepends=True) if not _OPTION_LINE.match(line.strip())]
        return "".join(kept).lstrip("\n")

    @cached_property
    def tree(self) -> ast.Module:
        """The parsed code (parsed once: imports and literals are read from it)."""
        return ast.parse(self.text, filename=str(self.path))

    @cached_property
    def imported_modules(self) -> frozenset[str]:
        """Top-level names of the modules the snippet imports."""
        found: set[str] = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
        return frozenset(found)

    @cached_property
    def string_literals(self) -> frozenset[str]:
        """Every string constant in the code: where the engine finds the paths a snippet reads."""
        return frozenset(
            node.value for node in ast.walk(self.tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
        )


def resolve_name(project: Project, name: str, where: str | None = None) -> Path:
    """The file for a snippet name; a clear error for a missing file or a path outside ``snippets/``."""
    candidate = (project.snippets / name).resolve()
    if not candidate.is_relative_to(project.snippets.resolve()):
        raise SnippetError(f"snippet path {name!r} is outside snippets/", where)
    if candidate.suffix != ".py":
        raise SnippetError(f"snippet {name!r} is not a .py file", where)
    if not candidate.is_file():
        raise SnippetError(f"snippet {name!r} does not exist (looked for {candidate})", where)
    return candidate


# path → the snippet last loaded from it: a process that builds again (``mkdocs serve``) parses only the
# snippets whose text changed (parsing and walking every tree took 0.06 s of each rebuild)
_LOADED: dict[Path, Snippet] = {}


def load_snippet(project: Project, name: str, where: str | None = None) -> Snippet:
    """Read and check a snippet: it must exist, live under ``snippets/``, parse, and have valid options."""
    path = resolve_name(project, name, where)
    canonical = path.relative_to(project.snippets.resolve()).as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SnippetError(f"not UTF-8 text: {exc}", location(path, root=project.root)) from None
    known = _LOADED.get(path)
    if known is not None and known.text == text and known.name == canonical:
        return known
    snippet = Snippet(canonical, path, text, parse_options(text, f"snippets/{canonical}"))
    try:
        _ = snippet.tree  # parsed once here; imports and literals are read from the same tree
    except SyntaxError as exc:
        raise SnippetError(f"SyntaxError: {exc.msg}", location(snippet.display_path, exc.lineno)) from None
    _ = snippet.imported_modules, snippet.string_literals  # read now, while one thread holds the snippet
    _LOADED[path] = snippet
    return snippet


def parse_options(text: str, display_path: str) -> Options:
    values: dict[str, object] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        match = _OPTION_LINE.match(line.strip())
        if not match:
            continue
        for item in filter(None, (part.strip() for part in match.group(1).split(";"))):
            key, _, value = item.partition("=")
            key, value = key.strip(), value.strip()
            where = location(display_path, lineno)
            if key not in _KNOWN_OPTIONS:
                raise SnippetError(f"unknown livenotes option {key!r} (known: {sorted(_KNOWN_OPTIONS)})", where)
            if key == "timeout":
                try:
                    values["timeout"] = float(value)
                except ValueError:
                    raise SnippetError(f"timeout must be a number of seconds, not {value!r}", where) from None
            elif key == "memory":
                values["memory"] = parse_size(value, where)
            elif key == "random-init":
                values["random_init"] = True
            else:
                listed = tuple(v.strip() for v in value.split(",") if v.strip())
                values[key] = values.get(key, ()) + listed  # type: ignore[operator]
    return Options(**values)  # type: ignore[arg-type]


def parse_size(value: str, where: str) -> int:
    """Bytes from ``12G``, ``500M`` or ``800K`` (binary units: 1K = 1024 bytes)."""
    match = _SIZE.match(value)
    size = int(float(match.group("number")) * _UNITS[match.group("unit").upper()]) if match else 0
    if size <= 0:
        raise SnippetError(f"memory must be a size such as 12G, 500M or 800K, not {value!r}", where)
    return size
