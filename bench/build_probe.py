"""Run ``mkdocs build`` in this process, then print one JSON line: seconds, exit code, heavy imports.

Used by the benchmark and by the test that a warm build imports neither torch nor transformers.
Usage: python bench/build_probe.py [mkdocs build arguments...]
"""

from __future__ import annotations

import json
import sys
import time

from mkdocs.__main__ import cli


def main() -> None:
    started = time.perf_counter()
    try:
        cli.main(args=["build", *sys.argv[1:]], standalone_mode=False)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    except Exception:
        code = 1
    seconds = time.perf_counter() - started
    imported = sorted(name for name in ("torch", "transformers") if name in sys.modules)
    print(json.dumps({"seconds": seconds, "exit_code": code, "heavy_imports": imported}))


if __name__ == "__main__":
    main()
