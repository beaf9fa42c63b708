"""MkDocs hook: 「自分で試す」 boxes, where the reader runs the site's own checkpoints in the browser.

A page asks for a box with one line, ``<div class="try-it" data-box="sentiment"></div>``. The box's task, model
and prefilled text come from ``checkpoints/browser/boxes.json``, which the workshop's export recipe
(``snippets/workshop/export_browser.py``) writes with the ONNX files and the Python pipeline's answers. This hook
fills in what the page script needs (the text, where the model is, how much the first run downloads) and puts the
model files into the built site. ``assets/javascripts/try_it.js`` does the rest, only when the reader asks.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import shutil
from pathlib import Path
from typing import Any

from mkdocs.utils import get_relative_url

log = logging.getLogger("mkdocs.plugins.try_it")

EXPORT = Path("checkpoints/browser")  # the export recipe's product, relative to the project root
MODEL_FILES = ("model.onnx", "tokenizer.json", "tokenizer_config.json", "config.json")
# the runtime, placed by scripts/setup.sh from the npm registry (pinned, SHA-256 checked)
RUNTIME = (
    "assets/vendor/onnxruntime-web/ort.wasm.bundle.min.mjs",
    "assets/vendor/onnxruntime-web/ort-wasm-simd-threaded.wasm",
    "assets/vendor/tokenizers/tokenizers.min.mjs",
    "assets/javascripts/try_it.js",
    "assets/javascripts/arithmetic.js",
)
_BOX = re.compile(r'^(?P<indent>\s*)<div class="try-it" data-box="(?P<name>[^"]*)"></div>\s*$')

_root = Path.cwd()
_used: set[str] = set()  # models a page of this build shows, to be put into the site
_export: dict[str, Any] | None = None  # boxes.json as this build found it (None: the recipe has not written it yet)
_runtime_bytes = 0  # what every box downloads besides its model


def on_config(config: Any) -> None:
    global _root
    _root = Path(config.config_file_path).parent


def on_files(files: Any, config: Any) -> Any:
    """Read the export and size the runtime once per build (mkdocs serve: once per rebuild). This hook comes after
    executable_notes in mkdocs.yml, whose on_files runs the snippets: the export recipe has written boxes.json."""
    global _export, _runtime_bytes
    _used.clear()
    path = _root / EXPORT / "boxes.json"
    _export = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    docs = Path(config.docs_dir)
    _runtime_bytes = sum((docs / f).stat().st_size for f in RUNTIME if (docs / f).is_file())
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if 'class="try-it"' not in markdown:
        return markdown
    source = _source_lines(page)
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        match = _BOX.match(line)
        if match:
            # errors name the file's own line (other hooks may have changed the Markdown's line count above it)
            where = f"docs/{page.file.src_uri}" + (f":{source.index(line) + 1}" if line in source else "")
            lines[i] = match["indent"] + _box(match["name"], _export, page, where)
    return "\n".join(lines) + "\n"


def _source_lines(page: Any) -> list[str]:
    try:
        return Path(page.file.abs_src_path).read_text(encoding="utf-8").splitlines()
    except (OSError, TypeError):
        return []


def _box(name: str, export: dict[str, Any] | None, page: Any, where: str) -> str:
    if export is None:
        return (
            '<div class="admonition note try-it-missing"><p class="admonition-title">自分で試す</p>'
            "<p>ブラウザ用のモデルがまだ書き出されていません(モデル工房の「ブラウザ用に書き出す」を待っています)。</p></div>"
        )
    box = export["boxes"].get(name)
    if box is None:
        known = ", ".join(sorted(export["boxes"]))
        log.warning("%s: unknown try-it box %r (known: %s)", where, name, known)
        return (
            '<div class="admonition failure"><p class="admonition-title">自分で試す: 箱の名前の誤り</p>'
            f"<p><code>{html.escape(where)}: unknown try-it box {html.escape(repr(name))}</code></p></div>"
        )
    model = box["model"]
    _used.add(model)
    folder = _root / EXPORT / model
    download = sum((folder / f).stat().st_size for f in MODEL_FILES) + _runtime_bytes
    root = get_relative_url(".", page.url)
    root = "" if root == "." else root.rstrip("/") + "/"
    attributes = {
        "data-box": name,
        "data-task": box["task"],
        "data-root": root,
        "data-model": f"models/{model}/",
        "data-inputs": " ".join(export["models"][model]["inputs"]),
        "data-output": export["models"][model]["output"],
        "data-download": str(download),
        "data-text": box["text"],
        "data-settings": json.dumps(box["settings"]),
    }
    shown = " ".join(f'{key}="{html.escape(value, quote=True)}"' for key, value in attributes.items())
    return f'<div class="try-it" {shown}><noscript>自分で試すには JavaScript が要ります。</noscript></div>'


def on_post_build(config: Any) -> None:
    """The models the pages show, under site/models/ (hard links where the file system allows: no copy per build)."""
    for model in sorted(_used):
        target = Path(config.site_dir) / "models" / model
        target.mkdir(parents=True, exist_ok=True)
        for file in MODEL_FILES:
            source, copy = _root / EXPORT / model / file, target / file
            if copy.exists() and (os.path.samefile(source, copy) or _same_stat(source, copy)):
                continue  # mkdocs serve builds into the same folder again: nothing to do
            copy.unlink(missing_ok=True)
            try:
                os.link(source, copy)
            except OSError:
                shutil.copy2(source, copy)


def _same_stat(a: Path, b: Path) -> bool:
    """A copy made by copy2 keeps size and modification time."""
    sa, sb = a.stat(), b.stat()
    return sa.st_size == sb.st_size and int(sa.st_mtime) == int(sb.st_mtime)
