from pathlib import Path

import pytest

from livenotes import Project, SnippetError, load_snippet, parse_page
from livenotes._internal.registry import ENGINE_ONLY


def test_directives_are_found_with_their_lines_outside_code_fences() -> None:
    page = (
        '# T\n\n{% run "a/b.py" %}\n\n```markdown\n{% run "shown.py" %}\n```\n\n'
        '~~~~\n{% run "x.py" %}\n~~~~\n{% build_report %}\n'
    )
    found = [(d.kind, d.arg, d.line) for d in parse_page("docs/p.md", page, ENGINE_ONLY).directives]
    assert found == [("run", "a/b.py", 3), ("build_report", "", 12)]


def test_a_malformed_directive_is_reported_not_ignored() -> None:
    page = parse_page("docs/p.md", '{% run %}\n{% rnu "a.py" %}\n', ENGINE_ONLY)
    assert page.directives == ()
    assert [(line, e.where, e.kind) for line, e in page.errors.items()] == [
        (1, "docs/p.md:1", "invalid"),
        (2, "docs/p.md:2", "invalid"),
    ]
    assert "run needs an argument" in page.errors[1].message and "unknown directive" in page.errors[2].message


def test_line_numbers_are_the_files_even_after_front_matter() -> None:
    from mkdocs.utils.meta import get_data

    text = '---\nnotebook: false\n---\n\n# T\n\n{% run "a.py" %}\n'
    page = parse_page("docs/p.md", text, ENGINE_ONLY)
    assert page.meta == {"notebook": False} and page.body_line == 5
    assert [(d.arg, d.line) for d in page.directives] == [("a.py", 7)]
    assert page.body == get_data(text)[0]  # what MkDocs hands to on_page_markdown
    assert page.where(7) == "docs/p.md:7"
    not_a_mapping = parse_page("docs/q.md", "---\n- a list\n---\n# T\n", ENGINE_ONLY)
    assert not_a_mapping.meta == {} and not_a_mapping.body_line == 1  # MkDocs keeps such a block as text


def test_an_indented_directive_keeps_its_indentation() -> None:
    (directive,) = parse_page("docs/p.md", '=== "tab"\n\n    {% run "a.py" %}\n', ENGINE_ONLY).directives
    assert directive.indent == "    " and directive.arg == "a.py"


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


def test_options_after_the_argument_are_read_and_checked() -> None:
    page = parse_page(
        "docs/p.md",
        '{% run "a.py" fold %}\n{% run "b.py" %}\n{% run "c.py" fold fold %}\n{% run "d.py" unfold %}\n'
        "{% build_report fold %}\n",
        ENGINE_ONLY,
    )
    assert [(d.arg, d.options) for d in page.directives] == [("a.py", {"fold"}), ("b.py", frozenset())]
    assert sorted(page.errors) == [3, 4, 5]
    assert page.errors[3].message == "run: option fold twice (its options: fold, fold_all)"
    assert page.errors[4].message == "run: unknown option unfold (its options: fold, fold_all)"
    assert page.errors[5].message == "build_report: unknown option fold (its options: none)"
    assert page.errors[5].where == "docs/p.md:5"
