"""``python -m livenotes explain NAME``: would this snippet run again, and because of which input?

Like ``dvc status`` or Bazel's ``--explain``: the key's material (cache_key.KeyMaker) is kept with each cached
result, so the material of today's key can be compared with the one of the result the cache holds, part by part.
"""

from __future__ import annotations

from typing import Any

from .engine import Engine

_PARTS = {
    "format": "the cache's format",
    "engine": "the engine's code that runs snippets (execution.py)",
    "runtime": "the runtime",
    "snippet": "the snippet's name",
    "code": "the snippet's code (what it means: comments and layout do not count)",
    "random_init": "its random-init option",
    "python": "Python",
}


def _changes(then: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """One line per part of the key that differs."""
    lines = []
    for part in sorted(set(then) | set(now)):
        old, new = then.get(part), now.get(part)
        if old == new:
            continue
        if part in ("libraries", "inputs", "needs") and isinstance(old, dict) and isinstance(new, dict):
            for name in sorted(set(old) | set(new)):
                if old.get(name) != new.get(name):
                    what = {"libraries": "library", "inputs": "input", "needs": "needed snippet"}[part]
                    lines.append(f"{what} {name}: {_short(old.get(name))} → {_short(new.get(name))}")
        elif part == "runtime" and isinstance(old, dict) and isinstance(new, dict):
            for name in sorted(set(old) | set(new)):
                if old.get(name) != new.get(name):
                    lines.append(f"runtime {name}: {_short(old.get(name))} → {_short(new.get(name))}")
        else:
            lines.append(f"{_PARTS.get(part, part)}: {_short(old)} → {_short(new)}")
    return lines


def _short(value: Any) -> str:
    if value is None:
        return "(none)"
    text = str(value)
    if len(text) == 64 and all(c in "0123456789abcdef" for c in text):
        return text[:12]
    text = text.removeprefix("made-by:")
    return text if len(text) <= 80 else text[:77] + "..."


def explain(engine: Engine, name: str, depth: int = 0) -> list[str]:
    """Lines saying whether the snippet would run again and which inputs changed (needed snippets followed)."""
    snippet = engine.snippet(name)
    key = engine.key_of(snippet.name)[0]
    material = engine.material_of(snippet.name)
    indent = "    " * depth
    held = engine.cache.get(snippet.name, key)
    if held is not None:
        if engine.products_present(snippet, key):
            return [f"{indent}{snippet.display_path}: cached (key {key[:12]}), would not run again"]
        return [
            f"{indent}{snippet.display_path}: cached (key {key[:12]}), but a folder it produces is gone or was "
            "written by another run: would run again"
        ]
    latest = engine.cache.latest(snippet.name)
    if latest is None:
        return [f"{indent}{snippet.display_path}: would run (the cache holds no result of it)"]
    lines = [f"{indent}{snippet.display_path}: would run again (key {key[:12]}; the cache holds {latest.key[:12]})"]
    if not latest.material:
        return [*lines, f"{indent}  (that result was cached before keys kept their material: no part to compare)"]
    for change in _changes(latest.material, material):
        lines.append(f"{indent}  changed: {change}")
    for need, need_key in material.get("needs", {}).items():
        if latest.material.get("needs", {}).get(need) != need_key:
            lines += explain(engine, need, depth + 1)
    return lines
