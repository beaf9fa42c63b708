"""Whole builds: the real site, and small sites whose snippets go wrong."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, SiteBuild, mkdocs
from tests.sites import make_site

pytestmark = pytest.mark.slow

# front matter first: the lines MkDocs strips must not shift the lines the messages name
BROKEN_PAGE = """---
title: 壊れたページ
---

# ページ

{% run "good.py" %}
{% run "bad.py" %}
{% run "../outside.py" %}
{% run "missing.py" %}
{% run "drifted.py" %}
"""
BROKEN_SNIPPETS = {
    "good.py": "print('こんにちは')\n",
    "bad.py": "x = 0\nprint(1 / x)\n",
    "drifted.py": "print(41 + 1)\n",
}
BROKEN_APPROVED = {"good.txt": "こんにちは\n", "drifted.txt": "41\n"}


def test_the_real_site_builds_with_no_warning_but_its_snippets_own(site_build: SiteBuild) -> None:
    # what --strict would stop at: any warning but a snippet's failure or drift, which its own test reports
    # (test_snippets.py) while the rest of the suite runs on a site that shows the problem on its page
    others = [w for w in site_build.warnings() if not re.match(r"livenotes: snippets/\S+\.py[: ]", w)]
    assert others == []
    built_site = site_build.site
    page = (built_site / "feature-extraction" / "index.html").read_text()
    assert "文ベクトルの形: (4, 384)" in page
    assert 'src="data:image/png;base64,' in page
    assert "livenotes-failure" not in page and "livenotes-provenance" in page
    assert "key " in page and "transformers 5." in page
    report_page = (built_site / "maintainers" / "build-report" / "index.html").read_text()
    assert "snippets/feature_extraction/sentence_similarity.py" in report_page


def test_every_figure_on_the_site_says_what_it_shows(built_site: Path) -> None:
    alts = [
        alt
        for page in sorted(built_site.rglob("index.html"))
        for alt in re.findall(r'<figure class="livenotes-figure"><img [^>]*alt="([^"]*)"', page.read_text("utf-8"))
    ]
    assert len(alts) >= 10
    assert [alt for alt in alts if alt.startswith("snippets/")] == [], "a figure whose alt text is only its file"


def test_a_warm_build_imports_neither_torch_nor_transformers(built_site: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "build_probe.py"), "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["exit_code"] == 0, done.stderr[-3000:]
    assert probe["heavy_imports"] == []
    summary = json.loads((tmp_path / "site" / "livenotes-report.json").read_text())["summary"]
    assert summary["executed"] == 0 and summary["cache_hits"] == summary["snippets"] > 0


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("broken")
    (root / "outside.py").write_text("print('never')\n")
    return make_site(root, BROKEN_PAGE, BROKEN_SNIPPETS, BROKEN_APPROVED)


def test_a_strict_build_fails_and_names_every_problem(broken_site: Path) -> None:
    done = mkdocs("build", "--strict", cwd=broken_site)
    assert done.returncode != 0
    log = done.stderr + done.stdout
    assert "snippets/bad.py:2 (embedded in docs/index.md:8): ZeroDivisionError: division by zero" in log
    assert "print(1 / x)" in log  # the traceback's tail
    assert re.search(r"docs/index.md:9: snippet path '../outside.py' is outside snippets/", log)
    assert re.search(r"docs/index.md:10: snippet 'missing.py' does not exist", log)
    assert "snippets/drifted.py (embedded in docs/index.md:11): output differs from approved/drifted.txt" in log
    assert "-41" in log and "+42" in log
    assert "Aborted with 4 warnings in strict mode" in log


def test_a_lenient_build_still_renders_the_page_with_the_errors_on_it(broken_site: Path) -> None:
    done = mkdocs("build", "--site-dir", "lenient", cwd=broken_site)
    assert done.returncode == 0, done.stderr
    page = (broken_site / "lenient" / "index.html").read_text()
    assert "こんにちは" in page
    assert page.count("livenotes-failure") == 3
    assert "ZeroDivisionError: division by zero" in page and "承認済みの出力と異なります" in page
    assert "never" not in page


def test_two_builds_at_once_share_one_cache(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        '# p\n\n{% run "a.py" %}\n\n{% run "b.py" %}\n',
        {"a.py": "print('a')\n", "b.py": "import time\ntime.sleep(0.5)\nprint('b')\n"},
        {"a.txt": "a\n", "b.txt": "b\n"},
    )
    builds = [
        subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", out],
            cwd=site,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for out in ("one", "two")
    ]
    for build in builds:
        _, err = build.communicate(timeout=600)
        assert build.returncode == 0, err
    for out in ("one", "two"):
        page = (site / out / "index.html").read_text()
        assert '<pre class="livenotes-stdout"><code>a\n' in page and "<code>b\n" in page
    entries = list((site / ".cache" / "livenotes" / "results").iterdir())
    assert sorted(p.name.split("--")[0] for p in entries) == ["a", "b"]
    assert all(json.loads(p.read_text())["stdout"] in ("a\n", "b\n") for p in entries)
    third = mkdocs("build", "--strict", "--site-dir", "three", cwd=site)
    assert "2 from cache, 0 executed" in third.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch_until(url: str, wanted: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                text = response.read().decode()
            if wanted in text:
                return text
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{wanted!r} never appeared at {url}; last page:\n{text[-2000:]}")


@contextlib.contextmanager
def _serving(site: Path, **env: str) -> Iterator[str]:
    """``mkdocs serve`` of a small site on a free port; its URL while the block runs."""
    port = _free_port()
    with subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
    ) as server:
        try:
            yield f"http://127.0.0.1:{port}/"
        finally:
            server.terminate()
            server.wait(timeout=30)


def test_serve_shows_the_error_keeps_serving_and_picks_up_the_fix(tmp_path: Path) -> None:
    site = make_site(
        tmp_path, '# p\n\n{% run "a.py" %}\n', {"a.py": "raise ValueError('まだ直していない')\n"}, {"a.txt": "ok\n"}
    )
    with _serving(site) as url:
        page = _fetch_until(url, "livenotes-failure", 120)
        assert "ValueError: まだ直していない" in page
        (site / "snippets" / "a.py").write_text("print('ok')\n")
        page = _fetch_until(url, '<pre class="livenotes-stdout"><code>ok', 60)
        assert "livenotes-failure" not in page


def test_serve_renders_at_once_and_the_page_fills_in_when_the_output_arrives(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        '# p\n\n{% run "quick.py" %}\n\n{% run "slow.py" %}\n\n{% run "after.py" %}\n',
        {
            "quick.py": "print('すぐ')\n",
            # runs until the test has seen the page without it (no fixed sleep: the test releases it)
            "slow.py": (
                "import pathlib, time\n"
                "while not pathlib.Path('release').exists():\n"
                "    time.sleep(0.05)\n"
                "print('やっと')\n"
            ),
            # needs the slow one: evaluated after it, in dependency order
            "after.py": "# livenotes: needs=slow.py\nprint('あと')\n",
        },
        {"quick.txt": "すぐ\n", "slow.txt": "やっと\n", "after.txt": "あと\n"},
        serve_wait=0,
    )
    with _serving(site) as url:
        first = _fetch_until(url, "livenotes-pending", 60)
        assert "実行中…" in first and "<code>やっと" not in first
        # the quick one may already be there
        assert first.count("livenotes-pending") == 3 or '<pre class="livenotes-stdout"><code>すぐ' in first
        (site / "release").write_text("")
        # the server rebuilds when the runner says the waiting outputs arrived (livereload then reloads the page)
        done = _fetch_until(url, '<pre class="livenotes-stdout"><code>あと', 120)
        assert "livenotes-pending" not in done
        assert (
            '<pre class="livenotes-stdout"><code>やっと' in done and '<pre class="livenotes-stdout"><code>すぐ' in done
        )


def _site_with_a_notebook(tmp_path: Path) -> Path:
    site = make_site(
        tmp_path,
        '# p\n\nある文。\n\n{% run "a.py" %}\n\n## 二つ目\n\n{% run "b.py" %}\n',
        {"a.py": "print('ノートにも出る')\n", "b.py": "x = 1  # `code`\nprint(x + 1)\n"},
        {"a.txt": "ノートにも出る\n", "b.txt": "2\n"},
        notebooks=True,
    )
    return site


def test_a_warm_build_makes_the_same_site_as_a_cold_one(tmp_path: Path) -> None:
    # the second build takes notebook renderings, highlighted code and search entries from memos on disk;
    # what it writes must be what the first build (which made them) wrote, byte for byte
    site = _site_with_a_notebook(tmp_path)
    for out in ("cold", "warm"):
        done = mkdocs("build", "--strict", "--site-dir", out, cwd=site)
        assert done.returncode == 0, done.stderr
    memos = site / ".cache" / "livenotes"
    assert len(list((memos / "highlighted-code").iterdir())) == 2  # one per snippet
    assert len(list((memos / "search-entries").iterdir())) == 1  # the one page (notebook pages are not indexed)
    assert list((memos / "notebook-pages").glob("render-*/*.json")), "the notebook's rendering was not remembered"

    def files(out: str) -> dict[str, bytes]:
        root = site / out
        skip = {"livenotes-report.json", "sitemap.xml.gz"}  # timings; a gzip header with its time
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and p.name not in skip
        }

    cold, warm = files("cold"), files("warm")
    assert cold.keys() == warm.keys()
    assert [name for name in cold if cold[name] != warm[name]] == []
    notebook = (site / "warm" / "notebooks" / "index.html").read_text(encoding="utf-8")  # index.md's notebook
    assert (site / "warm" / "notebooks" / "index.ipynb").is_file()
    assert 'href="notebooks/index.ipynb" download' in (site / "warm" / "index.html").read_text(encoding="utf-8")
    assert "ノートにも出る" in notebook and "生成中" not in notebook
    index = json.loads((site / "warm" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert any("print" in doc["text"] for doc in index["docs"]), "the code is still in the search index"
    assert not any(doc["location"].startswith("notebooks/") for doc in index["docs"])


def test_serve_renders_a_changed_notebook_on_the_side_and_stops_its_helper(tmp_path: Path) -> None:
    site = _site_with_a_notebook(tmp_path)
    with _serving(site) as url:
        chapter = _fetch_until(url, "<code>ノートにも出る", 120)
        assert "ある文。" in chapter
        # the notebook page is there at once, saying its rendering is being made; then the real one
        notebook = _fetch_until(url + "notebooks/", "ノートにも出る", 120)
        assert "生成中" not in notebook
        (site / "docs" / "index.md").write_text(
            (site / "docs" / "index.md").read_text(encoding="utf-8") + "\n書き足した一文。\n", encoding="utf-8"
        )
        _fetch_until(url, "書き足した一文。", 60)  # the chapter does not wait for its notebook
        _fetch_until(url + "notebooks/", "書き足した一文。", 120)
    helpers = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"livenotes._internal.page_caches" in command and str(site).encode() in command:
            helpers.append(entry.name)
    assert helpers == [], "a notebook helper outlived the server"


# the chapter pages: the course's chapter 1 as the note follows it (the home, the workshop, the glossary, the reading
# log and the references are not chapters)
CHAPTERS = ("pipeline", "feature-extraction", "chapter-1-4", "tasks", "inference", "limitations", "chapter-1-summary")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_page_ends_with_where_to_learn_more(built_site: Path, chapter: str) -> None:
    page = (built_site / chapter / "index.html").read_text(encoding="utf-8")
    assert 'id="learn-more"' in page, chapter
    section = page.split('id="learn-more"', 1)[1].split("<h2", 1)[0]
    links = re.findall(r'href="(https://[^"]+)"', section)
    assert any(link.startswith("https://huggingface.co/learn/llm-course/") for link in links), "the course's chapter"
    assert len(links) >= 3, links
