"""Benchmark of the site build against its two references, printed as numbers from one run on this machine.

Works on copies of the project (docs, snippets, approved outputs, config, checkpoints, and the result
cache of the developer's last build), so the developer's own tree and cache are left alone. Variants:

- ``full``: the real site (the livenotes plugin, notebooks, glossary, everything), warm (every snippet from the
  cache);
- ``bare``: the same Markdown with Material and the same extensions, without the livenotes plugin (so without
  notebook pages); the directive lines are removed;
- ``markdown-exec``: every ``{% run "x.py" %}`` becomes a markdown-exec block that executes the same file
  (included with ``--8<--``), re-run on every build as markdown-exec does;
- ``full-same-examples``: ``full`` with the training recipes' directives removed, as in ``markdown-exec``
  (recipes declare ``# livenotes: produces=`` and train for minutes: left out of both sides alike).

Builds are interleaved (each round runs every variant once, in a rotated order) so machine noise hits
all alike; medians and min–max spreads are printed. Under ``mkdocs serve`` of ``full`` it times, alternately,
a snippet edit and a prose edit until the page serves the new text. Targets (from the issue) are printed beside.
``--cold`` also times a build of ``full`` from an empty cache first (it trains the workshop's models: minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROBE = ROOT / "bench" / "build_probe.py"
EDITED_SNIPPET = "feature_extraction/token_vectors.py"
EDITED_PAGE = "feature-extraction.md"
PAGE_PATH = "/feature-extraction/"
NOTEBOOK_PATH = "/notebooks/feature-extraction/"
_DIRECTIVE = re.compile(r'^\s*\{%\s*(?P<kind>[a-z_]+)\b\s*(?:"(?P<arg>[^"]*)")?\s*%\}\s*$')
_PRODUCES = re.compile(r"^#\s*livenotes:.*\bproduces=", re.MULTILINE)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# -- variants ------------------------------------------------------------------------------------
def copy_project(target: Path, *, with_cache: bool = True) -> None:
    for name in ("docs", "snippets", "approved", "quizzes", "overrides"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    # a real copy: the recipes write into checkpoints/ and the cache keys hash what is there
    shutil.copytree(ROOT / "checkpoints", target / "checkpoints", symlinks=False)
    (target / "data").symlink_to(ROOT / "data")
    (target / "src").symlink_to(ROOT / "src")  # mkdocs.yml watches the engine; mkdocstrings reads it
    if with_cache and (ROOT / ".cache" / "livenotes").is_dir():
        shutil.copytree(ROOT / ".cache" / "livenotes", target / ".cache" / "livenotes")


def is_recipe(project: Path, snippet: str) -> bool:
    """A training recipe: its header declares the checkpoint it produces (it trains for minutes)."""
    head = (project / "snippets" / snippet).read_text(encoding="utf-8")[:500]
    return bool(_PRODUCES.search(head))


def rewrite_directives(project: Path, replace: Callable[[str, str | None, str], str]) -> int:
    """Replace every directive line of every page by ``replace(kind, snippet of a run or None, line)``; returns how
    many were run lines."""
    count = 0
    for page in (project / "docs").rglob("*.md"):
        lines = page.read_text(encoding="utf-8").splitlines()
        for index, line in enumerate(lines):
            match = _DIRECTIVE.match(line)
            if match:
                snippet = match.group("arg") if match.group("kind") == "run" else None
                lines[index] = replace(match.group("kind"), snippet, line)
                count += snippet is not None
        page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return count


def drop_yaml_block(text: str, first_line: str) -> str:
    """mkdocs.yml without the block that starts with ``first_line`` (and every line indented deeper)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == first_line.strip())
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    # a comment right above the block belongs to it
    while start > 0 and lines[start - 1].strip().startswith("#"):
        start -= 1
    return "\n".join(lines[:start] + lines[end:]) + "\n"


def bare_config(text: str) -> str:
    """The site's config without the livenotes plugin (so without the notebook pages it makes) and the notebooks'
    nav."""
    for block in ("- livenotes:", "- ノートブック:"):
        text = drop_yaml_block(text, block)
    return text


