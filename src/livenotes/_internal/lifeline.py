"""A helper process that dies with the build that started it, however the build dies (SIGKILL included)."""

from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """Have the kernel SIGKILL this process when the build process dies, however it dies (SIGKILL included).

    The signal fires when the *thread* that started this process exits: start helpers from a thread that
    lives as long as the build (the main thread, or a long-lived runner thread). If the parent died before
    the prctl call, the signal will never come: then exit now.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the caller's own watch (the worker's hang-up thread) still ends it
    if os.getppid() != parent:
        os._exit(1)
