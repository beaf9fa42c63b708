"""The MkDocs plugin ``livenotes``: MkDocs events in, directives rendered from the engine's evaluations out.

It only wires. Each page is parsed once (``on_files``) with the site's registry of directives; the snippets every
directive shows are evaluated together, in dependency order, before any page renders (``mkdocs build``: a strict
build fails on any problem) or handed to a background runner (``mkdocs serve``: a page whose outputs are not there
yet shows them as pending and is rebuilt when they arrive). Then each directive line is replaced by what its spec
renders (``RenderContext`` is what the spec is handed), the glossary's terms are linked, and the outputs' HTML is put
where their placeholders are. Every problem becomes a log line and an admonition in one place (``render.problem``).
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
import threading
import time
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from . import notebooks, render, report
from .atomic import place, write_atomic
from .directives import Directive, Page, parse_page, replace_lines
from .engine import Engine, Evaluation
from .errors import SnippetError
from .glossary import Term, link_terms, read_glossary
from .graph import SnippetGraph
from .log import log
from .page_caches import NotebookFile, PageCaches
from .project import Project
from .runner import BackgroundRunner
from .runtime import Runtime
from .settings import Settings
from .site import Site, load_site
from .snippet import Snippet
from .texts import Texts

REPORT_JSON = "livenotes-report.json"
# the runner touches this file when a page showing a pending output can be completed; serve watches it
ARRIVALS = "serve-arrivals"


class PageContext:
    """What a directive's renderer is handed for one occurrence (directives.RenderContext)."""

    def __init__(self, plugin: LiveNotesPlugin, page_uri: str, page_url: str, where: str, indent: str) -> None:
        self._plugin = plugin
        self.page_uri = page_uri
        self.where = where
        self._indent = indent
        self.site_root = "" if (root := get_relative_url(".", page_url or "./")) == "." else root.rstrip("/") + "/"
        self.texts: Texts = plugin.site.texts
        self.libraries = plugin.site.libraries
        assert plugin.engine is not None
        self.project: Project = plugin.engine.project
        self.execute: bool = plugin.config.execute

    def snippet(self, name: str) -> Snippet:
        assert self._plugin.engine is not None
        return self._plugin.engine.snippet(name, self.where)

    def evaluation(self, name: str) -> Evaluation | None:
        return self._plugin.evaluation(name, self.where)

    def pending(self, what: str) -> str:
        runner = self._plugin.runner
        return render.pending_html(what, runner.progress if runner else None, self.texts)

    def problem(self, error: SnippetError) -> str:
        return render.problem(error, self.where, self.texts)

    def placeholder(self, html: str) -> str:
        return self._plugin.placeholder(html, self._indent)

    def code_html(self, snippet: Snippet) -> str:
        # highlighted once and remembered, then put in like an output (PageCaches.code_html)
        assert self._plugin.caches is not None
        return self._plugin.caches.code_html(render.code_block(snippet))

    def publish(self, source: Path, target: str) -> None:
        self._plugin.published[target] = source

    def state(self, name: str) -> dict[str, Any]:
        return self._plugin.states.setdefault(name, {})

    def report_rows(self) -> list[report.Row]:
        return list(self._plugin.rows.values())

    # for the site's download box (its text is the site's; the facts are the build's)
    @property
    def manifest(self) -> dict[str, Any] | None:
        return self._plugin.manifest

    def recipe_times(self, folders: list[str]) -> dict[str, float]:
        """Each recipe the folders come from (with what it needs) → its seconds in this build."""
        return self._plugin.recipe_times(folders)


