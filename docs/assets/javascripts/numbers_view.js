// 「漢数字を数字に」: the workshop's tiny Encoder-Decoder reads a kanji numeral and writes its digits, one token at a
// time, in this browser; the view draws what each written digit looked at in the input (the Encoder-Decoder, or
// cross, attention), and, one click away, the Encoder's self-attention and the Decoder's masked self-attention. The
// browser tests compare the greedy output and every attention weight with PyTorch on the page's examples.

import { argmax, headWeights, parseKanji } from "./arithmetic.js"
import { UserError, canRun, downloadNote, el, exampleChips, loadModel, run, runOnEnter, setStatus, showFailure } from "./runtime.js"

const READS = "一二三四五六七八九十百千万億"
const LARGEST = 999_999_999 // the largest number in the training data
const STEP_MS = 180 // the pause between written tokens, so the reader sees them come one at a time
const KINDS = {
  cross: ["cross_attentions", "書いた数字 → 入力(Encoder-Decoder アテンション)"],
  encoder: ["encoder_attentions", "入力 → 入力(Encoder の自己アテンション)"],
  decoder: ["decoder_attentions", "書いた数字 → 書いた数字(Decoder の自己アテンション。因果マスク)"],
}

export function setup(view) {
  view.dataset.ready = "true"
  const [spec] = JSON.parse(view.dataset.models)
  const examples = spec.examples
  const total = Number(view.dataset.runtimeBytes) + spec.bytes
  const state = { result: null, kind: "cross", layer: 0, head: 0 }

  const input = el("input", { class: "try-it__input numbers-view__input", type: "text", "aria-label": "漢数字", ".value": examples[0], spellcheck: "false" })
  const chips = exampleChips(examples, input, () => compute())
  const go = el("button", { class: "md-button md-button--primary try-it__run", type: "button" }, "数字に直す")
  const size = el("span", { class: "try-it__size" }, downloadNote(total))
  const progress = el("progress", { class: "try-it__progress", value: 0, hidden: "" })
  const status = el("p", { class: "try-it__status", role: "status" })
  const written = el("p", { class: "numbers-view__written", "aria-live": "polite" })
  const check = el("p", { class: "try-it__note numbers-view__check" })
  const kind = el("select", { "aria-label": "アテンション" },
    Object.entries(KINDS).map(([value, [, label]]) => el("option", { value }, label)))
  const layer = el("select", { "aria-label": "層" })
  const head = el("select", { "aria-label": "ヘッド" })
  const controls = el("div", { class: "try-it__controls", hidden: "" },
    el("label", {}, "見るもの ", kind), el("label", {}, "層 ", layer), el("label", {}, "ヘッド ", head))
  const canvas = el("div", { class: "attention-view__canvas" })
  view.replaceChildren(
    el("p", { class: "try-it__title" }, "漢数字を数字に", el("small", {}, " このブラウザの中だけで計算し、入力はどこにも送られません")),
    input, chips, el("div", { class: "try-it__actions" }, go, size), progress, status, written, check, controls, canvas)
  layer.replaceChildren(...Array.from({ length: spec.layers }, (_, i) => el("option", { value: String(i) }, `第 ${i + 1} 層`)))
  head.replaceChildren(...Array.from({ length: spec.heads }, (_, i) => el("option", { value: String(i) }, `ヘッド ${i + 1}`)))

  let busy = false
  async function compute() {
    if (busy) return
    const text = input.value.trim()
    busy = true
    go.disabled = true
    try {
      const reading = judge(text)
      const m = await loadModel(view, status, progress, view.dataset.root, spec.folder, total)
      size.textContent = downloadNote(total, true)
      setStatus(view, status, "running", "書いています…")
      const source = m.tokenizer.encode(text).ids
      const inputs = { input_ids: source }
      let target = [spec.start]
      written.replaceChildren("出力: ")
      const started = performance.now()
      for (let step = 0; step < spec.maxNew; step++) {
        const outputs = await run(m, target, [], ["logits"], seq2seqFeeds(m, source, target))
        const logits = outputs.logits
        const width = logits.dims.at(-1)
        const next = argmax(Array.from(logits.data.subarray(logits.data.length - width)))
        if (next === spec.end) break
        target = [...target, next]
        written.append(el("span", { class: "numbers-view__digit" }, m.tokenizer.id_to_token(next)))
        await new Promise(resolve => setTimeout(resolve, STEP_MS))
      }
      const answer = target.slice(1).map(id => m.tokenizer.id_to_token(id)).join("")
      const attentions = await run(m, target, [], ["encoder_attentions", "decoder_attentions", "cross_attentions"],
        seq2seqFeeds(m, source, target))
      state.result = {
        source: source.map(id => m.tokenizer.id_to_token(id)),
        target: [...target.slice(1), spec.end].map(id => m.tokenizer.id_to_token(id)), // row t writes token t + 1
        outputs: attentions,
      }
      view.dataset.answer = answer
      written.dataset.answer = answer
      check.textContent = reading.value === undefined ? reading.note
        : `正解は ${reading.value}。${String(reading.value) === answer ? "合っている。" : "まちがえた。"}${reading.note ?? ""}`
      controls.hidden = false
      draw()
      setStatus(view, status, "done", `${target.length - 1} トークンを ${((performance.now() - started) / 1000).toFixed(2)} 秒で書いた(1 つずつ見せるための間を含む)`)
    } catch (error) {
      showFailure(view, status, progress, error)
    } finally {
      busy = false
      go.disabled = false
    }
  }

  function draw() {
    const r = state.result
    if (!r) return
    const [name] = KINDS[state.kind]
    const tensor = r.outputs[name]
    const weights = headWeights(tensor.data, tensor.dims, state.layer, state.head)
    const rows = state.kind === "encoder" ? r.source : r.target
    const columns = state.kind === "cross" || state.kind === "encoder" ? r.source : r.target
    const causal = state.kind === "decoder"
    const head = el("tr", {}, el("th", {}, ""), columns.map(token => el("th", { scope: "col", class: "attention-view__key" }, el("span", {}, token))))
    const body = weights.map((row, i) => el("tr", {}, el("th", { scope: "row" }, rows[i]),
      row.map((w, j) => el("td", {
        "data-weight": w.toFixed(6), class: causal && j > i ? "attention-view__masked" : "",
        style: `--w: ${Math.sqrt(w).toFixed(4)}`, title: `${rows[i]} → ${columns[j]}: ${w.toFixed(3)}`,
      }, causal && j > i ? "" : w.toFixed(2)))))
    canvas.replaceChildren(el("div", { class: "attention-view__frame" },
      el("table", { class: "attention-view__matrix" }, el("thead", {}, head), el("tbody", {}, body))))
    view.dataset.kind = state.kind
  }

  if (!canRun(view, status, go)) return
  go.addEventListener("click", compute)
  runOnEnter(input, compute)
  kind.addEventListener("change", () => { state.kind = kind.value; draw() })
  layer.addEventListener("change", () => { state.layer = Number(layer.value); draw() })
  head.addEventListener("change", () => { state.head = Number(head.value); draw() })
}

