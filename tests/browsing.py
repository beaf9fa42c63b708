"""Debian's Chromium through Playwright, and a built site served locally: shared by the browser tests and the bench."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def site_pages(site: Path) -> list[str]:
    """Every page of a built site, as its folder under the site ("." for the home page)."""
    return sorted(p.parent.relative_to(site).as_posix() for p in site.rglob("index.html"))


def page_url(origin: str, page: str) -> str:
    """The address of a page from :func:`site_pages` on the served site."""
    return f"{origin}/{'' if page == '.' else page + '/'}"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on a free local port, for as long as the block runs; yields its URL (no trailing /)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium (never Playwright's own download)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError("Debian chromium is missing: run `make setup-browser` (make test does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@contextlib.contextmanager
def browser_context(
    browser: Any, *, width: int = 1280, height: int = 900, init_script: str | None = None
) -> Iterator[Any]:
    """A fresh Japanese browser context (its own cookies, caches and storage) at a viewport size."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    if init_script:
        context.add_init_script(init_script)
    try:
        yield context
    finally:
        context.close()


@contextlib.contextmanager
def open_tab(
    browser: Any,
    origin: str,
    *,
    width: int = 1280,
    height: int = 900,
    permissions: tuple[str, ...] = (),
    init_script: str | None = None,
) -> Iterator[tuple[Any, Traffic]]:
    """The one way a test opens a page: a tab in a fresh context, the requests it makes, and no script error in it
    (checked when the block ends)."""
    with browser_context(browser, width=width, height=height, init_script=init_script) as context:
        if permissions:
            context.grant_permissions(list(permissions), origin=origin)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page, Traffic(page, origin)
    assert errors == [], errors


class Traffic:
    """Every request a page makes: which hosts and paths, and which failed."""

    def __init__(self, page: Any, origin: str) -> None:
        self.origin = urlparse(origin).netloc
        self.hosts: set[str] = set()
        self.paths: list[str] = []
        self.failed: list[str] = []
        page.on("request", self._seen)
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: self.failed.append(f"{r.url} ({r.status})") if r.status >= 400 else None)

    def _seen(self, request: Any) -> None:
        if request.url.startswith("http"):
            url = urlparse(request.url)
            self.hosts.add(url.netloc)
            self.paths.append(url.path)

    def asked_for(self, name: str) -> bool:
        """Whether the page requested a file called ``name`` (any folder)."""
        return any(path.rsplit("/", 1)[-1] == name for path in self.paths)

    def assert_clean(self) -> None:
        assert self.failed == []
        assert self.hosts <= {self.origin}, f"requests to other hosts: {sorted(self.hosts - {self.origin})}"
