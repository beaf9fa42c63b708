"""What a book declares to the engine: its own layer, named in the plugin's ``site:`` setting.

The engine holds nothing of any one book. A site module (this book's is ``notes_site``) defines ``SITE =
livenotes.Site(...)``: the runtime profile its snippets run with (runtime.py), the words its pages use
(texts.py), the libraries whose versions it shows, its download bundle, its notebooks' first cells, and its own
directives. Without a site, snippets run with the standard library's seeds only, and pages read in English.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cached_property

from .directives import DirectiveSpec, Registry
from .downloads import BundleSpec
from .errors import SnippetError
from .notebooks import SiteSetup
from .registry import registry
from .runtime import PLAIN_PROFILE
from .texts import Texts


@dataclass(frozen=True)
class Site:
    """A book's declarations, each made once."""

    runtime: str = PLAIN_PROFILE  # the runtime profile module the worker imports (runtime.Profile)
    texts: Texts = field(default_factory=Texts)
    libraries: tuple[str, ...] = ()  # distributions whose versions the pages show under outputs and in downloads/
    bundle: BundleSpec | None = None  # what downloads/ publishes (None: no bundle)
    notebook_setup: SiteSetup | None = None  # a notebook's first cells (None: none)
    directives: tuple[DirectiveSpec, ...] = ()  # the site's own, beside the engine's

    @cached_property
    def registry(self) -> Registry:
        """Every directive a page of this site may use."""
        return registry(self.directives)


def load_site(name: str | None) -> Site:
    """The ``SITE`` of the module ``name`` (a plain site for none); a clear error when it is not one."""
    if not name:
        return Site()
    try:
        module = importlib.import_module(name)
    except ImportError as error:
        raise SnippetError(f"the site module {name!r} cannot be imported: {error}", "mkdocs.yml") from None
    site = getattr(module, "SITE", None)
    if not isinstance(site, Site):
        raise SnippetError(f"{name} defines no SITE = livenotes.Site(...)", "mkdocs.yml")
    return site
