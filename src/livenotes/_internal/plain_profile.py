"""The runtime profile of a site that declares none: snippets run with the standard library's seeds only.

A profile is a module the worker imports by name (a site's ``runtime``; this book's is ``notes_site.runtime``).
runtime.py reads its tables in the build; execution.py calls its functions in the worker. See ``runtime.Profile``.
"""

from __future__ import annotations

from pathlib import Path

KERNELS: dict[str, dict[str, str]] = {"native": {}}
DEFAULT_KERNELS = "native"
SLOW_KERNELS: dict[str, float] = {}
ENV = {"PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}
IMPLIED: dict[str, tuple[str, ...]] = {}
SOURCES: tuple[Path, ...] = ()


def prepare(threads: int) -> None:
    """Nothing to import ahead."""


def seed() -> None:
    """``random`` is seeded by the engine itself."""


def begin_snippet(*, random_init: bool, forget: bool) -> list[str]:
    """No reads to count."""
    return []
