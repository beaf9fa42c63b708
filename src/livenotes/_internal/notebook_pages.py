"""The generated notebooks' pages without their per-build cost: remembered renderings, no search entries.

The notebook pages are large (0.7–1.3 MB of HTML each) and, once the notebooks are byte-stable between
builds, everything done to them is a pure function of their content. So:

- mkdocs-jupyter's own render cache (notebook bytes + its options → HTML, TOC and title) is pointed at
  ``.cache/livenotes/notebook-pages/<libraries>/``: beside the engine's cache, whatever the working folder,
  and in a folder named after the versions of the libraries that make the HTML (its own key leaves them out,
  so an upgraded nbconvert would otherwise serve the old rendering);
- the glossary's links on a notebook page are remembered on disk by the page's HTML, the terms, the
  page's address and the glossary code;
- the notebook pages leave the search index: they repeat their chapters, which are indexed.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import jinja2

from . import glossary
from .atomic import write_atomic
from .notebooks import FOLDER
from .project import Project

PLUGIN = "mkdocs-jupyter"
# what turns a notebook into the page's HTML: a new version of any of them may change the rendering
_RENDERERS = ("mkdocs-jupyter", "nbconvert", "nbformat", "mistune", "pygments", "jupyterlab_pygments")


def _versions(names: tuple[str, ...]) -> str:
    versions = []
    for name in names:
        try:
            versions.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name}==none")
    return "\n".join(versions)


class NotebookPages:
    """Per-project caches for the notebook pages; ``mkdocs serve`` keeps one across rebuilds."""

    _of_cache: ClassVar[dict[Path, NotebookPages]] = {}  # both hooks of one process share one per project

    def __init__(self, cache: Path) -> None:
        self.root = cache / "notebook-pages"
        renderers = hashlib.sha256(_versions(_RENDERERS).encode()).hexdigest()[:16]
        self.render_dir = self.root / f"render-{renderers}"
        self.links_dir = self.root / "glossary-links"
        self._used_links: set[Path] = set()

    @classmethod
    def of(cls, config: Any) -> NotebookPages:
        """The instance for the project of this MkDocs config (made on first use)."""
        cache = Project(Path(config.config_file_path).resolve().parent).cache
        return cls._of_cache.setdefault(cache, cls(cache))

    @staticmethod
    def is_notebook_page(src_uri: str) -> bool:
        """A page made from a generated notebook (``notebooks/<chapter>.ipynb``)."""
        return src_uri.startswith(f"{FOLDER}/") and src_uri.endswith(".ipynb")

    @staticmethod
    def exclude_from_search(page: Any) -> None:
        """Material's search skips a page whose meta says ``search: exclude`` before parsing its HTML."""
        page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}

    def configure(self, config: Any) -> None:
        """Point mkdocs-jupyter's render cache here (it reads ``cache_dir`` when a page renders)."""
        plugin = config.plugins.get(PLUGIN)
        if plugin is None or not plugin.config.get("cache", False):
            return
        plugin.config["cache_dir"] = str(self.render_dir)
        if self.root.is_dir():
            for old in self.root.glob("render-*"):  # renderings by other library versions are never read again
                if old != self.render_dir:
                    shutil.rmtree(old, ignore_errors=True)
        self._used_links = set()

    def render_in_turn(self, page: Any) -> None:
        """Builds of one project render notebook pages one at a time (an exclusive lock around mkdocs-jupyter's
        render): it writes a cache entry in place, and another build reading it at that moment would get half."""
        render = page.render
        lock = self.render_dir / ".lock"

        def locked(config: Any, files: Any) -> Any:
            lock.parent.mkdir(parents=True, exist_ok=True)
            with lock.open("a") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
                return render(config, files)

        page.render = locked

    def with_template_cache(self, env: Any) -> Any:
        """The theme's Jinja environment with compiled templates kept on disk (by template source checksum).

        MkDocs makes a new environment for every build, and so for every rebuild under ``mkdocs serve``:
        without this, Material's templates are compiled again each time.
        """
        folder = self.root.parent / "jinja"
        folder.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
        return env

    def linked(self, html: str, base_url: str, terms: object, link: Callable[[], str]) -> str:
        """``link()`` (the glossary's links on this page), or what it gave last time for the same input."""
        digest = hashlib.sha256()
        for part in (_glossary_code(), repr(terms), base_url, html):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
        path = self.links_dir / f"{digest.hexdigest()}.html"
        self._used_links.add(path)
        if path.is_file():
            return path.read_text(encoding="utf-8")
        result = link()
        write_atomic(path, result.encode("utf-8"))
        return result

    def evict(self) -> int:
        """Remove the remembered links no page of this build used; returns how many."""
        if not self._used_links or not self.links_dir.is_dir():
            return 0
        stale = [p for p in self.links_dir.glob("*.html") if p not in self._used_links]
        for path in stale:
            path.unlink(missing_ok=True)
        return len(stale)


@cache
def _glossary_code() -> str:
    """The source of the glossary module: a change to how terms are linked invalidates the remembered links."""
    return Path(glossary.__file__).read_text(encoding="utf-8")