class LiveNotesPlugin(BasePlugin[Settings]):
    """One MkDocs process; ``mkdocs serve`` keeps it (and its warm worker) across rebuilds."""

    def __init__(self) -> None:
        self.site = Site()
        self.engine: Engine | None = None
        self.runner: BackgroundRunner | None = None
        self.caches: PageCaches | None = None
        self.serving = False
        self.pages: dict[str, Page] = {}  # src_uri → the page parsed once in this build
        self.rows: dict[str, report.Row] = {}
        self.summary: dict[str, Any] = {}
        self.with_notebook: set[str] = set()  # src_uri of the pages whose notebook this build made
        self.links = notebooks.Links(None, None)
        self.manifest: dict[str, Any] | None = None  # of this build's downloads/, once prepared
        self.publisher: Any = None
        self.published: dict[str, Path] = {}  # a file of the built site → where it comes from (directives')
        self.states: dict[str, dict[str, Any]] = {}  # each directive's own state for this build
        self.terms: list[Term] = []
        self._html: dict[str, str] = {}
        self._arrivals: Path | None = None

    # -- events --------------------------------------------------------------------------------
    def on_startup(self, command: str, dirty: bool) -> None:
        """``serve`` evaluates in the background (unless livereload is off: then nothing could reload a page)."""
        self.serving = command == "serve" and "--no-livereload" not in sys.argv

    @event_priority(-100)  # after the other plugins' on_config: search and mkdocstrings are set up
    def on_config(self, config: Any) -> None:
        """Start (or keep) the engine for this project and forget the previous build."""
        try:
            self.site = load_site(self.config.site)
            runtime = Runtime(self.site.runtime, threads=self.config.threads)
        except (SnippetError, ValueError) as error:
            raise PluginError(f"livenotes: {error}") from None
        project = Project(Path(config.config_file_path).resolve().parent)
        if self.engine is None or self.engine.project != project or self.engine.runtime != runtime:
            self.on_shutdown()
            use_cache = self.config.cache
            self.engine = Engine(project, use_cache=use_cache, lanes=self.config.lanes, runtime=runtime)
            self.caches = PageCaches(project.cache, self.site.texts)
            self._arrivals = project.cache / ARRIVALS
            if self.serving:
                self.runner = BackgroundRunner(project, use_cache=use_cache, runtime=runtime, on_arrival=self._arrived)
        assert self.engine is not None and self.caches is not None
        self.engine.begin_build()
        self.pages, self.rows, self._html, self.summary, self.with_notebook = {}, {}, {}, {}, set()
        self.published, self.states, self.manifest, self.publisher = {}, {}, None, None
        self.links = notebooks.Links(config.site_url, config.repo_url)
        self.caches.begin_build(config)
        self.terms = []
        if self.config.glossary:
            try:
                self.terms = read_glossary(Path(config.docs_dir) / self.config.glossary, f"docs/{self.config.glossary}")
            except SnippetError as error:
                raise PluginError(f"glossary: {error}") from None

    def on_files(self, files: Any, config: Any) -> Any:
        """Parse every page once, evaluate what its directives show (or hand it to the runner), add the notebooks."""
        assert self.engine is not None
        if files.get_file_from_path(REPORT_JSON) is None:
            # registered now so pages may link to it; on_post_build writes the real report over it
            files.append(File.generated(config, REPORT_JSON, content="{}"))
        for file in files.documentation_pages():
            text = Path(file.abs_src_path).read_text(encoding="utf-8")
            self.pages[file.src_uri] = parse_page(f"docs/{file.src_uri}", text, self.site.registry)
        if self.config.execute:
            self._evaluate_all()
            self._prepare_downloads(config)
        if self.config.notebooks:
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

    def on_env(self, env: Any, config: Any, files: Any) -> Any:
        """The theme's templates compiled once, not on every build."""
        assert self.caches is not None
        return self.caches.with_template_cache(env)

    def on_pre_page(self, page: Any, config: Any, files: Any) -> Any:
        """A notebook page renders from its notebook (remembered), not from its source read as Markdown; under
        serve a new rendering is made on the side, so the build (and the chapter being edited) does not wait."""
        if PageCaches.is_notebook_page(page.file.src_uri):
            assert self.caches is not None
            self.caches.render_as_page(page, arrivals=self._arrivals if self.runner else None)
        return page

    def on_page_markdown(self, markdown: str, page: Any, config: Any, files: Any) -> str:
        """Replace each directive line with what its spec renders."""
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
            parsed, offset = parse_page(f"docs/{src_uri}", markdown, self.site.registry), 0
        replacements = {}
        for line, error in parsed.errors.items():
            replacements[line - offset] = self.placeholder(render.problem(error, None, self.site.texts), "")
        for directive in parsed.directives:
            replacements[directive.line - offset] = self._render(directive, parsed, page)
        markdown = replace_lines(markdown, replacements)
        if src_uri in self.with_notebook:  # after the directives: their line numbers stay those of the file
            markdown = self._with_notebook_links(markdown, src_uri, page.url)
        return markdown

    def on_page_content(self, html: str, page: Any, config: Any, files: Any) -> str:
        """Link the glossary's terms (before the outputs go in: they are not prose), then put the outputs' HTML
        where their placeholders are."""
        if self.terms and page.file.src_uri != self.config.glossary and page.meta.get("glossary") is not False:
            assert self.caches is not None
            base = get_relative_url(str(self.config.glossary).replace(".md", "/"), page.url)
            terms = self.terms
            # remembered by the page's content: linking takes longer than reading the result (a notebook page is a
            # megabyte of HTML), and most pages are unchanged from one build or serve rebuild to the next
            html = self.caches.linked(html, base, terms, lambda: link_terms(html, terms, base))
        for token, fragment in self._html.items():
            html = html.replace(f"<p>{token}</p>", fragment)
        return html

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        """The notebook itself is published beside its page."""
        if PageCaches.is_notebook_page(page.file.src_uri):
            PageCaches.publish_source(page)
        return output

    def on_post_build(self, config: Any) -> None:
        """Evict stale cache entries, write the build report, the downloads and the files the directives need."""
        assert self.engine is not None and self.caches is not None
        self.caches.evict()
        for target, source in sorted(self.published.items()):
            place(source, Path(config.site_dir) / target)
        if not self.config.execute:
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
    def _shown(self) -> dict[str, list[str]]:
        """Snippet name → where a directive shows its output (``docs/x.md:LINE``), in page order."""
        assert self.engine is not None
        found: dict[str, list[str]] = {}
        for page in self.pages.values():
            for directive in page.directives:
                for name in self.site.registry[directive.kind].snippets(directive, self.engine.project):
                    found.setdefault(name, []).append(page.where(directive.line))
        return found

    def _evaluate_all(self) -> None:
        assert self.engine is not None
        shown = self._shown()
        started = time.perf_counter()
        if self.runner is not None:
            self.runner.submit(list(shown))
            self.runner.wait(self.config.serve_wait)
        else:
            with contextlib.suppress(SnippetError):  # a cycle: each snippet in it reports it below, on its page
                self.engine.evaluate_all(shown)  # recipes side by side (lanes.py); the loop below reads the results
        done = 0
        for name, pages in shown.items():
            evaluation = self.evaluation(name, pages[0])
            if evaluation is None:
                continue  # still running in the background: the page shows it as pending
            row = self.rows.setdefault(evaluation.result.snippet, report.Row(evaluation))
            row.pages += pages
            done += 1
            how = "cache" if evaluation.result.cached else f"ran {evaluation.result.duration:.1f} s"
            log.info("livenotes: [%d/%d] %s: %s (%s)", done, len(shown), evaluation.result.snippet, row.status, how)
        workers = (self.runner.engine if self.runner else self.engine).worker_starts
        self.summary = report.summarize(list(self.rows.values()), time.perf_counter() - started, workers)

    def evaluation(self, name: str, where: str | None = None) -> Evaluation | None:
        """The snippet's evaluation; None when execution is off, or under serve while the runner has not made it."""
        assert self.engine is not None
        if not self.config.execute:
            return None
        if self.runner is None:
            return self.engine.evaluate(name, where)
        found = self.engine.lookup(name, where)
        if found is not None:
            return found
        snippet = self.engine.snippet(name)  # lookup loaded and keyed it, or it had answered
        return self.runner.shown_waiting(snippet.name, self.engine.key_of(snippet.name)[0])

    def recipe_times(self, folders: list[str]) -> dict[str, float]:
        """Each recipe the folders come from (with what it needs) → its seconds in this build."""
        assert self.engine is not None
        graph: SnippetGraph = self.engine.graph
        makers = [m for m in (graph.maker_of(f) for f in folders) if m]
        times = {}
        for name in graph.order(makers) if makers else []:
            found = self.engine.lookup(name)
            if found is not None and found.result.ok:
                times[f"snippets/{found.result.snippet}"] = found.result.duration
        return times

    def _prepare_downloads(self, config: Any) -> None:
        """The download bundle's manifest and archives (downloads.py), once every snippet is evaluated: the
        pages' download boxes show its sizes. Under serve, only once every folder is ready."""
        from .downloads import Publisher

        bundle = self.site.bundle
        if bundle is None or self.engine is None:
            return
        pages = {uri: page.snippets for uri, page in self.pages.items() if page.snippets}
        publisher = Publisher(self.engine.project, bundle, self.engine.keys.hashes)
        try:
            self.manifest = publisher.prepare(
                config.site_url,
                pages,
                self.engine.graph,
                self.engine.snippet,
                self._shown_versions(),
            )
            self.publisher = publisher
        except SnippetError as error:
            if self.runner is None:
                render.problem(error, None, self.site.texts)  # mkdocs build: --strict fails on it
            else:
                log.info("livenotes: downloads/ waits for the recipes (%s)", error.message)

    def _shown_versions(self) -> dict[str, str]:
        assert self.engine is not None
        versions = self.engine.keys.book.versions(frozenset(self.site.libraries))
        return {name: versions[name] for name in self.site.libraries if name in versions}

    def _arrived(self) -> None:
        if self._arrivals is not None:
            write_atomic(self._arrivals, str(time.time_ns()).encode())

    def _arrived_once_watched(self, server: Any) -> None:
        observer = getattr(server, "observer", None)
        deadline = time.monotonic() + 60
        while observer is not None and not observer.is_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # the polling observer takes its first look at the files after it starts
        self._arrived()

    # -- pages ---------------------------------------------------------------------------------
    def _render(self, directive: Directive, parsed: Page, page: Any) -> str:
        ctx = PageContext(self, page.file.src_uri, page.url, parsed.where(directive.line), directive.indent)
        return self.site.registry[directive.kind].render(directive, ctx)

    def placeholder(self, fragment: str, indent: str) -> str:
        """Markdown that becomes ``fragment`` on the page (on_page_content puts it in)."""
        # named by its content, not at random: the page's HTML around it is then the same from one build to
        # the next, and the glossary's links on it are remembered (PageCaches.linked)
        token = "livenotes" + hashlib.sha256(fragment.encode("utf-8")).hexdigest()[:32]
        self._html[token] = fragment
        return f"\n{indent}{token}\n"

    def _add_notebook(self, page_uri: str, page: Page, files: Any, config: Any) -> None:
        """Write the page's notebook (only when it changed) and add it to the site as a page."""
        assert self.engine is not None
        source = notebooks.NotebookSource(
            project=self.engine.project,
            snippet=self.engine.snippet,
            graph=self.engine.graph,
            evaluation=self.evaluation,
            site_setup=self.site.notebook_setup,
            distributions=self.engine.keys.book.distributions,
            versions=self.engine.keys.book.versions,
            fetch_wheel=self.manifest["fetch"]["wheel"] if self.manifest else None,
            registry=self.site.registry,
            texts=self.site.texts,
            runtime=self.engine.runtime,
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
        texts = self.site.texts
        notebook_page = notebooks.notebook_uri(page_uri).removesuffix(".ipynb") + "/"
        here = page_url or "./"
        links = [
            f'<a href="{get_relative_url(notebook_page, here)}">{render.clean(texts.notebook_view)}</a>',
            f'<a href="{get_relative_url(notebooks.download_path(page_uri), here)}" download>'
            f"{render.clean(texts.notebook_download)}</a>",
        ]
        colab = self.links.colab(page_uri)
        if colab:
            links.append(f'<a href="{colab}" rel="noopener">{render.clean(texts.notebook_colab)}</a>')
        shown = render.clean(texts.notebook_links).replace("{links}", " · ".join(links))
        fragment = f'<p class="livenotes-notebook-links">{shown}</p>'
        return _after_title(markdown, self.placeholder(fragment, ""))


def _after_title(markdown: str, block: str) -> str:
    """``block`` after the page's first ``# `` title (at the top when it has none)."""
    lines = markdown.split("\n")
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), 0)
    return "\n".join([*lines[:at], "", block, *lines[at:]])
