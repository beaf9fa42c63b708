"""``python -m livenotes run|check|approve [SNIPPET ...]``: the engine without MkDocs."""

from __future__ import annotations

import argparse
import logging
import sys

from . import render
from .approved import approve
from .engine import Engine, Evaluation
from .errors import SnippetError
from .project import Project
from .runtime import DEFAULT_KERNELS, EMULATOR, KERNELS, Runtime


def _print_progress(index: int, total: int, evaluation: Evaluation) -> None:
    result = evaluation.result
    how = "cache" if result.cached else f"{result.duration:.1f} s"
    print(f"[{index}/{total}] snippets/{result.snippet}: {evaluation.status} ({how})", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m livenotes", description=__doc__)
    parser.add_argument("command", choices=["run", "check", "approve"])
    parser.add_argument("snippets", nargs="*", help="names under snippets/ (default: every snippet)")
    parser.add_argument("--no-cache", action="store_true", help="run every snippet even when cached")
    parser.add_argument(
        "--kernels",
        choices=sorted(KERNELS),
        default=DEFAULT_KERNELS,
        help=f"the code paths torch, MKL and oneDNN compute with on x86 (default {DEFAULT_KERNELS}: the build's)",
    )
    parser.add_argument(
        "--emulate",
        metavar="CPU",
        help=f"run the worker under {EMULATOR} -cpu CPU (max: AVX2 without AVX-512 or VNNI), as on another CPU",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # progress of long snippets
    try:
        runtime = Runtime(args.kernels, args.emulate)
    except ValueError as error:
        parser.error(str(error))
    if not runtime.is_default and args.command == "approve":
        parser.error("approved outputs come from the build's runtime: approve takes neither --kernels nor --emulate")
    project = Project.find()
    engine = Engine(project, use_cache=not args.no_cache, runtime=runtime)
    status = 0
    try:
        try:
            evaluations = engine.evaluate_all(args.snippets or project.all_snippets(), _print_progress)
        except SnippetError as error:  # a cycle among the needs: nothing can be ordered
            render.problem(error)
            return 1
        for evaluation in evaluations:
            result = evaluation.result
            if result.failure is not None:
                status = 1
                render.problem(result.failure)  # the one place a problem is told (here: the log on stderr)
            elif args.command == "approve":
                if approve(project, result):
                    print(f"approved snippets/{result.snippet} (review the diff of approved/ before committing)")
            elif args.command == "check" and evaluation.problem is not None:
                status = 1
                render.problem(evaluation.problem)
        engine.end_build()
    finally:
        engine.close()
    return status
