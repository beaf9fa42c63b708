"""Shared fixtures: the real project, a scratch project with its own engine, a site built once."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from livenotes import Engine, Project, Result
from tests.browsing import Traffic, chromium, served

ROOT = Path(__file__).resolve().parents[1]
MINILM = ROOT / "checkpoints" / "all-MiniLM-L6-v2"
_names = itertools.count()


class Scratch:
    """A throw-away project (its own snippets/, approved/, cache) that shares the real checkpoints."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for folder in ("snippets", "approved", "docs", "checkpoints"):
            (root / folder).mkdir(parents=True, exist_ok=True)
        (root / "checkpoints" / "all-MiniLM-L6-v2").symlink_to(MINILM)
        self.project = Project(root)
        self.engine = Engine(self.project)

    def write(self, code: str, name: str | None = None) -> str:
        name = name or f"case_{next(_names)}.py"
        path = self.root / "snippets" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code, encoding="utf-8")
        return name

    def run(self, code: str, name: str | None = None) -> Result:
        """Write a snippet and run it in a new build of the scratch engine."""
        name = self.write(code, name)
        self.engine.begin_build()
        return self.engine.evaluate(name).result


@pytest.fixture(scope="session")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scratch]:
    project = Scratch(tmp_path_factory.mktemp("scratch"))
    yield project
    project.engine.close()


@pytest.fixture(autouse=True)
def _scratch_memo_per_test(request: pytest.FixtureRequest) -> None:
    """The scratch worker lives for the session; its memo of loaded checkpoints does not outlive a test."""
    if "scratch" in request.fixturenames:
        request.getfixturevalue("scratch").engine.worker.forget_loads()


@pytest.fixture(scope="session")
def project_engine() -> Iterator[Engine]:
    """The real project's engine, sharing the real cache (a fresh clone simply computes everything)."""
    engine = Engine(Project(ROOT))
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def rerun_engine() -> Iterator[Engine]:
    """The real project with a fresh worker that executes every snippet but the recipes again.

    Whatever the cache holds (CI may restore one), the loads and outputs it reports come from real runs;
    the recipes' checkpoints are taken as built (retraining them costs minutes).
    """
    engine = Engine(Project(ROOT), rerun=lambda snippet: not snippet.options.produces)
    yield engine
    engine.close()


def mkdocs(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        timeout=1200,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once with --strict into a temporary folder."""
    site = tmp_path_factory.mktemp("site")
    done = mkdocs("build", "--strict", "--site-dir", str(site), cwd=ROOT)
    assert done.returncode == 0, done.stderr[-4000:]
    return site


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """The built site served on a local port, as a reader's browser sees it."""
    with served(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    try:
        with chromium() as launched:
            yield launched
    except RuntimeError as missing:
        pytest.fail(str(missing))


@pytest.fixture()
def tab(browser: Any, site_url: str) -> Iterator[tuple[Any, Traffic]]:
    """A fresh browser tab on the built site and the requests it makes; no script error may happen in it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page, Traffic(page, site_url)
    context.close()
    assert errors == []