def make_bare(project: Path) -> None:
    rewrite_directives(project, lambda _kind, _snippet, _line: "")
    config = project / "mkdocs.yml"
    config.write_text(bare_config(config.read_text(encoding="utf-8")), encoding="utf-8")


def make_markdown_exec(project: Path) -> None:
    """Each example's directive → a markdown-exec block running the same file; recipes → nothing."""

    def block(kind: str, snippet: str | None, line: str) -> str:
        if snippet is None or is_recipe(project, snippet):
            return ""
        return f'```python exec="on" source="above" result="text"\n--8<-- "snippets/{snippet}"\n```'

    rewrite_directives(project, block)
    config = project / "mkdocs.yml"
    text = bare_config(config.read_text(encoding="utf-8"))
    text = text.replace("plugins:\n", "plugins:\n  - markdown-exec\n", 1)
    # --8<-- includes the snippet file into the block before markdown-exec runs it
    text = text.replace(
        "markdown_extensions:\n",
        "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: [.]\n      check_paths: true\n",
        1,
    )
    config.write_text(text, encoding="utf-8")


def make_full_same_examples(project: Path) -> None:
    rewrite_directives(project, lambda kind, snippet, line: "" if snippet and is_recipe(project, snippet) else line)


# -- measuring -----------------------------------------------------------------------------------
def build(project: Path, *, strict: bool) -> dict[str, Any]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "LIVENOTES_EXECUTE": "true"}
    args = [sys.executable, str(PROBE), *(["--strict"] if strict else []), "--site-dir", str(project / "site")]
    done = subprocess.run(args, cwd=project, env=env, capture_output=True, text=True, check=False)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["exit_code"] != 0:
        raise SystemExit(f"build of {project.name} failed:\n{done.stderr[-3000:]}")
    result["warnings"] = done.stderr.count("WARNING")
    report = project / "site" / "livenotes-report.json"
    result["summary"] = json.loads(report.read_text()).get("summary", {}) if report.is_file() else {}
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
        time.sleep(0.02)
    raise SystemExit(f"{marker!r} never appeared at {url}")


def settle(url: str, notebook_url: str, quiet: float = 2.0, timeout: float = 120) -> None:
    """Wait until the server is idle: its notebook page rendered, and no rebuild for ``quiet`` seconds.

    A chapter's notebook page is rendered on the side under serve (the page says 「生成中」 meanwhile), and
    the server rebuilds when it is ready: an edit made right then would be timed with that rebuild ahead
    of it. MkDocs' livereload endpoint answers as soon as a build newer than the page's is visible.
    """
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        with urllib.request.urlopen(notebook_url, timeout=60) as response:  # waits for a build under way
            if "生成中" in response.read().decode():
                time.sleep(0.2)
                continue
        with urllib.request.urlopen(url, timeout=60) as response:
            epoch = re.search(r"livereload\((\d+),", response.read().decode())
        if epoch is None:
            return
        origin = url.split("/", 3)[:3]
        try:
            with urllib.request.urlopen(f"{'/'.join(origin)}/livereload/{epoch.group(1)}/0", timeout=quiet):
                continue  # a newer build appeared: wait again
        except TimeoutError:
            return
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                return
            raise
    raise SystemExit(f"the server at {url} never stopped rebuilding")


