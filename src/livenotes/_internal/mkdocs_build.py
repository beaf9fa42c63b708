"""The MkDocs side: find directives, run their snippets before pages render, put outputs on pages.

``hooks/executable_notes.py`` is a thin adapter over :class:`LiveNotesBuild`. Every snippet of the
build runs in ``on_files`` (in page order, with progress), so failures are all reported, and the
pages then only look results up.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data

from . import approved, notebooks, render, report
from .atomic import write_atomic
from .directives import Directive, find_directives, replace_lines
from .engine import Engine
from .errors import SnippetError, location
from .log import log
from .project import Project
from .results import Failure, Result

REPORT_JSON = "livenotes-report.json"


@dataclass
class _Embedding:
    page: str  # "docs/page.md"
    directive: Directive

    @property
    def where(self) -> str:
        return location(self.page, self.directive.line)


class LiveNotesBuild:
    """State of one MkDocs process; ``mkdocs serve`` keeps it (and its warm worker) across rebuilds."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.rows: dict[str, report.Row] = {}
        self._html: dict[str, str] = {}
        self.summary: dict[str, Any] = {}
        self.with_notebook: set[str] = set()  # src_uri of the pages whose notebook this build made
        self.links = notebooks.Links(None, None)
        self.make_notebooks = False

    @property
    def execute(self) -> bool:
        """False when ``LIVENOTES_EXECUTE=0``: pages show code only (for a fast look at the prose)."""
        return os.environ.get("LIVENOTES_EXECUTE", "1") != "0"

    # -- events --------------------------------------------------------------------------------
    def on_config(self, config: Any) -> None:
        """Start (or keep) the engine for this project and forget the previous build."""
        project = Project(Path(config.config_file_path).resolve().parent)
        if self.engine is None or self.engine.project != project:
            if self.engine is not None:
                self.engine.close()
            self.engine = Engine(project, use_cache=os.environ.get("LIVENOTES_NO_CACHE") != "1")
        self.engine.begin_build()
        self.rows, self._html, self.summary, self.with_notebook = {}, {}, {}, set()
        self.links = notebooks.Links(config.site_url, config.repo_url)
        # notebooks only where mkdocs-jupyter is there to render them as pages
        self.make_notebooks = "mkdocs-jupyter" in config.plugins

    def on_files(self, files: Any, config: Any) -> Any:
        """Run every embedded snippet (with progress), then add the chapters' notebooks to the site."""
        assert self.engine is not None
        if files.get_file_from_path(REPORT_JSON) is None:
            # registered now so pages may link to it; on_post_build writes the real report over it
            files.append(File.generated(config, REPORT_JSON, content="{}"))
        embeddings: list[_Embedding] = []
        chapters: dict[str, str] = {}
        for file in files.documentation_pages():
            page = f"docs/{file.src_uri}"
            text = Path(file.abs_src_path).read_text(encoding="utf-8")
            found = [_Embedding(page, d) for d in find_directives(text) if d.kind == "run"]
            embeddings += found
            if found and get_data(text)[1].get("notebook", True):
                chapters[file.src_uri] = text
        if self.execute:
            self._run(embeddings)
        if self.make_notebooks:
            for page_uri, text in chapters.items():
                self._add_notebook(page_uri, text, files, config)
        return files

    def _run(self, embeddings: list[_Embedding]) -> None:
        assert self.engine is not None
        pages_of: dict[str, list[str]] = {}
        for embedding in embeddings:
            pages_of.setdefault(embedding.directive.arg, []).append(embedding.where)
        started = time.perf_counter()
        total = len(pages_of)
        for index, (name, pages) in enumerate(pages_of.items(), 1):
            result = self.engine.result(name, pages[0])
            drift = approved.check(self.engine.project, result) if result.ok else None
            row = self.rows.setdefault(result.snippet, report.Row(result, drift))
            row.pages += pages
            how = "cache" if result.cached else f"ran {result.duration:.1f} s"
            log.info("livenotes: [%d/%d] %s: %s (%s)", index, total, result.snippet, row.status, how)
        self.summary = report.summarize(
            list(self.rows.values()), time.perf_counter() - started, self.engine.worker.starts
        )

    def _add_notebook(self, page_uri: str, text: str, files: Any, config: Any) -> None:
        """Write the page's notebook (only when it changed) and add it to the site as a page."""
        assert self.engine is not None
        notebook = notebooks.safe_build(page_uri, get_data(text)[0], self.engine, self.links, with_outputs=self.execute)
        if notebook is None:
            return
        uri = notebooks.notebook_uri(page_uri)
        folder = self.engine.project.cache / "notebooks"
        path = folder / uri
        data = notebooks.dumps(notebook).encode("utf-8")
        if not path.is_file() or path.read_bytes() != data:
            write_atomic(path, data)
        if files.get_file_from_path(uri) is None:
            files.append(File(uri, str(folder), config.site_dir, config.use_directory_urls))
        self.with_notebook.add(page_uri)

    def on_page_markdown(self, markdown: str, page_src_uri: str, page_url: str = "") -> str:
        """Replace each directive with the snippet's code and a placeholder for its output."""
        assert self.engine is not None
        page = f"docs/{page_src_uri}"
        replacements = {}
        for directive in find_directives(markdown):
            where = location(page, directive.line)
            indent = directive.source[: len(directive.source) - len(directive.source.lstrip())]
            if directive.kind == "build_report":
                replacements[directive.line] = report.markdown_table(list(self.rows.values()))
            elif directive.kind == "invalid":
                log.warning("livenotes: %s: %s: %s", where, directive.arg, directive.source.strip())
                replacements[directive.line] = self._placeholder(
                    render.failure_html(Failure("invalid", directive.arg, where)), indent
                )
            else:
                replacements[directive.line] = self._embed(directive, where, indent)
        markdown = replace_lines(markdown, replacements)
        if page_src_uri in self.with_notebook:  # after the directives: their line numbers stay those of the file
            markdown = self._with_notebook_links(markdown, page_src_uri, page_url)
        return markdown

    def on_page_content(self, html: str) -> str:
        """Put the outputs' HTML where the placeholders are."""
        for token, fragment in self._html.items():
            html = html.replace(f"<p>{token}</p>", fragment)
        # mkdocs-jupyter writes its MathJax loader even with no URL (custom_mathjax_url: ""): drop the empty tag
        return html.replace('<script src=""> </script>', "")

    def on_post_build(self, site_dir: str) -> None:
        """Evict stale cache entries and write the build report."""
        assert self.engine is not None
        if not self.execute:
            return
        evicted = self.engine.end_build()
        self.summary["cache_evicted"] = evicted
        report.write_json(list(self.rows.values()), Path(site_dir) / REPORT_JSON, self.summary)
        s = self.summary
        log.info(
            "livenotes: %s snippets: %s ok, %s failed, %s drifted; %s from cache, %s executed in %.1f s; "
            "%s checkpoint loads; %s stale cache entries removed",
            s.get("snippets", 0),
            s.get("ok", 0),
            s.get("failed", 0),
            s.get("drift", 0),
            s.get("cache_hits", 0),
            s.get("executed", 0),
            s.get("execution_wall_s", 0.0),
            s.get("checkpoint_loads", 0),
            evicted,
        )

    def on_shutdown(self) -> None:
        """Stop the worker when MkDocs exits."""
        if self.engine is not None:
            self.engine.close()
            self.engine = None

    # -- helpers -------------------------------------------------------------------------------
    def _with_notebook_links(self, markdown: str, page_uri: str, page_url: str) -> str:
        """Under the page's title: its notebook on the site, the .ipynb to download, Colab."""
        notebook_page = notebooks.notebook_uri(page_uri).removesuffix(".ipynb") + "/"
        here = page_url or "./"
        links = [
            f'<a href="{get_relative_url(notebook_page, here)}">ノートブックとして見る</a>',
            f'<a href="{get_relative_url(notebooks.download_path(page_uri), here)}" download>.ipynb をダウンロード</a>',
        ]
        colab = self.links.colab(page_uri)
        if colab:
            links.append(f'<a href="{colab}" rel="noopener">Colab で開く</a>')
        fragment = (
            '<p class="livenotes-notebook-links">このページのノートブック(ビルドが生成): ' + " · ".join(links) + "</p>"
        )
        lines = markdown.splitlines()
        title = next((i for i, line in enumerate(lines) if line.startswith("# ")), -1)
        lines.insert(title + 1, self._placeholder(fragment, ""))
        return "\n".join(lines) + "\n"

    def _placeholder(self, fragment: str, indent: str) -> str:
        token = f"livenotes{uuid.uuid4().hex}"
        self._html[token] = fragment
        return f"\n{indent}{token}\n"

    def _embed(self, directive: Directive, where: str, indent: str) -> str:
        assert self.engine is not None
        try:
            snippet = self.engine.snippet(directive.arg, where)
        except SnippetError as error:
            log.warning("livenotes: %s", error)
            return self._placeholder(render.failure_html(Failure("invalid", error.message, error.where)), indent)
        code = render.code_block(snippet, indent)
        if not self.execute:
            return code
        row = self.rows.get(snippet.name)
        result = row.result if row else self.engine.result(snippet.name, where)
        drift = row.drift if row else None
        self._report_problem(result, drift, where)
        return code + "\n" + self._placeholder(render.output_html(result, drift), indent)

    def _report_problem(self, result: Result, drift: approved.Drift | None, where: str) -> None:
        if result.failure is not None:
            f = result.failure
            details = f"\n{f.details}" if f.details else ""
            log.warning(
                "livenotes: %s: %s (embedded in %s)%s",
                f.where or f"snippets/{result.snippet}",
                f.message,
                where,
                details,
            )
        elif drift is not None:
            log.warning("livenotes: snippets/%s (embedded in %s): %s", result.snippet, where, drift.describe())
