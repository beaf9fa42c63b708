"""A chapter page as a Jupyter notebook: its prose, its snippets verbatim, the outputs of this build.

Generated on every build, never edited by hand. The first cells make the notebook run on its own
elsewhere: the site's own set-up cells (``SiteSetup``: where its data and checkpoints come from; the
engine knows nothing of them), the pinned libraries, the build's seeds, then the recipes that make
the checkpoints the page reads.
"""

from __future__ import annotations

import json
import posixpath
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .cache_key import canonical_name, distributions_of_module, library_versions
from .directives import Page, Registry
from .downloads import top_folder
from .engine import Evaluation
from .errors import SnippetError
from .graph import SnippetGraph, referenced_inputs
from .project import Project
from .results import Result
from .runtime import Runtime
from .snippet import Snippet
from .texts import Texts


@dataclass(frozen=True)
class SetupRequest:
    """What the site is told when it writes a notebook's first cells (all of them: fetching what the page reads,
    installing the libraries, starting each cell as the build starts a snippet)."""

    page: str  # the page's name as the site's addresses have it (``chapter-1-4``)
    inputs: dict[str, str | None]  # paths the notebook's snippets read → the snippet that makes each (None: a file)
    site_url: str | None  # where the site (and its downloads/) is published
    fetch_wheel: str | None  # the reader's fetch command under downloads/ (None: this build publishes no bundle)
    pins: dict[str, str]  # distribution → the version this build ran, for what the notebook's snippets import
    modules: frozenset[str]  # the top-level modules the notebook's snippets import
    pinned_env: dict[str, str]  # the variables that chose the build's kernels (the runtime profile's)
    threads: int  # the build's thread count

    @property
    def folders(self) -> list[str]:
        """The folders the inputs lie in (``checkpoints/x``, ``data/y``): what the reader's command fetches."""
        return sorted({top_folder(path) for path in self.inputs})


# the site's own first cells: a list of ("markdown" | "code", source)
SiteSetup = Callable[[SetupRequest], list[tuple[str, str]]]


@dataclass(frozen=True)
class NotebookSource:
    """What a notebook is made from: the build's snippets, their graph, and their evaluations so far."""

    project: Project
    snippet: Callable[[str], Snippet]
    graph: SnippetGraph
    evaluation: Callable[[str], Evaluation | None]  # None: no output to show (execution off, or not yet run)
    site_setup: SiteSetup | None = None
    # module → providing distributions (the engine remembers it on disk; reading it costs 0.3 s)
    distributions: Callable[[], dict[str, list[str]]] = distributions_of_module
    # distributions (canonical name) → version, for modules and what they require (remembered likewise)
    versions: Callable[[frozenset[str]], dict[str, str]] = library_versions
    # the build's download bundle (downloads.py): the site's setup fetches what recipes make, so a chapter's
    # notebook does not retrain it (the workshop's notebook, whose page shows the recipes, does)
    fetch_wheel: str | None = None
    registry: Registry = field(default_factory=dict)  # the site's directives: which become cells
    texts: Texts = field(default_factory=Texts)
    runtime: Runtime = field(default_factory=Runtime)  # the build's: its kernels and threads, what it implies


FOLDER = "notebooks"  # where the generated notebooks live on the site
COLAB_BRANCH = "gh-pages"  # the Pages workflow publishes the built site (notebooks included) to this branch
_HEADING_ATTRS = re.compile(r"^(#{1,6} .*?)\s*\{[^}]*\}\s*$")
_ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?)\s+\w+(?:\s+"(?P<title>[^"]*)")?\s*$')
# an empty element with data- attributes is a placeholder a page script fills in (a widget): nothing in a notebook
_WIDGET = re.compile(r"^\s*<(?P<tag>div|span)\b[^>]*\bdata-[\w-]+=[^>]*>\s*</(?P=tag)>\s*$")
_MD_LINK = re.compile(r"\]\((?P<target>(?![a-z]+:|#)[^)\s]+?\.md)(?P<anchor>#[^)\s]*)?\)")


@dataclass(frozen=True)
class Links:
    """Where the site and the repository live (from ``site_url`` and ``repo_url``); either may be unset."""

    site_url: str | None
    repo_url: str | None

    def page(self, page_uri: str, anchor: str = "") -> str | None:
        """The published address of a page (None without ``site_url``)."""
        if not self.site_url:
            return None
        stem = page_uri.removesuffix(".md")
        path = "" if stem == "index" else stem.removesuffix("/index") + "/"
        return self.site_url.rstrip("/") + "/" + path + anchor

    def colab(self, page_uri: str) -> str | None:
        """Colab opens a notebook from a GitHub branch: the published copy on ``gh-pages``."""
        match = re.match(r"https://github\.com/([^/]+)/([^/]+?)/?$", self.repo_url or "")
        if not match:
            return None
        owner, repo = match.groups()
        return f"https://colab.research.google.com/github/{owner}/{repo}/blob/{COLAB_BRANCH}/{download_path(page_uri)}"


