"""``python -m livenotes run|check|approve|explain [SNIPPET ...]``: the engine without MkDocs (set up as mkdocs.yml's
``livenotes`` block says)."""

from __future__ import annotations

import argparse
import logging
import sys

from . import render
from .approved import approve
from .engine import Engine, Evaluation
from .errors import SnippetError
from .explain import explain
from .project import Project
from .runtime import EMULATOR, Runtime
from .settings import load_settings
from .site import load_site


def _print_progress(index: int, total: int, evaluation: Evaluation) -> None:
    result = evaluation.result
    how = "cache" if result.cached else f"{result.duration:.1f} s"
    print(f"[{index}/{total}] snippets/{result.snippet}: {evaluation.status} ({how})", file=sys.stderr, flush=True)


def _engine(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Engine:
    """The engine as the site's mkdocs.yml sets it up (its livenotes block), with the runtime asked for."""
    project = Project.find()
    config = project.root / "mkdocs.yml"
    try:
        settings = load_settings(config) if config.is_file() else None
        site = load_site(settings.site if settings else None)
        runtime = Runtime(site.runtime, args.kernels, args.emulate, threads=settings.threads if settings else 2)
    except (SnippetError, ValueError) as error:
        parser.error(str(error))
    if not runtime.is_default and args.command == "approve":
        parser.error("approved outputs come from the build's runtime: approve takes neither --kernels nor --emulate")
    use_cache = not args.no_cache and (settings.cache if settings else True)
    return Engine(project, use_cache=use_cache, lanes=settings.lanes if settings else 0, runtime=runtime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m livenotes", description=__doc__)
    parser.add_argument("command", choices=["run", "check", "approve", "explain"])
    parser.add_argument("snippets", nargs="*", help="names under snippets/ (default: every snippet)")
    parser.add_argument("--no-cache", action="store_true", help="run every snippet even when cached")
    parser.add_argument(
        "--kernels", help="the named kernels the worker computes with (the site's runtime profile lists them)"
    )
    parser.add_argument(
        "--emulate",
        metavar="CPU",
        help=f"run the worker under {EMULATOR} -cpu CPU (max: AVX2 without AVX-512 or VNNI), as on another CPU",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # progress of long snippets
    engine = _engine(args, parser)
    project = engine.project
    if args.command == "explain":
        try:
            for name in args.snippets or project.all_snippets():
                print("\n".join(explain(engine, name)))
        except SnippetError as error:
            render.problem(error)
            return 1
        return 0
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
