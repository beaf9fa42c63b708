"""Small MkDocs projects made on the fly, with the real plugin and this book's site layer."""

from __future__ import annotations

import json
from pathlib import Path

MKDOCS_YML = """\
site_name: scratch
theme:
  name: material
  language: ja
  font: false
plugins:
  - search
  - livenotes:
      site: notes_site
watch:
  - snippets
markdown_extensions:
  - admonition
  - pymdownx.superfences
"""


def make_site(root: Path, page: str, snippets: dict[str, str], approved: dict[str, str], **settings: object) -> Path:
    """A project with one page, the given snippets and approved outputs, and more of the plugin's ``settings``;
    returns its folder."""
    (root / "docs").mkdir(parents=True)
    (root / "snippets").mkdir()
    extra = "".join(f"      {name}: {json.dumps(value)}\n" for name, value in settings.items())
    config = MKDOCS_YML.replace("      site: notes_site\n", "      site: notes_site\n" + extra)
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
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
