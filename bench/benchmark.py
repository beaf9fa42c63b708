"""Benchmark of the executable-notes build, printed as numbers from one run on this machine.

Works on a copy of the project (docs, snippets, approved outputs, config) with an empty cache, so
the developer's own cache is left alone. Measures: a cold build, warm builds, plain builds with
execution switched off, and under ``mkdocs serve`` the time from editing a snippet to its page being
served again with the new output. Targets (from the engine issue) are printed beside the figures.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PROBE = ROOT / "bench" / "build_probe.py"
EDITED = "feature_extraction/token_vectors.py"
REPEATS = 5


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def copy_project(target: Path) -> None:
    for name in ("docs", "snippets", "approved", "hooks", "overrides"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    # only the shipped checkpoint: the cold build trains the site's own checkpoints again
    (target / "checkpoints").mkdir()
    (target / "checkpoints" / "all-MiniLM-L6-v2").symlink_to(ROOT / "checkpoints" / "all-MiniLM-L6-v2")
    (target / "data").symlink_to(ROOT / "data")
    (target / "src").symlink_to(ROOT / "src")  # mkdocs.yml watches the engine


def build(project: Path, execute: bool = True) -> dict:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "LIVENOTES_EXECUTE": "1" if execute else "0"}
    done = subprocess.run(
        [sys.executable, str(PROBE), "--strict", "--site-dir", str(project / "site")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["exit_code"] != 0:
        raise SystemExit(f"build failed:\n{done.stderr[-3000:]}")
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, marker: str, timeout: float = 300) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if marker in response.read().decode():
                    return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{marker!r} never appeared at {url}")


def serve_edit_loop(project: Path) -> list[float]:
    """Seconds from writing an edited snippet to its page serving the new output (warm worker)."""
    port = free_port()
    # mkdocs serve mounts the site under site_url's path (/hf-course-notes/)
    config = yaml.load((project / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    mount = urllib.parse.urlparse(config.get("site_url", "")).path.rstrip("/")
    url = f"http://127.0.0.1:{port}{mount}/feature-extraction/"
    snippet = project / "snippets" / EDITED
    original = snippet.read_text()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    times = []
    with subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as server:
        try:
            wait_for(url, "livenotes-output")
            for edit in range(REPEATS + 1):  # the first edit starts the worker; the rest are measured
                marker = f"bench-edit-{edit}-{time.time_ns()}"
                snippet.write_text(original + f"print({marker!r})\n")
                seconds = wait_for(url, f"{marker}\n")
                if edit:
                    times.append(seconds)
                log(f"serve: edit {edit} visible after {seconds:.2f} s{' (worker start)' if not edit else ''}")
        finally:
            server.terminate()
    snippet.write_text(original)
    return times


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="livenotes-bench-") as tmp:
        project = Path(tmp)
        copy_project(project)
        log("cold build (empty cache)")
        cold = build(project)
        cold_report = json.loads((project / "site" / "livenotes-report.json").read_text())
        report = cold_report["summary"]
        checkpoints = len({path for row in cold_report["snippets"] for path in row["loads"]})
        recipes_s = sum(
            row["duration_s"] for row in cold_report["snippets"] if row["snippet"].startswith("snippets/workshop/")
        )
        warm, plain = [], []
        for _ in range(REPEATS):  # interleaved, so machine noise hits both alike
            warm.append(build(project))
            plain.append(build(project, execute=False))
        warm_s = statistics.median(r["seconds"] for r in warm)
        plain_s = statistics.median(r["seconds"] for r in plain)
        log("serve edit loop")
        edits = serve_edit_loop(project)
        edit_s = statistics.median(edits)
    figures = {
        "cold_build_s": round(cold["seconds"], 2),
        "workshop_snippets_s": round(recipes_s, 1),
        "warm_build_s": round(warm_s, 2),
        "plain_build_s": round(plain_s, 2),
        "warm_over_plain": round(warm_s / plain_s, 3),
        "serve_edit_to_page_s": round(edit_s, 2),
        "serve_edit_budget_s": round(plain_s + 1.5, 2),
        "snippets": report["snippets"],
        "checkpoint_loads_cold_build": report["checkpoint_loads"],
        "distinct_checkpoint_class_pairs": checkpoints,
        "worker_peak_rss_mb": report["worker_peak_rss_mb"],
        "warm_build_heavy_imports": sorted({m for r in warm for m in r["heavy_imports"]}),
        "cold_build_heavy_imports": cold["heavy_imports"],
    }
    rows = [
        ("cold build (empty cache)", f"{figures['cold_build_s']:.2f} s", ""),
        ("  of which the model workshop's snippets", f"{recipes_s:.1f} s", "≤ 480 s"),
        ("warm build (nothing changed), median", f"{warm_s:.2f} s", ""),
        ("plain build (execution off), median", f"{plain_s:.2f} s", ""),
        ("warm / plain", f"{figures['warm_over_plain']:.3f}", "≤ 1.15"),
        ("serve: snippet edit → page served, median", f"{edit_s:.2f} s", f"≤ {plain_s + 1.5:.2f} s (plain + 1.5 s)"),
        (
            "checkpoint loads in the cold build",
            str(report["checkpoint_loads"]),
            f"= {checkpoints} distinct (checkpoint, model class) pairs",
        ),
        ("worker peak memory (RSS)", f"{report['worker_peak_rss_mb']:.0f} MB", ""),
        (
            "torch/transformers imported by a warm build",
            ", ".join(figures["warm_build_heavy_imports"]) or "neither",
            "neither",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>10}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>10}  {target}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
