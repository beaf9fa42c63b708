"""「自分で試す」 in Chromium: every box on every page answers its example as the Python pipeline did in the build.

The Python answers come from the workshop's export recipe (``checkpoints/browser/boxes.json``), which runs
``pipeline()`` on each box's prefilled text. Then the reader's side: bad input, no WebAssembly, a model that fails
to load, and no request leaving the site whatever is typed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browsing import open_tab
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "test-results"
TOLERANCE = 0.01  # the bound: a score within 0.01 of the page's printed value
# a fold the reader can see that has no title of its own: the browser writes an English "Details" on it
_BARE_DETAILS = (
    "b => [...b.querySelectorAll('details')].filter(d => d.getClientRects().length && !d.querySelector('summary'))"
    ".length"
)
_BOX = re.compile(r'<div class="try-it" data-box="(?P<box>[^"]+)" data-task=')


def boxes_json() -> dict[str, Any]:
    return json.loads((ROOT / "checkpoints" / "browser" / "boxes.json").read_text(encoding="utf-8"))


def every_box(site: Path) -> list[tuple[str, str]]:
    """(page path, box name) for each box in the built site, in page order."""
    found = []
    for page in sorted(site.rglob("index.html")):
        for match in _BOX.finditer(page.read_text(encoding="utf-8")):
            found.append((page.parent.relative_to(site).as_posix() + "/", match["box"]))
    return found


def run_box(page: Any, box: Any, text: str | None = None, *, key: str | None = None) -> str:
    """Type text (or keep the prefilled example), run, wait for the answer; the box's final state."""
    box.scroll_into_view_if_needed()
    if text is not None:
        box.locator(".try-it__input").fill(text)
    if key:
        box.locator(".try-it__input").press(key)
    else:
        box.locator(".try-it__run").click()
    page.wait_for_function(
        "b => ['done', 'error', 'unsupported'].includes(b.dataset.state)", arg=box.element_handle(), timeout=60000
    )
    return box.get_attribute("data-state")


def answers(box: Any, attributes: list[str]) -> list[dict[str, str]]:
    script = f"rows => rows.map(r => Object.fromEntries({json.dumps(attributes)}.map(a => [a, r.dataset[a]])))"
    return box.locator(f".try-it__answer [data-{attributes[0]}]").evaluate_all(script)


def check_against_python(box: Any, task: str, python: Any) -> None:
    if task == "sentiment-analysis":
        rows = answers(box, ["label", "score"])
        assert [r["label"] for r in rows] == [p["label"] for p in python]
        assert all(abs(float(r["score"]) - p["score"]) <= TOLERANCE for r, p in zip(rows, python, strict=True))
    elif task == "fill-mask":
        rows = answers(box, ["token", "score"])
        assert [r["token"] for r in rows] == [p["token_str"] for p in python]
        assert all(abs(float(r["score"]) - p["score"]) <= TOLERANCE for r, p in zip(rows, python, strict=True))
    elif task == "text-generation":
        assert box.locator(".try-it__generated").get_attribute("data-text") == python
    elif task == "token-classification":
        rows = answers(box, ["entity", "word", "score"])
        assert [(r["entity"], r["word"]) for r in rows] == [(p["entity_group"], p["word"]) for p in python]
        assert all(abs(float(r["score"]) - p["score"]) <= TOLERANCE for r, p in zip(rows, python, strict=True))
    elif task == "feature-extraction":
        cells = [float(v) for v in box.locator(".try-it__matrix td").evaluate_all("c => c.map(x => x.dataset.value)")]
        expected = [value for row in python for value in row]
        assert len(cells) == len(expected)
        assert all(abs(a - b) <= TOLERANCE for a, b in zip(cells, expected, strict=True))
    else:
        pytest.fail(f"no check for task {task!r}")


