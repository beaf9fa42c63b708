"""How a snippet runs inside the worker, i.e. everything of the engine's that decides its output.

Seeding, stdout/stderr capture, the trailing expression's display, figures and how a failure is told; what the
site's snippets share (their libraries, their guard) is the site's runtime profile (runtime.py). What this file and
the profile mean (not the process management in worker.py) is part of every cache key: change how snippets run and
every result is recomputed.
"""

from __future__ import annotations

import ast
import base64
import builtins
import faulthandler
import importlib
import io
import os
import random
import resource
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, TextIO

from .errors import SnippetError
from .figure_png import compact, png_size
from .protocol import Reply, Request
from .results import Figure
from .runtime import PLAIN_PROFILE, Profile

MAX_OUTPUT_CHARS = 200_000
PROGRESS_INTERVAL = 0.5  # seconds between looks at a running snippet's stderr


class _Worker:
    """This worker's runtime profile (``use_profile``) and whether ``prepare`` ran."""

    profile: Profile | None = None
    prepared = False


def use_profile(name: str) -> None:
    """The site's runtime profile, imported once when the worker starts (cheap: no numeric library yet)."""
    loaded: Any = importlib.import_module(name)
    _Worker.profile = loaded


def _profile() -> Profile:
    if _Worker.profile is None:
        use_profile(PLAIN_PROFILE)
    assert _Worker.profile is not None
    return _Worker.profile


def prepare(threads: int) -> None:
    """Import and configure what the snippets share, once per worker (the slow part of starting one): the
    profile's business. The client asks for it before the first snippet that imports more than the standard library.
    """
    if _Worker.prepared:
        return
    _Worker.prepared = True
    _profile().prepare(threads)


def _seed_everything() -> None:
    random.seed(0)
    _profile().seed()  # the libraries the profile prepared (numpy, torch) seed themselves there


def _titles(figure: Any) -> list[str]:
    """The figure's own words for what it shows: its suptitle, else the titles of its axes."""
    suptitle = figure.get_suptitle()
    if suptitle:
        return [str(suptitle)]
    return [ax.get_title() for ax in figure.axes if ax.get_title()]


def _collect_figures() -> list[Figure]:
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return []
    figures = []
    for number in plt.get_fignums():
        figure = plt.figure(number)
        buffer = io.BytesIO()
        # like a notebook's inline figures: cropped to what was drawn, so no label is cut off
        figure.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
        png = compact(buffer.getvalue())
        width, height = png_size(png)
        figures.append(Figure(base64.b64encode(png).decode(), width, height, _titles(figure)))
    plt.close("all")
    return figures


def size_text(size: int) -> str:
    """``8 GiB``, ``300 MiB``: a memory limit as messages show it."""
    if size >= 1 << 30:
        return f"{size / (1 << 30):.3g} GiB"
    return f"{size / (1 << 20):.3g} MiB"


def memory_advice(where: str, limit: int) -> str:
    return f"{where} used more than the memory limit of {size_text(limit)} (raise it with '# livenotes: memory=...')"


def _out_of_memory(exc: BaseException) -> bool:
    # numpy raises MemoryError; torch a RuntimeError from its allocator ("can't allocate memory ... Error code 12")
    return isinstance(exc, MemoryError) or "can't allocate memory" in str(exc)


def _failure(exc: BaseException, path: str, display_path: str, memory_limit: int) -> SnippetError:
    frames = traceback.extract_tb(exc.__traceback__)
    lines = [f.lineno for f in frames if f.filename == path]
    line = getattr(exc, "lineno", None) if isinstance(exc, SyntaxError) else (lines[-1] if lines else None)
    # drop the worker's own frames: the reader wants the snippet and what it called
    while frames and frames[0].filename != path:
        frames.pop(0)
    formatted = "".join(traceback.format_list(frames)) + "".join(traceback.format_exception_only(exc))
    message = "".join(traceback.format_exception_only(exc)).strip().splitlines()[-1]
    where = f"{display_path}:{line}" if line else display_path
    if _out_of_memory(exc):
        return SnippetError(
            memory_advice(where, memory_limit), where, kind="memory", details="\n".join(formatted.splitlines()[-20:])
        )
    return SnippetError(message, where, kind="error", details="\n".join(formatted.splitlines()[-20:]))


def _truncate(text: str) -> str:
    if len(text) <= MAX_OUTPUT_CHARS:
        return text
    return text[:MAX_OUTPUT_CHARS] + f"\n... [{len(text) - MAX_OUTPUT_CHARS} more characters cut]\n"


def _forward_progress(captured: int, progress: Callable[[str], None], done: threading.Event) -> None:
    """Send each complete line a snippet writes to stderr as a progress message, while it runs."""
    offset, pending = 0, b""
    while not done.wait(PROGRESS_INTERVAL):
        chunk = os.pread(captured, 1 << 16, offset)
        offset += len(chunk)
        *lines, pending = (pending + chunk).split(b"\n")
        for line in lines:
            text = line.decode("utf-8", errors="replace").rsplit("\r", 1)[-1].strip()
            if text:
                progress(text[:300])


def run_snippet(request: Request, diagnostics: TextIO, progress: Callable[[str], None]) -> Reply:
    """Run one snippet in this process; ``progress`` gets each stderr line while it runs (from another thread)."""
    path, display_path, text = request.path, request.display_path, request.text
    loads = _profile().begin_snippet(random_init=request.random_init, forget=request.forget_loads)
    _seed_everything()
    namespace: dict[str, Any] = {"__name__": "__main__", "__file__": path, "__builtins__": builtins}
    failure: SnippetError | None = None
    display: str | None = None
    cwd = os.getcwd()
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv, sys.path = [path], [os.path.dirname(path), *sys.path]
    faulthandler.dump_traceback_later(request.timeout, file=diagnostics)
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    sys.stdout.flush()
    sys.stderr.flush()
    saved_fds = os.dup(1), os.dup(2)
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    done = threading.Event()
    forwarder = threading.Thread(target=_forward_progress, args=(err.fileno(), progress, done), daemon=True)
    forwarder.start()
    started = time.perf_counter()
    try:
        tree = ast.parse(text, filename=path)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, path, "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), path, "eval"), namespace)
            if value is not None:
                display = repr(value)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            failure = _failure(exc, path, display_path, request.memory_limit)
    except BaseException as exc:
        failure = _failure(exc, path, display_path, request.memory_limit)
    duration = time.perf_counter() - started
    sys.stdout.flush()
    sys.stderr.flush()
    done.set()
    forwarder.join()
    os.dup2(saved_fds[0], 1)
    os.dup2(saved_fds[1], 2)
    for fd in saved_fds:
        os.close(fd)
    faulthandler.cancel_dump_traceback_later()
    sys.argv, sys.path = saved_argv, saved_path
    os.chdir(cwd)
    try:
        figures = _collect_figures()
    except Exception as exc:
        figures, failure = [], failure or _failure(exc, path, display_path, request.memory_limit)
    captured = []
    for handle in (out, err):
        handle.seek(0)
        captured.append(_truncate(handle.read().decode("utf-8", errors="replace")))
        handle.close()
    return Reply(
        stdout=captured[0],
        stderr=captured[1],
        display=_truncate(display) if display is not None else None,
        figures=figures,
        failure=failure,
        duration=duration,
        loads=loads,
        peak_rss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    )
