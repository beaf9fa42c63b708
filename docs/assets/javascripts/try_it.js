// 「自分で試す」: the site's own checkpoints, exported to ONNX by the workshop's recipe, run in the reader's browser.
//
// The runtime (runtime.js) is downloaded only when the reader presses 実行, and nothing the reader types leaves the
// page: the only requests are for the runtime and the model files. Each task's arithmetic follows transformers'
// pipeline() of the same name
// (softmax, top-k, greedy decoding, the "simple" entity grouping, mean pooling), and the browser tests compare
// every box with the Python pipeline's answer for the same text.

import {
  argmax, cosines, draw, groupEntities, meanPooled, samplingDistribution, softmax, topIndices,
} from "./arithmetic.js"
import { canRun, downloadNote, el, encode, exampleChips, unreadable, forward, loadModel, maxPositions, runOnEnter, setStatus, showFailure, shown, UserError } from "./runtime.js"

// -- the tasks: each returns { answer: Node, tokens: [[label, ids]], notes: [string] } ---------------------

const TASKS = {
  async "sentiment-analysis"(m, text, box) {
    const lines = text.split("\n").map(line => line.trim()).filter(Boolean)
    const rows = [], tokens = [], notes = []
    for (const line of lines) {
      const { ids, cut } = encode(m, line)
      if (cut) notes.push(`「${line.slice(0, 20)}…」は長すぎるので、最後の ${cut} トークンを読まずに答えた。`)
      const [logits] = await forward(m, ids, box.inputs, box.output)
      const p = softmax(logits)
      const best = argmax(p)
      const label = m.config.id2label[best]
      rows.push(el("div", { class: "try-it__row", "data-label": label, "data-score": p[best] },
        el("span", { class: `try-it__label try-it__label--${label.toLowerCase()}` }, label.padEnd(8)),
        ` ${p[best].toFixed(3)}  `, line))
      tokens.push([line, ids])
    }
    return { answer: el("div", { class: "try-it__lines" }, rows), tokens, notes }
  },

  async "fill-mask"(m, text, box) {
    const mask = m.tokenizerConfig.mask_token ?? "[MASK]"
    const count = text.split(mask).length - 1
    if (count !== 1) throw new UserError(`文の中に ${mask} をちょうど 1 つ入れてください(いまは ${count} 個)。`)
    const limit = maxPositions(m.config)
    const { ids, cut } = encode(m, text.trim(), limit)
    const at = ids.indexOf(m.tokenizer.token_to_id(mask))
    if (at < 0) throw new UserError(`${mask} がモデルの読む最初の ${limit} トークンより後ろにあります。文を短くしてください。`)
    const notes = cut ? [`このモデルは ${limit} トークンまでしか読めないので、最後の ${cut} トークンは読まずに答えた。`] : []
    const logits = await forward(m, ids, box.inputs, box.output)
    const p = softmax(logits[at])
    const order = topIndices(p, box.settings.top_k ?? 5)
    const rows = order.map(id => el("div", { class: "try-it__row", "data-token": m.tokenizer.decode([id]), "data-score": p[id] },
      el("code", {}, shown(m, id)),
      el("span", { class: "try-it__bar", style: `--share: ${(100 * p[id]).toFixed(1)}%` }),
      p[id].toFixed(3)))
    return { answer: el("div", { class: "try-it__ranks" }, rows), tokens: [[text.trim(), ids]], notes }
  },

  async "text-generation"(m, text, box, controls) {
    const limit = maxPositions(m.config)
    let { ids } = encode(m, text, Infinity)
    if (!ids.length) throw new UserError("書き出しの文を入力してください。")
    const notes = []
    if (ids.length > limit - 1) {
      notes.push(`このモデルは ${limit} トークンまでしか読めないので、書き出しの最初の ${ids.length - (limit - 1)} トークンを捨てた。`)
      ids = ids.slice(ids.length - (limit - 1))
    }
    const wanted = controls.length()
    const room = Math.min(wanted, limit - ids.length)
    if (room < wanted) notes.push(`${limit} トークンに収まるよう、新しいトークンは ${room} 個で止めた。`)
    const prompt = ids.length
    const eos = m.config.eos_token_id
    for (let step = 0; step < room; step++) {
      // no key/value cache: the whole sequence each step (the model is 2 layers and at most 64 tokens)
      const logits = (await forward(m, ids, box.inputs, box.output)).at(-1)
      const next = controls.sampling()
        ? draw(samplingDistribution(logits, { temperature: controls.temperature(), topK: controls.topK() }), Math.random())
        : argmax(logits)
      ids = [...ids, next]
      if (next === eos) break
    }
    const full = m.tokenizer.decode(ids)
    const start = m.tokenizer.decode(ids.slice(0, prompt))
    const answer = el("p", { class: "try-it__generated", "data-text": full },
      start, el("span", { class: "try-it__new" }, full.slice(start.length)))
    return { answer, tokens: [[text, ids.slice(0, prompt)], ["生成したトークン", ids.slice(prompt)]], notes }
  },

  async "token-classification"(m, text, box) {
    const { ids, cut } = encode(m, text.trim())
    const notes = cut ? [`長すぎるので、最後の ${cut} トークンは読まずに答えた。`] : []
    const logits = await forward(m, ids, box.inputs, box.output)
    const tokens = []
    ids.forEach((id, i) => {
      if (m.special.has(id)) return
      const p = softmax(logits[i])
      const best = argmax(p)
      tokens.push({ entity: m.config.id2label[best], score: p[best], word: m.tokenizer.id_to_token(id) })
    })
    const groups = groupEntities(tokens).filter(g => g.entity_group !== "O")
    return { answer: entityView(text.trim(), groups), tokens: [[text.trim(), ids]], notes }
  },

  async "feature-extraction"(m, text, box) {
    const lines = text.split("\n").map(line => line.trim()).filter(Boolean)
    if (lines.length < 2) throw new UserError("比べる文を 2 つ以上、1 行に 1 つずつ入力してください。")
    if (lines.length > 8) throw new UserError("一度に比べられるのは 8 文までです。")
    const vectors = [], tokens = [], notes = []
    for (const line of lines) {
      const { ids, cut } = encode(m, line)
      if (cut) notes.push(`「${line.slice(0, 20)}…」は長すぎるので、最後の ${cut} トークンを読まなかった。`)
      const rows = await forward(m, ids, box.inputs, box.output)
      vectors.push(meanPooled(rows))
      tokens.push([line, ids])
    }
    return { answer: similarityView(lines, cosines(vectors)), tokens, notes }
  },
}


