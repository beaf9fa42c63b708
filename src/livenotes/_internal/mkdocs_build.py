"""The one MkDocs adapter: MkDocs events in, the engine's evaluations out, onto pages.

``hooks/executable_notes.py`` binds these methods as its event functions and nothing more. Each page
is parsed once (in ``on_files``); every embedded snippet is evaluated once through ``Engine.evaluate``,
which always compares with the approved output; every problem becomes a log line and an admonition in
``render.problem``.

``mkdocs build`` evaluates everything before pages render (in dependency order, with progress), so a
strict build fails on any problem. ``mkdocs serve`` hands the evaluations to a background runner and
waits a few seconds only: a page whose snippets have no result yet shows 「実行中…」 and is rebuilt
(the open page reloads) when its outputs arrive.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from . import notebooks, render, report
from .atomic import write_atomic
from .directives import Page, parse_page, replace_lines
from .downloads import SHOWN_VERSIONS, BundleSpec, Publisher, box_markdown
from .engine import Engine, Evaluation
from .errors import SnippetError
from .log import log
from .page_caches import NotebookFile, PageCaches
from .project import Project
from .quiz import answer_key, load_quiz, render_html
from .runner import BackgroundRunner

REPORT_JSON = "livenotes-report.json"
# how long a serve rebuild waits for the background runner before it shows 「実行中…」 (a warm worker
# answers an edited snippet well within it; a cold start does not, and the first page must not wait)
SERVE_WAIT = float(os.environ.get("LIVENOTES_SERVE_WAIT", "3"))
# the runner touches this file when a page showing 「実行中…」 can be completed; serve watches it
ARRIVALS = "serve-arrivals"


class _NoOutputYet(Exception):
    """A quiz question takes its answer from a snippet that has no output in this build yet."""


class LiveNotesBuild:
    """State of one MkDocs process; ``mkdocs serve`` keeps it (and its warm worker) across rebuilds."""

    def __init__(self, site_setup: notebooks.SiteSetup | None = None, bundle: BundleSpec | None = None) -> None:
        """``site_setup``: the first cells of a notebook; ``bundle``: what ``downloads/`` publishes (downloads.py)."""
        self.bundle = bundle
        self.manifest: dict[str, Any] | None = None  # of this build's downloads/, once prepared
        self.publisher: Publisher | None = None
        self.engine: Engine | None = None
        self.runner: BackgroundRunner | None = None
        self.serving = False
        self.site_setup = site_setup
        self.pages: dict[str, Page] = {}  # src_uri → the page parsed once in this build
        self.rows: dict[str, report.Row] = {}
        self._html: dict[str, str] = {}
        self.summary: dict[str, Any] = {}
        self.with_notebook: set[str] = set()  # src_uri of the pages whose notebook this build made
        self.links = notebooks.Links(None, None)
        self.caches: PageCaches | None = None
        self.make_notebooks = False
        self._arrivals: Path | None = None

    @property
    def execute(self) -> bool:
        """False when ``LIVENOTES_EXECUTE=0``: pages show code only (for a fast look at the prose)."""
        return os.environ.get("LIVENOTES_EXECUTE", "1") != "0"

    # -- events --------------------------------------------------------------------------------
    def on_startup(self, command: str, dirty: bool) -> None:
        """``serve`` evaluates in the background (unless livereload is off: then nothing could reload a page)."""
        self.serving = command == "serve" and "--no-livereload" not in sys.argv

    def on_config(self, config: Any) -> None:
        """Start (or keep) the engine for this project and forget the previous build."""
        project = Project(Path(config.config_file_path).resolve().parent)
        use_cache = os.environ.get("LIVENOTES_NO_CACHE") != "1"
        if self.engine is None or self.engine.project != project:
            self.on_shutdown()
            self.engine = Engine(project, use_cache=use_cache)
            self._arrivals = project.cache / ARRIVALS
            if self.serving:
                self.runner = BackgroundRunner(project, use_cache=use_cache, on_arrival=self._arrived)
        self.engine.begin_build()
        self.pages, self.rows, self._html, self.summary, self.with_notebook = {}, {}, {}, {}, set()
        self.links = notebooks.Links(config.site_url, config.repo_url)
        # each chapter's notebook, rendered as a page of its own, where the site asks for them (mkdocs.yml:
        # extra: livenotes: notebooks: true)
        self.make_notebooks = bool((config.extra.get("livenotes") or {}).get("notebooks"))
        self.caches = PageCaches.of(config)
        self.caches.begin_build(config)  # hooks' on_config runs after the plugins': search and mkdocstrings are set up

    def on_files(self, files: Any, config: Any) -> Any:
        """Parse every page once, evaluate its snippets (or hand them to the runner), add the notebooks."""
        assert self.engine is not None
        if files.get_file_from_path(REPORT_JSON) is None:
            # registered now so pages may link to it; on_post_build writes the real report over it
            files.append(File.generated(config, REPORT_JSON, content="{}"))
        for file in files.documentation_pages():
            text = Path(file.abs_src_path).read_text(encoding="utf-8")
            self.pages[file.src_uri] = parse_page(f"docs/{file.src_uri}", text)
        if self.execute:
            self._evaluate_all()
            self._prepare_downloads(config)
        if self.make_notebooks:
            for page_uri, page in self.pages.items():
                if page.snippets and page.meta.get("notebook", True):
                    self._add_notebook(page_uri, page, files, config)
        return files

    def on_serve(self, server: Any, config: Any, builder: Any) -> Any:
        """Rebuild when the runner says a waiting page can be completed."""
        if self.runner is not None and self._arrivals is not None:
            self._arrived()  # the file must exist to be watched
            server.watch(str(self._arrivals))
            # outputs that arrived while the first build ran touched a file nobody watched yet: once the server
            # watches, touch it again (one extra rebuild, which finds whatever arrived meanwhile)
            threading.Thread(target=self._arrived_once_watched, args=(server,), daemon=True).start()
        return server

    def _arrived_once_watched(self, server: Any) -> None:
        observer = getattr(server, "observer", None)
        deadline = time.monotonic() + 60
        while observer is not None and not observer.is_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # the polling observer takes its first look at the files after it starts
        self._arrived()

    def on_pre_page(self, page: Any, config: Any, files: Any) -> Any:
        """A notebook page renders from its notebook (remembered), not from its source read as Markdown; under
        serve a new rendering is made on the side, so the build (and the chapter being edited) does not wait."""
        if PageCaches.is_notebook_page(page.file.src_uri):
            PageCaches.of(config).render_as_page(page, arrivals=self._arrivals if self.runner else None)
        return page

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        """The notebook itself is published beside its page."""
        if PageCaches.is_notebook_page(page.file.src_uri):
            PageCaches.publish_source(page)
        return output

    def on_env(self, env: Any, config: Any, files: Any) -> Any:
        """The theme's templates compiled once, not on every build."""
        return PageCaches.of(config).with_template_cache(env)

    def on_page_markdown(self, markdown: str, page: Any, config: Any, files: Any) -> str:
        """Replace each directive with the snippet's code and its output (or its problem, or 「実行中…」)."""
        src_uri = page.file.src_uri
        if PageCaches.is_notebook_page(src_uri):
            # its "markdown" is the notebook's JSON, which on_pre_page's render() reads instead: nothing to replace
            PageCaches.exclude_from_search(page)
            return markdown
        parsed = self.pages.get(src_uri)
        text = parsed.text.removeprefix("\ufeff") if parsed else ""
        if parsed is not None and text.endswith(markdown):
            offset = text[: len(text) - len(markdown)].count("\n")  # the front matter MkDocs took off
        else:
            # another plugin changed the Markdown: its lines are no longer the file's
            parsed, offset = parse_page(f"docs/{src_uri}", markdown), 0
        replacements = {}
        for line, error in parsed.errors.items():
            replacements[line - offset] = self._placeholder(render.problem(error), "")
        for directive in parsed.directives:
            where = parsed.where(directive.line)
            if directive.kind == "build_report":
                text = report.markdown_table(list(self.rows.values()))
            elif directive.kind == "quiz":
                text = self._quiz(directive.arg, where, directive.indent)
            else:
                text = self._embed(directive.arg, where, directive.indent)
            replacements[directive.line - offset] = text
        markdown = replace_lines(markdown, replacements)
        if self.bundle is not None and parsed.snippets and self.execute:
            markdown = _after_title(markdown, self._run_locally_box(src_uri))
        if src_uri in self.with_notebook:  # after the directives: their line numbers stay those of the file
            markdown = self._with_notebook_links(markdown, src_uri, page.url)
        return markdown

    def on_page_content(self, html: str, page: Any, config: Any, files: Any) -> str:
        """Put the outputs' HTML where the placeholders are."""
        for token, fragment in self._html.items():
            html = html.replace(f"<p>{token}</p>", fragment)
        return html

    def on_post_build(self, config: Any) -> None:
        """Evict stale cache entries and write the build report."""
        assert self.engine is not None
        PageCaches.of(config).evict()
        if not self.execute:
            return
        evicted = self.engine.end_build() if self.runner is None else 0  # under serve the runner evicts
        self.summary["cache_evicted"] = evicted
        report.write_json(list(self.rows.values()), Path(config.site_dir) / REPORT_JSON, self.summary)
        if self.manifest is not None and self.publisher is not None:
            self.publisher.write(Path(config.site_dir), self.manifest)
            total = sum(entry["size"] for entry in self.manifest["folders"].values())
            log.info("livenotes: downloads/: %d folders, %.0f MB", len(self.manifest["folders"]), total / 1e6)
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

    def _prepare_downloads(self, config: Any) -> None:
        """The download bundle's manifest and archives (downloads.py), once every snippet is evaluated: the
        pages' 「手元で動かすには」 boxes show its sizes. Under serve, only once every folder is ready."""
        self.manifest, self.publisher = None, None
        if self.bundle is None or self.engine is None or not self.execute:
            return
        pages = {uri: page.snippets for uri, page in self.pages.items() if page.snippets}
        publisher = Publisher(self.engine.project, self.bundle, self.engine.keys.hashes)
        try:
            self.manifest = publisher.prepare(
                config.site_url,
                pages,
                self.engine.graph,
                self.engine.snippet,
                self.engine.keys.book.versions(frozenset(SHOWN_VERSIONS)),
            )
            self.publisher = publisher
        except SnippetError as error:
            if self.runner is None:
                render.problem(error)  # mkdocs build: --strict fails on it
            else:
                log.info("livenotes: downloads/ waits for the recipes (%s)", error.message)

    def _run_locally_box(self, src_uri: str) -> str:
        assert self.engine is not None and self.bundle is not None
        page = src_uri.removesuffix(".md")
        folders = self.manifest["pages"].get(page, []) if self.manifest else []
        makers = [m for m in (self.engine.graph.maker_of(f) for f in folders) if m]
        retrain = {}
        for name in self.engine.graph.order(makers) if makers else []:
            found = self.engine.lookup(name)
            if found is not None and found.result.ok:
                retrain[f"snippets/{found.result.snippet}"] = found.result.duration
        return box_markdown(page, self.manifest, self.bundle, retrain)

    def on_shutdown(self) -> None:
        """Stop the runner, the worker and any notebook renderings when MkDocs exits."""
        if self.caches is not None:
            self.caches.stop_helpers()
        if self.runner is not None:
            self.runner.close()
            self.runner = None
        if self.engine is not None:
            self.engine.close()
            self.engine = None

    # -- evaluating ----------------------------------------------------------------------------
    def _embedded(self) -> dict[str, list[str]]:
        """Snippet name → where it is embedded (``docs/x.md:LINE``), in page order."""
        found: dict[str, list[str]] = {}
        for page in self.pages.values():
            for directive in page.directives:
                if directive.kind == "run":
                    found.setdefault(directive.arg, []).append(page.where(directive.line))
        return found

    def _evaluate_all(self) -> None:
        assert self.engine is not None
        embedded = self._embedded()
        started = time.perf_counter()
        if self.runner is not None:
            self.runner.submit(list(embedded))
            self.runner.wait(SERVE_WAIT)
        else:
            with contextlib.suppress(SnippetError):  # a cycle: each snippet in it reports it below, on its page
                self.engine.evaluate_all(embedded)  # recipes side by side (lanes.py); the loop below reads the results
        done = 0
        for name, pages in embedded.items():
            evaluation = self._evaluation(name, pages[0])
            if evaluation is None:
                continue  # still running in the background: the page shows 「実行中…」
            row = self.rows.setdefault(evaluation.result.snippet, report.Row(evaluation))
            row.pages += pages
            done += 1
            how = "cache" if evaluation.result.cached else f"ran {evaluation.result.duration:.1f} s"
            log.info("livenotes: [%d/%d] %s: %s (%s)", done, len(embedded), evaluation.result.snippet, row.status, how)
        workers = (self.runner.engine if self.runner else self.engine).worker_starts
        self.summary = report.summarize(list(self.rows.values()), time.perf_counter() - started, workers)

    def _evaluation(self, name: str, where: str | None = None) -> Evaluation | None:
        """The snippet's evaluation; under serve, None while the runner has not made it yet."""
        assert self.engine is not None
        if not self.execute:
            return None
        if self.runner is None:
            return self.engine.evaluate(name, where)
        found = self.engine.lookup(name, where)
        if found is not None:
            return found
        snippet = self.engine.snippet(name)  # lookup loaded and keyed it, or it had answered
        return self.runner.shown_waiting(snippet.name, self.engine.key_of(snippet.name)[0])

    def _arrived(self) -> None:
        if self._arrivals is not None:
            write_atomic(self._arrivals, str(time.time_ns()).encode())

    # -- pages ---------------------------------------------------------------------------------
    def _add_notebook(self, page_uri: str, page: Page, files: Any, config: Any) -> None:
        """Write the page's notebook (only when it changed) and add it to the site as a page."""
        assert self.engine is not None
        source = notebooks.NotebookSource(
            project=self.engine.project,
            snippet=self.engine.snippet,
            graph=self.engine.graph,
            evaluation=self._evaluation,
            site_setup=self.site_setup,
            distributions=self.engine.keys.book.distributions,
            versions=self.engine.keys.book.versions,
            fetch_wheel=self.manifest["fetch"]["wheel"] if self.manifest else None,
        )
        notebook = notebooks.safe_build(page, source, self.links)
        if notebook is None:
            return
        uri = notebooks.notebook_uri(page_uri)
        folder = self.engine.project.cache / "notebooks"
        path = folder / uri
        data = notebooks.dumps(notebook).encode("utf-8")
        if not path.is_file() or path.read_bytes() != data:
            notebooks.validate(notebook)  # only a changed notebook: the one on disk passed when it was written
            write_atomic(path, data)
        if files.get_file_from_path(uri) is None:
            files.append(NotebookFile(uri, str(folder), config.site_dir, config.use_directory_urls))
        self.with_notebook.add(page_uri)

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
        return _after_title(markdown, self._placeholder(fragment, ""))

    def _placeholder(self, fragment: str, indent: str) -> str:
        # named by its content, not at random: the page's HTML around it is then the same from one build to
        # the next, and the glossary's links on it are remembered (PageCaches.linked)
        token = "livenotes" + hashlib.sha256(fragment.encode("utf-8")).hexdigest()[:32]
        self._html[token] = fragment
        return f"\n{indent}{token}\n"

    def _quiz(self, name: str, where: str, indent: str) -> str:
        """A quiz whose output questions are keyed by this build's outputs (quiz.py)."""
        assert self.engine is not None

        def output_of(snippet_name: str, question_at: str) -> str:
            # with execution off (LIVENOTES_EXECUTE=0) or under serve before it ran, there is no output yet
            evaluation = self._evaluation(snippet_name, question_at) if self.execute else None
            if evaluation is None:  # under serve, the page is rebuilt when it arrives
                raise _NoOutputYet(f"snippets/{snippet_name}")
            if evaluation.problem is not None:
                raise SnippetError(
                    f"snippets/{snippet_name} has no output to take the answer from: {evaluation.problem.message}",
                    question_at,
                )
            return evaluation.result.text()

        try:
            quiz = load_quiz(self.engine.project.root, name, where)
            key = answer_key(quiz, output_of)
        except SnippetError as error:
            return self._placeholder(render.problem(error, where), indent)
        except _NoOutputYet as missing:
            progress = self.runner.progress if self.runner else None
            return self._placeholder(render.pending_html(str(missing), progress), indent)
        return self._placeholder(render_html(quiz, key), indent)

    def _embed(self, name: str, where: str, indent: str) -> str:
        assert self.engine is not None
        try:
            snippet = self.engine.snippet(name, where)
        except SnippetError as error:
            return self._placeholder(render.problem(error, where), indent)
        # highlighted once and remembered, then put in like an output (PageCaches.code_html)
        assert self.caches is not None
        code = self._placeholder(self.caches.code_html(render.code_block(snippet)), indent)
        if not self.execute:
            return code
        evaluation = self._evaluation(snippet.name, where)
        if evaluation is None:
            progress = self.runner.progress if self.runner else None
            return code + "\n" + self._placeholder(render.pending_html(snippet.display_path, progress), indent)
        return code + "\n" + self._placeholder(render.output_html(evaluation, where), indent)


def _after_title(markdown: str, block: str) -> str:
    """``block`` after the page's first ``# `` title (at the top when it has none)."""
    lines = markdown.split("\n")
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), 0)
    return "\n".join([*lines[:at], "", block, *lines[at:]])
