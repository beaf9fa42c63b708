"""The engine's shape: no import cycles, nothing of one book in it, every directive declared once and used rightly."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from livenotes import parse_page
from tests.conftest import ROOT, SITE

ENGINE = ROOT / "src" / "livenotes"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ENGINE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every livenotes module ``path`` imports, at run time or for type checking alike."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _engine_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in ENGINE.rglob("*.py")}


def test_the_engine_has_no_import_cycle() -> None:
    modules = _engine_modules()
    graph = {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}
    graph = {name: deps - {"livenotes"} for name, deps in graph.items()}  # the package's re-exports, not a module
    # the relative imports were resolved (a graph without edges would have no cycle either)
    assert "livenotes._internal.engine" in graph["livenotes._internal.plugin"]
    assert "livenotes._internal.directives" in graph["livenotes._internal.directives.run"]

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for dep in graph[node]:
                if dep == start:
                    return [*path, start]
                if dep not in path:
                    stack.append((dep, [*path, dep]))
        return None

    cycles = [cycle for name in sorted(graph) if (cycle := cycle_from(name))]
    assert cycles == [], " / ".join(" → ".join(c) for c in cycles)


@pytest.mark.parametrize("library", ["torch", "transformers", "onnxruntime", "notes_site"])
def test_the_engine_imports_nothing_of_the_sites_runtime(library: str) -> None:
    found = [
        name
        for name, path in _engine_modules().items()
        if any(m == library or m.startswith(library + ".") for m in _imports(path))
    ]
    assert found == []


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def test_the_engine_holds_no_text_of_one_language_but_english() -> None:
    # a reader-facing word of this book lives in its site layer (src/notes_site/texts.py and the directives there)
    found = []
    for name, path in _engine_modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
            if id(node) not in docs and _CJK.search(text):
                found.append(f"{name}:{node.lineno}: {text[:40]!r}")
    assert found == []


def test_every_directive_is_declared_once_with_its_usage() -> None:
    names = [spec.name for spec in SITE.registry.values()]
    assert len(names) == len(set(names))
    assert {"run", "quiz", "build_report", "try_it", "run_locally"} <= set(names)
    for spec in SITE.registry.values():
        assert spec.usage.startswith("{% " + spec.name) and spec.usage.endswith(" %}"), spec.usage
        assert ('"' in spec.usage) == spec.argument, spec.usage


PAGES = sorted(p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md"))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_uses_only_known_directives_and_boxes_its_code(page: str) -> None:
    parsed = parse_page(f"docs/{page}", (ROOT / "docs" / page).read_text(encoding="utf-8"), SITE.registry)
    assert {line: e.message for line, e in parsed.errors.items()} == {}
    boxes = [d for d in parsed.directives if d.kind == "run_locally"]
    # a page with code tells the reader how to run it, once, right under its title
    assert len(boxes) == (1 if parsed.snippets else 0)
    if boxes:
        before = [line for line in parsed.text.splitlines()[parsed.body_line - 1 : boxes[0].line - 1] if line.strip()]
        assert len(before) == 1 and before[0].startswith("# "), "the box comes right after the title"