function entityView(text, groups) {
  // the text with each entity marked where it occurs (found from left to right, case-insensitively)
  const lower = text.toLowerCase()
  const marked = el("p", { class: "try-it__entities" })
  let at = 0
  for (const g of groups) {
    const start = lower.indexOf(g.word, at)
    if (start < 0) continue
    marked.append(text.slice(at, start),
      el("mark", { class: `try-it__entity try-it__entity--${g.entity_group.toLowerCase()}`, title: `${g.entity_group} ${g.score.toFixed(2)}` },
        text.slice(start, start + g.word.length), el("small", {}, ` ${g.entity_group}`)))
    at = start + g.word.length
  }
  marked.append(text.slice(at))
  const rows = groups.map(g => el("div", { class: "try-it__row", "data-entity": g.entity_group, "data-word": g.word, "data-score": g.score },
    `${g.entity_group.padEnd(4)} ${`'${g.word}'`.padEnd(16)} ${g.score.toFixed(2)}`))
  const list = el("div", { class: "try-it__lines" }, rows.length ? rows : [el("div", {}, "固有表現は見つからなかった。")])
  return el("div", {}, marked, list)
}

function similarityView(lines, cos) {
  const head = el("tr", {}, el("th", {}, ""), lines.map((_, j) => el("th", {}, `S${j + 1}`)))
  const body = cos.map((row, i) => el("tr", {}, el("th", {}, `S${i + 1}`), row.map(v =>
    el("td", { "data-value": v, style: `--share: ${Math.max(0, Math.min(1, v)).toFixed(3)}` }, v.toFixed(2)))))
  const legend = el("ol", { class: "try-it__sentences" }, lines.map(line => el("li", {}, line)))
  return el("div", {}, el("table", { class: "try-it__matrix" }, el("thead", {}, head), el("tbody", {}, body)), legend)
}

