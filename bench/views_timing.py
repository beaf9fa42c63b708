"""The attention view and the next-token view in Chromium on this machine, printed as numbers from one run.

Per view: what its first use downloads (runtime and model, as the view states it), the click → first drawing time
with an empty cache, then, with the model loaded: the forward pass for a 32-token sentence, and the redraw after a
head or layer change (attention) and after a slider move (next token), as the p95 of many, measured by the page
itself (``data-draw-ms``: from the change to the DOM being rebuilt). The goals from the issue are printed beside;
nothing fails. Uses the site in ``site/`` (``make build`` first).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browsing import chromium, open_tab, served  # noqa: E402

SITE = ROOT / "site"
DONE = "v => ['done', 'error'].includes(v.dataset.state)"
SENTENCE_32 = (  # 32 tokens for MiniLM ([CLS] and [SEP] included)
    "The animal didn't cross the street because it was too tired, and the cat that watched it from the wall "
    "did not move at all."
)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def run_view(page: Any, view: Any) -> float:
    started = time.perf_counter()
    view.locator(".try-it__run").click()
    page.wait_for_function(DONE, arg=view.element_handle(), timeout=120000)
    if view.get_attribute("data-state") != "done":
        raise SystemExit(view.locator(".try-it__status").inner_text())
    return time.perf_counter() - started


def main() -> None:
    if not (SITE / "models").is_dir():
        raise SystemExit("no site/models: run `make build` first")
    rows = []
    with served(SITE) as url, chromium() as browser:
        with open_tab(browser, url) as (page, _):
            page.goto(f"{url}/chapter-1-4/", wait_until="networkidle")
            view = page.locator(".attention-view")
            size = view.locator(".try-it__size").inner_text()
            cold = run_view(page, view)
            view.locator(".try-it__input").fill(SENTENCE_32)
            forward = [run_view(page, view) for _ in range(5)]
            tokens = view.locator(".attention-view__matrix tbody tr").count()
            draws = []
            for round_ in range(3):
                for layer in range(6):
                    view.locator('select[aria-label="層"]').select_option(str(layer))
                    draws.append(float(view.get_attribute("data-draw-ms") or 0))
                    for head in range(12):
                        view.locator('select[aria-label="ヘッド"]').select_option(str((head + round_) % 12))
                        draws.append(float(view.get_attribute("data-draw-ms") or 0))
            rows.append(
                [
                    "アテンション(MiniLM)",
                    size,
                    f"{cold:.2f} s",
                    f"{statistics.median(forward):.2f} s ({tokens} トークン)",
                    f"{p95(draws):.1f} ms (層・ヘッドの切り替え {len(draws)} 回)",
                    "< 50 ms",
                ]
            )
        with open_tab(browser, url) as (page, _):
            page.goto(f"{url}/inference/", wait_until="networkidle")
            view = page.locator(".next-token-view")
            size = view.locator(".try-it__size").inner_text()
            cold = run_view(page, view)
            moves = []
            for step in range(120):
                value = 0.1 + (step % 39) * 0.05
                view.locator('input[aria-label="温度"]').evaluate(
                    "(input, value) => { input.value = value; input.dispatchEvent(new Event('input')) }", str(value)
                )
                moves.append(float(view.get_attribute("data-draw-ms") or 0))
            rows.append(
                [
                    "次のトークン(小さな GPT-2)",
                    size,
                    f"{cold:.2f} s",
                    "—",
                    f"{p95(moves):.1f} ms (温度のつまみ {len(moves)} 回)",
                    "< 16 ms",
                ]
            )
    print("| ビュー | 初回のダウンロード | 初回: クリック → 表示 | 32 トークンの計算(中央値) | 描き直し(p95) | 目標 |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
