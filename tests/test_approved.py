from pathlib import Path

import pytest

from livenotes import Project, Result, approve, approved_path, check, matches


@pytest.mark.parametrize(
    ("want", "got", "same"),
    [
        ("a b\n", "a   b\n", True),  # whitespace is normalised
        ("shape: (4, ...)\n", "shape: (4, 384)\n", True),  # ELLIPSIS
        ("0.68\n", "0.6812\n", True),  # NUMBER: equal to the digits approved
        ("0.68\n", "0.6851\n", False),
        ("1.00  0.69\n", "1.0  0.6899\n", True),
        ("[1.5e-03]\n", "[0.00151]\n", True),
        ("7 tokens\n", "8 tokens\n", False),  # integers compare exactly
        ("loss 2.0\n", "loss 2.0\nextra\n", False),
    ],
)
def test_doctest_semantics(want: str, got: str, same: bool) -> None:
    assert matches(want, got) is same


def _project(tmp_path: Path) -> Project:
    (tmp_path / "snippets").mkdir(exist_ok=True)
    return Project(tmp_path)


def test_drift_gives_a_readable_diff_and_approve_writes_the_run(tmp_path: Path) -> None:
    project = _project(tmp_path)
    result = Result("ch/a.py", "k", stdout="loss 2.31\nacc 0.5\n")
    assert "no approved output yet" in check(project, result).describe()  # type: ignore[union-attr]
    assert approve(project, result)
    assert approved_path(project, "ch/a.py").read_text() == "loss 2.31\nacc 0.5\n"
    assert check(project, result) is None
    drift = check(project, Result("ch/a.py", "k", stdout="loss 2.31\nacc 0.75\n"))
    assert drift is not None
    assert "-acc 0.5" in drift.diff and "+acc 0.75" in drift.diff and "approved/ch/a.txt" in drift.describe()


def test_approve_keeps_an_approved_text_that_still_matches(tmp_path: Path) -> None:
    project = _project(tmp_path)
    path = approved_path(project, "a.py")
    path.parent.mkdir(parents=True)
    path.write_text("took ... s\n")
    assert not approve(project, Result("a.py", "k", stdout="took 3.2 s\n"))
    assert path.read_text() == "took ... s\n"


def test_a_failed_run_cannot_be_approved(tmp_path: Path) -> None:
    from livenotes import SnippetError

    with pytest.raises(ValueError, match="only a successful run"):
        approve(_project(tmp_path), Result("a.py", "k", failure=SnippetError("boom", kind="error")))


def test_figures_take_part_in_the_approved_text() -> None:
    from livenotes import Figure

    result = Result("a.py", "k", stdout="hi\n", display="2", figures=[Figure("", 640, 480)])
    assert result.text() == "hi\n2\n[figure 1: 640x480 png]\n"
