"""What a Python source means, as opposed to how it is written: the cache keys hash this, not the bytes.

Black's ``--safe`` mode decides that two sources are the same program by comparing their ASTs; so does this. The
AST has no comments and no layout, so re-wrapping a line or fixing a comment in a snippet or in the code that runs
snippets re-runs nothing. An engine docstring is dropped too (``drop_docstrings``); a snippet's is kept, since a
snippet may print its own ``__doc__``. Anything Python would run differently (a name, a number, a string, an
argument) changes the digest.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

_WITH_DOCSTRINGS = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, _WITH_DOCSTRINGS) and node.body:
            first = node.body[0]
            value = first.value if isinstance(first, ast.Expr) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                node.body = node.body[1:] or [ast.Pass()]
    return tree


def meaning(source: str, *, drop_docstrings: bool = False, filename: str = "<source>") -> str:
    """The source's AST as text, without positions (and without docstrings if asked); ``SyntaxError`` if it does not
    parse."""
    tree = ast.parse(source, filename=filename)
    if drop_docstrings:
        tree = _without_docstrings(tree)
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


def digest_of_files(paths: list[Path] | tuple[Path, ...]) -> str:
    """One digest of what several Python files mean (their docstrings left out), each named by its file name."""
    digest = hashlib.sha256()
    for path in paths:
        text = meaning(path.read_text(encoding="utf-8"), drop_docstrings=True, filename=str(path))
        digest.update(path.name.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()
