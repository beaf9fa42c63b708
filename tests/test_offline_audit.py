"""Offline and privacy: the built site asks no other host for scripts, styles, fonts or images."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.site_audit import html_references, third_party_references


@pytest.mark.slow
def test_the_built_site_loads_nothing_from_another_host(built_site: Path) -> None:
    assert len(list(built_site.rglob("*.html"))) > 15
    assert third_party_references(built_site) == []


def test_the_audit_finds_each_kind_of_third_party_load(tmp_path: Path) -> None:
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text(
        '<script src="https://cdn.example/x.js"></script>'
        '<link rel="stylesheet" href="//fonts.example/css">'
        '<link rel="preconnect" href="https://fonts.gstatic.example">'
        '<img srcset="a.png 1x, https://img.example/b.png 2x">'
        "<div style=\"background: url('http://img.example/c.png')\"></div>"
        "<style>@import 'https://style.example/d.css';</style>"
        '<a href="https://example.org/">a link is not a load</a>'
        '<link rel="canonical" href="https://example.org/page/">'
        '<script src="../assets/local.js"></script><img src="data:image/png;base64,AAAA">',
        encoding="utf-8",
    )
    (tmp_path / "style.css").write_text("@font-face { src: url(https://fonts.example/f.woff2) }", encoding="utf-8")
    found = third_party_references(tmp_path)
    assert len(found) == 7, found
    assert "page/index.html: <script src> https://cdn.example/x.js" in found
    assert "style.css: url() https://fonts.example/f.woff2" in found
    assert not any("example.org" in line for line in found)


def test_inline_svg_references_count_too() -> None:
    assert html_references('<svg><image href="https://img.example/e.png"/></svg>') == [
        ("<image href>", "https://img.example/e.png")
    ]
