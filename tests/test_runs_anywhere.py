"""Where a reader is: an empty folder outside the repository, a fresh virtual environment, no git, no apt.

The built site is served locally (``LIVENOTES_SITE_URL`` points the command at it); the reader installs the
fetch command from the site with pip, fetches everything the pages read, and runs every snippet copied from
the pages as its own Python process, with none of the build's settings (no seeds, no AVX2 pin, no
PYTHONHASHSEED). Each must print what its page shows (figures aside: a script run shows none).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from livenotes import Project, load_snippet, matches
from tests.conftest import ROOT
from tests.test_notebooks import _output_text

PROJECT = Project(ROOT)
_CODE = re.compile(r'<span class="filename">(snippets/[^<]+)</span><pre><span></span><code>(.*?)</code></pre>', re.S)
FORBIDDEN_TOOLS = ("apt-get", "dpkg-deb", "git")


def page_name(site: Path, page: Path) -> str:
    """``site/chapter-1-4/index.html`` → ``chapter-1-4``, the name ``livenotes-fetch`` takes."""
    parts = page.relative_to(site).parts[:-1]
    return "/".join(parts) or "index"


def copied_snippets(site: Path) -> dict[str, dict[str, str]]:
    """Page → every snippet it shows, as its code block gives it (what the copy button copies)."""
    found: dict[str, dict[str, str]] = {}
    for page in sorted(site.rglob("*.html")):
        if "notebooks" in page.relative_to(site).parts:
            continue  # the notebook pages show the same code cells
        for path, code in _CODE.findall(page.read_text(encoding="utf-8")):
            shown = found.setdefault(page_name(site, page), {})
            shown[path.removeprefix("snippets/")] = html.unescape(re.sub(r"<[^>]+>", "", code))
    return found


@pytest.fixture(scope="session")
def reader(tmp_path_factory: pytest.TempPathFactory, site_url: str) -> dict[str, str]:
    """A fresh virtual environment outside the repo with the fetch command installed from the served site.

    Its environment: PATH holds the venv's bin/ only (no git, no apt-get, no dpkg-deb), HOME is empty, and
    pip reaches the registries setup uses (the constraints pin the versions the site was built with).
    """
    home = tmp_path_factory.mktemp("reader-home")
    venv = home / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    keep = ("LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
    env = {name: value for name, value in os.environ.items() if name.startswith("PIP_") or name in keep}
    env |= {
        "PATH": str(venv / "bin"),
        "HOME": str(home),
        "PIP_CONSTRAINT": str(ROOT / "constraints.txt"),
        "LIVENOTES_SITE_URL": site_url + "/",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    for tool in FORBIDDEN_TOOLS:
        assert shutil.which(tool, path=env["PATH"]) is None
    with urllib.request.urlopen(f"{site_url}/downloads/manifest.json") as response:
        wheel = json.load(response)["fetch"]["wheel"]
    # --no-compile: the reader's pip compiles every module of torch and transformers at install (30 s here);
    # without it, the first import compiles what it uses and writes the .pyc files (PYTHONDONTWRITEBYTECODE, which
    # this machine sets, is not passed on), so each later process imports as fast. Nothing else changes.
    done = subprocess.run(
        ["pip", "install", "-q", "--no-compile", f"{site_url}/downloads/{wheel}"],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    warm = subprocess.run(["python", "-c", "import torch, transformers.pipelines"], env=env, cwd=home)
    assert warm.returncode == 0
    return env


def test_on_every_page_the_two_commands_of_its_box_then_each_copied_snippet_prints_its_pages_output(
    reader: dict[str, str],
    built_site: Path,
    shown_output: Callable[[str], str],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Per page, in an empty folder of its own: its fetch command, then its snippets (recipes aside)."""
    pages = copied_snippets(built_site)
    consumers = {n for n in PROJECT.all_snippets() if not load_snippet(PROJECT, n).options.produces}
    shown = {name for snippets in pages.values() for name in snippets}
    assert consumers <= shown, f"not shown on any page: {sorted(consumers - shown)}"
    folders = {page: tmp_path_factory.mktemp("reader-" + page.replace("/", "-")) for page in pages}
    assert not any(folder.is_relative_to(ROOT.resolve()) for folder in folders.values())

    def fetch(page: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["livenotes-fetch", page], env=reader, cwd=folders[page], capture_output=True, text=True)

    with ThreadPoolExecutor(max_workers=2) as pool:  # each page's own folder: two fetches at a time
        fetched = dict(zip(pages, pool.map(fetch, pages), strict=True))
    jobs: list[tuple[Path, str, str]] = []  # (folder, snippet, code): each snippet once, on the first page showing it
    for page, snippets in pages.items():
        folder = folders[page]
        assert fetched[page].returncode == 0, f"livenotes-fetch {page}:\n{fetched[page].stderr[-3000:]}"
        for name, code in snippets.items():
            assert code == load_snippet(PROJECT, name).shown_text, f"{page} shows {name} altered"
            if name in consumers and all(name != job[1] for job in jobs):
                jobs.append((folder, name, code))

    expected = {name: shown_output(name) for _, name, _ in jobs}  # read here, in one thread

    def run(job: tuple[Path, str, str]) -> str | None:
        folder, name, code = job
        done = subprocess.run(["python", "-"], input=code, env=reader, cwd=folder, capture_output=True, text=True)
        want = "".join(line for line in expected[name].splitlines(keepends=True) if not line.startswith("[figure "))
        assert want.strip(), f"snippets/{name} prints nothing to compare"
        if done.returncode != 0:
            return f"{name} (in {folder.name}): exit status {done.returncode}\n{done.stderr[-2000:]}"
        if not matches(want, done.stdout):
            return f"{name} (in {folder.name}): printed\n{done.stdout[:2000]}\ninstead of\n{want[:2000]}"
        return None

    with ThreadPoolExecutor(max_workers=2) as pool:  # two cores: two readers' processes at a time
        problems = [problem for problem in pool.map(run, jobs) if problem]
    assert problems == [], "\n\n".join(problems)
    assert len(jobs) == len(consumers) >= 28


