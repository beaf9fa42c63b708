"""The runtime a snippet executes in, besides its code and libraries: part of every cache key.

A site names its *profile*: a module the worker imports (this book's is ``notes_site.runtime``; without one,
``plain_profile``). The profile declares what the engine cannot know: the libraries the snippets share and how to
import them once (``prepare``), their seeds (``seed``), what to count while a snippet runs (``begin_snippet``),
the worker's environment (``ENV``), and named sets of *kernels* (``KERNELS``): variables that choose the code
paths of the numeric libraries, the same on every machine that has them, so that an approved output is
reproduced on another CPU. ``SOURCES`` are the files whose meaning decides the outputs: they are in every key.

A runtime may also run the worker under an *emulator* (``qemu-x86_64 -cpu max``: AVX2 and FMA, no AVX-512, no
VNNI), the one way to make a library that picks its kernels from the CPU it finds (onnxruntime, whose MLAS has no
switch for it) compute as on another CPU: ``make check EMULATE=max``.
"""

from __future__ import annotations

import importlib
import platform
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from .meaning import digest_of_files

PLAIN_PROFILE = "livenotes._internal.plain_profile"
EMULATOR = "qemu-x86_64"
EMULATED_SLOWDOWN = 30.0  # an emulated CPU runs 10 to 30 times slower: its snippets get that much more time


class Profile(Protocol):
    """What a runtime profile module holds (``plain_profile`` is the smallest one)."""

    KERNELS: dict[str, dict[str, str]]  # name → the variables that choose the kernels (x86 only)
    DEFAULT_KERNELS: str  # the build's: approved outputs come from it
    SLOW_KERNELS: dict[str, float]  # name → how many times slower than the default (timeouts grow with it)
    ENV: dict[str, str]  # the rest of the worker's environment
    IMPLIED: dict[str, tuple[str, ...]]  # distribution → what it runs on without declaring it (for the key)
    SOURCES: tuple[Path, ...]  # files whose meaning decides the outputs

    def prepare(self, threads: int) -> None: ...
    def seed(self) -> None: ...
    def begin_snippet(self, *, random_init: bool, forget: bool) -> list[str]: ...


def x86() -> bool:
    return platform.machine().lower() in ("x86_64", "amd64")


@dataclass(frozen=True)
class Runtime:
    """The profile, which kernels the worker computes with, how many threads, and the CPU it runs on."""

    profile: str = PLAIN_PROFILE
    kernels: str | None = None  # None: the profile's default
    emulate: str | None = None  # a CPU model of qemu-x86_64 (``max``, ``Haswell-v4``); None: this machine's CPU
    threads: int = 2  # how a reduction is split, and so the last bits of a trained model

    def __post_init__(self) -> None:
        if self.kernels is not None and self.kernels not in self.module.KERNELS:
            raise ValueError(f"unknown kernels {self.kernels!r} (known: {', '.join(self.module.KERNELS)})")
        if self.emulate is not None and shutil.which(EMULATOR) is None:
            raise ValueError(f"--emulate needs {EMULATOR} (Debian: apt-get install qemu-user)")
        if self.threads < 1:
            raise ValueError(f"threads must be 1 or more, not {self.threads}")

    @cached_property
    def module(self) -> Profile:
        """The profile module (importing it imports none of the libraries it prepares)."""
        loaded: ModuleType = importlib.import_module(self.profile)
        return loaded  # type: ignore[return-value]

    @property
    def chosen_kernels(self) -> str:
        """The kernels asked for, else the profile's default."""
        return self.kernels or self.module.DEFAULT_KERNELS

    @property
    def pinned(self) -> dict[str, str]:
        """The variables that choose the kernels (none off x86)."""
        return dict(self.module.KERNELS[self.chosen_kernels]) if x86() else {}

    @property
    def slowdown(self) -> float:
        """How many times longer than the build's runtime a snippet may take."""
        return (EMULATED_SLOWDOWN if self.emulate else 1.0) * self.module.SLOW_KERNELS.get(self.chosen_kernels, 1.0)

    @property
    def is_default(self) -> bool:
        """The runtime a build uses: the approved outputs and the site's pages come from it."""
        return self.chosen_kernels == self.module.DEFAULT_KERNELS and self.emulate is None

    def env(self) -> dict[str, str]:
        """Every variable the client sets in the worker's environment."""
        return {**self.module.ENV, **self.pinned}

    def command(self) -> list[str]:
        """What the worker's Python runs under: nothing, or the emulator of another CPU."""
        return [EMULATOR, "-cpu", self.emulate] if self.emulate else []

    def key(self) -> dict[str, Any]:
        """What, besides the code and the libraries, can change a snippet's output: part of every cache key.

        The CPU architecture (with pinned kernels, an x86 machine computes the same whatever it has beyond them),
        the thread count, the worker's environment, the emulated CPU if any, and the profile's meaning.
        """
        described: dict[str, Any] = {
            "machine": platform.machine().lower(),
            "threads": self.threads,
            "env": self.env(),
            "profile": self.profile,
            "profile_meaning": digest_of_files(self.module.SOURCES),
        }
        if self.emulate:
            described["emulate"] = self.emulate
        return described
