"""The runtime a snippet executes in, besides its code and libraries: part of every cache key.

A float result depends on the instructions its kernels use. On an AVX-512 machine torch, MKL and oneDNN take
other code paths than on an AVX2 one, the last bits differ, and training turns that into other losses and other
generated words (seen: a GPT-2 recipe approved elsewhere gave 3.85 instead of 3.82 here). So the worker computes
with the code paths of one named set of *kernels*, the same on every x86-64 machine that has them:

- ``avx2`` (the default on x86-64): AVX2 whatever the machine has beyond it. Every x86-64 CPU made since about
  2015 has AVX2 (Intel since Haswell, 2013; AMD since Excavator, 2015).
- ``default``: the plain vector paths of a CPU without AVX2 (``ATEN_CPU_CAPABILITY=default``, MKL's compatible
  path, oneDNN up to SSE4.1): what such a machine would print. ``make check KERNELS=default`` shows what moves.
- ``native``: whatever this CPU picks for itself (nothing pinned).

Read before torch is imported: the worker client puts them into the worker's environment. On other
architectures (arm64) nothing is pinned; their outputs are their own.

A runtime may also run the worker under an *emulator* (``qemu-x86_64 -cpu max``: AVX2 and FMA, no AVX-512, no
VNNI), the one way to make a library that picks its kernels from the CPU it finds (onnxruntime, whose MLAS has
no switch for it) compute as on another CPU: ``make check EMULATE=max``.
"""

from __future__ import annotations

import os
import platform
import shutil
from dataclasses import dataclass, field
from typing import Any

KERNELS: dict[str, dict[str, str]] = {
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"},
    "default": {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE", "ONEDNN_MAX_CPU_ISA": "SSE41"},
    "native": {},
}
DEFAULT_KERNELS = "avx2"
# the rest of the worker's environment: offline, no progress bars, fixed hashing
WORKER_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "MPLBACKEND": "Agg",
    "PYTHONHASHSEED": "0",
    "PYTHONUNBUFFERED": "0",
}
# torch's thread count: how a reduction is split, and so the last bits of a trained model (default 2). The worker
# reads it (a process boundary), the key records it
THREADS_VARIABLE = "LIVENOTES_THREADS"
EMULATOR = "qemu-x86_64"


def threads() -> int:
    return int(os.environ.get(THREADS_VARIABLE, "2"))


def x86() -> bool:
    return platform.machine().lower() in ("x86_64", "amd64")


@dataclass(frozen=True)
class Runtime:
    """Which kernels the worker computes with, and the CPU it runs on (this one, or an emulated one)."""

    kernels: str = DEFAULT_KERNELS
    emulate: str | None = None  # a CPU model of qemu-x86_64 (``max``, ``Haswell-v4``); None: this machine's CPU
    threads: int = field(default_factory=threads)

    def __post_init__(self) -> None:
        if self.kernels not in KERNELS:
            raise ValueError(f"unknown kernels {self.kernels!r} (known: {', '.join(KERNELS)})")
        if self.emulate is not None and shutil.which(EMULATOR) is None:
            raise ValueError(f"--emulate needs {EMULATOR} (Debian: apt-get install qemu-user)")

    @property
    def pinned(self) -> dict[str, str]:
        """The variables that choose the kernels (none off x86)."""
        return dict(KERNELS[self.kernels]) if x86() else {}

    @property
    def slowdown(self) -> float:
        """How many times longer than the build's runtime a snippet may take: the plain kernels are about 2 to 3
        times slower (measured: the BERT pretraining 170 s → 342 s), an emulated CPU 10 to 30 times."""
        return (30.0 if self.emulate else 1.0) * (4.0 if self.kernels == "default" else 1.0)

    @property
    def is_default(self) -> bool:
        """The runtime a build uses: the approved outputs and the site's pages come from it."""
        return self.kernels == DEFAULT_KERNELS and self.emulate is None

    def env(self) -> dict[str, str]:
        """Every variable the client sets in the worker's environment."""
        return {**WORKER_ENV, **self.pinned}

    def command(self) -> list[str]:
        """What the worker's Python runs under: nothing, or the emulator of another CPU."""
        return [EMULATOR, "-cpu", self.emulate] if self.emulate else []

    def key(self) -> dict[str, Any]:
        """What, besides the code and the libraries, can change a snippet's output: part of every cache key.

        The CPU architecture (with the ``avx2`` kernels, an x86 machine computes with AVX2 whatever it has), the
        thread count, the worker's environment, and the emulated CPU if any.
        """
        described: dict[str, Any] = {"machine": platform.machine().lower(), "threads": self.threads, "env": self.env()}
        if self.emulate:
            described["emulate"] = self.emulate
        return described