def test_every_page_with_code_has_a_box_with_its_own_command_and_what_it_fetches(built_site: Path) -> None:
    manifest = json.loads((built_site / "downloads" / "manifest.json").read_text(encoding="utf-8"))
    wheel = manifest["site_url"] + "downloads/" + manifest["fetch"]["wheel"]
    pages = copied_snippets(built_site)
    assert len(pages) >= 7
    for page in pages:
        html_text = (built_site / ("" if page == "index" else page) / "index.html").read_text(encoding="utf-8")
        box = re.search(r'<details class="tip livenotes-run-locally[^"]*">(.*?)</details>', html_text, re.S)
        assert box, f"{page}: no 「手元で動かすには」 box"
        text = html.unescape(re.sub(r"<[^>]+>", "", box.group(1)))
        assert f'pip install "{wheel}"' in text and f"livenotes-fetch {page}" in text, page
        for folder in manifest["pages"].get(page, []):
            assert folder in text, f"{page}: the box does not list {folder}"
        if not manifest["pages"].get(page):
            assert "何も取ってこない" in text, page


# the reader's Jupyter, in the same fresh venv: execute the notebook as downloaded, in the folder it sits in
_RUN_NOTEBOOK = """\
import sys

import nbformat
from nbclient import NotebookClient

notebook = nbformat.read(sys.argv[1], as_version=4)
for cell in notebook.cells:
    if cell.cell_type == "code":
        cell.outputs = []
NotebookClient(notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": "."}}).execute()
nbformat.write(notebook, sys.argv[2])
"""


def test_the_chapter_1_4_notebook_runs_end_to_end_outside_the_repo_and_gives_the_pages_outputs(
    reader: dict[str, str],
    built_site: Path,
    shown_output: Callable[[str], str],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """1-4 reads trained checkpoints: its setup cells fetch them (and the data) from the served site."""
    folder = tmp_path_factory.mktemp("reader-notebook")
    downloaded = built_site / "notebooks" / "chapter-1-4" / "chapter-1-4.ipynb"
    shutil.copy(downloaded, folder / "chapter-1-4.ipynb")
    jupyter = subprocess.run(
        ["pip", "install", "-q", "--no-compile", "nbclient", "ipykernel"], env=reader, capture_output=True, text=True
    )
    assert jupyter.returncode == 0, jupyter.stderr[-3000:]
    done = subprocess.run(
        ["python", "-c", _RUN_NOTEBOOK, "chapter-1-4.ipynb", "executed.ipynb"],
        env={**reader, "JUPYTER_PLATFORM_DIRS": "1"},
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    executed = nbformat.read(folder / "executed.ipynb", as_version=4)
    setup = "".join(_output_text(c) for c in executed.cells if c.metadata.get("livenotes", {}).get("role") == "setup")
    assert "もうある" not in setup, "the folders were there before the notebook fetched them"
    assert (folder / "checkpoints" / "tiny-gpt2-austen" / "config.json").is_file()
    ran = [c for c in executed.cells if "snippet" in c.metadata.get("livenotes", {})]
    assert len(ran) >= 8
    for cell in ran:
        name = cell.metadata["livenotes"]["snippet"]
        want, got = shown_output(name), _output_text(cell)
        assert matches(want, got), f"{name} in the reader's kernel:\n{got}\n--- on the page ---\n{want}"
