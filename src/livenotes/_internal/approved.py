"""Approved outputs: the committed expected text of each snippet, compared with doctest semantics.

``...`` matches anything (ELLIPSIS), runs of whitespace compare equal (NORMALIZE_WHITESPACE), and a
number compares equal to the digits written in the approved text (pytest's NUMBER): approving
``0.68`` accepts ``0.6812``. Approved files are only ever written by ``approve`` from a real run.
"""

from __future__ import annotations

import difflib
import doctest
import re
from dataclasses import dataclass
from pathlib import Path

from .atomic import write_atomic
from .project import Project
from .results import Result

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])")


def _precision(number: str) -> int:
    mantissa, _, exponent = number.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return decimals - int(exponent or 0)


def _align_numbers(want: str, got: str) -> str:
    """``got`` with each number replaced by the approved one when they agree to the approved digits."""
    wants, gots = list(_NUMBER.finditer(want)), list(_NUMBER.finditer(got))
    if len(wants) != len(gots):
        return got
    pieces, last = [], 0
    for w, g in zip(wants, gots, strict=True):
        if "." in w.group() or "e" in w.group().lower():
            tolerance = 0.5 * 10 ** -_precision(w.group())
            if abs(float(w.group()) - float(g.group())) <= tolerance * (1 + 1e-9):
                pieces.append(got[last : g.start()] + w.group())
                last = g.end()
    return "".join(pieces) + got[last:]


def matches(want: str, got: str) -> bool:
    """True when ``got`` matches the approved text ``want`` (ELLIPSIS, whitespace, approved digits)."""
    checker = doctest.OutputChecker()
    return checker.check_output(want, got, FLAGS) or checker.check_output(want, _align_numbers(want, got), FLAGS)


@dataclass(frozen=True)
class Drift:
    """A result that does not match its approved output (or has none yet)."""

    approved_file: str
    diff: str  # unified diff, approved → this run; empty when there is no approved file yet

    def describe(self) -> str:
        """One message for the log and the page: what differs and how to accept it."""
        if not self.diff:
            return f"no approved output yet ({self.approved_file} is missing); run `make approve` and review it"
        return f"output differs from {self.approved_file} (run `make approve` to accept it):\n{self.diff}"


def approved_path(project: Project, snippet: str) -> Path:
    """``approved/x/y.txt`` for the snippet ``x/y.py``."""
    return project.approved / (snippet.removesuffix(".py") + ".txt")


def check(project: Project, result: Result) -> Drift | None:
    """None when the result's text matches its approved output."""
    path = approved_path(project, result.snippet)
    shown = path.relative_to(project.root).as_posix()
    if not path.is_file():
        return Drift(shown, "")
    want = path.read_text(encoding="utf-8")
    got = result.text()
    if matches(want, got):
        return None
    diff = difflib.unified_diff(
        want.splitlines(), got.splitlines(), fromfile=shown, tofile="this run", lineterm="", n=2
    )
    return Drift(shown, "\n".join(diff))


def approve(project: Project, result: Result) -> bool:
    """Write the approved output from a successful run when it is missing or no longer matches."""
    if not result.ok:
        raise ValueError(f"snippets/{result.snippet} failed; only a successful run can be approved")
    if check(project, result) is None:
        return False  # still matches: keep any ELLIPSIS or rounding a reviewer wrote
    write_atomic(approved_path(project, result.snippet), result.text().encode("utf-8"))
    return True
