"""What every page of the built site transfers before the reader touches anything, in Chromium, from one run.

Each page is opened in a fresh context (an empty cache, as a first visit), left until the network is idle and
scrolled to the end (lazy images load too); the bytes of every response are added up (``Content-Length`` as served,
which for this static server is the file's size). Printed per page with its largest files and whether it draws a
diagram or has a box; the issue's aim (at most 1 MB for a page without a diagram or a box in use) is printed beside.
Nothing fails. Uses the site in ``site/`` (``make build`` first).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browsing import chromium, open_tab, page_url, served, site_pages  # noqa: E402

SITE = ROOT / "site"
AIM = 1_000_000


def weigh(page: Any, url: str) -> dict[str, int]:
    sizes: dict[str, int] = {}

    def seen(response: Any) -> None:
        length = response.headers.get("content-length")
        sizes[response.url.rsplit("/", 1)[-1] or response.url] = int(length) if length else len(response.body())

    page.on("response", seen)
    page.goto(url, wait_until="networkidle")
    page.mouse.wheel(0, 100000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    return sizes


def main() -> None:
    pages = site_pages(SITE)
    if not pages:
        raise SystemExit("no site/: run `make build` first")
    print(f"{'page':<34} {'KB':>7}  diagram box  largest files")
    over = 0
    with served(SITE) as origin, chromium() as browser:
        for path in pages:
            html = (SITE / path / "index.html").read_text(encoding="utf-8")
            diagram, box = 'class="mermaid"' in html, 'class="try-it' in html
            with open_tab(browser, origin) as (page, _):
                sizes = weigh(page, page_url(origin, path))
            total = sum(sizes.values())
            biggest = sorted(sizes.items(), key=lambda kv: -kv[1])[:3]
            largest = ", ".join(f"{name} {size // 1000}" for name, size in biggest)
            plain = not diagram and not box
            over += plain and total > AIM
            flag = "  > 1 MB" if plain and total > AIM else ""
            marks = f"{'yes' if diagram else '-':>7} {'yes' if box else '-':>3}"
            print(f"{path:<34} {total / 1000:>7.0f}  {marks}  {largest}{flag}")
    print(f"pages without a diagram or a box over {AIM // 1000} KB: {over} (aim: 0)")


if __name__ == "__main__":
    main()
