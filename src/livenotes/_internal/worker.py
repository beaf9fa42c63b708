"""The worker process: imports torch and transformers once, then runs snippets one at a time.

Requests (``protocol.Request``) arrive as JSON lines on stdin; each message back is one JSON line on the file
descriptor named by ``--reply-fd``, so nothing a snippet (or a C library) prints can corrupt the protocol.
This file is only the process: arguments, the request loop, the reply channel, limits, signals. How a
snippet runs (and so what it outputs) is execution.py, which is part of every cache key; this file is not.
"""

from __future__ import annotations

import argparse
import faulthandler
import os
import sys
import threading

from .execution import prepare, run_snippet
from .protocol import Message, Progress, Ready, Request


class Channel:
    """The reply pipe; the progress thread and the main loop both write to it."""

    def __init__(self, fd: int) -> None:
        self._file = os.fdopen(fd, "w", encoding="utf-8")
        self._lock = threading.Lock()

    def send(self, message: Message) -> None:
        with self._lock:
            self._file.write(message.to_json() + "\n")
            self._file.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reply-fd", type=int, required=True)
    args = parser.parse_args()
    channel = Channel(args.reply_fd)
    # requests come on the original stdin; a snippet that reads stdin gets end-of-file instead
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    # the worker's own stderr (not a snippet's) is where a crash or a hang leaves its traceback
    diagnostics = os.fdopen(os.dup(2), "w")
    faulthandler.enable(file=diagnostics)
    prepare()
    channel.send(Ready(pid=os.getpid()))
    for line in requests:
        reply = run_snippet(Request.from_json(line), diagnostics, lambda text: channel.send(Progress(text)))
        channel.send(reply)


if __name__ == "__main__":
    main()