// -- the box ---------------------------------------------------------------------------------------------

function setup(box) {
  box.dataset.ready = "true"
  const settings = JSON.parse(box.dataset.settings || "{}")
  const spec = { task: box.dataset.task, inputs: box.dataset.inputs.split(" "), output: box.dataset.output, settings }
  const multiline = spec.task === "sentiment-analysis" || spec.task === "feature-extraction"
  const input = el("textarea", {
    class: "try-it__input", rows: multiline ? Math.max(2, box.dataset.text.split("\n").length) : 2,
    "aria-label": "試す文", ".value": box.dataset.text, spellcheck: "false",
  })
  const run = el("button", { class: "md-button md-button--primary try-it__run", type: "button" }, "実行")
  const size = el("span", { class: "try-it__size" }, downloadNote(Number(box.dataset.download)))
  const progress = el("progress", { class: "try-it__progress", max: box.dataset.download, value: 0, hidden: "" })
  const status = el("p", { class: "try-it__status", role: "status" })
  const answer = el("div", { class: "try-it__answer", "aria-live": "polite" })
  const tokens = el("details", { class: "try-it__tokens", hidden: "" })
  const controls = generationControls(spec.task, settings)
  const chips = exampleChips(JSON.parse(box.dataset.examples || "[]"), input, () => go())
  box.replaceChildren(
    el("p", { class: "try-it__title" }, "自分で試す", el("small", {}, " このブラウザの中だけで動き、入力はどこにも送られません")),
    input, chips, controls.node, el("div", { class: "try-it__actions" }, run, size), progress, status, answer, tokens)
  const hint = multiline ? "Enter で実行、Shift+Enter で改行" : "Enter で実行"
  input.setAttribute("title", hint)

  if (!canRun(box, status, run)) return

  let busy = false
  const go = async () => {
    if (busy) return
    const text = input.value
    if (!text.trim()) {
      show("error", "文を入力してください。")
      return
    }
    busy = true
    run.disabled = true
    answer.replaceChildren()
    tokens.hidden = true
    try {
      const started = performance.now()
      const m = await loadModel(box, status, progress, box.dataset.root, box.dataset.model, Number(box.dataset.download))
      const ready = performance.now()
      box.dataset.state = "running"
      status.textContent = "計算しています…"
      const result = await TASKS[spec.task](m, text, spec, controls)
      const took = (performance.now() - ready) / 1000
      const load = (ready - started) / 1000
      // next to the answer, not only among the tokens: how much of the text this model could not read
      const lost = result.tokens.reduce((sum, [, ids]) => sum + unreadable(m, ids), 0)
      const warning = lost ? [el("p", { class: "try-it__warning", role: "note" },
        `${lost} 個のトークンは、このモデルが読めない${m.byteLevel ? "文字のかけら" : "もの([UNK])"}になりました。` +
        "このモデルは英語の文章だけで学習したので、日本語や絵文字を含む文の答えはあてになりません。" +
        "上の例文を押すと、このモデルが読める英語の文で試せます。")] : []
      answer.replaceChildren(...warning, result.answer,
        ...result.notes.map(note => el("p", { class: "try-it__note" }, note)))
      tokens.replaceChildren(el("summary", {}, "トークナイザーが作ったトークン"),
        ...result.tokens.map(([label, ids]) => tokenView(m, label, ids)))
      tokens.hidden = false
      size.textContent = downloadNote(Number(box.dataset.download), true)
      show("done", `答えまで ${took.toFixed(2)} 秒` + (load > 0.05 ? `(その前にモデルの準備 ${load.toFixed(1)} 秒)` : ""))
      box.dataset.seconds = took
    } catch (error) {
      showFailure(box, status, progress, error)
    } finally {
      busy = false
      run.disabled = false
    }
  }
  const show = (state, message) => setStatus(box, status, state, message)
  run.addEventListener("click", go)
  runOnEnter(input, go)
}

