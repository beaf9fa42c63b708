"""「自分で試す」 in Chromium on this machine: time from the click to the first answer, per model, in one run.

For one box of each exported model: a fresh browser context (empty cache) opens the page and presses 実行 (the
download of runtime and model, the session set-up and the answer), then the page is reloaded and the box pressed
again, so the files come from the browser's cache (only the set-up and the answer). Also printed: the bytes a first
use downloads. The goal from the issue, ≤ 2 s for the classifiers once cached, is printed beside; nothing fails.
Uses the site in ``site/`` (``make build`` first).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browsing import chromium, served  # noqa: E402
from tests.test_try_it import every_box  # noqa: E402

SITE = ROOT / "site"
DONE = "b => ['done', 'error', 'unsupported'].includes(b.dataset.state)"


def click_to_answer(page: Any, name: str) -> float:
    box = page.locator(f'.try-it[data-box="{name}"]').first
    box.scroll_into_view_if_needed()
    started = time.perf_counter()
    box.locator(".try-it__run").click()
    page.wait_for_function(DONE, arg=box.element_handle(), timeout=120000)
    seconds = time.perf_counter() - started
    if box.get_attribute("data-state") != "done":
        raise SystemExit(f"{name}: {box.locator('.try-it__status').inner_text()}")
    return seconds


def main() -> None:
    if not (SITE / "models").is_dir():
        raise SystemExit("no site/models: run `make build` first")
    export = json.loads((ROOT / "checkpoints" / "browser" / "boxes.json").read_text(encoding="utf-8"))
    first_box: dict[str, tuple[str, str]] = {}
    for path, name in every_box(SITE):
        first_box.setdefault(export["boxes"][name]["model"], (path, name))
    print("| model | precision | first use downloads | cold: click → answer | cached: click → answer | goal (cached) |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    with served(SITE) as url, chromium() as browser:
        for model, (path, name) in first_box.items():
            context = browser.new_context(locale="ja-JP")
            page = context.new_page()
            page.goto(f"{url}/{path}", wait_until="networkidle")
            download = int(page.locator(f'.try-it[data-box="{name}"]').first.get_attribute("data-download") or 0)
            cold = click_to_answer(page, name)
            page.reload(wait_until="networkidle")
            cached = click_to_answer(page, name)
            context.close()
            task = export["boxes"][name]["task"]
            goal = "≤ 2 s" + (" (met)" if cached <= 2 else " (missed)") if task != "text-generation" else ""
            precision = export["models"][model]["precision"]
            row = [model, precision, f"{download / 1e6:.1f} MB", f"{cold:.2f} s", f"{cached:.2f} s", goal]
            print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
