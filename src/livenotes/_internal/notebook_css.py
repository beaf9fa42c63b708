"""A notebook page's CSS, cut to what its HTML can use.

mkdocs-jupyter puts the whole of JupyterLab's stylesheet (575 KB, with its theme and Pygments' colours about 594 KB)
into every notebook page, for widgets, menus, dialogs and editors a static notebook never shows; it was more than half
of what a notebook page transfers. :func:`used_css` keeps a rule only if every class, id and attribute it names
appears in the page, and a custom property (``--jp-…``) only if a kept rule reads it (directly or through another
property), so the page looks the same with a few per cent of the bytes (``tests/test_notebook_css.py`` compares, on
every notebook page in Chromium, every element's computed style with the cut CSS and with the whole stylesheet).

Conservative where it cannot tell: classes the theme adds in the browser (``md-…``) count as present, element names
are not checked (a ``pre`` rule stays), the arguments of ``:not()``,
``:is()``, ``:where()`` and ``:has()`` do not count against a selector, and at-rules other than ``@media``,
``@supports`` and ``@keyframes`` are kept as written.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import tinycss2
from tinycss2.ast import AtRule, Declaration, Node, QualifiedRule

_STYLE = re.compile(r"<style[^>]*>(.*?)</style>\s*", re.DOTALL | re.IGNORECASE)
# the arguments of functional pseudo-classes (one level of nested parentheses is enough for JupyterLab's CSS)
_FUNCTIONAL = re.compile(r":(?:not|is|where|has|matches|-webkit-any|-moz-any)\((?:[^()]|\([^()]*\))*\)")
_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_ID = re.compile(r"#(-?[_a-zA-Z][\w-]*)")
_ATTRIBUTE = re.compile(r"\[\s*([\w-]+)")
_VAR = re.compile(r"var\(\s*(--[\w-]+)")
# classes the theme's script adds in the reader's browser (Material wraps tables in .md-typeset__scrollwrap, which
# mkdocs-jupyter's stylesheet styles): not in the HTML, so they always count as present
_ADDED_BY_THEME = "md-"
_GROUPING = {"media", "supports", "layer", "container"}


class _Names(HTMLParser):
    """The classes, ids and attribute names a page's HTML uses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.classes: set[str] = set()
        self.ids: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            self.attributes.add(name)
            if name == "class" and value:
                self.classes.update(value.split())
            elif name == "id" and value:
                self.ids.add(value)


def split_styles(page: str) -> tuple[str, str]:
    """The page without its ``<style>`` blocks, and their CSS joined in order."""
    sheets = [match.group(1) for match in _STYLE.finditer(page)]
    return _STYLE.sub("", page), "\n".join(sheets)


def used_css(css: str, page: str) -> str:
    """The rules of ``css`` that can apply to ``page``'s HTML, serialized compactly."""
    names = _Names()
    names.feed(page)
    rules = _keep_rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), names)
    read = _read_properties(rules)
    # a @keyframes stays if a kept rule names it (in an animation)
    others = _text([rule for rule in rules if not _is_keyframes(rule)], read)
    return _text([rule for rule in rules if not _is_keyframes(rule) or _word(_prelude(rule)).search(others)], read)


def _selector_may_match(selector: str, names: _Names) -> bool:
    required = _FUNCTIONAL.sub("", selector)
    return (
        all(name in names.classes or name.startswith(_ADDED_BY_THEME) for name in _CLASS.findall(required))
        and all(name in names.ids for name in _ID.findall(required))
        and all(name in names.attributes for name in _ATTRIBUTE.findall(required))
    )


def _keep_rules(nodes: list[Node], names: _Names) -> list[Node]:
    kept: list[Node] = []
    for node in nodes:
        if isinstance(node, QualifiedRule):
            selectors = [s.strip() for s in _split_top_level(tinycss2.serialize(node.prelude))]
            matching = [s for s in selectors if _selector_may_match(s, names)]
            if matching:
                node.prelude = tinycss2.parse_component_value_list(", ".join(matching))
                kept.append(node)
        elif _is_grouping(node):
            inner = _keep_rules(_inner_rules(node), names)
            if inner:
                node.content = tinycss2.parse_component_value_list(_text(inner))
                kept.append(node)
        elif isinstance(node, AtRule):  # @charset, @keyframes (kept if named: used_css), @font-face
            kept.append(node)
    return kept


def _split_top_level(prelude: str) -> list[str]:
    """A selector list split at its commas, not at those inside parentheses."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(prelude):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(prelude[start:index])
            start = index + 1
    parts.append(prelude[start:])
    return [part for part in parts if part.strip()]


def _declarations(rule: Node) -> list[Node]:
    return tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)


def _is_grouping(rule: Node) -> bool:
    """``@media`` and its kind: rules inside rules."""
    return isinstance(rule, AtRule) and rule.lower_at_keyword in _GROUPING and rule.content is not None


def _inner_rules(rule: Node) -> list[Node]:
    return tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)


def _is_custom(declaration: Node) -> bool:
    return isinstance(declaration, Declaration) and declaration.name.startswith("--")


def _is_keyframes(rule: Node) -> bool:
    return isinstance(rule, AtRule) and rule.lower_at_keyword.endswith("keyframes")


def _prelude(rule: Node) -> str:
    return tinycss2.serialize(rule.prelude).strip()


def _word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")


def _read_properties(rules: list[Node]) -> set[str]:
    """The custom properties the rules' ordinary declarations read, and what those properties read in turn."""
    defined = dict(_custom_properties(rules))
    read = set(_VAR.findall(_text(rules, keep=set())))
    frontier = list(read)
    while frontier:
        for name in _VAR.findall(defined.get(frontier.pop(), "")):
            if name not in read:
                read.add(name)
                frontier.append(name)
    return read


def _custom_properties(rules: list[Node]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for rule in rules:
        if isinstance(rule, QualifiedRule):
            found += [(d.name, tinycss2.serialize(d.value)) for d in _declarations(rule) if _is_custom(d)]
        elif _is_grouping(rule):
            found += _custom_properties(_inner_rules(rule))
    return found


def _text(rules: list[Node], keep: set[str] | None = None) -> str:
    """The rules as compact CSS; with ``keep``, only the custom properties it names (a rule left empty goes)."""
    out = []
    for rule in rules:
        if isinstance(rule, QualifiedRule):
            declarations = [d for d in _declarations(rule) if keep is None or not _is_custom(d) or d.name in keep]
            if declarations:
                out.append(f"{_prelude(rule)}{{{_declarations_text(declarations)}}}")
        elif _is_grouping(rule):
            inner = _text(_inner_rules(rule), keep)
            if inner:
                out.append(f"@{rule.at_keyword} {_prelude(rule)}{{{inner}}}")
        else:
            out.append(tinycss2.serialize([rule]).strip())
    return "\n".join(out)


def _declarations_text(declarations: list[Node]) -> str:
    parts = []
    for d in declarations:
        if isinstance(d, Declaration):
            important = " !important" if d.important else ""
            parts.append(f"{d.name}:{tinycss2.serialize(d.value).strip()}{important}")
        else:
            parts.append(tinycss2.serialize([d]).strip().rstrip(";"))
    return ";".join(parts)
