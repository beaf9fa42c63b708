"""livenotes: run the snippets of a MkDocs site at build time, cache their results, check them.

Everything public is re-exported here, once, and listed in ``__all__``; the modules behind it are private.
The MkDocs side (the plugin, its settings, the notebook helpers) is imported on first use (PEP 562), so the
worker process, which imports this package first, never loads mkdocs or nbformat.
"""

import typing as _typing

from livenotes._internal.approved import Drift, approve, approved_path, check, matches
from livenotes._internal.directives import Directive, DirectiveSpec, Page, RenderContext, parse_page
from livenotes._internal.downloads import BundleSpec, FromPip
from livenotes._internal.engine import Engine, Evaluation
from livenotes._internal.errors import SnippetError
from livenotes._internal.glossary import Term, link_terms, read_glossary
from livenotes._internal.graph import SnippetGraph
from livenotes._internal.project import Project
from livenotes._internal.results import Figure, Result
from livenotes._internal.runner import BackgroundRunner
from livenotes._internal.runtime import Runtime
from livenotes._internal.snippet import Options, Snippet, load_snippet
from livenotes._internal.texts import Texts

if _typing.TYPE_CHECKING:  # for type checkers and griffe (the API page); at run time __getattr__ below imports them
    from livenotes._internal.notebooks import Links, NotebookSource, SetupRequest, build_notebook, notebook_uri
    from livenotes._internal.page_caches import PageCaches
    from livenotes._internal.plugin import LiveNotesPlugin
    from livenotes._internal.registry import registry
    from livenotes._internal.settings import Settings
    from livenotes._internal.site import Site, load_site

_LAZY = {
    "LiveNotesPlugin": "livenotes._internal.plugin",
    "Settings": "livenotes._internal.settings",
    "Site": "livenotes._internal.site",
    "load_site": "livenotes._internal.site",
    "registry": "livenotes._internal.registry",
    "Links": "livenotes._internal.notebooks",
    "PageCaches": "livenotes._internal.page_caches",
    "NotebookSource": "livenotes._internal.notebooks",
    "SetupRequest": "livenotes._internal.notebooks",
    "build_notebook": "livenotes._internal.notebooks",
    "notebook_uri": "livenotes._internal.notebooks",
}

__all__ = [
    "BackgroundRunner",
    "BundleSpec",
    "Directive",
    "DirectiveSpec",
    "Drift",
    "Engine",
    "Evaluation",
    "Figure",
    "FromPip",
    "Links",
    "LiveNotesPlugin",
    "NotebookSource",
    "Options",
    "Page",
    "PageCaches",
    "Project",
    "RenderContext",
    "Result",
    "Runtime",
    "Settings",
    "SetupRequest",
    "Site",
    "Snippet",
    "SnippetError",
    "SnippetGraph",
    "Term",
    "Texts",
    "approve",
    "approved_path",
    "build_notebook",
    "check",
    "link_terms",
    "load_site",
    "load_snippet",
    "matches",
    "notebook_uri",
    "parse_page",
    "read_glossary",
    "registry",
]


def __getattr__(name: str) -> object:
    """Import a MkDocs-side name the first time it is asked for, and keep it."""
    if name not in _LAZY:
        raise AttributeError(f"module 'livenotes' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
