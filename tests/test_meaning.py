"""Cache keys follow what code means: layout, comments and engine docstrings re-run nothing; behaviour does."""

from __future__ import annotations

import pytest

from livenotes._internal.meaning import meaning

CODE = '''\
"""A snippet."""
import math


def area(r):
    """The area."""
    return math.pi * r ** 2


print(area(2))
'''


@pytest.mark.parametrize(
    "edited",
    [
        CODE.replace("print(area(2))", "print(area(2))  # the circle of radius 2"),
        CODE.replace("return math.pi * r ** 2", "return math.pi*r**2"),
        CODE.replace("print(area(2))", "print(\n    area(2)\n)"),
        CODE.replace("import math\n", "import math\n\n\n# constants come from math\n"),
    ],
    ids=["comment", "spacing", "wrapped", "blank lines"],
)
def test_layout_and_comments_mean_the_same(edited: str) -> None:
    assert meaning(edited) == meaning(CODE)
    assert meaning(edited, drop_docstrings=True) == meaning(CODE, drop_docstrings=True)


def test_a_docstring_counts_for_a_snippet_and_not_for_the_engine() -> None:
    edited = CODE.replace('"""The area."""', '"""The area of a circle."""')
    assert meaning(edited) != meaning(CODE)  # a snippet may print its __doc__
    assert meaning(edited, drop_docstrings=True) == meaning(CODE, drop_docstrings=True)
    only_docstring = 'def f():\n    """Nothing else."""\n'
    assert meaning(only_docstring, drop_docstrings=True) == meaning("def f():\n    pass\n", drop_docstrings=True)


@pytest.mark.parametrize(
    "edited",
    [
        CODE.replace("r ** 2", "r ** 3"),
        CODE.replace("area(2)", "area(2.0)"),
        CODE.replace("math.pi", "math.tau"),
        CODE.replace("def area(r):", "def area(radius):").replace("* r", "* radius"),
        CODE.replace("print(area(2))", "print(area(2), end='')"),
    ],
    ids=["operator", "literal type", "name", "renamed argument", "keyword"],
)
def test_what_python_runs_differently_means_something_else(edited: str) -> None:
    assert meaning(edited) != meaning(CODE)
    assert meaning(edited, drop_docstrings=True) != meaning(CODE, drop_docstrings=True)
