"""The engine's own directives, in one list; a site's (``Site.directives``) join them in ``registry``."""

from __future__ import annotations

from collections.abc import Iterable

from .directives import DirectiveSpec, Registry, build_report, quiz, run

BUILTIN: tuple[DirectiveSpec, ...] = (run.SPEC, quiz.SPEC, build_report.SPEC)


def registry(extra: Iterable[DirectiveSpec] = ()) -> Registry:
    """Name → spec for the engine's directives and ``extra`` (a site's); two of one name are an error."""
    found: dict[str, DirectiveSpec] = {}
    for spec in (*BUILTIN, *extra):
        if spec.name in found:
            raise ValueError(f"two directives are named {spec.name!r}")
        found[spec.name] = spec
    return found


ENGINE_ONLY = registry()  # for a page read without a site (tests, tools)
