"""How this book's snippets run inside the worker: the libraries they share, the kernels, the seeds, the guard.

The engine (``livenotes``) knows none of this. The worker imports this module by the name the site gives
(``notes_site.runtime``) and calls it: ``prepare`` once, before the first snippet that imports more than the
standard library; ``seed`` and ``begin_snippet`` before every snippet. Importing it is cheap (no torch): the build
reads ``KERNELS``, ``ENV`` and ``SOURCES`` from it too. What this file and the checkpoint guard *mean* (their code,
not their comments or docstrings) is part of every cache key: change how snippets run and every result is
recomputed.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from notes_site import checkpoint_guard

# Float results depend on the instructions the kernels use: on an AVX-512 machine torch, MKL and oneDNN take other
# code paths than on an AVX2 one, the last bits differ, and training turns that into other losses and other
# generated words (seen: a GPT-2 recipe approved elsewhere gave 3.85 instead of 3.82 here). So the worker computes
# with one named set of kernels, the same on every x86-64 machine that has them (read before torch is imported):
# - avx2 (the default): AVX2 whatever the machine has beyond it. Every x86-64 CPU made since about 2015 has it
#   (Intel since Haswell, 2013; AMD since Excavator, 2015);
# - default: the plain paths of a CPU without AVX2 (make check KERNELS=default shows what moves);
# - native: whatever this CPU picks for itself.
KERNELS = {
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"},
    "default": {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE", "ONEDNN_MAX_CPU_ISA": "SSE41"},
    "native": {},
}
DEFAULT_KERNELS = "avx2"
SLOW_KERNELS = {"default": 4.0}  # measured: the BERT pretraining 170 s with avx2, 342 s with default
# offline, no progress bars, fixed hashing
ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "MPLBACKEND": "Agg",
    "PYTHONHASHSEED": "0",
    "PYTHONUNBUFFERED": "0",
}
# transformers declares no hard dependency on the framework it runs on here: its version counts in every key
IMPLIED = {"transformers": ("torch",), "sentence-transformers": ("torch",)}
# what decides the outputs, besides the snippets: in every cache key (by meaning)
SOURCES = (Path(__file__), Path(checkpoint_guard.__file__))


def prepare(threads: int) -> None:
    """Import and configure what the snippets share, once per worker (the slow part of starting one)."""
    import matplotlib

    matplotlib.use("Agg")
    import torch
    import transformers

    torch.set_num_threads(threads)
    transformers.logging.disable_progress_bar()
    warnings.filterwarnings("ignore", message=".*non-interactive.*cannot be shown")  # plt.show() under Agg
    checkpoint_guard.install()


def seed() -> None:
    """numpy's and torch's seeds, once they are imported (``prepare`` imports them before any snippet that imports
    more than the standard library; a snippet that imports only the standard library cannot reach them)."""
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(0)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(0)


def begin_snippet(*, random_init: bool, forget: bool) -> list[str]:
    """Before a snippet: the list the checkpoints it reads from disk are added to as it runs."""
    return checkpoint_guard.begin_snippet(random_init=random_init, forget=forget)
