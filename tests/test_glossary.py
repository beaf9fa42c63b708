"""Glossary links: found inside Japanese running text, once per page, never in code, links or headings."""

from __future__ import annotations

from pathlib import Path

import pytest

from livenotes import SnippetError, Term, link_terms, read_glossary
from livenotes._internal.glossary import NO_GLOSSARY
from tests.conftest import ROOT

TERMS = [
    Term("transfer-learning", "転移学習", ("転移学習", "transfer learning"), "学習済みの知識を使う学習。"),
    Term("language-model", "言語モデル", ("言語モデル",), "文章の続きを予想するモデル。"),
    Term("model", "モデル", ("モデル",), "あいまいな言葉。"),
    Term("token", "トークン", ("トークン", "token"), "モデルが読む単位。"),
]


def _links(html: str) -> list[str]:
    return [part.split(">", 1)[1].split("</a>")[0] for part in html.split('<a class="glossary-term"')[1:]]


def test_terms_are_found_inside_japanese_text_without_spaces() -> None:
    html = link_terms("<p>これは転移学習の話で、言語モデルを使う。</p>", TERMS, "../glossary/")
    assert _links(html) == ["転移学習", "言語モデル"]
    assert '<a class="glossary-term" href="../glossary/#transfer-learning" title="学習済みの知識を使う学習。">' in html
    assert html.startswith("<p>これは") and html.endswith("を使う。</p>")


def test_only_the_first_occurrence_on_a_page_is_linked() -> None:
    html = link_terms("<p>転移学習と転移学習。</p><p>また転移学習。</p>", TERMS, "g/")
    assert _links(html) == ["転移学習"]


def test_the_longest_form_wins_where_two_start_together_and_the_earliest_wins_otherwise() -> None:
    html = link_terms("<p>言語モデルとモデル</p>", TERMS, "g/")
    assert _links(html) == ["言語モデル", "モデル"]


@pytest.mark.parametrize(
    "html",
    [
        "<h2>転移学習</h2>",
        "<p><code>転移学習</code></p>",
        "<pre><code>転移学習 = 1</code></pre>",
        '<p><a href="x">転移学習</a></p>',
        '<div class="livenotes-output"><p>転移学習</p></div>',
        '<pre class="mermaid"><code>flowchart LR; a[転移学習]</code></pre>',
        "<script>var s = '転移学習';</script>",
        '<div class="highlight"><span class="filename">snippets/転移学習.py</span></div>',
        '<div class="jp-Cell jp-CodeCell"><div class="jp-InputArea">転移学習</div></div>',
        # the 「手元で動かすには」 box is closed on the page: a link in it would be the page's only one
        f'<details class="tip {NO_GLOSSARY}"><summary>手元で動かすには</summary><p>転移学習</p></details>',
        '<p>Smith, <cite>"Transfer Learning for Everything"</cite></p>',
    ],
)
def test_code_headings_links_outputs_and_scripts_are_left_alone(html: str) -> None:
    assert link_terms(html, TERMS, "g/") == html


def test_text_after_a_skipped_element_is_still_linked() -> None:
    html = link_terms('<div class="livenotes-output"><p>転移学習</p></div><p>次は転移学習。<br>以上</p>', TERMS, "g/")
    assert _links(html) == ["転移学習"] and html.count("glossary-term") == 1 and "<br>以上" in html


def test_ascii_forms_need_word_boundaries_but_japanese_forms_do_not() -> None:
    assert _links(link_terms("<p>tokens and tokenizer</p>", TERMS, "g/")) == []
    assert _links(link_terms("<p>a token, then</p>", TERMS, "g/")) == ["token"]
    assert _links(link_terms("<p>Transfer Learning works</p>", TERMS, "g/")) == ["Transfer Learning"]


def test_entities_and_attributes_survive_unchanged() -> None:
    html = '<p title="a &amp; b">x &lt; y &#8212; 転移学習</p><img src="a.png" alt="転移学習">'
    assert link_terms(html, TERMS, "g/").replace(_linked("転移学習"), "転移学習") == html


def _linked(text: str) -> str:
    return f'<a class="glossary-term" href="g/#transfer-learning" title="学習済みの知識を使う学習。">{text}</a>'


def test_a_malformed_term_heading_is_an_error_naming_its_line(tmp_path: Path) -> None:
    page = tmp_path / "glossary.md"
    page.write_text(
        '# 用語集\n\n## 正しい {#ok data-match="正しい"}\n\n定義。\n\n## 壊れた {data-match="壊れた"}\n\n定義。\n'
    )
    with pytest.raises(SnippetError) as caught:
        read_glossary(page)
    assert caught.value.where == "docs/glossary.md:7"


def test_a_term_without_a_definition_or_a_form_used_twice_is_an_error(tmp_path: Path) -> None:
    page = tmp_path / "glossary.md"
    page.write_text('## 用語 {#a data-match="用語"}\n\n## 次 {#b data-match="次"}\n\n定義。\n')
    with pytest.raises(SnippetError, match="no definition"):
        read_glossary(page)
    page.write_text('## 用語 {#a data-match="用語"}\n\n定義。\n\n## 別 {#b data-match="別, 用語"}\n\n定義。\n')
    with pytest.raises(SnippetError, match="two terms"):
        read_glossary(page)


def test_the_site_glossary_starts_with_the_three_words_the_course_separates_and_has_25_terms() -> None:
    terms = read_glossary(ROOT / "docs/glossary.md")
    assert [term.anchor for term in terms[:3]] == ["architecture", "checkpoint", "model"]
    assert len(terms) >= 25
    assert all(term.definition and "→" not in term.definition for term in terms)
