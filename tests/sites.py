"""Small MkDocs projects made on the fly, using the real hook."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ROOT

MKDOCS_YML = f"""\
site_name: scratch
theme:
  name: material
  language: ja
  font: false
hooks:
  - {ROOT / "hooks" / "executable_notes.py"}
watch:
  - snippets
markdown_extensions:
  - admonition
  - pymdownx.superfences
"""


def make_site(root: Path, page: str, snippets: dict[str, str], approved: dict[str, str]) -> Path:
    """A project with one page, the given snippets and approved outputs; returns its folder."""
    (root / "docs").mkdir(parents=True)
    (root / "snippets").mkdir()
    (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    (root / "docs" / "index.md").write_text(page, encoding="utf-8")
    for name, code in snippets.items():
        path = root / "snippets" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code, encoding="utf-8")
    for name, text in approved.items():
        path = root / "approved" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
