"""The notebooks the build generates: valid, the code that runs, linked from their pages, and they run."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from livenotes import (
    Engine,
    Links,
    NotebookSource,
    Project,
    build_notebook,
    load_snippet,
    matches,
    notebook_uri,
    parse_page,
)
from livenotes._internal.figure_png import png_size
from tests.conftest import ROOT, SITE, Scratch

CHAPTERS = [
    "pipeline.md",
    "feature-extraction.md",
    "chapter-1-4.md",
    "inference.md",
    "limitations.md",
    "workshop.md",
    "reading-log.md",
]
LINKS = Links("https://example.org/notes/", "https://github.com/someone/notes")


def _downloaded(site: Path, page: str) -> Path:
    stem = notebook_uri(page).removesuffix(".ipynb").split("/")[-1]
    return site / "notebooks" / stem / f"{stem}.ipynb"


def _output_text(cell: nbformat.NotebookNode) -> str:
    """A code cell's outputs in the form approved outputs are written in (see Result.text)."""
    text, figures = "", 0
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stdout":
            text += output.text
        elif output.output_type == "execute_result":
            text += output.data["text/plain"] + "\n"
        elif output.output_type == "display_data" and "image/png" in output.data:
            figures += 1
            size = output.metadata.get("image/png", {})
            width, height = size.get("width"), size.get("height")
            if width is None:  # executed by nbclient: read the size from the PNG header
                width, height = png_size(base64.b64decode(output.data["image/png"]))
            text += f"[figure {figures}: {width}x{height} png]\n"
        elif output.output_type == "error":
            text += f"{output.ename}: {output.evalue}\n"
    return text


@pytest.mark.slow
@pytest.mark.parametrize("page", CHAPTERS)
def test_every_chapter_has_a_valid_notebook_with_the_code_that_runs_and_this_builds_outputs(
    built_site: Path, shown_output: Callable[[str], str], page: str
) -> None:
    text = _downloaded(built_site, page).read_text(encoding="utf-8")
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    # the build writes notebooks as plain data (no nbformat import): the text is what nbformat itself writes
    assert nbformat.writes(notebook) + "\n" == text
    snippets = [c for c in notebook.cells if "snippet" in c.metadata.get("livenotes", {})]
    assert snippets, "a chapter notebook shows the chapter's snippets"
    for cell in snippets:
        name = cell.metadata["livenotes"]["snippet"]
        # the code a reader runs: the file without its engine comments (Snippet.shown_text)
        shown = load_snippet(Project(ROOT), name.removeprefix("snippets/")).shown_text.rstrip("\n")
        assert cell.source == shown, f"{name} is not the code that runs"
        assert matches(shown_output(name), _output_text(cell)), f"{name}: the notebook's output is not this build's"
        recorded = cell.metadata["livenotes"]
        assert len(recorded["key"]) == 64 and recorded["provenance"]["python"], "versions and key go with the output"
    html = (built_site / page.removesuffix(".md") / "index.html").read_text(encoding="utf-8")
    stem = page.removesuffix(".md")
    assert f'href="../notebooks/{stem}/"' in html
    assert f'href="../notebooks/{stem}/{stem}.ipynb" download' in html
    colab = f"https://colab.research.google.com/github/livenotes-ja/hf-course-notes/blob/gh-pages/notebooks/{stem}/{stem}.ipynb"
    assert colab in html
    assert (built_site / "notebooks" / stem / "index.html").is_file(), "the notebook is also a page of the site"


@pytest.mark.slow
@pytest.mark.parametrize("page", ["feature-extraction.md", "reading-log.md"])
def test_a_notebook_runs_end_to_end_in_a_kernel_and_gives_the_pages_outputs(
    built_site: Path, shown_output: Callable[[str], str], page: str
) -> None:
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")  # jupyter_core warns otherwise (warnings are errors)
    from nbclient import NotebookClient

    notebook = nbformat.read(_downloaded(built_site, page), as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    # run from the repository, as a reader who cloned it would: the setup cells find data and checkpoints there
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    setup = [c for c in notebook.cells if c.metadata.get("livenotes", {}).get("role") == "setup"]
    assert "pip" not in "".join(_output_text(c) for c in setup), "the pinned libraries were already installed"
    ran = [c for c in notebook.cells if "snippet" in c.metadata.get("livenotes", {})]
    assert ran
    for cell in ran:
        name = cell.metadata["livenotes"]["snippet"]
        want, got = shown_output(name), _output_text(cell)
        assert matches(want, got), f"{name} in the kernel:\n{got}\n--- on the page ---\n{want}"


def _source(engine: Engine) -> NotebookSource:
    engine.begin_build()
    return NotebookSource(
        engine.project,
        engine.snippet,
        engine.graph,
        engine.evaluate,
        registry=SITE.registry,
        texts=SITE.texts,
        runtime=engine.runtime,
    )


def test_the_notebook_turns_mkdocs_markdown_into_notebook_markdown(scratch: Scratch) -> None:
    name = scratch.write('print("hello")\n', "nb/hello.py")
    page = (
        "# Title {#top}\n\nIntro, see [the other page](other.md#part).\n\n"
        '!!! note "Careful"\n    indented body\n\nafter\n\n## Section {#s}\n\n'
        f'{{% run "{name}" %}}\n\n{{% try_it "x" %}}\n\n<div class="widget" data-x="1"></div>\n\nThe end.\n'
    )
    notebook = build_notebook(parse_page("docs/chapter.md", page, SITE.registry), _source(scratch.engine), LINKS)
    text = json.dumps(notebook, ensure_ascii=False)
    sources = [c["source"] for c in notebook["cells"]]
    assert sources[0].startswith("# Title\n")
    assert "https://example.org/notes/chapter/" in sources[0]
    prose = next(s for s in sources if s.startswith("Intro"))
    assert "[the other page](https://example.org/notes/other/#part)" in prose
    assert "> **Careful**\n> indented body\n\nafter" in prose
    assert prose.endswith("after\n\n## Section") and "{#" not in text
    code = next(c for c in notebook["cells"] if c["metadata"].get("livenotes", {}).get("snippet"))
    assert code["source"] == 'print("hello")'
    assert code["outputs"][0]["text"] == "hello\n"
    assert sources[-1] == "The end.", "a directive, and a widget the page's script fills in, are left out"


def test_a_failing_snippet_becomes_an_error_output_and_the_notebook_is_still_made(scratch: Scratch) -> None:
    name = scratch.write("1 / 0\n", "nb/broken.py")
    notebook = build_notebook(
        parse_page("docs/p.md", f'# P\n\n{{% run "{name}" %}}\n', SITE.registry), _source(scratch.engine), LINKS
    )
    nbformat.validate(nbformat.from_dict(notebook))
    code = next(c for c in notebook["cells"] if c["metadata"].get("livenotes", {}).get("snippet"))
    assert code["outputs"][0]["output_type"] == "error"
    assert "ZeroDivisionError" in code["outputs"][0]["evalue"]
    assert "nb/broken.py:1" in code["outputs"][0]["evalue"]


def test_colab_and_site_links_come_from_repo_url_and_site_url() -> None:
    assert (
        LINKS.colab("a/b.md")
        == "https://colab.research.google.com/github/someone/notes/blob/gh-pages/notebooks/a-b/a-b.ipynb"
    )
    assert Links(None, "https://gitlab.com/x/y").colab("a.md") is None  # Colab opens GitHub only
    assert LINKS.page("index.md") == "https://example.org/notes/"
    assert Links(None, None).page("x.md") is None
