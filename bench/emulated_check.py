"""Every snippet that trains nothing, run by the build's worker on an emulated CPU, against its approved output.

``make check EMULATE=max`` runs *every* snippet under qemu-x86_64, the recipes' training too, and qemu's emulation of
the training's matrix products is more than a hundred times slower than this machine (the BERT pretraining had not
reached step 50 of 600 after 22 minutes; it takes 170 s natively): hours. This is the practical check. The recipes'
checkpoints are the ones this tree's last build trained natively (training computes with the kernels the profile
pins, AVX2, the same code path on either CPU: make check KERNELS=... is how to see what another path would train),
and every other snippet, the browser export included, runs under ``qemu-x86_64 -cpu CPU`` (default ``max``: AVX2
and FMA, no AVX-512, no VNNI). Prints one line per snippet and a summary; ``make build`` first.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from livenotes import Engine, Project, Result, Runtime, approved_path, load_site, matches  # noqa: E402

# a recipe that only exports or converts (no training): run emulated like the rest
EMULATED_RECIPES = ("workshop/export_browser.py",)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cpu", default="max", help="a qemu-x86_64 CPU model (default: max)")
    args = parser.parse_args()
    project = Project(ROOT)
    site = load_site("notes_site")
    engine = Engine(project, use_cache=False, lanes=1, runtime=Runtime(site.runtime, emulate=args.cpu))
    names = [n for n in project.all_snippets() if not engine.snippet(n).options.produces or n in EMULATED_RECIPES]
    names.sort(key=lambda n: n in EMULATED_RECIPES)  # the export last: it writes checkpoints/browser again
    moved = []
    try:
        for name in names:
            started = time.perf_counter()
            reply = engine.worker.run(engine.snippet(name))
            got = Result(name, "", stdout=reply.stdout, display=reply.display, figures=reply.figures)
            want = approved_path(project, name).read_text(encoding="utf-8")
            same = reply.failure is None and matches(want, got.text())
            print(f"{name}: {'as approved' if same else 'MOVED'} ({time.perf_counter() - started:.0f} s)", flush=True)
            if not same:
                moved.append(name)
                print(reply.failure or got.text(), flush=True)
    finally:
        engine.close()
    same = len(names) - len(moved)
    print(f"{same} of {len(names)} as approved on qemu-x86_64 -cpu {args.cpu}; moved: {moved or 'none'}")
    print("(checkpoints/browser was written by the emulated run: the next build exports it again)")
    return 1 if moved else 0


if __name__ == "__main__":
    sys.exit(main())
