"""The site's search against the candidates it was chosen over, on the same queries, in Chromium, in one run.

Queries: every glossary headword and alias and every chapter h2 (``tests/search_queries.py``; the recall test asks
the same). A query counts as found when a right location is among the first three results. Candidates:

- ``ours``: Material's search box and search_index.json, answered by ``search_ja.js`` (substring, no segmenter);
- ``material``: the same site with Material 9.8.2's own worker (lunr + TinySegmenter), as the site was before;
- ``pagefind``: Pagefind 1.5.2's extended build (dictionary segmentation for Japanese) over the same built pages,
  notebook pages removed as in the others, queried through its JS API from the site's own ``lang="ja"`` page; a
  result counts with all its sub-results (more than Pagefind's UI shows). Installed on demand into
  ``.cache/bench/pagefind`` from ``bench/pagefind-requirements.txt`` (pinned, SHA-256 checked; x86-64 Linux).

Also printed: the index's size (raw and gzip) and build time, the worker's set-up time and per-query time in the
browser. One run, medians; no targets for these, so nothing passes or fails.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browsing import chromium, served  # noqa: E402
from tests.search_queries import MIXED, Query, all_queries, material_search, site_location  # noqa: E402

OURS = "assets/javascripts/workers/search_ja.js"
PAGEFIND = ROOT / ".cache" / "bench" / "pagefind"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}

# the worker alone, as Material drives it: SETUP with the index, then one QUERY at a time
_WORKER_TIMES = """async ([worker, queries]) => {
  const index = await (await fetch("search/search_index.json")).json()
  const w = new Worker(worker)
  const next = () => new Promise(done => w.addEventListener("message", e => done(e.data), { once: true }))
  let t = performance.now()
  w.postMessage({ type: 0, data: { ...index, options: { suggest: false } } })
  await next()
  const setup = performance.now() - t
  const each = []
  for (const q of queries) {
    t = performance.now()
    w.postMessage({ type: 2, data: q })
    await next()
    each.push(performance.now() - t)
  }
  w.terminate()
  return { setup, each }
}"""

_PAGEFIND_QUERY = """async (q) => {
  window.pf ??= await import("/pagefind/pagefind.js")
  const t = performance.now()
  const found = await window.pf.search(q)
  const top = await Promise.all(found.results.slice(0, 3).map(r => r.data()))
  return { ms: performance.now() - t, groups: top.map(d => [d.url, ...d.sub_results.map(s => s.url)]) }
}"""


def build(into: Path) -> float:
    """Build the site into ``into``; the seconds Material's search plugin spent building search_index.json."""
    probe = [sys.executable, str(ROOT / "bench" / "build_probe.py"), "-q", "--site-dir", str(into)]
    done = subprocess.run(probe, cwd=ROOT, check=True, env=ENV, capture_output=True, text=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if report["exit_code"]:
        raise SystemExit(f"the build failed:\n{done.stderr[-3000:]}")
    return float(report["search_index"])


def with_materials_worker(site: Path, into: Path) -> None:
    """A copy of the site whose pages name Material's own search worker again."""
    shutil.copytree(site, into)
    material = next((into / "assets/javascripts/workers").glob("search.*.min.js")).relative_to(into).as_posix()
    for page in into.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if OURS in text:
            page.write_text(text.replace(OURS, material), encoding="utf-8")


def pagefind_index(site: Path, into: Path) -> tuple[float, int]:
    """A copy of the site without notebook pages, indexed by Pagefind: (seconds, index bytes)."""
    if not (PAGEFIND / "pagefind").is_dir():
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
             "--require-hashes", "--target", str(PAGEFIND), "-r", str(ROOT / "bench" / "pagefind-requirements.txt")],
            check=True,
        )  # fmt: skip
    shutil.copytree(site, into)
    shutil.rmtree(into / "notebooks")
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(into), "--force-language", "ja", "--silent"],
        check=True,
        env={**os.environ, "PYTHONPATH": str(PAGEFIND)},
    )
    return time.perf_counter() - start, sum(f.stat().st_size for f in (into / "pagefind").rglob("*") if f.is_file())


def measure(name: str, site: Path, browser: Any, queries: list[Query]) -> tuple[int, float, float, list[str]]:
    """(found, set-up ms, median query ms, missed queries) for one candidate, asked through its own page."""
    times: list[float] = []
    setup = float("nan")
    with served(site) as url:
        tab = browser.new_page(locale="ja-JP")
        tab.goto(f"{url}/", wait_until="networkidle")
        if name == "pagefind":

            def ask(text: str) -> list[list[str]]:
                answer = tab.evaluate(_PAGEFIND_QUERY, text)
                times.append(answer["ms"])
                return [[site_location(url + href) for href in group] for group in answer["groups"]]

        else:
            worker = json.loads(tab.locator("#__config").text_content() or "{}")["search"]
            measured = tab.evaluate(_WORKER_TIMES, [worker, [q.text for q in queries]])
            setup, times = measured["setup"], measured["each"]

            def ask(text: str) -> list[list[str]]:
                return material_search(tab, text)

        misses = [q.text for q in queries if not q.found([loc for group in ask(q.text) for loc in group])]
        tab.close()
    return len(queries) - len(misses), setup, statistics.median(times), misses


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="search-bench-") as scratch:
        work = Path(scratch)
        ours = work / "ours"
        indexing = build(ours)
        queries = all_queries(ours, ROOT / "docs") + MIXED
        with_materials_worker(ours, work / "material")
        pagefind_seconds, pagefind_bytes = pagefind_index(ours, work / "pagefind")
        index = (ours / "search" / "search_index.json").read_bytes()
        print(f"queries: {len(queries)} (glossary forms, chapter h2 headings, mixed)")
        packed = len(gzip.compress(index))
        print(f"search_index.json (ours, material): {len(index) / 1e6:.2f} MB, gzip {packed / 1e6:.2f} MB")
        print(f"Material's search plugin wrote it in {indexing:.2f} s of the build")
        print(f"pagefind index: {pagefind_bytes / 1e6:.2f} MB, built in {pagefind_seconds:.2f} s")
        print("\n| candidate | recall | worker set-up | median query |\n| --- | --- | --- | --- |")
        missed = {}
        with chromium() as browser:
            for name, site in (("ours", ours), ("material", work / "material"), ("pagefind", work / "pagefind")):
                found, setup, median, missed[name] = measure(name, site, browser, queries)
                share = f"{found}/{len(queries)} ({100 * found / len(queries):.1f}%)"
                print(f"| {name} | {share} | {setup:.0f} ms | {median:.2f} ms |", flush=True)
        for name, misses in missed.items():
            if misses:
                print(f"\n{name} missed {len(misses)}: {', '.join(misses)}")


if __name__ == "__main__":
    main()
