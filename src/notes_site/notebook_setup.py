"""A chapter's notebook, elsewhere: its first cells fetch what the page reads, install the libraries, and start
each cell as the build starts a snippet (the engine asks the site for them: livenotes.SetupRequest)."""

from __future__ import annotations

import json

from livenotes import SetupRequest
from livenotes_fetch import SITE_VARIABLE  # another copy of the site (the tests serve the build)

# what a notebook installs: a library that is missing or of an older series than the build's (transformers 4 where
# the page used 5). Another version of the same series stays (Colab's own torch: replacing it would download
# gigabytes), and the cell says that the last digits of some numbers may then differ from the page
_INSTALL = """\
# このノートの出力を作ったライブラリの版。入っていないものと、系列(メジャー版。0.x は 0.x まで)が古いものだけを入れる。
# 同じ系列の別の版(Colab の torch など)はそのまま使う。そのときは数値の最後の桁がページと違うことがある
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version

pins = {pins}


def installed(name):
    try:
        return version(name).split("+")[0]  # 2.13.0+cpu is the CPU build of 2.13.0
    except PackageNotFoundError:
        return None


def series(number):
    parts = [int(part) for part in number.split(".")[:2] if part.isdigit()]
    return tuple(parts[:2] if parts and parts[0] == 0 else parts[:1])


missing = [
    f"{name}=={want}"
    for name, want in pins.items()
    if installed(name) is None or series(installed(name)) < series(want)
]
if missing:
    subprocess.run([sys.executable, "-m", "pip", "install", *missing], check=True)
print("ライブラリ:", ", ".join(f"{name} {installed(name)}" for name in pins))
other = [f"{name} {installed(name)}(ページは {want})" for name, want in pins.items() if installed(name) != want]
if other:
    print("ページと版が違うもの(数値の最後の桁が違うことがある):", ", ".join(other))
"""
# the worker's seeds, kernels and threads (notes_site.runtime), in a kernel
_LIKE_THE_BUILD = """\
import os

# ビルドと同じ命令セットで計算する(CPU によって小数の最後の桁が変わり、学習ではそれが結果の違いになる)。
# torch を import する前でないと効かない
os.environ.update({reproducible_env})

import random

import numpy
import torch
import transformers
from IPython import get_ipython

torch.set_num_threads({threads})  # ビルドと同じスレッド数
transformers.logging.disable_progress_bar()


def start_like_the_build(*_):
    # ビルドは例ごとに乱数の種を 0 にしてから実行する。ノートでもセルごとに同じことをする
    random.seed(0)
    numpy.random.seed(0)
    torch.manual_seed(0)


get_ipython().events.register("pre_run_cell", start_like_the_build)
"""


def setup_cells(request: SetupRequest) -> list[tuple[str, str]]:
    """The first cells of a page's notebook: fetch what its snippets read from the site's downloads/, install the
    libraries the build ran, and start each cell as the build starts a snippet."""
    cells = _fetch_cells(request)
    cells.append(("code", _INSTALL.replace("{pins}", json.dumps(request.pins, indent=4))))
    if "torch" in request.modules:
        like = _LIKE_THE_BUILD.replace("{reproducible_env}", repr(request.pinned_env))
        cells.append(("code", "# ビルドと同じ条件で各セルを始める\n" + like.replace("{threads}", str(request.threads))))
    return cells


def _fetch_cells(request: SetupRequest) -> list[tuple[str, str]]:
    folders = request.folders
    cells = [
        (
            "markdown",
            "## 準備\n\n"
            "最初のセルたちは、このノートをどこでも単独で動かすためのものです。ページのコードが読むデータと、"
            "モデル工房で作ったチェックポイントをサイトの `downloads/` から取ってきて"
            "(どれも SHA-256 を確かめてから置く)、足りないライブラリを入れます。"
            "チェックポイントを自分で作り直したいときは、モデル工房のノートブックのレシピを実行してください。\n\n"
            "確かめてあること: テストが、リポジトリの外の空のフォルダーと新しい仮想環境(Python 3.11、CPU 版の torch "
            "2.13.0、git も apt-get もない)で 1-4 のノートを nbclient で最初から最後まで実行し、"
            "コードセルの出力がページと一致することを確かめています。ほかのノートも同じ準備のセルを使います。"
            "Colab(Python 3.12 と Colab 自身の torch)では試していません。そこでは torch を入れ替えないので、"
            "数値の最後の桁がページと違うことがあります。",
        )
    ]
    if request.fetch_wheel is None:
        return [*cells, ("markdown", "このビルドはまだ `downloads/` を作っていません(`mkdocs build` が作ります)。")]
    if not folders:
        return cells
    fetch = [
        "# このノートが読むデータとチェックポイントを、サイトから取ってくる(どれも SHA-256 を確かめてから置く)",
        "import os",
        "import subprocess",
        "import sys",
        "from pathlib import Path",
        "",
        f"needed = {json.dumps(folders)}",
        f'site = os.environ.get("{SITE_VARIABLE}", "{request.site_url or ""}")',
        "if all(Path(folder).is_dir() for folder in needed):",
        '    print("もうある:", ", ".join(needed))',
        "else:",
        f'    wheel = site.rstrip("/") + "/downloads/{request.fetch_wheel}"',
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", wheel], check=True)',
        '    subprocess.run([sys.executable, "-m", "livenotes_fetch", *needed, "--site", site], check=True)',
    ]
    cells.append(("code", "\n".join(fetch)))
    return cells
