"""livenotes: run the snippets of a MkDocs site at build time, cache their results, check them.

Everything public is re-exported here, once, and listed in ``__all__``; the modules behind it are private.
"""

from livenotes._internal.approved import Drift, approve, approved_path, check, matches
from livenotes._internal.directives import Directive, Page, parse_page
from livenotes._internal.engine import Engine, Evaluation
from livenotes._internal.errors import SnippetError
from livenotes._internal.glossary import Term, link_terms, read_glossary
from livenotes._internal.graph import SnippetGraph
from livenotes._internal.mkdocs_build import LiveNotesBuild
from livenotes._internal.notebooks import Links, NotebookSource, build_notebook, notebook_uri
from livenotes._internal.project import Project
from livenotes._internal.results import Figure, Result
from livenotes._internal.runner import BackgroundRunner
from livenotes._internal.snippet import Options, Snippet, load_snippet

__all__ = [
    "BackgroundRunner",
    "Directive",
    "Drift",
    "Engine",
    "Evaluation",
    "Figure",
    "Links",
    "LiveNotesBuild",
    "NotebookSource",
    "Options",
    "Page",
    "Project",
    "Result",
    "Snippet",
    "SnippetError",
    "SnippetGraph",
    "Term",
    "approve",
    "approved_path",
    "build_notebook",
    "check",
    "link_terms",
    "load_snippet",
    "matches",
    "notebook_uri",
    "parse_page",
    "read_glossary",
]
