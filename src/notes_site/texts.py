"""This book's words on the engine's parts of a page (livenotes.Texts): the outputs, problems, notebooks, quiz."""

from __future__ import annotations

from livenotes import Texts

TEXTS = Texts(
    problem_headings={
        "error": "スニペットの実行でエラーが発生しました",
        "timeout": "スニペットが時間内に終わりませんでした",
        "crash": "ワーカープロセスが異常終了しました",
        "memory": "スニペットがメモリの上限を超えました",
        "interrupted": "スニペットの実行が中断されました",
        "invalid": "スニペットを埋め込めませんでした",
        "drift": "承認済みの出力と異なります",
    },
    problem_heading="スニペットの失敗",
    pending_title="実行中…",
    pending_body="このスニペットの出力はまだありません{progress}。実行が終わるとページが自動で読み込み直されます。",
    pending_progress="(バックグラウンドで実行中: {total} 件中 {done} 件が完了{running})",
    pending_running="、いま実行中: <code>{snippet}</code>",
    provenance="このビルドで実行: {details}",
    provenance_summary="実行の記録(版と入力)",
    figure_alt="snippets/{snippet} の図 {number}",
    figure_alt_titled="{title}({source})",
    list_separator="、",
    notebook_links="このページのノートブック(ビルドが生成): {links}",
    notebook_view="ノートブックとして見る",
    notebook_download=".ipynb をダウンロード",
    notebook_colab="Colab で開く",
    notebook_title_note=(
        "このノートブックはサイトのビルドが `{page}` と `snippets/` から生成したものです"
        "(手で編集しません)。コードセルはスニペットのファイルそのまま、出力はそのビルドで実行した結果です。"
    ),
    notebook_site_page="サイトのページ: <{address}>",
    notebook_recipes=(
        "## このノートが読むチェックポイントを作る\n\n"
        "ページの例が読むチェックポイントは、モデル工房のレシピが作ります。"
        "ここで順に実行します(このビルドでの所要時間を各セルの前に書きました)。"
    ),
    notebook_recipe_time="(このビルドで {seconds:.0f} 秒)",
    notebook_admonition="メモ",
    notebook_rendering_title="生成中",
    notebook_rendering_body="このノートブックのページは、いま別のプロセスで作っています。できると自動で再読み込みされます。",
    code_summary="コードを見る({path})",
    printed_summary="出力された数字を見る",
    output_summary="出力と図を見る",
    quiz_from_build="(答えはこのビルドの出力から)",
    quiz_question="問 {number}. {text}",
    quiz_check="答え合わせ",
    quiz_pick="答えを 1 つ選んでください。",
    quiz_right="正解!",
    quiz_wrong="不正解。正解は「{answer}」。",
    quiz_retry="もう一度",
    quiz_reset="最初からやり直す",
    quiz_score="{total} 問中 {right} 問正解(答え合わせした問題 {checked})",
    quiz_section="この節を読み直す",
    report_empty="*(このビルドでは実行されたスニペットがありません)*",
    report_header="| スニペット | ページ | 状態 | 実行時間 | キャッシュ |",
    report_cache_hit="ヒット",
    report_cache_miss="実行",
)
