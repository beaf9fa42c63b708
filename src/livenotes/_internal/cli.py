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


def _print_progress(index: int, total: int, evaluation: Evaluation) -> None:
    result = evaluation.result
    how = "cache" if result.cached else f"{result.duration:.1f} s"
    print(f"[{index}/{total}] snippets/{result.snippet}: {evaluation.status} ({how})", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m livenotes", description=__doc__)
    parser.add_argument("command", choices=["run", "check", "approve"])
    parser.add_argument("snippets", nargs="*", help="names under snippets/ (default: every snippet)")
    parser.add_argument("--no-cache", action="store_true", help="run every snippet even when cached")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # progress of long snippets
    project = Project.find()
    engine = Engine(project, use_cache=not args.no_cache)
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
