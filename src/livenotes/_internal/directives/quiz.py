"""A quiz on a page (``{% quiz "chapter1.yml" %}``): questions from ``quizzes/``, answered in the browser.

A question either states its answer (``answer:`` the index of the right choice, and ``why:``, one line per
choice saying why it is right or wrong) or takes it from this build's output of a snippet (``from_output:``, a
snippet and a regular expression whose first group is the right choice). Such a question is re-keyed by every
build: when the output changes, the answer key changes with it, and when the output no longer gives one of the
choices, the build says so (an ``invalid`` problem at the question's line) instead of keeping a stale key.

``section:`` names the part of the site to read again (a page path and anchor, as ``page/#anchor``).

The page gets plain HTML (a fieldset per question, the key in ``data-answer``, the reader-facing words in the
form's data attributes) and ``docs/assets/javascripts/quiz.js`` checks the chosen answer, says why, keeps the
score and lets the reader try again, offline.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import SnippetError, location
from ..project import Project
from ..texts import Texts
from . import Directive, DirectiveSpec, RenderContext

FOLDER = "quizzes"
_FROM_OUTPUT_NEEDS = {"snippet", "pattern"}
_FROM_OUTPUT_KEYS = {*_FROM_OUTPUT_NEEDS, "written_for"}


@dataclass(frozen=True)
class FromOutput:
    snippet: str  # a snippet name, as in {% run %}
    pattern: str  # its first group, found in the snippet's output, is the right choice
    # the answer the explanation was written for, when the explanation tells what the output showed: another
    # answer then stops the build at the question, so that the explanation is read again (None: re-keyed freely)
    written_for: str | None = None


@dataclass(frozen=True)
class Question:
    text: str
    choices: tuple[str, ...]
    explanation: str
    answer: int | None  # stated; None when it comes from an output
    from_output: FromOutput | None
    where: str  # quizzes/x.yml:LINE
    why: tuple[str, ...] = ()  # one per choice (a stated answer needs them)
    section: str | None = None  # "page/#anchor" under the site root


@dataclass(frozen=True)
class Quiz:
    name: str
    questions: tuple[Question, ...]


def _line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def load_quiz(root: Path, name: str, where: str | None = None) -> Quiz:
    """Read and check ``quizzes/<name>``; a ``SnippetError`` names the file and line of what is wrong."""
    path = root / FOLDER / name
    shown = f"{FOLDER}/{name}"
    if not path.is_file():
        raise SnippetError(f"quiz {name!r} does not exist (looked for {shown})", where)
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SnippetError(f"not valid YAML: {exc}", location(shown, mark.line + 1 if mark else None)) from None
    if not isinstance(data, list) or not data or node is None:
        raise SnippetError("a quiz is a list of questions", location(shown, 1))
    questions = [
        _question(item, location(shown, _line_of(item_node))) for item, item_node in zip(data, node.value, strict=True)
    ]
    return Quiz(name, tuple(questions))


def _question(item: object, where: str) -> Question:
    if not isinstance(item, dict):
        raise SnippetError("a question is a mapping with question, choices, explanation and an answer", where)
    unknown = set(item) - {"question", "choices", "answer", "from_output", "explanation", "why", "section"}
    if unknown:
        raise SnippetError(f"unknown keys {sorted(unknown)}", where)
    text, choices, explanation = item.get("question"), item.get("choices"), item.get("explanation")
    if not isinstance(text, str) or not text.strip():
        raise SnippetError("the question has no text", where)
    if not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, (str, int, float)) for c in choices):
        raise SnippetError("a question needs at least two choices (a list of texts)", where)
    choices = [str(c) for c in choices]
    if len(set(choices)) != len(choices):
        raise SnippetError("two choices are the same", where)
    if not isinstance(explanation, str) or not explanation.strip():
        raise SnippetError("every question explains its answer (explanation:)", where)
    answer, source = item.get("answer"), item.get("from_output")
    if (answer is None) == (source is None):
        raise SnippetError("give exactly one of answer: (a choice's index) or from_output: (snippet, pattern)", where)
    why = item.get("why")
    if why is None and answer is not None:
        raise SnippetError("a stated answer says why each choice is right or wrong (why: one line per choice)", where)
    if why is not None and (
        not isinstance(why, list) or len(why) != len(choices) or not all(isinstance(w, str) and w.strip() for w in why)
    ):
        raise SnippetError(f"why: needs one line per choice ({len(choices)})", where)
    section = item.get("section")
    if section is not None and (not isinstance(section, str) or not re.fullmatch(r"[a-z0-9/_-]*/(#[\w-]+)?", section)):
        raise SnippetError("section: is a page of the site and an anchor, as page/#anchor", where)
    from_output = None
    if answer is not None and (not isinstance(answer, int) or not 0 <= answer < len(choices)):
        raise SnippetError(f"answer must be the index of a choice (0 to {len(choices) - 1})", where)
    if source is not None:
        if not isinstance(source, dict) or not _FROM_OUTPUT_NEEDS <= set(source) <= _FROM_OUTPUT_KEYS:
            raise SnippetError("from_output needs snippet: and pattern: (and may have written_for:)", where)
        written_for = None if source.get("written_for") is None else str(source["written_for"])
        if written_for is not None and written_for not in choices:
            raise SnippetError(f"written_for: {written_for!r} is not one of the choices {choices}", where)
        try:
            compiled = re.compile(str(source["pattern"]), re.MULTILINE)
        except re.error as exc:
            raise SnippetError(f"pattern is not a regular expression: {exc}", where) from None
        if compiled.groups < 1:
            raise SnippetError("pattern needs a group: its first group is the right choice", where)
        from_output = FromOutput(str(source["snippet"]), str(source["pattern"]), written_for)
    return Question(
        text.strip(),
        tuple(choices),
        explanation.strip(),
        answer,
        from_output,
        where,
        tuple(w.strip() for w in why or ()),
        section,
    )


def answer_key(quiz: Quiz, output_of: Callable[[str, str], str]) -> list[int]:
    """The right choice of every question; ``output_of(snippet, where)`` is the snippet's output in this build
    (it raises a ``SnippetError`` when there is none)."""
    key = []
    for question in quiz.questions:
        if question.from_output is None:
            assert question.answer is not None
            key.append(question.answer)
            continue
        source = question.from_output
        output = output_of(source.snippet, question.where)
        found = re.search(source.pattern, output, re.MULTILINE)
        if found is None:
            raise SnippetError(
                f"the output of snippets/{source.snippet} no longer matches the pattern {source.pattern!r}",
                question.where,
            )
        right = found.group(1).strip()
        if right not in question.choices:
            raise SnippetError(
                f"the output of snippets/{source.snippet} now gives {right!r}, which is not one of the choices "
                f"{list(question.choices)}",
                question.where,
            )
        if source.written_for is not None and right != source.written_for:
            raise SnippetError(
                f"the output of snippets/{source.snippet} now gives {right!r}; the explanation was written for "
                f"{source.written_for!r}: read it again, then set written_for: to the new answer",
                question.where,
            )
        key.append(question.choices.index(right))
    return key


def _text(text: str) -> str:
    """Escaped text, with `backticks` as code (a token such as `Ġto` must show in the code font to be legible)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def render_html(quiz: Quiz, key: list[int], texts: Texts, site_root: str = "") -> str:
    """The quiz as a form; quiz.js reads ``data-answer``, shows the chosen choice's why and the explanation."""
    slug = re.sub(r"[^a-z0-9]+", "-", quiz.name.lower()).strip("-")
    words = {
        "pick": texts.quiz_pick,
        "right": texts.quiz_right,
        "wrong": texts.quiz_wrong,
        "score": texts.quiz_score,
    }
    said = " ".join(f'data-say-{name}="{html.escape(text, quote=True)}"' for name, text in words.items())
    parts = [f'<form class="livenotes-quiz" data-quiz="{html.escape(quiz.name)}" {said} onsubmit="return false">']
    for number, (question, answer) in enumerate(zip(quiz.questions, key, strict=True), 1):
        name = f"{slug}-q{number}"
        from_build = f' <span class="livenotes-quiz__from-build">{html.escape(texts.quiz_from_build)}</span>'
        parts.append(f'<fieldset class="livenotes-quiz__question" data-answer="{answer}">')
        legend = texts.quiz_question.format(number=number, text=_text(question.text))
        parts.append(f"<legend>{legend}{from_build if question.from_output else ''}</legend>")
        for index, choice in enumerate(question.choices):
            # an output's choices are shown as the output prints them: in the code font
            shown = f"<code>{html.escape(choice)}</code>" if question.from_output else html.escape(choice)
            parts.append(
                f'<label class="livenotes-quiz__choice"><input type="radio" name="{name}" value="{index}"> '
                f"{shown}</label>"
            )
        parts.append(
            f'<button type="button" class="md-button livenotes-quiz__check">{html.escape(texts.quiz_check)}</button> '
            f'<button type="button" class="md-button livenotes-quiz__retry" hidden>{html.escape(texts.quiz_retry)}'
            "</button>"
        )
        parts.append('<p class="livenotes-quiz__feedback" role="status" aria-live="polite"></p>')
        parts.append('<div class="livenotes-quiz__explanation" hidden>')
        for index, why in enumerate(question.why):
            parts.append(f'<p class="livenotes-quiz__why" data-choice="{index}" hidden>{_text(why)}</p>')
        parts.append(f"<p>{_text(question.explanation)}</p>")
        if question.section:
            href = html.escape(site_root + question.section, quote=True)
            link = html.escape(texts.quiz_section)
            parts.append(f'<p><a class="livenotes-quiz__section" href="{href}">{link}</a></p>')
        parts.append("</div>")
        parts.append("</fieldset>")
    parts.append('<p class="livenotes-quiz__score" role="status" aria-live="polite"></p>')
    reset = html.escape(texts.quiz_reset)
    parts.append(f'<button type="button" class="md-button livenotes-quiz__reset">{reset}</button>')
    parts.append("</form>")
    return "\n".join(parts)