/** The feeds of one pass of the Encoder-Decoder: the input (read again every step: it is 30 tokens at most). */
function seq2seqFeeds(m, source, target) {
  const tensor = values => new m.ort.Tensor("int64", BigInt64Array.from(values, BigInt), [1, values.length])
  return { input_ids: tensor(source), attention_mask: tensor(source.map(() => 1)), decoder_input_ids: tensor(target) }
}

/** What the reader typed, judged before the model reads it: a UserError for what it cannot read at all, else the
 * right answer when the text is a kanji numeral the training data could contain, and a note when it is not. */
function judge(text) {
  if (!text) throw new UserError("漢数字を入力してください(例: 三千五百二十一)。")
  if (text.length > 30) throw new UserError(`長すぎます(${text.length} 文字)。このモデルが読めるのは 30 文字まで。`)
  if (/[0-9０-９]/.test(text)) throw new UserError("数字(算用数字)ではなく、漢数字で書いてください(例: 2024 なら 二千二十四)。")
  const unknown = [...text].filter(char => !READS.includes(char))
  if (unknown.length)
    throw new UserError(`このモデルが読めるのは「${READS}」の ${READS.length} 文字だけ。読めない文字が ${unknown.length} 個ある: ${[...new Set(unknown)].join(" ")}`)
  const parsed = parseKanji(text)
  if (parsed.error) return { note: `漢数字として読めない並び(${parsed.error})。学習では見たことのない形なので、出力は当てにならない。` }
  if (parsed.value > LARGEST)
    return { value: parsed.value, note: ` 10 桁以上は学習した範囲(1〜999,999,999)の外で、モデルは一度も見ていない。自信ありげに書いても当てにならない。` }
  return { value: parsed.value }
}