def notebook_uri(page_uri: str) -> str:
    """``pipeline.md`` → ``notebooks/pipeline.ipynb`` (rendered as the page ``notebooks/pipeline/``)."""
    return f"{FOLDER}/{page_uri.removesuffix('.md').replace('/', '-')}.ipynb"


def download_path(page_uri: str) -> str:
    """Where the raw ``.ipynb`` is published in the built site: beside its page (``PageCaches.publish_source``)."""
    stem = posixpath.basename(notebook_uri(page_uri)).removesuffix(".ipynb")
    if stem == "index":  # MkDocs makes notebooks/index.ipynb the page notebooks/ (notebooks/index.html)
        return f"{FOLDER}/index.ipynb"
    return f"{FOLDER}/{stem}/{stem}.ipynb"


def build_notebook(page: Page, source: NotebookSource, links: Links) -> dict:
    """The notebook for one page (nbformat 4.5, as plain data: ``validate`` checks it against the schema)."""
    page_uri = page.path.removeprefix("docs/")
    on_page = [source.snippet(name) for name in page.snippets]
    shown = {s.name for s in on_page}
    # with a download bundle the setup fetches what the recipes make; without one, the notebook runs them first
    ordered = [] if source.fetch_wheel is not None else source.graph.order(s.name for s in on_page)
    recipes = [source.snippet(name) for name in ordered if name not in shown]
    cells: list[Any] = [_markdown_cell(_title(page, links, source.texts))]
    cells += _setup_cells(source, page_uri.removesuffix(".md"), [*recipes, *on_page], links)
    if recipes:
        cells.append(_markdown_cell(source.texts.notebook_recipes))
        for snippet in recipes:
            cells += _snippet_cells(source, snippet, announce=True)
    for prose, directive in page.chunks(source.registry):
        text = _prose(_without_title(prose), page_uri, links, source.texts)
        if text:
            cells.append(_markdown_cell(text))
        if directive is not None:
            cells += _snippet_cells(source, source.snippet(directive.arg), announce=False)
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"  # by position: the same page gives the same notebook, byte for byte
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python", "version": sys.version.split()[0]},
            "livenotes": {"page": page.path, "generated": "by the site build; do not edit"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def validate(notebook: dict) -> None:
    """nbformat's schema check (``nbformat.ValidationError`` if the notebook breaks it).

    nbformat is imported here, not with this module: it costs a warm build 0.1 s, and a build only
    validates a notebook whose text changed (an unchanged one was validated when it was written).
    """
    import nbformat

    nbformat.validate(nbformat.from_dict(notebook))


def dumps(notebook: dict) -> str:
    """The notebook as the text of an ``.ipynb`` file, as ``nbformat.writes`` gives it (a test compares them):
    sorted keys, indent 1, multi-line text as lists of lines."""
    return (
        json.dumps(_split_lines(notebook), indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False) + "\n"
    )


def _split_lines(notebook: dict) -> dict:
    def lines(value: Any) -> Any:
        return value.splitlines(True) if isinstance(value, str) else value

    cells = []
    for cell in notebook["cells"]:
        cell = {**cell, "source": lines(cell["source"])}
        if cell["cell_type"] == "code":
            outputs = []
            for output in cell["outputs"]:
                if output["output_type"] == "stream":
                    output = {**output, "text": lines(output["text"])}
                elif "data" in output:  # text/* is split; image/png (base64) is not
                    output = {
                        **output,
                        "data": {k: lines(v) if k.startswith("text/") else v for k, v in output["data"].items()},
                    }
                outputs.append(output)
            cell["outputs"] = outputs
        cells.append(cell)
    return {**notebook, "cells": cells}


def _markdown_cell(text: str) -> dict:
    return {"cell_type": "markdown", "id": "", "metadata": {}, "source": text}


def _code_cell(text: str, metadata: dict) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": "", "metadata": metadata, "outputs": [], "source": text}


# -- cells ---------------------------------------------------------------------------------------
def _title(page: Page, links: Links, texts: Texts) -> str:
    page_uri = page.path.removeprefix("docs/")
    heading = next((line for line in page.body.splitlines() if line.startswith("# ")), f"# {page_uri}")
    lines = [_strip_attrs(heading), "", texts.notebook_title_note.format(page=page.path)]
    address = links.page(page_uri)
    if address:
        lines += ["", texts.notebook_site_page.format(address=address)]
    return "\n".join(lines)


def _without_title(prose: str) -> str:
    return "\n".join(line for line in prose.splitlines() if not line.startswith("# "))


def _setup_cells(source: NotebookSource, page: str, snippets: list[Snippet], links: Links) -> list[Any]:
    """The site's first cells: what it fetches, what it installs, how each cell starts (the engine asks them)."""
    if source.site_setup is None:
        return []
    here = {s.name for s in snippets}
    inputs = {path: source.graph.maker_of(path) for s in snippets for path in referenced_inputs(source.project, s)}
    inputs = {path: maker for path, maker in inputs.items() if maker not in here}  # what the notebook makes itself
    modules = frozenset(m for s in snippets for m in s.imported_modules)
    pins = _pins(modules, source.distributions(), source.versions, source.runtime.module.IMPLIED)
    request = SetupRequest(
        page,
        dict(sorted(inputs.items())),
        links.site_url,
        source.fetch_wheel,
        pins,
        modules,
        source.runtime.pinned,
        source.runtime.threads,
    )
    return [
        _markdown_cell(text) if kind == "markdown" else _setup_code(text) for kind, text in source.site_setup(request)
    ]


def _setup_code(source: str) -> Any:
    return _code_cell(source, {"livenotes": {"role": "setup"}})


def _snippet_cells(source: NotebookSource, snippet: Snippet, *, announce: bool) -> list[Any]:
    evaluation = source.evaluation(snippet.name)
    result = evaluation.result if evaluation else None
    cells: list[Any] = []
    if announce:
        took = source.texts.notebook_recipe_time.format(seconds=result.duration) if result and result.duration else ""
        cells.append(_markdown_cell(f"`{snippet.display_path}`{took}"))
    cell = _code_cell(snippet.shown_text.rstrip("\n"), {"livenotes": {"snippet": snippet.display_path}})
    if result is not None:
        cell["outputs"] = _outputs(result)
        cell["metadata"]["livenotes"].update(key=result.key, provenance=result.provenance)
    cells.append(cell)
    return cells


def _outputs(result: Result) -> list[dict]:
    if result.failure is not None:
        f = result.failure
        evalue = f"{f.where or ''} {f.message}".strip()
        return [{"output_type": "error", "ename": f.kind, "evalue": evalue, "traceback": []}]
    outputs: list[dict] = []
    if result.stdout:
        outputs.append({"output_type": "stream", "name": "stdout", "text": result.stdout})
    if result.display is not None:
        outputs.append(
            {
                "output_type": "execute_result",
                "data": {"text/plain": result.display},
                "metadata": {},
                "execution_count": None,
            }
        )
    for figure in result.figures:
        outputs.append(
            {
                "output_type": "display_data",
                "data": {"image/png": figure.png_base64, "text/plain": f"<Figure {figure.width}x{figure.height}>"},
                "metadata": {"image/png": {"width": figure.width, "height": figure.height}},
            }
        )
    return outputs


# -- prose ---------------------------------------------------------------------------------------
def _prose(text: str, page_uri: str, links: Links, texts: Texts) -> str:
    """MkDocs Markdown → notebook Markdown: no attribute lists, admonitions as quotes, links to the site."""
    out: list[str] = []
    in_admonition = False
    for line in text.splitlines():
        if _WIDGET.match(line):
            continue  # a page's widgets mean nothing in a notebook (its directives are already left out)
        admonition = _ADMONITION.match(line)
        if admonition:
            in_admonition = True
            out.append(f"> **{admonition.group('title') or texts.notebook_admonition}**")
            continue
        if in_admonition:
            if line.startswith("    ") or not line.strip():
                out.append(">" + (" " + line[4:] if line.strip() else ""))
                continue
            in_admonition = False
            while out and out[-1] == ">":
                out.pop()  # the admonition's trailing blank lines: end the quote with a real blank line
            out.append("")
        out.append(_strip_attrs(line))
    body = "\n".join(out).strip()
    return _MD_LINK.sub(lambda m: _site_link(m, page_uri, links), body)


def _strip_attrs(line: str) -> str:
    match = _HEADING_ATTRS.match(line)
    return match.group(1) if match else line


def _site_link(match: re.Match[str], page_uri: str, links: Links) -> str:
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page_uri), match.group("target")))
    url = links.page(target, match.group("anchor") or "")
    return f"]({url})" if url else match.group(0)