def test_every_box_on_every_page_answers_as_python_did(tab: tuple, site_url: str, built_site: Path) -> None:
    page, traffic = tab
    export = boxes_json()
    population = every_box(built_site)
    assert {name for _, name in population} == set(export["boxes"]), "a box of the export is on no page"
    for path in dict.fromkeys(p for p, _ in population):
        page.goto(f"{site_url}/{path}", wait_until="networkidle")
        for name in [n for p, n in population if p == path]:
            box = page.locator(f'.try-it[data-box="{name}"]').first
            assert box.evaluate(_BARE_DETAILS) == 0, f"{path} {name}: a bar with no title (the browser's 'Details')"
            assert run_box(page, box) == "done", f"{path} {name}: {box.locator('.try-it__status').inner_text()}"
            assert box.evaluate(_BARE_DETAILS) == 0, f"{path} {name}: a bar with no title after the answer"
            spec = export["boxes"][name]
            check_against_python(box, spec["task"], spec["python"])
            assert re.fullmatch(r"答えまで \d+\.\d\d 秒.*", box.locator(".try-it__status").inner_text())
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"try-it-{path.strip('/')}.png"), full_page=True)
    traffic.assert_clean()


def test_every_example_chip_of_every_box_runs_its_text(tab: tuple, site_url: str, built_site: Path) -> None:
    page, traffic = tab
    population = every_box(built_site)
    for path in dict.fromkeys(p for p, _ in population):
        page.goto(f"{site_url}/{path}", wait_until="networkidle")
        for name in [n for p, n in population if p == path]:
            box = page.locator(f'.try-it[data-box="{name}"]').first
            chips = box.locator(".attention-view__example")
            assert chips.count() >= 2, f"{path} {name}: one-click examples"
            for i in range(chips.count()):
                chips.nth(i).click()
                page.wait_for_function("b => b.dataset.state !== 'loading'", arg=box.element_handle(), timeout=60000)
                page.wait_for_function(
                    "b => ['done', 'error'].includes(b.dataset.state)", arg=box.element_handle(), timeout=60000
                )
                status = box.locator(".try-it__status").inner_text()
                assert box.get_attribute("data-state") == "done", f"{path} {name} example {i}: {status}"
                assert box.locator(".try-it__input").input_value() == chips.nth(i).get_attribute("data-text")
    traffic.assert_clean()


def test_bad_input_gets_a_clear_answer_and_what_is_typed_stays_in_the_page(tab: tuple, site_url: str) -> None:
    page, traffic = tab
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url + (r.post_data or "")))
    page.goto(f"{site_url}/pipeline/", wait_until="networkidle")
    sentiment = page.locator('.try-it[data-box="sentiment"]')
    fill = page.locator('.try-it[data-box="fill-mask"]')
    generate = page.locator('.try-it[data-box="generate-course"]')
    ner = page.locator('.try-it[data-box="ner"]')

    assert run_box(page, sentiment, "   ") == "error"
    assert sentiment.locator(".try-it__status").inner_text() == "文を入力してください。"

    assert run_box(page, sentiment, "日本語の映画はよかった 😀") == "done"
    assert "[UNK]" in (sentiment.locator(".try-it__tokens").text_content() or "")
    warning = sentiment.locator(".try-it__answer .try-it__warning")  # said next to the answer, with how many
    assert re.fullmatch(
        r"\d+ 個のトークンは、このモデルが読めないもの\(\[UNK\]\)になりました。.*", warning.inner_text()
    )
    assert run_box(page, sentiment, "I loved it.") == "done"
    assert sentiment.locator(".try-it__warning").count() == 0

    assert run_box(page, fill, "She was happy.") == "error"
    assert "[MASK]" in fill.locator(".try-it__status").inner_text()
    assert run_box(page, fill, "She was [MASK] to see him at the house in the town by the sea.") == "done"
    assert "8 トークンまでしか読めない" in fill.locator(".try-it__answer").inner_text()
    assert run_box(page, fill, "She was at the house in the town by the sea, [MASK].") == "error"
    assert "最初の 8 トークンより後ろ" in fill.locator(".try-it__status").inner_text()

    long_prompt = " ".join(["It is a truth universally acknowledged."] * 20)
    assert run_box(page, generate, long_prompt) == "done"
    assert "64 トークンまでしか読めない" in generate.locator(".try-it__answer").inner_text()
    assert run_box(page, generate, "こんにちは") == "done"
    assert "バイト単位のトークン" in (generate.locator(".try-it__tokens").text_content() or "")
    assert "読めない文字のかけら" in generate.locator(".try-it__answer .try-it__warning").inner_text()

    typed = '<img src=x onerror="window.__typed = 1">Sylvain works at <b>Hugging Face</b>'
    assert run_box(page, ner, typed, key="Enter") == "done"  # Enter runs the box, as the button does
    assert ner.locator(".try-it__answer img, .try-it__answer b").count() == 0
    # the text is shown exactly as typed (marks around what the model calls entities, their labels aside)
    shown = "p => [...p.childNodes].map(n => n.nodeType === Node.TEXT_NODE ? n.data : n.firstChild.data).join('')"
    assert ner.locator(".try-it__entities").evaluate(shown) == typed
    assert page.evaluate("window.__typed") is None
    page.screenshot(path=str(SHOTS / "try-it-bad-input.png"), full_page=True)

    assert not [url for url in requests if "Sylvain" in url or "%E6%97%A5" in url or "onerror" in url]
    traffic.assert_clean()


