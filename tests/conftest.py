"""Shared fixtures: the real project, a scratch project with its own engine, a site built once.

The site (with the workshop's training, most of a fresh clone's `make test`) is built in the background from the
moment the tests are collected, and the tests that stand on it run last: the others run meanwhile (a fresh clone's
`make test`, measured once each way on 2 cores: 18 min 40 s against 19 min 22 s with the build first). Every
fixture of the real project waits for it, so no test reads a checkpoint that is still being trained.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from livenotes import Engine, Project, Result, Runtime, approved_path, load_site
from tests.browsing import Traffic, chromium, open_tab, served

ROOT = Path(__file__).resolve().parents[1]
SITE = load_site("notes_site")  # this book's layer, as mkdocs.yml names it
RUNTIME = Runtime(SITE.runtime)  # the build's: torch and transformers, the pinned kernels, the checkpoint guard
# fixtures that stand on the real project's trained checkpoints (a fresh clone trains them first: minutes) or on
# Chromium: a test using one is marked so, and `make test-fast` leaves it out
_TRAINED = {
    "project_engine",
    "rerun_engine",
    "consumers_engine",
    "site_build",
    "built_site",
    "site_url",
    "reader",
    "shown_output",
}
_BROWSER = {"browser", "tab"}
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
        self.engine = Engine(self.project, runtime=RUNTIME)

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
def project_engine(site_build: SiteBuild) -> Iterator[Engine]:
    """The real project's engine, sharing the real cache (after the site's build, which computed everything)."""
    engine = Engine(Project(ROOT), runtime=RUNTIME)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def rerun_engine(site_build: SiteBuild) -> Iterator[Engine]:
    """The real project with a fresh worker that executes every snippet but the recipes again.

    Whatever the cache holds (CI may restore one), the loads and outputs it reports come from real runs;
    the recipes' checkpoints are taken as built (retraining them costs minutes).
    """
    engine = Engine(Project(ROOT), rerun=lambda snippet: not snippet.options.produces, runtime=RUNTIME)
    yield engine
    engine.close()


def _mkdocs_call(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """How every test starts MkDocs: this Python's, quiet about MkDocs 2."""
    quiet = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    return {"args": [sys.executable, "-m", "mkdocs", *args], "env": quiet}


def mkdocs(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(**_mkdocs_call(*args, env=env), cwd=cwd, capture_output=True, text=True, timeout=1200)


@dataclass(frozen=True)
class SiteBuild:
    """The real site built once, and what MkDocs said while building it."""

    site: Path
    log: str

    def warnings(self) -> list[str]:
        """Each warning MkDocs logged (a multi-line one, such as a drift's diff, whole)."""
        records = re.split(r"^(?=(?:DEBUG|INFO|WARNING|ERROR)\s+-\s)", self.log, flags=re.MULTILINE)
        return [r.split("-", 1)[1].strip() for r in records if r.startswith(("WARNING", "ERROR"))]


class _BackgroundBuild:
    """``mkdocs build`` of the real site into a temporary folder, started when the tests are collected."""

    def __init__(self, site: Path) -> None:
        self.site, self.log = site, site.with_name(site.name + ".log")
        with self.log.open("w") as log:  # a file, not a pipe: a long build's log would fill a pipe and stall it
            call = _mkdocs_call("build", "--site-dir", str(site))
            self.process = subprocess.Popen(**call, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)

    def result(self) -> SiteBuild:
        try:
            self.process.wait(timeout=1200)
        except subprocess.TimeoutExpired:
            self.stop()
            pytest.fail("the site's build took more than 20 minutes")
        log = self.log.read_text(encoding="utf-8")
        assert self.process.returncode == 0, log[-4000:]
        return SiteBuild(self.site, log)

    def stop(self) -> None:
        """Ctrl-C, a failed session: the build stops as MkDocs stops on SIGTERM (no half-written checkpoint)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


_background: list[_BackgroundBuild] = []


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the site's build now when a selected test stands on it (``trained``: every such fixture waits for it)."""
    if session.config.option.collectonly:
        return
    if any(item.get_closest_marker("trained") for item in session.items):
        factory: pytest.TempPathFactory = session.config._tmp_path_factory  # type: ignore[attr-defined]
        _background.append(_BackgroundBuild(factory.mktemp("site")))


def pytest_sessionfinish(session: pytest.Session) -> None:
    for build in _background:
        build.stop()


@pytest.fixture(scope="session")
def site_build() -> SiteBuild:
    """The real site, built once into a temporary folder (in the background: see the module's docstring).

    Not with --strict: a snippet that fails or drifts fails its own test (test_snippets.py) and is shown as such on
    its page, while every test of the reader's side still runs on the site. That the build warns of nothing else,
    which is what --strict adds, is test_site.py's.
    """
    assert _background, "pytest_collection_finish starts the build for every test marked trained"
    return _background[0].result()


@pytest.fixture(scope="session")
def built_site(site_build: SiteBuild) -> Path:
    return site_build.site


@pytest.fixture(scope="session")
def shown_output(project_engine: Engine) -> Callable[[str], str]:
    """Snippet (``x/y.py`` or ``snippets/x/y.py``) → the output its page shows, as the approved file has it when
    they match (``...`` and the approved digits stand for what may vary between runs), else this build's own text:
    a reader's run must give what the page shows, and a drift is test_snippets.py's to report."""

    def shown(name: str) -> str:
        evaluation = project_engine.evaluate(name.removeprefix("snippets/"))
        if evaluation.drift is None and evaluation.result.ok:
            return approved_path(project_engine.project, evaluation.result.snippet).read_text(encoding="utf-8")
        return evaluation.result.text()

    return shown


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
    with open_tab(browser, site_url) as opened:
        yield opened


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by what it stands on (``trained``, ``browser``), from the fixtures it uses; the ``trained`` ones
    run last (in their own order), while the site they stand on is built."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & _TRAINED:
            item.add_marker(pytest.mark.trained)
        if used & _BROWSER:
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("trained") is not None)  # a stable sort keeps the order
