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

from . import approved, render, report
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

    @property
    def execute(self) -> bool:
        return os.environ.get("LIVENOTES_EXECUTE", "1") != "0"

    # -- events --------------------------------------------------------------------------------
    def on_config(self, config: Any) -> None:
        project = Project(Path(config.config_file_path).resolve().parent)
        if self.engine is None or self.engine.project != project:
            if self.engine is not None:
                self.engine.close()
            self.engine = Engine(project, use_cache=os.environ.get("LIVENOTES_NO_CACHE") != "1")
        self.engine.begin_build()
        self.rows, self._html, self.summary = {}, {}, {}

    def on_files(self, files: Any, config: Any) -> Any:
        assert self.engine is not None
        if files.get_file_from_path(REPORT_JSON) is None:
            # registered now so pages may link to it; on_post_build writes the real report over it
            files.append(File.generated(config, REPORT_JSON, content="{}"))
        embeddings: list[_Embedding] = []
        for file in files.documentation_pages():
            page = f"docs/{file.src_uri}"
            text = Path(file.abs_src_path).read_text(encoding="utf-8")
            embeddings += [_Embedding(page, d) for d in find_directives(text) if d.kind == "run"]
        if not self.execute:
            return files
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
        return files

    def on_page_markdown(self, markdown: str, page_src_uri: str) -> str:
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
        return replace_lines(markdown, replacements)

    def on_page_content(self, html: str) -> str:
        for token, fragment in self._html.items():
            html = html.replace(f"<p>{token}</p>", fragment)
        return html

    def on_post_build(self, site_dir: str) -> None:
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
        if self.engine is not None:
            self.engine.close()
            self.engine = None

    # -- helpers -------------------------------------------------------------------------------
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
