"""The quizzes: checked files, answer keys taken from this build's outputs, and the page answering in Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from livenotes import SnippetError
from livenotes._internal.directives.quiz import answer_key, load_quiz, render_html
from tests.conftest import ROOT, SITE, mkdocs
from tests.sites import make_site

QUIZ = ROOT / "quizzes" / "chapter1.yml"


def _quiz_file(tmp_path: Path, text: str) -> Path:
    (tmp_path / "quizzes").mkdir(exist_ok=True)
    (tmp_path / "quizzes" / "q.yml").write_text(text, encoding="utf-8")
    return tmp_path


GOOD = "- question: Q\n  choices: [a, b]\n  answer: 1\n  why: [not a, b]\n  explanation: because\n"
WHY = "  why: [x, y]\n"


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (GOOD + "- question: R\n  choices: [a]\n  answer: 0\n" + WHY + "  explanation: e\n", "at least two choices", 6),
        (GOOD + "- question: R\n  choices: [a, b]\n  answer: 2\n" + WHY + "  explanation: e\n", "index of a choice", 6),
        (GOOD + "- question: R\n  choices: [a, b]\n" + WHY + "  explanation: e\n", "exactly one of answer", 6),
        (GOOD + "- question: R\n  choices: [a, b]\n  answer: 0\n" + WHY, "explains its answer", 6),
        (GOOD + "- question: R\n  choices: [a, b]\n  answer: 0\n  explanation: e\n", "why each choice", 6),
        (GOOD + "- question: R\n  choices: [a, b]\n  answer: 0\n  why: [x]\n  explanation: e\n", "one line per", 6),
        (
            GOOD + "- question: R\n  choices: [a, b]\n  answer: 0\n" + WHY + "  explanation: e\n  section: /a#b\n",
            "page/#anchor",
            6,
        ),
        (
            GOOD + "- question: R\n  choices: [a, b]\n  from_output: {snippet: s.py, pattern: 'x'}\n  explanation: e\n",
            "needs a group",
            6,
        ),
        (GOOD + "- question: R\n  choices: [a, a]\n  answer: 0\n" + WHY + "  explanation: e\n", "are the same", 6),
        (
            GOOD + "- question: R\n  choices: [a, b]\n"
            "  from_output: {snippet: s.py, pattern: '(x)', written_for: c}\n  explanation: e\n",
            "is not one of the choices",
            6,
        ),
        (
            GOOD + "- question: R\n  choices: [a, b]\n  answer: 0\n" + WHY + "  explanation: e\n  hint: h\n",
            "unknown keys",
            6,
        ),
        ("- question: [unclosed\n", "not valid YAML", 2),
    ],
)
def test_a_bad_quiz_file_is_refused_naming_its_file_and_line(
    tmp_path: Path, text: str, message: str, line: int
) -> None:
    with pytest.raises(SnippetError) as caught:
        load_quiz(_quiz_file(tmp_path, text), "q.yml", "docs/p.md:3")
    assert message in caught.value.message
    assert caught.value.where == f"quizzes/q.yml:{line}"


def test_a_missing_quiz_names_the_page_that_asked_for_it(tmp_path: Path) -> None:
    with pytest.raises(SnippetError) as caught:
        load_quiz(tmp_path, "none.yml", "docs/p.md:3")
    assert "does not exist" in caught.value.message and caught.value.where == "docs/p.md:3"


def test_the_key_follows_the_output_and_a_stale_one_is_an_error(tmp_path: Path) -> None:
    root = _quiz_file(
        tmp_path,
        GOOD + "- question: R\n  choices: ['3', '4']\n  from_output: {snippet: s.py, pattern: 'answer: (\\d+)'}\n"
        "  explanation: e\n",
    )
    quiz = load_quiz(root, "q.yml")
    assert answer_key(quiz, lambda snippet, where: "answer: 4\n") == [1, 1]
    assert answer_key(quiz, lambda snippet, where: "answer: 3\n") == [1, 0]
    with pytest.raises(SnippetError) as caught:
        answer_key(quiz, lambda snippet, where: "answer: 5\n")
    assert "'5', which is not one of the choices" in caught.value.message
    assert caught.value.where == "quizzes/q.yml:6"
    with pytest.raises(SnippetError, match="no longer matches"):
        answer_key(quiz, lambda snippet, where: "no answer here\n")


def test_an_explanation_written_for_one_answer_stops_the_key_at_another(tmp_path: Path) -> None:
    root = _quiz_file(
        tmp_path,
        "- question: R\n  choices: ['3', '4']\n"
        "  from_output: {snippet: s.py, pattern: 'answer: (\\d+)', written_for: '4'}\n  explanation: it was 4\n",
    )
    quiz = load_quiz(root, "q.yml")
    assert answer_key(quiz, lambda snippet, where: "answer: 4\n") == [1]
    with pytest.raises(SnippetError) as caught:
        answer_key(quiz, lambda snippet, where: "answer: 3\n")
    assert "explanation was written for '4'" in caught.value.message and caught.value.where == "quizzes/q.yml:1"


def test_an_output_that_no_longer_gives_a_choice_fails_the_strict_build_at_the_question(tmp_path: Path) -> None:
    # the answer comes from the output: an output that changed (here: approved as 5) leaves the key without a
    # choice, and the strict build stops, naming the question; the page still renders with the problem on it
    site = make_site(
        tmp_path,
        '# p\n\n{% run "a.py" %}\n\n{% quiz "q.yml" %}\n',
        {"a.py": "print('answer: 5')\n"},
        {"a.txt": "answer: 5\n"},
    )
    _quiz_file(
        site,
        "- question: 出力は?\n  choices: ['3', '4']\n  from_output: {snippet: a.py, pattern: 'answer: (\\d+)'}\n"
        "  explanation: 出力のとおり\n",
    )
    done = mkdocs("build", "--strict", "--site-dir", "stale", cwd=site)
    assert done.returncode != 0
    assert "quizzes/q.yml:1" in done.stderr and "'5', which is not one of the choices" in done.stderr
    lenient = mkdocs("build", "--site-dir", "lenient", cwd=site)  # warm now: no snippet runs again
    page = (site / "lenient" / "index.html").read_text(encoding="utf-8")
    assert lenient.returncode == 0 and "livenotes-failure" in page and "answer: 5" in page


def test_the_chapter_quiz_teaches_and_its_output_keys_match_the_approved_outputs(built_site: Path) -> None:
    questions = yaml.safe_load(QUIZ.read_text(encoding="utf-8"))
    from_output = [q for q in questions if "from_output" in q]
    assert len(questions) - len(from_output) >= 8, "at least 8 questions on the ideas, not on this build's numbers"
    assert 3 * len(from_output) <= len(questions), "questions keyed to this build's outputs: at most a third"
    assert all(q.get("section") for q in questions), "every question says which section to read again"
    page = (built_site / "chapter-1-summary" / "index.html").read_text(encoding="utf-8")
    keys = [int(k) for k in re.findall(r'class="livenotes-quiz__question" data-answer="(\d+)"', page)]
    assert len(keys) == len(questions)
    for question, key in zip(questions, keys, strict=True):
        if "answer" in question:
            assert key == question["answer"]
            continue
        source = question["from_output"]
        approved = (ROOT / "approved" / source["snippet"]).with_suffix(".txt").read_text(encoding="utf-8")
        found = re.search(source["pattern"], approved, re.MULTILINE)
        assert found is not None, question["question"]
        assert question["choices"][key] == found.group(1).strip(), question["question"]
    # every "read again" link lands on a heading of the built site
    for link in re.findall(r'class="livenotes-quiz__section" href="\.\./([^"#]*)#([^"]+)"', page):
        target = (built_site / link[0] / "index.html").read_text(encoding="utf-8")
        assert f'id="{link[1]}"' in target, link
    assert page.count("livenotes-quiz__section") == len(questions)


def _choose(question: Any, index: int) -> None:
    question.locator("input[type=radio]").nth(index).check()
    question.locator(".livenotes-quiz__check").click()


@pytest.mark.browser
def test_every_choice_of_every_question_says_why_and_the_score_follows(tab: tuple, site_url: str) -> None:
    page, traffic = tab
    page.goto(f"{site_url}/chapter-1-summary/", wait_until="networkidle")
    questions = page.locator(".livenotes-quiz__question")
    score = page.locator(".livenotes-quiz__score")
    count = questions.count()
    assert count >= 10
    for index in range(count):
        question = questions.nth(index)
        answer = int(question.get_attribute("data-answer"))
        choices = question.locator("input[type=radio]")
        feedback = question.locator(".livenotes-quiz__feedback")
        explanation = question.locator(".livenotes-quiz__explanation")
        whys = question.locator(".livenotes-quiz__why")
        assert explanation.is_hidden()
        question.locator(".livenotes-quiz__check").click()  # nothing chosen yet
        assert feedback.inner_text() == "答えを 1 つ選んでください。"
        for choice in range(choices.count()):
            _choose(question, choice)
            assert explanation.is_visible() and question.locator(".livenotes-quiz__section").is_visible()
            shown = [w for w in range(whys.count()) if whys.nth(w).is_visible()]
            if choice == answer:
                assert feedback.inner_text() == "正解!"
                assert "livenotes-quiz__question--right" in question.get_attribute("class")
                assert shown == ([answer] if whys.count() else [])
            else:
                right_text = question.locator("label").nth(answer).inner_text().strip()
                assert feedback.inner_text() == f"不正解。正解は「{right_text}」。"
                assert "livenotes-quiz__question--wrong" in question.get_attribute("class")
                # why the chosen one is wrong, and why the right one is right
                assert shown == (sorted([choice, answer]) if whys.count() else [])
        assert question.locator(".livenotes-quiz__retry").is_visible()
        question.locator(".livenotes-quiz__retry").click()  # try again: the question as it was
        assert explanation.is_hidden() and feedback.inner_text() == "" and question.locator(":checked").count() == 0
        _choose(question, answer)
        assert score.inner_text() == f"{count} 問中 {index + 1} 問正解(答え合わせした問題 {index + 1})"
    _choose(questions.nth(0), (int(questions.nth(0).get_attribute("data-answer")) + 1) % 2)
    assert score.inner_text() == f"{count} 問中 {count - 1} 問正解(答え合わせした問題 {count})"
    page.locator(".livenotes-quiz__reset").click()
    assert score.inner_text() == "" and page.locator(".livenotes-quiz :checked").count() == 0
    page.locator(".livenotes-quiz__question").nth(count - 1).screenshot(path=str(ROOT / "test-results" / "quiz.png"))
    traffic.assert_clean()  # nothing failed to load, nothing fetched from another host


@pytest.mark.browser
def test_a_question_can_be_answered_with_the_keyboard_alone(tab: tuple, site_url: str) -> None:
    page, _ = tab
    page.goto(f"{site_url}/chapter-1-summary/", wait_until="networkidle")
    question = page.locator(".livenotes-quiz__question").first
    answer = int(question.get_attribute("data-answer"))
    question.locator("input[type=radio]").first.focus()
    page.keyboard.press("Space")  # the first choice
    for _ in range(answer):
        page.keyboard.press("ArrowDown")  # arrows move the choice within the question
    page.keyboard.press("Tab")  # to the check button
    assert page.evaluate("document.activeElement.classList.contains('livenotes-quiz__check')")
    page.keyboard.press("Enter")
    assert question.locator(".livenotes-quiz__feedback").inner_text() == "正解!"
    assert question.locator(".livenotes-quiz__feedback").get_attribute("role") == "status"


def test_backticks_show_as_code_and_markup_stays_text(tmp_path: Path) -> None:
    root = _quiz_file(
        tmp_path,
        "- question: 'Is `Ġto` <b>bold</b>?'\n  choices: [a, b]\n  answer: 0\n  why: ['`a` <i>', b]\n"
        "  explanation: '`x` & y'\n",
    )
    quiz = load_quiz(root, "q.yml")
    page = render_html(quiz, answer_key(quiz, lambda snippet, where: ""), SITE.texts)
    assert "Is <code>Ġto</code> &lt;b&gt;bold&lt;/b&gt;?" in page
    assert "<p><code>x</code> &amp; y</p>" in page
    assert '<p class="livenotes-quiz__why" data-choice="0" hidden><code>a</code> &lt;i&gt;</p>' in page
