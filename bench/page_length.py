"""How long each page's main flow is, in Chromium at 1280 px with every fold closed, from one run.

The reader's path is what stays open: collapsed blocks (``<details>``: proofs, provenance, printed numbers) are closed
as the page first shows them, and the content tabs show their first tab. Printed per page: the article's height in
CSS pixels, and with ``--sections`` the height of each ``##`` section, so a rewrite can be measured before and after.
Issue 26's aim for 1-4 (under half of the 20,700 px it measured) is printed beside. Nothing fails. Uses the site in
``site/`` (``make build`` first); ``python bench/page_length.py chapter-1-4 --sections`` measures one page.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browsing import chromium, open_tab, page_url, served, site_pages  # noqa: E402

SITE = ROOT / "site"
AIMS = {"chapter-1-4": 10_350}

# every fold closed, then the article's height and the top of each h2 (the last section ends at the article's end)
_MEASURE = """() => {
  for (const d of document.querySelectorAll("article details[open]")) d.open = false;
  const article = document.querySelector("article");
  const top = article.getBoundingClientRect().top;
  const heads = [...article.querySelectorAll("h2")].map(h => [h.id, h.getBoundingClientRect().top - top]);
  return {height: article.getBoundingClientRect().height, heads};
}"""


def measure(page: Any, url: str) -> dict[str, Any]:
    page.goto(url, wait_until="networkidle")
    # mermaid draws after load; its final height is what the reader scrolls past
    page.wait_for_timeout(500)
    return page.evaluate(_MEASURE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="page folders (default: every page)")
    parser.add_argument("--sections", action="store_true", help="print each ## section's height")
    args = parser.parse_args()
    every = site_pages(SITE)
    if not every:
        raise SystemExit("no site/: run `make build` first")
    pages = args.pages or every
    print(f"{'page':<34} {'px at 1280, folds closed':>26}")
    with served(SITE) as origin, chromium() as browser, open_tab(browser, origin) as (page, _):
        for path in pages:
            found = measure(page, page_url(origin, path))
            aim = AIMS.get(path.strip("/"))
            note = f"  (aim: under {aim:,})" if aim else ""
            print(f"{path:<34} {found['height']:>26,.0f}{note}")
            if args.sections:
                tops = [top for _, top in found["heads"]] + [found["height"]]
                for (name, top), end in zip(found["heads"], tops[1:], strict=True):
                    print(f"    {name:<40} {end - top:>8,.0f}")


if __name__ == "__main__":
    main()