# -- versions ------------------------------------------------------------------------------------
def _pins(
    modules: frozenset[str],
    distributions: dict[str, list[str]],
    versions: Callable[[frozenset[str]], dict[str, str]],
    implied: dict[str, tuple[str, ...]],
) -> dict[str, str]:
    """Distribution → installed version for every non-standard module the snippets import (and what they run on
    without declaring it: the profile's ``IMPLIED``)."""
    wanted = frozenset(m for m in modules if m not in sys.stdlib_module_names)
    known = versions(wanted)  # canonical distribution name → version, with what they require
    pins: dict[str, str] = {}
    for module in sorted(wanted):
        for distribution in distributions.get(module, []):
            version = known.get(canonical_name(distribution))
            if version:
                pins[distribution] = version.split("+")[0]  # a local build tag (+cpu) is not on PyPI
    for distribution in list(pins):
        for backend in implied.get(canonical_name(distribution), ()):
            if backend not in pins and known.get(backend):
                pins[backend] = known[backend].split("+")[0]
    return {name: pins[name] for name in sorted(pins) if pins[name]}


def safe_build(page: Page, source: NotebookSource, links: Links) -> dict | None:
    """``build_notebook``, or None when a snippet on the page cannot even be loaded (the page shows why)."""
    try:
        return build_notebook(page, source, links)
    except SnippetError:
        return None