def test_a_model_that_fails_to_load_says_which_file(tab: tuple, site_url: str) -> None:
    page, _ = tab
    page.route("**/models/minilm-sentiment-*/model.onnx", lambda route: route.fulfill(status=404, body="missing"))
    page.goto(f"{site_url}/pipeline/", wait_until="networkidle")
    box = page.locator('.try-it[data-box="sentiment"]')
    assert run_box(page, box) == "error"
    said = box.locator(".try-it__status").inner_text()
    assert re.search(r"minilm-sentiment-[0-9a-f]{12}/model\.onnx を読み込めませんでした\(HTTP 404\)", said), said
    page.unroute("**/models/minilm-sentiment-*/model.onnx")
    assert run_box(page, box) == "done", "a failed load is not remembered: the next press tries again"


KEPT = """async names => {
  for (let i = 0; i < 200; i++) {
    const urls = []
    for (const name of await caches.keys())
      for (const request of await (await caches.open(name)).keys()) urls.push(request.url)
    if (names.every(n => urls.some(u => u.endsWith(n)))) return true
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return false
}"""


def test_a_model_is_downloaded_once_for_the_whole_site(browser: Any, site_url: str) -> None:
    """The fill-mask box is on two pages: the second page runs it from the browser's Cache Storage."""
    export = boxes_json()
    with open_tab(browser, site_url) as (page, traffic):
        page.goto(f"{site_url}/pipeline/", wait_until="networkidle")
        assert run_box(page, page.locator('.try-it[data-box="fill-mask"]')) == "done"
        assert page.evaluate(KEPT, ["model.onnx", ".wasm"]), "the model and the runtime were not kept"
        assert any(p.endswith("model.onnx") for p in traffic.paths)
        before = len(traffic.paths)
        page.goto(f"{site_url}/workshop/", wait_until="networkidle")
        box = page.locator('.try-it[data-box="fill-mask"]')
        assert run_box(page, box) == "done"
        check_against_python(box, "fill-mask", export["boxes"]["fill-mask"]["python"])
        again = [p for p in traffic.paths[before:] if p.endswith((".onnx", ".wasm", "tokenizer.json"))]
        assert again == [], f"downloaded again on the second page: {again}"
        traffic.assert_clean()


def test_without_webassembly_the_box_says_so(browser: Any, site_url: str) -> None:
    with open_tab(browser, site_url, init_script="delete window.WebAssembly") as (page, _traffic):
        page.goto(f"{site_url}/feature-extraction/", wait_until="networkidle")
        box = page.locator(".try-it").first
        assert box.get_attribute("data-state") == "unsupported"
        assert "WebAssembly を使えない" in box.locator(".try-it__status").inner_text()
        assert box.locator(".try-it__run").is_disabled()
