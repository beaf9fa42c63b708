"""The pages' repeated work, done once: notebook renderings, glossary links and search entries remembered.

Most pages are the same from one build (or ``mkdocs serve`` rebuild) to the next, and what is done to
them is a pure function of their content, so it is remembered on disk (``DiskMemo``) by everything it is
made from:

- **notebook pages** are rendered here, not by the mkdocs-jupyter plugin, whose import alone (nbconvert,
  jupytext) takes 0.6 s of every build. A rendering (HTML and table of contents) is remembered by the
  notebook's bytes and the options, in ``notebook-pages/render-<libraries>/``: a folder named after the
  versions of the libraries that make the HTML, so an upgraded nbconvert does not serve an old rendering.
  mkdocs-jupyter's converter is imported only when a rendering is missing. A rendering takes about a second
  per notebook, and a chapter's notebook changes with every edit of its prose: under ``mkdocs serve`` a
  missing rendering is made by a helper process (``python -m livenotes._internal.page_caches``) while the
  notebook page says it is being made, and the helper touches the serve's arrivals file so the page is rebuilt
  when it is ready; the chapter the author is editing does not wait for its notebook. Notebook pages leave
  the search index: they repeat their chapters, which are indexed;
- **the glossary's links** on a page, by the page's HTML, the terms, the page's address and the glossary code
  (linking a megabyte of notebook HTML takes longer than reading the result);
- **highlighted code**: a snippet's fenced block, as the site's own highlighting extensions (pymdownx
  superfences and highlight, with its settings) turn it into HTML. Pygments took 0.25 s of every build for
  this site's 28 snippets; the block is now converted alone, once, and put into the page like an output;
- **search entries**: Material's search plugin parses every page's HTML on every build (0.3 s for this
  site's code and outputs). The entries it made for a page are remembered by the page's HTML, address,
  title, table of contents and meta, the plugin's settings and Material's version; the build's search index
  is wrapped so that a page seen before gets its entries without being parsed.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.structure.files import File
from mkdocs.structure.toc import get_toc

from . import glossary, notebook_css
from .atomic import write_atomic
from .disk_memo import DiskMemo
from .lifeline import die_with_parent
from .notebooks import FOLDER
from .texts import Texts

# what turns a notebook into the page's HTML: a new version of any of them may change the rendering
_RENDERERS = ("mkdocs-jupyter", "nbconvert", "nbformat", "mistune", "pygments", "jupyterlab_pygments")
# mkdocs-jupyter's converter, as its plugin called it for this site: outputs as they are in the notebook
# (they are this build's; nothing runs twice) and no MathJax from a CDN (the notebooks have no formulas)
_OPTIONS: dict[str, Any] = {"execute": False, "theme": "", "allow_errors": True, "custom_mathjax_url": ""}
_TOC_DEPTH = 6
# what turns a snippet's fenced block into HTML on the pages (mkdocs.yml's markdown_extensions)
_HIGHLIGHTING = ("pymdownx.highlight", "pymdownx.superfences")
_HIGHLIGHTERS = ("markdown", "pymdown-extensions", "pygments")
_FORMAT = "2"  # bump when what is stored for a rendering or a page's search entries changes
SEARCH_PLUGIN = "material/search"


@cache  # once per process: a library upgraded under a running server is not noticed
def _versions(names: tuple[str, ...]) -> str:
    versions = []
    for name in names:
        try:
            versions.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name}==none")
    return "\n".join(versions)


class NotebookFile(File):
    """A generated ``.ipynb`` that MkDocs treats as a page (``notebooks/x.ipynb`` → ``notebooks/x/``)."""

    def is_documentation_page(self) -> bool:
        return True


class PageCaches:
    """Per-project memos for the pages; ``mkdocs serve`` keeps one across rebuilds."""

    def __init__(self, cache: Path, texts: Texts | None = None) -> None:
        texts = texts or Texts()
        # a notebook page whose rendering a helper is making (serve)
        self._coming = (
            f'<div class="admonition info"><p class="admonition-title">{html.escape(texts.notebook_rendering_title)}'
            f"</p><p>{html.escape(texts.notebook_rendering_body)}</p></div>"
        )
        self.root = cache / "notebook-pages"
        renderers = hashlib.sha256(_versions(_RENDERERS).encode()).hexdigest()[:16]
        self.renderings = DiskMemo(self.root / f"render-{renderers}", ".json")
        self.links = DiskMemo(self.root / "glossary-links", ".html")
        self.search = DiskMemo(cache / "search-entries", ".json")
        self.code = DiskMemo(cache / "highlighted-code", ".html")
        self._highlighting: dict[str, Any] = {}  # this build's settings of the highlighting extensions
        self._highlighting_key = ""  # the same, as part of a highlighted block's memo key
        self._highlighter: Any = None  # a Markdown converter with those settings, made on a miss
        self._helpers: dict[Path, subprocess.Popen[bytes]] = {}  # rendering → the helper making it (serve)
        self._failed: set[Path] = set()  # renderings a helper could not make: made in the build (its error shows)
        self._material = _versions(("mkdocs-material",))

    @staticmethod
    def is_notebook_page(src_uri: str) -> bool:
        """A page made from a generated notebook (``notebooks/<chapter>.ipynb``)."""
        return src_uri.startswith(f"{FOLDER}/") and src_uri.endswith(".ipynb")

    @staticmethod
    def exclude_from_search(page: Any) -> None:
        """Material's search skips a page whose meta says ``search: exclude`` before parsing its HTML."""
        page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}

    def begin_build(self, config: Any) -> None:
        """Forget what the last build used and take this build's settings (MkDocs' on_config, after the
        plugins': the search index and mkdocstrings' handlers exist). Renderings by other library versions
        are never read again."""
        for memo in (self.renderings, self.links, self.search, self.code):
            memo.begin_build()
        self._highlighting = {name: config.mdx_configs.get(name, {}) for name in _HIGHLIGHTING}
        self._highlighting_key = json.dumps(self._highlighting, sort_keys=True, default=_by_name)
        self._highlighter = None  # made again with this build's settings when a block is not remembered
        self._remember_search_entries(config)
        self._cache_handler_templates(config)
        if self.root.is_dir():
            for old in self.root.glob("render-*"):
                if old != self.renderings.folder:
                    shutil.rmtree(old, ignore_errors=True)

    def evict(self) -> int:
        """Remove the remembered values no page of this build used; returns how many."""
        return sum(memo.evict() for memo in (self.renderings, self.links, self.search, self.code))

    # -- notebook pages --------------------------------------------------------------------------
    def render_as_page(self, page: Any, *, arrivals: Path | None = None) -> None:
        """Give a notebook page its content and table of contents from the notebook, not from Markdown.

        ``arrivals``: under ``mkdocs serve``, the file whose touch rebuilds the site. A missing rendering is
        then made by a helper process, which touches it when done; meanwhile the page says it is coming.
        """
        source = Path(page.file.abs_src_path)

        def render(config: Any, files: Any) -> None:
            rendering = self._rendering(source, arrivals)
            page.content = rendering["content"]
            page.toc = get_toc(rendering["toc_tokens"])

        page.render = render

    def stop_helpers(self) -> None:
        """Stop the helpers still rendering (the server is stopping)."""
        for helper in self._helpers.values():
            if helper.poll() is None:
                helper.kill()
            helper.wait()
        self._helpers = {}

    @staticmethod
    def publish_source(page: Any) -> None:
        """The ``.ipynb`` itself next to its page, for download and for Colab (``notebooks/x/x.ipynb``)."""
        source = Path(page.file.abs_src_path)
        target = Path(page.file.abs_dest_path).parent / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)

    def _rendering(self, source: Path, arrivals: Path | None) -> dict[str, Any]:
        data = source.read_bytes()
        options = json.dumps([_FORMAT, _OPTIONS, _TOC_DEPTH, _source_of(notebook_css)], sort_keys=True)
        path = self.renderings.path(hashlib.sha256(data).hexdigest(), options)
        self._reap_helpers()
        remembered = self.renderings.read(path)
        if remembered is not None:
            try:
                return json.loads(remembered)
            except ValueError:
                pass  # unreadable: render again
        if arrivals is not None and path not in self._failed:
            if path not in self._helpers:
                self._start_helper(source, path, arrivals)
            return {"content": self._coming, "toc_tokens": []}
        rendering = _render(source)
        self.renderings.write(path, json.dumps(rendering))
        return rendering

    def _start_helper(self, source: Path, into: Path, arrivals: Path) -> None:
        # a copy of the notebook: the next build may rewrite the source before the helper has read it
        snapshot = into.with_suffix(".ipynb")
        write_atomic(snapshot, source.read_bytes())
        command = [sys.executable, "-m", __name__, str(snapshot), str(into), str(arrivals), str(os.getpid())]
        self._helpers[into] = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)

    def _reap_helpers(self) -> None:
        for into, helper in list(self._helpers.items()):
            code = helper.poll()
            if code is None:
                continue
            del self._helpers[into]
            into.with_suffix(".ipynb").unlink(missing_ok=True)
            if code != 0:
                self._failed.add(into)

    # -- templates -------------------------------------------------------------------------------
    def with_template_cache(self, env: Any) -> Any:
        """A Jinja environment with compiled templates kept on disk (by template source checksum).

        MkDocs makes a new environment for the theme on every build, and so on every rebuild under
        ``mkdocs serve``, and mkdocstrings one for each handler: without this, Material's templates and the
        API page's (51 templates, 0.4 s) are compiled again each time.
        """
        folder = self.root.parent / "jinja"
        folder.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
        return env

    def _cache_handler_templates(self, config: Any) -> None:
        """The same for mkdocstrings' handlers (made now instead of at their first use on a page)."""
        plugin = config.plugins.get("mkdocstrings")
        if plugin is None:
            return
        for name in plugin.config.get("handlers") or {}:
            self.with_template_cache(plugin.get_handler(name).env)

    # -- glossary links --------------------------------------------------------------------------
    def linked(self, html: str, base_url: str, terms: object, link: Callable[[], str]) -> str:
        """``link()`` (the glossary's links on this page), or what it gave last time for the same input."""
        return self.links.recall(_source_of(glossary), repr(terms), base_url, html, make=link)

    # -- highlighted code ------------------------------------------------------------------------
    def code_html(self, fenced: str) -> str:
        """The HTML of a fenced code block, as the site's highlighting extensions make it (remembered)."""
        return self.code.recall(
            _FORMAT, _versions(_HIGHLIGHTERS), self._highlighting_key, fenced, make=lambda: self._highlight(fenced)
        )

    def _highlight(self, fenced: str) -> str:
        if self._highlighter is None:
            import markdown

            self._highlighter = markdown.Markdown(extensions=list(_HIGHLIGHTING), extension_configs=self._highlighting)
        return self._highlighter.reset().convert(fenced)

    # -- search entries --------------------------------------------------------------------------
    def _remember_search_entries(self, config: Any) -> None:
        """Wrap this build's Material search index (made in the plugin's on_config) so that a page indexed
        before with the same content gets its remembered entries instead of being parsed again."""
        plugin = config.plugins.get(SEARCH_PLUGIN)
        index = getattr(plugin, "search_index", None)
        if index is None:
            return
        parse = index.add_entry_from_context
        settings = json.dumps(dict(plugin.config), sort_keys=True, default=_by_name)

        def add_entry_from_context(page: Any) -> None:
            if (page.meta.get("search") or {}).get("exclude"):
                return  # as the plugin itself does
            path = self.search.path(
                _FORMAT,
                self._material,
                settings,
                page.url,
                str(page.title),
                json.dumps(page.meta, sort_keys=True, default=str),
                _toc_text(page.toc),
                page.content,
            )
            remembered = self.search.read(path)
            try:
                entries = json.loads(remembered) if remembered is not None else None
            except ValueError:
                entries = None
            if isinstance(entries, list):
                index.entries.extend(entries)
                return
            start = len(index.entries)
            parse(page)
            self.search.write(path, json.dumps(index.entries[start:], ensure_ascii=False))

        index.add_entry_from_context = add_entry_from_context


