from pathlib import Path

import pytest

from livenotes import Project, SnippetError, find_directives, load_snippet


def test_directives_are_found_with_their_lines_outside_code_fences() -> None:
    page = (
        '# T\n\n{% run "a/b.py" %}\n\n```markdown\n{% run "shown.py" %}\n```\n\n'
        '~~~~\n{% run "x.py" %}\n~~~~\n{% build_report %}\n'
    )
    found = [(d.kind, d.arg, d.line) for d in find_directives(page)]
    assert found == [("run", "a/b.py", 3), ("build_report", "", 12)]


def test_a_malformed_directive_is_reported_not_ignored() -> None:
    found = list(find_directives('{% run %}\n{% rnu "a.py" %}\n'))
    assert [d.kind for d in found] == ["invalid", "invalid"]
    assert [d.line for d in found] == [1, 2]


def test_an_indented_directive_keeps_its_indentation() -> None:
    (directive,) = find_directives('=== "tab"\n\n    {% run "a.py" %}\n')
    assert directive.source.startswith("    ") and directive.arg == "a.py"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../secret.py", "outside snippets/"),
        ("/etc/passwd.py", "outside snippets/"),
        ("missing.py", "does not exist"),
        ("notes.txt", "not a .py file"),
    ],
)
def test_bad_snippet_paths_are_clear_errors(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "snippets").mkdir()
    (tmp_path / "secret.py").write_text("print('no')\n")
    with pytest.raises(SnippetError, match=message) as raised:
        load_snippet(Project(tmp_path), name, "docs/page.md:7")
    assert raised.value.where == "docs/page.md:7"


def test_bad_options_and_syntax_name_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "opt.py").write_text("x = 1\n# livenotes: timeout=soon\n")
    (tmp_path / "snippets" / "syn.py").write_text("x = 1\nprint(\n")
    with pytest.raises(SnippetError, match="timeout must be a number") as raised:
        load_snippet(Project(tmp_path), "opt.py")
    assert raised.value.where == "snippets/opt.py:2"
    with pytest.raises(SnippetError, match="SyntaxError") as raised:
        load_snippet(Project(tmp_path), "syn.py")
    assert raised.value.where is not None and raised.value.where.startswith("snippets/syn.py:")


def test_options_are_read_from_header_comments(tmp_path: Path) -> None:
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "o.py").write_text(
        "# livenotes: timeout=5; random-init\n# livenotes: needs=a.py, b.py\n# livenotes: produces=checkpoints/t\n"
    )
    options = load_snippet(Project(tmp_path), "o.py").options
    assert (options.timeout, options.random_init) == (5.0, True)
    assert options.needs == ("a.py", "b.py") and options.produces == ("checkpoints/t",)
