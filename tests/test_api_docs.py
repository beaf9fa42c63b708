"""The API reference: every public object has a docstring and is on the page; nothing private is."""

from __future__ import annotations

import re
from pathlib import Path

import griffe
import pytest

import livenotes
from tests.conftest import ROOT


def _public_api() -> dict[str, griffe.Object]:
    package = griffe.load("livenotes", search_paths=[str(ROOT / "src")])
    return {name: package[name].final_target for name in livenotes.__all__}


def _public_members(obj: griffe.Object) -> list[griffe.Object]:
    if not obj.is_class:
        return []
    return [
        m for name, m in obj.members.items() if not name.startswith("_") and (m.is_function or "property" in m.labels)
    ]


def test_every_public_object_and_method_has_a_docstring() -> None:
    undocumented = []
    for name, obj in _public_api().items():
        if not (obj.docstring and obj.docstring.value.strip()):
            undocumented.append(name)
        undocumented += [
            f"{name}.{m.name}" for m in _public_members(obj) if not (m.docstring and m.docstring.value.strip())
        ]
    assert undocumented == []


def test_all_lists_exactly_what_the_package_exports() -> None:
    # dir(): the names the module has loaded and the ones it imports on first use (PEP 562)
    exported = {name for name in dir(livenotes) if not name.startswith("_")}
    assert set(livenotes.__all__) == exported
    assert all(getattr(livenotes, name).__module__.startswith("livenotes.") for name in livenotes.__all__)


@pytest.mark.slow
def test_the_api_page_documents_every_public_object_and_nothing_private(built_site: Path) -> None:
    html = (built_site / "maintainers" / "api" / "index.html").read_text(encoding="utf-8")
    anchors = set(re.findall(r'id="(livenotes\.[^"]+)"', html))
    wanted = {f"livenotes.{name}" for name in livenotes.__all__}
    for name, obj in _public_api().items():
        wanted |= {f"livenotes.{name}.{m.name}" for m in _public_members(obj)}
    assert wanted - anchors == set(), "public objects missing from the API page"
    private = sorted(a for a in anchors if any(part.startswith("_") for part in a.split(".")))
    assert private == []
    assert anchors <= wanted | {a for a in anchors if a.rsplit(".", 1)[0] in wanted}, "an object outside __all__"
    assert "_internal" not in html, "the private modules' names leak onto the page"