def _by_name(value: Any) -> str:
    """A setting that JSON cannot hold, named stably: a function (a custom fence's format) by its qualified name,
    not by ``repr``, whose address changes with every process."""
    name = getattr(value, "__qualname__", None)
    return f"{getattr(value, '__module__', '')}.{name}" if name else repr(value)


def _toc_text(toc: Any) -> str:
    def items(entries: Any) -> list[Any]:
        return [[item.id, item.url, item.title, item.level, items(item.children)] for item in entries]

    return json.dumps(items(toc), ensure_ascii=False)


def _render(source: Path) -> dict[str, Any]:
    """HTML and table of contents of a notebook, by mkdocs-jupyter's converter (imported here: it is slow)."""
    import markdown
    from markdown.extensions.toc import TocExtension
    from mkdocs_jupyter import convert

    content = convert.nb2html(str(source), **_OPTIONS)
    # with no MathJax URL the converter still writes an empty loader tag
    content = content.replace('<script src=""> </script>', "")
    # JupyterLab's whole stylesheet comes with every page; keep what this page's HTML can use (notebook_css.py)
    html_only, css = notebook_css.split_styles(content)
    content = f"<style>{notebook_css.used_css(css, html_only)}</style>\n{html_only}"
    # the table of contents: the notebook as Markdown, read the way mkdocs-jupyter reads it
    md = markdown.Markdown(extensions=[TocExtension(toc_depth=_TOC_DEPTH)])
    md.convert(convert.nb2md(str(source)))
    return {"content": content, "toc_tokens": md.toc_tokens}


@cache
def _source_of(module: Any) -> str:
    """A module's source: a change to how terms are linked or CSS is cut invalidates what was remembered."""
    return Path(module.__file__).read_text(encoding="utf-8")


def main() -> None:
    """The helper: render a notebook into the remembered renderings, then touch the serve's arrivals file."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    for name in ("notebook", "into", "arrivals"):
        parser.add_argument(name, type=Path)
    parser.add_argument("parent", type=int)
    args = parser.parse_args()
    die_with_parent(args.parent)
    rendering = _render(args.notebook)
    write_atomic(args.into, json.dumps(rendering).encode("utf-8"))
    write_atomic(args.arrivals, str(os.getpid()).encode())


if __name__ == "__main__":
    main()