def serve_edit_loop(project: Path, repeats: int) -> dict[str, list[float]]:
    """Seconds from saving an edit to its page serving the new text: snippet and prose edits, alternately;
    and for each prose edit, until the chapter's notebook page (rendered on the side) shows it too.

    Each edit is made on an idle server (``settle``). The first edit of each kind is not counted (it starts
    the worker, or is the first rebuild in the process).
    """
    port = free_port()
    mount = re.search(r"^site_url:\s*https?://[^/\s]+(?P<path>/\S*)?", (project / "mkdocs.yml").read_text(), re.M)
    base = (mount.group("path") or "/").rstrip("/") if mount else ""
    url = f"http://127.0.0.1:{port}{base}{PAGE_PATH}"
    snippet = project / "snippets" / EDITED_SNIPPET
    page = project / "docs" / EDITED_PAGE
    originals = {snippet: snippet.read_text(), page: page.read_text()}
    times: dict[str, list[float]] = {"snippet": [], "prose": [], "notebook": []}
    notebook_url = url.replace(PAGE_PATH, NOTEBOOK_PATH)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as server:
        try:
            wait_for(url, "livenotes-output")
            for edit in range(repeats + 1):
                for kind, path in (("snippet", snippet), ("prose", page)):
                    settle(url, notebook_url)
                    marker = f"bench{kind}{edit}x{time.time_ns()}"
                    added = f"print({marker!r})\n" if kind == "snippet" else f"\n{marker}\n"
                    saved = time.perf_counter()
                    path.write_text(originals[path] + added)
                    # the output block shows the printed line; the prose is its own paragraph
                    seconds = wait_for(url, f"{marker}\n" if kind == "snippet" else f"<p>{marker}</p>")
                    if edit:
                        times[kind].append(seconds)
                    log(f"serve: {kind} edit {edit} visible after {seconds:.2f} s{'' if edit else ' (not counted)'}")
                    if kind == "prose":
                        wait_for(notebook_url, f"<p>{marker}</p>")
                        if edit:
                            times["notebook"].append(time.perf_counter() - saved)
        finally:
            server.terminate()
    for path, text in originals.items():
        path.write_text(text)
    return times


def first_start(project: Path) -> float:
    """Seconds from starting ``mkdocs serve`` on a fresh clone (no cache, no trained checkpoint) to its first page.

    Nothing has run yet: the page must answer at once, with 「実行中…」 where outputs will come; the
    recipes then train in the background (the server is stopped before they finish).
    """
    shutil.rmtree(project / ".cache", ignore_errors=True)
    for folder in (project / "checkpoints").iterdir():
        if folder.name != "all-MiniLM-L6-v2":  # the one checkpoint setup places; the rest the recipes train
            shutil.rmtree(folder)
    port = free_port()
    mount = re.search(r"^site_url:\s*https?://[^/\s]+(?P<path>/\S*)?", (project / "mkdocs.yml").read_text(), re.M)
    base = (mount.group("path") or "/").rstrip("/") if mount else ""
    started = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as server:
        try:
            wait_for(f"http://127.0.0.1:{port}{base}/workshop/", "livenotes-pending", timeout=600)
            return time.perf_counter() - started
        finally:
            server.terminate()


def spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
        "n": len(values),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="interleaved rounds of builds and serve edits")
    parser.add_argument("--cold", action="store_true", help="first time a build of full from an empty cache")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="livenotes-bench-") as tmp:
        projects = {name: Path(tmp) / name for name in ("bare", "markdown-exec", "full", "full-same-examples")}
        for name, project in projects.items():
            project.mkdir()
            copy_project(project, with_cache=name.startswith("full") and not args.cold)
        make_bare(projects["bare"])
        make_markdown_exec(projects["markdown-exec"])
        make_full_same_examples(projects["full-same-examples"])
        blocks = (projects["markdown-exec"] / "docs").rglob("*.md")
        exec_blocks = sum(p.read_text(encoding="utf-8").count('exec="on"') for p in blocks)
        # not --strict: a drifted output (a warning) must not stop the timing; the warnings are counted instead
        strict = dict.fromkeys(projects, False)
        figures: dict[str, Any] = {}
        if args.cold:
            log("cold build of full (empty cache: trains the workshop's models)")
            cold = build(projects["full"], strict=True)
            figures["cold_build_s"] = round(cold["seconds"], 2)
            shutil.rmtree(projects["full-same-examples"] / ".cache", ignore_errors=True)
            shutil.copytree(projects["full"] / ".cache", projects["full-same-examples"] / ".cache")
        primed = {}
        for name, project in projects.items():  # untimed: fills the OS file cache; says whether the cache was warm
            log(f"priming build: {name}")
            primed[name] = build(project, strict=strict[name])
        executed = {n: r["summary"].get("executed", 0) for n, r in primed.items() if n.startswith("full")}
        seconds: dict[str, list[float]] = {name: [] for name in projects}
        warm_executed = 0
        order = list(projects)
        for round_ in range(args.repeats):
            for name in order[round_ % len(order) :] + order[: round_ % len(order)]:
                result = build(projects[name], strict=strict[name])
                seconds[name].append(result["seconds"])
                warm_executed += result["summary"].get("executed", 0) if name.startswith("full") else 0
                log(f"round {round_ + 1}: {name} {result['seconds']:.2f} s")
        log("serve edit loop (full)")
        edits = serve_edit_loop(projects["full"], args.repeats)
        log("fresh clone: mkdocs serve until its first page answers")
        figures["first_page_fresh_clone_s"] = round(first_start(projects["full"]), 2)
        log(f"first page after {figures['first_page_fresh_clone_s']:.2f} s")
        heavy = sorted({m for m in primed["full"]["heavy_imports"]})
    stats = {name: spread(values) for name, values in seconds.items()}
    bare, mdexec = stats["bare"]["median"], stats["markdown-exec"]["median"]
    full, same = stats["full"]["median"], stats["full-same-examples"]["median"]
    snippet_edit, prose_edit, notebook_follows = (
        spread(edits["snippet"]),
        spread(edits["prose"]),
        spread(edits["notebook"]),
    )
    figures.update(
        {
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "cpus": os.cpu_count(),
            "repeats": args.repeats,
            "builds_s": stats,
            "serve_snippet_edit_s": snippet_edit,
            "serve_prose_edit_s": prose_edit,
            "serve_prose_edit_to_notebook_page_s": notebook_follows,
            "full_over_bare": round(full / bare, 3),
            "same_examples_over_markdown_exec": round(same / mdexec, 3),
            "markdown_exec_blocks": exec_blocks,
            "snippets_executed_in_priming_builds": executed,
            "snippets_executed_in_timed_full_builds": warm_executed,
            "warm_build_heavy_imports": heavy,
            "warnings_per_build": {n: r["warnings"] for n, r in primed.items()},
        }
    )
    if args.cold:
        figures["cold_build_s"] = figures.pop("cold_build_s")

    def row(label: str, s: dict[str, float], reference: str = "", ratio: str = "", target: str = "") -> tuple:
        return (label, f"{s['median']:.2f} s", f"{s['min']:.2f}–{s['max']:.2f}", reference, ratio, target)

    rows = [
        row("bare Material build (same Markdown)", stats["bare"]),
        row(f"markdown-exec build ({exec_blocks} blocks, recipes out)", stats["markdown-exec"]),
        row("warm full build", stats["full"], f"bare {bare:.2f} s", f"{full / bare:.2f}×", "≤ 1.3×"),
        row(
            "warm full build, recipes out",
            stats["full-same-examples"],
            f"markdown-exec {mdexec:.2f} s",
            f"{same / mdexec:.2f}×",
            "≤ 0.2×",
        ),
        row("serve: snippet edit → page", snippet_edit, f"bare + 1 s = {bare + 1:.2f} s", "", f"≤ {bare + 1:.2f} s"),
        row("serve: prose edit → page", prose_edit, f"bare + 0.5 s = {bare + 0.5:.2f} s", "", f"≤ {bare + 0.5:.2f} s"),
        row("serve: prose edit → its notebook page", notebook_follows, "rendered on the side", "", ""),
        (
            "serve on a fresh clone: first page answers",
            f"{figures['first_page_fresh_clone_s']:.2f} s",
            "one run",
            "",
            "",
            "≤ 90 s",
        ),
    ]
    header = ("measure", "median", "min–max", "reference", "ratio", "target")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for line in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    print(
        f"{args.repeats} interleaved rounds on {os.cpu_count()} CPUs; snippets executed by the timed full builds: "
        f"{warm_executed}; torch/transformers imported by a warm full build: {', '.join(heavy) or 'neither'}"
    )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