function tokenView(m, label, ids) {
  const unknown = ids.some(id => m.tokenizer.id_to_token(id) === (m.tokenizerConfig.unk_token ?? "[UNK]"))
  const broken = m.byteLevel && ids.some(id => m.tokenizer.decode([id]).includes("\uFFFD"))
  const notes = []
  if (unknown) notes.push("[UNK] は語彙にない文字(絵文字や、英語の文章だけで学習した語彙にない日本語など)。")
  if (broken) notes.push("� はバイト単位のトークン: 日本語や絵文字の 1 文字が数個のトークンに分かれ、1 つずつでは文字にならない。")
  if (m.byteLevel && ids.some(id => shown(m, id).startsWith("␣"))) {
    notes.push("␣ は空白: ␣ で始まるトークンは前に空白がある(ページの出力で Ġ と書かれているもの)。")
  }
  return el("div", { class: "try-it__token-line" },
    el("p", {}, `${label}: ${ids.length} トークン`),
    el("p", { class: "try-it__chips" }, ids.map(id => el("code", {}, shown(m, id)))),
    notes.map(note => el("p", { class: "try-it__note" }, note)))
}

function generationControls(task, settings) {
  if (task !== "text-generation")
    return { node: document.createDocumentFragment() }
  const mode = el("select", { "aria-label": "選び方" },
    el("option", { value: "greedy" }, "貪欲法(いちばん確率の高いトークン)"),
    el("option", { value: "sampling" }, "サンプリング(確率に従ってくじを引く)"))
  const temperature = el("input", { type: "number", min: "0.1", max: "2", step: "0.1", value: "1.0", "aria-label": "temperature" })
  const topK = el("input", { type: "number", min: "1", max: "200", step: "1", value: "50", "aria-label": "top-k" })
  const length = el("input", { type: "number", min: "1", max: "63", step: "1", value: String(settings.max_new_tokens ?? 20), "aria-label": "新しいトークン数" })
  const sampled = el("span", { class: "try-it__sampling", hidden: "" },
    el("label", {}, "temperature ", temperature), el("label", {}, " top-k ", topK))
  mode.addEventListener("change", () => { sampled.hidden = mode.value !== "sampling" })
  const clamp = (input, low, high, fallback) => {
    const value = Number(input.value)
    return Number.isFinite(value) ? Math.min(high, Math.max(low, value)) : fallback
  }
  return {
    node: el("div", { class: "try-it__controls" }, mode, sampled, el("label", {}, " 新しいトークン ", length)),
    sampling: () => mode.value === "sampling",
    temperature: () => clamp(temperature, 0.1, 2, 1),
    topK: () => Math.round(clamp(topK, 1, 200, 50)),
    length: () => Math.round(clamp(length, 1, 63, 20)),
  }
}

// the views load their own code only on a page that has one
const VIEWS = {
  ".attention-view": "./attention_view.js",
  ".next-token-view": "./next_token_view.js",
  ".numbers-view": "./numbers_view.js",
}
const setupAll = () => {
  document.querySelectorAll(".try-it[data-task]:not([data-ready])").forEach(setup)
  for (const [selector, module] of Object.entries(VIEWS)) {
    const found = document.querySelectorAll(`${selector}:not([data-ready])`)
    if (found.length) import(module).then(view => found.forEach(view.setup))
  }
}
// Material's instant navigation swaps the page without reloading scripts: document$ emits for every page
if (typeof window.document$ !== "undefined") window.document$.subscribe(setupAll)
else setupAll()