class _NoOutputYet(Exception):
    """A question takes its answer from a snippet that has no output in this build yet."""


def _render(directive: Directive, ctx: RenderContext) -> str:
    def output_of(snippet_name: str, question_at: str) -> str:
        evaluation = ctx.evaluation(snippet_name)
        if evaluation is None:  # execute: false, or under serve before it ran (the page is rebuilt when it arrives)
            raise _NoOutputYet(f"snippets/{snippet_name}")
        if evaluation.problem is not None:
            raise SnippetError(
                f"snippets/{snippet_name} has no output to take the answer from: {evaluation.problem.message}",
                question_at,
            )
        return evaluation.result.text()

    try:
        quiz = load_quiz(ctx.project.root, directive.arg, ctx.where)
        key = answer_key(quiz, output_of)
    except SnippetError as error:
        return ctx.placeholder(ctx.problem(error))
    except _NoOutputYet as missing:
        return ctx.placeholder(ctx.pending(str(missing)))
    return ctx.placeholder(render_html(quiz, key, ctx.texts, ctx.site_root))


def _snippets(directive: Directive, project: Project) -> list[str]:
    """The snippets whose outputs key the quiz (a quiz that cannot be read keys nothing: its page says why)."""
    try:
        quiz = load_quiz(project.root, directive.arg)
    except SnippetError:
        return []
    return [q.from_output.snippet for q in quiz.questions if q.from_output is not None]


SPEC = DirectiveSpec("quiz", '{% quiz "file.yml" %}', True, _render, snippets=_snippets)
