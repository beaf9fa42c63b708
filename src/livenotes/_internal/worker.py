"""The worker process: runs snippets one at a time, importing what they share once, when first needed.

Requests (``protocol.Request``) arrive as JSON lines on stdin; each message back is one JSON line on the file
descriptor named by ``--reply-fd``, so nothing a snippet (or a C library) prints can corrupt the protocol.
This file is only the process: arguments, the request loop, the reply channel, limits, signals. How a
snippet runs (and so what it outputs) is execution.py, which is part of every cache key; this file is not.
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import os
import resource
import select
import signal
import sys
import threading
from collections.abc import Iterator

from .execution import prepare, run_snippet, use_profile
from .lifeline import die_with_parent
from .protocol import Message, Prepare, Progress, Ready, read_instruction


class Channel:
    """The reply pipe; the progress thread and the main loop both write to it."""

    def __init__(self, fd: int) -> None:
        self._file = os.fdopen(fd, "w", encoding="utf-8")
        self._lock = threading.Lock()

    def send(self, message: Message) -> None:
        with self._lock:
            self._file.write(message.to_json() + "\n")
            self._file.flush()


def _end_on_hangup(requests: int) -> None:
    """End this process and its children when the request pipe's writer is gone, even mid-snippet.

    The build closes the pipe when it stops (or the kernel does when it dies); a snippet that trains for
    minutes would otherwise keep the machine busy for nobody. The process group (this worker is its leader)
    takes the snippet's own subprocesses too.
    """
    poller = select.poll()
    poller.register(requests, select.POLLHUP)  # not POLLIN: a pending request is the main loop's business
    while True:
        for _fd, events in poller.poll():
            if events & select.POLLNVAL:  # the main loop closed the pipe: the process is ending anyway
                return
            if os.getpgrp() == os.getpid():  # started by WorkerClient, in a session of its own
                os.killpg(os.getpid(), signal.SIGKILL)
            os._exit(1)


def _private_memory() -> int:
    """Bytes of private writable memory mapped now (VmData): what RLIMIT_DATA counts."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


@contextlib.contextmanager
def _memory_limit(limit: int) -> Iterator[None]:
    """Let a snippet map ``limit`` more bytes than the worker holds now (torch, the memo of loaded models).

    Past that, malloc and mmap fail (RLIMIT_DATA covers private writable mappings on Linux 4.7 and later):
    numpy and torch raise an exception the snippet's failure reports, instead of the machine reaching the
    OOM killer. The limit goes back to what it was once the snippet is done.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    wanted = _private_memory() + limit
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reply-fd", type=int, required=True)
    parser.add_argument("--parent-pid", type=int, required=True)
    parser.add_argument("--profile", required=True, help="the site's runtime profile, a module name")
    args = parser.parse_args()
    die_with_parent(args.parent_pid)
    use_profile(args.profile)
    channel = Channel(args.reply_fd)
    # requests come on the original stdin; a snippet that reads stdin gets end-of-file instead
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    threading.Thread(target=_end_on_hangup, args=(requests.fileno(),), daemon=True).start()
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    # the worker's own stderr (not a snippet's) is where a crash or a hang leaves its traceback
    diagnostics = os.fdopen(os.dup(2), "w")
    faulthandler.enable(file=diagnostics)
    # the profile's libraries (torch, say) only when a snippet needs more than the standard library (the client
    # sends Prepare first): a worker for stdlib snippets (the tests' scratch sites) starts in a fraction of a second
    channel.send(Ready(pid=os.getpid()))
    for line in requests:
        request = read_instruction(line)
        if isinstance(request, Prepare):
            prepare(request.threads)
            channel.send(Ready(pid=os.getpid()))
            continue
        with _memory_limit(request.memory_limit):
            reply = run_snippet(request, diagnostics, lambda text: channel.send(Progress(text)))
        channel.send(reply)


if __name__ == "__main__":
    main()
