"""livenotes: run the snippets of a MkDocs site at build time, cache their results, check them.

Everything public is re-exported here, once, and listed in ``__all__``; the modules behind it are private.
"""

from livenotes._internal.approved import Drift, approve, approved_path, check, matches
from livenotes._internal.directives import Directive, find_directives
from livenotes._internal.engine import Engine
from livenotes._internal.errors import SnippetError
from livenotes._internal.glossary import Term, link_terms, read_glossary
from livenotes._internal.mkdocs_build import LiveNotesBuild
from livenotes._internal.notebook_pages import NotebookPages
from livenotes._internal.notebooks import Links, build_notebook, notebook_uri
from livenotes._internal.project import Project
from livenotes._internal.results import Failure, Figure, Result
from livenotes._internal.snippet import Options, Snippet, load_snippet

__all__ = [
    "Directive",
    "Drift",
    "Engine",
    "Failure",
    "Figure",
    "Links",
    "LiveNotesBuild",
    "NotebookPages",
    "Options",
    "Project",
    "Result",
    "Snippet",
    "SnippetError",
    "Term",
    "approve",
    "approved_path",
    "build_notebook",
    "check",
    "find_directives",
    "link_terms",
    "load_snippet",
    "matches",
    "notebook_uri",
    "read_glossary",
]
