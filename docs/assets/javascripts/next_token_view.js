// 「次のトークンを見る」: the probabilities one of the workshop's tiny GPT-2s (English or Japanese) gives every next token
// after the reader's prompt,
// and what temperature, top-k and top-p do to them before a token is chosen. The model runs once per prompt; the
// sliders only re-shape its logits (arithmetic.js, as transformers' logits processors do). Greedy steps and seeded
// draws append a token and run the model again. The browser tests compare the bars with PyTorch's
// softmax(logits / T) and N greedy steps with generate(do_sample=False).

import { argmax, draw, samplingDistribution, seededRandom, softmax, topIndices } from "./arithmetic.js"
import { canRun, downloadNote, el, encode, forward, loadModel, modelChoice, runOnEnter, setStatus, showFailure, shown, UserError, unreadableNote } from "./runtime.js"

const BARS = 10 // the most likely tokens shown


export function setup(view) {
  view.dataset.ready = "true"
  const models = JSON.parse(view.dataset.models)
  const runtimeBytes = Number(view.dataset.runtimeBytes)
  const state = { m: null, spec: null, prompt: [], added: [], logits: null, random: null, seed: 0, draws: 0 }
  const loaded = new Set()

  const input = el("textarea", { class: "try-it__input", rows: 2, "aria-label": "書き出しの文", spellcheck: "false" })
  const choice = modelChoice(view, models, input, () => compute(), () => forget())
  const go = el("button", { class: "md-button md-button--primary try-it__run", type: "button" }, "次のトークンの確率を計算")
  const size = el("span", { class: "try-it__size" })
  const sizeNote = () => {
    const spec = choice.chosen()
    size.textContent = downloadNote(runtimeBytes + spec.bytes, loaded.has(spec.folder))
  }
  sizeNote()
  const progress = el("progress", { class: "try-it__progress", value: 0, hidden: "" })
  const status = el("p", { class: "try-it__status", role: "status" })
  const slider = (label, min, max, step, value, describe) => {
    const range = el("input", { type: "range", min, max, step, value, "aria-label": label })
    const shown = el("output", {}, describe(Number(value)))
    range.addEventListener("input", () => { shown.textContent = describe(Number(range.value)); redraw() })
    return { range, node: el("label", { class: "next-token__slider" }, `${label} `, range, " ", shown) }
  }
  const temperature = slider("温度", "0.1", "2", "0.05", "1", v => v.toFixed(2))
  const topK = slider("top-k", "0", "50", "1", "0", v => (v === 0 ? "なし" : String(v)))
  const topP = slider("top-p", "0.05", "1", "0.05", "1", v => (v >= 1 ? "なし" : v.toFixed(2)))
  const controls = el("div", { class: "try-it__controls next-token__controls" }, temperature.node, topK.node, topP.node)
  const bars = el("div", { class: "try-it__ranks next-token__bars", "aria-live": "polite" })
  const greedy = el("button", { type: "button", class: "md-button next-token__step", disabled: "" }, "いちばん確率の高いトークンを足す(貪欲法)")
  const sample = el("button", { type: "button", class: "md-button next-token__step", disabled: "" }, "くじを引いて足す(サンプリング)")
  const seed = el("input", { type: "number", min: "0", max: "999999", step: "1", value: "0", "aria-label": "くじの種" })
  const reset = el("button", { type: "button", class: "md-button next-token__reset", disabled: "" }, "書き出しに戻す")
  const steps = el("div", { class: "try-it__actions" }, greedy, sample, el("label", {}, "くじの種 ", seed), reset)
  const text = el("p", { class: "try-it__generated next-token__text" })
  const log = el("p", { class: "try-it__note next-token__log" })
  view.replaceChildren(
    el("p", { class: "try-it__title" }, "次のトークンを見る", el("small", {}, " このブラウザの中だけで計算し、入力はどこにも送られません")),
    choice.picker, input, choice.chips(), el("div", { class: "try-it__actions" }, go, size), progress, status, controls, bars, steps, text, log)

  const settings = () => ({
    temperature: Number(temperature.range.value),
    topK: Number(topK.range.value),
    topP: Number(topP.range.value),
  })

  function redraw() {
    if (!state.logits) return
    const started = performance.now()
    const m = state.m
    const p = samplingDistribution(state.logits, settings())
    const scaled = softmax(state.logits.map(v => v / settings().temperature))
    const order = topIndices(scaled, BARS)
    bars.replaceChildren(...order.map(id => {
      const removed = p[id] === 0
      return el("div", {
        class: "try-it__row" + (removed ? " next-token__removed" : ""),
        "data-token-id": id, "data-token": m.tokenizer.decode([id]), "data-probability": p[id],
        "data-scaled": scaled[id],
      },
      el("code", {}, shown(m, id)),
      el("span", { class: "try-it__bar", style: `--share: ${(100 * p[id]).toFixed(2)}%` }),
      removed ? "除外" : `${(100 * p[id]).toFixed(2)}%`)
    }))
    view.dataset.drawMs = (performance.now() - started).toFixed(2)
  }

  function showText() {
    const m = state.m
    const start = m.tokenizer.decode(state.prompt)
    const full = m.tokenizer.decode([...state.prompt, ...state.added])
    text.replaceChildren(start, el("span", { class: "try-it__new" }, full.slice(start.length)))
    text.dataset.text = full
    const room = state.spec.positions - state.prompt.length - state.added.length
    // the end of a text, as generate() (and pipeline()) stop there: the Japanese model ends paragraphs with it
    const ended = state.added.length > 0 && state.added.at(-1) === m.config.eos_token_id
    greedy.disabled = sample.disabled = room <= 0 || ended
    reset.disabled = !state.added.length
    if (room <= 0) log.textContent = `このモデルは ${state.spec.positions} トークンまでしか読めないので、ここで止まる。`
  }

  async function next() {
    state.logits = (await forward(state.m, [...state.prompt, ...state.added], state.spec.inputs, "logits")).at(-1)
    redraw()
    showText()
  }

  async function compute() {
    if (!input.value.trim()) return show("error", "書き出しの文を入力してください。")
    go.disabled = true
    const spec = choice.chosen()
    try {
      state.m = await loadModel(view, status, progress, view.dataset.root, spec.folder, runtimeBytes + spec.bytes)
      state.spec = spec
      loaded.add(spec.folder)
      sizeNote()
      let { ids } = encode(state.m, input.value, Infinity)
      if (!ids.length) throw new UserError("この文はトークンになりませんでした。")
      const notes = []
      if (ids.length > spec.positions - 1) {
        notes.push(`このモデルは ${spec.positions} トークンまでしか読めないので、書き出しの最初の ${ids.length - (spec.positions - 1)} トークンを捨てた。`)
        ids = ids.slice(ids.length - (spec.positions - 1))
      }
      notes.push(unreadableNote(state.m, spec, ids))
      state.prompt = ids
      state.added = []
      view.dataset.steps = 0
      state.seed = Math.max(0, Math.floor(Number(seed.value) || 0))
      state.random = seededRandom(state.seed)
      state.draws = 0
      log.textContent = notes.filter(Boolean).join(" ")
      view.dataset.state = "running"
      const started = performance.now()
      await next()
      show("done", `${ids.length} トークンを読んで次の確率を ${((performance.now() - started) / 1000).toFixed(2)} 秒で計算`)
    } catch (error) {
      showFailure(view, status, progress, error)
    } finally {
      go.disabled = false
    }
  }

  let stepping = false
  async function step(how) {
    if (!state.logits || stepping) return
    stepping = true
    view.dataset.stepping = "true" // what the tests wait on: the step is written and the buttons are settled
    greedy.disabled = sample.disabled = true
    try {
      await append(how)
    } finally {
      stepping = false
      showText()
      delete view.dataset.stepping
    }
  }

  async function append(how) {
    let id, why
    if (how === "greedy") {
      id = argmax(state.logits)
      why = `貪欲法: いちばん確率の高い「${shown(state.m, id)}」`
    } else {
      const r = state.random()
      state.draws += 1
      id = draw(samplingDistribution(state.logits, settings()), r)
      why = `くじ ${state.draws} 回目(種 ${state.seed}): ${r.toFixed(4)} → 「${shown(state.m, id)}」`
    }
    state.added.push(id)
    log.textContent = why + (id === state.m.config.eos_token_id ? "。文章の終わりのしるしなので、generate() と同じくここで止まる。" : "")
    view.dataset.steps = state.added.length
    await next()
  }

  /** Another model was chosen: what the bars and steps showed was the previous model's. */
  function forget() {
    state.logits = null
    state.added = []
    bars.replaceChildren()
    text.replaceChildren()
    log.textContent = ""
    greedy.disabled = sample.disabled = reset.disabled = true
    sizeNote()
  }

  function show(kind, message) {
    setStatus(view, status, kind, message)
  }

  if (!canRun(view, status, go)) return
  go.addEventListener("click", compute)
  runOnEnter(input, compute)
  greedy.addEventListener("click", () => step("greedy"))
  sample.addEventListener("click", () => step("sample"))
  reset.addEventListener("click", async () => {
    state.added = []
    view.dataset.steps = 0
    state.seed = Math.max(0, Math.floor(Number(seed.value) || 0))
    state.random = seededRandom(state.seed)
    state.draws = 0
    log.textContent = ""
    await next()
  })
}
