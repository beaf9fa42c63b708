// 「アテンションを見る」: where each token of the reader's own sentence looks, in one head or a whole layer of the site's
// models (MiniLM, an Encoder; the workshop's tiny GPT-2s, Decoders, one reading English, one Japanese). The weights are the ONNX export's "attentions"
// output, computed in this browser; the browser tests compare every layer and head with PyTorch's
// output_attentions=True on the page's sentences.

import { headWeights, strongest } from "./arithmetic.js"
import { canRun, downloadNote, el, encode, loadModel, modelChoice, run, runOnEnter, setStatus, showFailure, shown, UserError, unreadableNote } from "./runtime.js"

const SHOWN_LIMIT = 64 // tokens a view draws (the tiny GPT-2 reads 64 at most; a longer sentence is cut, and said so)
const NUMBERS_UP_TO = 12 // a matrix this small writes each weight in its cell


export function setup(view) {
  view.dataset.ready = "true"
  const models = JSON.parse(view.dataset.models)
  const runtimeBytes = Number(view.dataset.runtimeBytes)
  const state = { result: null, layer: 0, head: 0, mode: "matrix", focus: null }

  const input = el("textarea", { class: "try-it__input", rows: 2, "aria-label": "見る文", spellcheck: "false" })
  const choice = modelChoice(view, models, input, () => compute(), () => sizeNote())
  const go = el("button", { class: "md-button md-button--primary try-it__run", type: "button" }, "アテンションを計算")
  const size = el("span", { class: "try-it__size" })
  const progress = el("progress", { class: "try-it__progress", value: 0, hidden: "" })
  const status = el("p", { class: "try-it__status", role: "status" })
  const layer = el("select", { "aria-label": "層" })
  const head = el("select", { "aria-label": "ヘッド" })
  const mode = el("select", { "aria-label": "表示" },
    el("option", { value: "matrix" }, "表(行が見る側、列が見られる側)"),
    el("option", { value: "lines" }, "線(左が見る側、右が見られる側)"))
  const controls = el("div", { class: "try-it__controls attention-view__controls", hidden: "" },
    el("label", {}, "層 ", layer), el("label", {}, "ヘッド ", head), el("label", {}, "表示 ", mode))
  const notes = el("div", { class: "attention-view__notes", "aria-live": "polite" })
  const canvas = el("div", { class: "attention-view__canvas" })
  const focus = el("p", { class: "attention-view__focus", "aria-live": "polite" })
  view.replaceChildren(
    el("p", { class: "try-it__title" }, "アテンションを見る", el("small", {}, " このブラウザの中だけで計算し、入力はどこにも送られません")),
    choice.picker, input, choice.chips(), el("div", { class: "try-it__actions" }, go, size), progress, status, controls, notes, canvas, focus)

  const chosen = choice.chosen
  const sizeNote = () => {
    const spec = chosen()
    size.textContent = downloadNote(runtimeBytes + spec.bytes, loadedModels.has(spec.folder))
  }
  const loadedModels = new Set()
  sizeNote()

  if (!canRun(view, status, go)) return

  let busy = false
  async function compute() {
    if (busy) return
    const spec = chosen()
    const text = input.value
    if (!text.trim()) return show("error", "文を入力してください。")
    busy = true
    go.disabled = true
    try {
      const m = await loadModel(view, status, progress, view.dataset.root, spec.folder, runtimeBytes + spec.bytes)
      loadedModels.add(spec.folder)
      sizeNote()
      view.dataset.state = "running"
      status.textContent = "計算しています…"
      const started = performance.now()
      const { ids, cut } = encode(m, text.trim(), Math.min(SHOWN_LIMIT, spec.positions))
      if (!ids.length) throw new UserError("この文はトークンになりませんでした。")
      const outputs = await run(m, ids, spec.inputs, ["attentions"])
      const attentions = outputs.attentions
      state.result = { spec, ids, tokens: ids.map(id => shown(m, id)), data: attentions.data, dims: attentions.dims }
      state.layer = Math.min(state.layer, spec.layers - 1)
      state.head = state.head === "all" ? "all" : Math.min(state.head, spec.heads - 1)
      state.focus = null
      fillControls(spec)
      notes.replaceChildren(...[
        cut ? `このビューは ${Math.min(SHOWN_LIMIT, spec.positions)} トークンまでなので、最後の ${cut} トークンは省いた。` : "",
        unreadableNote(m, spec, ids),
        spec.causal ? "Decoder なので、各トークンは自分と前のトークンだけを見る(因果マスク: 表の右上の斜線)。" : "",
      ].filter(Boolean).map(note => el("p", { class: "try-it__note" }, note)))
      draw()
      show("done", `${ids.length} トークン、${spec.layers} 層 × ${spec.heads} ヘッドを ${((performance.now() - started) / 1000).toFixed(2)} 秒で計算`)
    } catch (error) {
      showFailure(view, status, progress, error)
    } finally {
      busy = false
      go.disabled = false
    }
  }

  function fillControls(spec) {
    layer.replaceChildren(...Array.from({ length: spec.layers }, (_, i) => el("option", { value: String(i) }, `第 ${i + 1} 層`)))
    head.replaceChildren(el("option", { value: "all" }, "全部(小さな表)"),
      ...Array.from({ length: spec.heads }, (_, i) => el("option", { value: String(i) }, `ヘッド ${i + 1}`)))
    layer.value = String(state.layer)
    head.value = String(state.head)
    mode.value = state.mode
    controls.hidden = false
  }

  function draw() {
    const r = state.result
    if (!r) return
    const started = performance.now()
    view.dataset.layer = state.layer
    view.dataset.head = state.head
    mode.disabled = state.head === "all"
    if (state.head === "all") {
      canvas.replaceChildren(allHeads(r))
      focus.textContent = "小さな表を押すと、そのヘッドを大きく見られます。"
    } else {
      const weights = headWeights(r.data, r.dims, state.layer, state.head)
      canvas.replaceChildren(state.mode === "lines" ? lines(r, weights) : matrix(r, weights))
      describeFocus(r, weights)
    }
    view.dataset.drawMs = (performance.now() - started).toFixed(2)
  }

  function matrix(r, weights) {
    const n = r.tokens.length
    const numbers = n <= NUMBERS_UP_TO
    const head = el("tr", {}, el("th", { class: "attention-view__corner" }, "見る側 \\ 見られる側"),
      r.tokens.map(token => el("th", { scope: "col", class: "attention-view__key" }, el("span", {}, token))))
    const rows = weights.map((row, i) => el("tr", { class: state.focus === i ? "attention-view__focused" : "" },
      el("th", { scope: "row" }, el("button", { type: "button", class: "attention-view__token", "data-index": i }, r.tokens[i])),
      row.map((w, j) => {
        const masked = r.spec.causal && j > i
        return el("td", {
          "data-weight": w.toFixed(6), class: masked ? "attention-view__masked" : "",
          style: `--w: ${Math.sqrt(w).toFixed(4)}`, // the square root: a weight of 0.1 still shows
          title: masked ? `${r.tokens[i]} → ${r.tokens[j]}: 見えない(因果マスク)` : `${r.tokens[i]} → ${r.tokens[j]}: ${w.toFixed(3)}`,
        }, numbers && !masked ? w.toFixed(2) : "")
      })))
    return el("div", { class: "attention-view__frame" },
      el("table", { class: "attention-view__matrix" }, el("thead", {}, head), el("tbody", {}, rows)))
  }

  function lines(r, weights) {
    const n = r.tokens.length
    const rowHeight = 22, width = 300, pad = 6
    const height = n * rowHeight + pad * 2
    const ns = "http://www.w3.org/2000/svg"
    const svg = document.createElementNS(ns, "svg")
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`)
    svg.setAttribute("width", width)
    svg.setAttribute("height", height)
    svg.setAttribute("class", "attention-view__lines")
    svg.setAttribute("role", "img")
    svg.setAttribute("aria-label", "左のトークンから右のトークンへの線。濃いほど重みが大きい")
    const y = i => pad + rowHeight * i + rowHeight / 2
    const left = 96, right = width - 96
    weights.forEach((row, i) => {
      if (state.focus !== null && state.focus !== i) return
      row.forEach((w, j) => {
        if (w < 0.01) return
        const line = document.createElementNS(ns, "line")
        for (const [name, value] of Object.entries({ x1: left, y1: y(i), x2: right, y2: y(j) })) line.setAttribute(name, value)
        line.setAttribute("stroke-opacity", Math.min(1, w * (state.focus === null ? 1 : 1.6)).toFixed(3))
        line.setAttribute("data-weight", w.toFixed(6))
        svg.append(line)
      })
    })
    const label = (text, x, i, anchor, extra = {}) => {
      const node = document.createElementNS(ns, "text")
      for (const [name, value] of Object.entries({ x, y: y(i) + 4, "text-anchor": anchor, ...extra })) node.setAttribute(name, value)
      node.textContent = text
      svg.append(node)
    }
    r.tokens.forEach((token, i) => {
      label(token, left - 6, i, "end", { class: "attention-view__from" + (state.focus === i ? " attention-view__from--focus" : ""), "data-index": i, tabindex: 0, role: "button" })
      const w = state.focus === null ? null : weights[state.focus][i]
      const hidden = r.spec.causal && state.focus !== null && i > state.focus
      label(token + (w === null ? "" : hidden ? "  —" : `  ${w.toFixed(2)}`), right + 6, i, "start",
        { class: "attention-view__to" + (hidden ? " attention-view__to--hidden" : "") })
    })
    return el("div", { class: "attention-view__frame attention-view__frame--lines" }, svg)
  }

  function allHeads(r) {
    const n = r.tokens.length
    const cells = Array.from({ length: r.spec.heads }, (_, h) => {
      const weights = headWeights(r.data, r.dims, state.layer, h)
      const scale = Math.max(2, Math.floor(96 / n))
      const c = el("canvas", { width: n * scale, height: n * scale, class: "attention-view__small", "aria-hidden": "true" })
      const g = c.getContext("2d")
      weights.forEach((row, i) => row.forEach((w, j) => {
        if (r.spec.causal && j > i) {
          g.fillStyle = "#e0e0e0"
        } else {
          g.fillStyle = `rgba(230, 81, 0, ${Math.sqrt(w).toFixed(3)})`
        }
        g.fillRect(j * scale, i * scale, scale, scale)
      }))
      return el("button", { type: "button", class: "attention-view__head", "data-head": h, title: `ヘッド ${h + 1} を大きく見る` },
        c, el("span", {}, `ヘッド ${h + 1}`))
    })
    return el("div", { class: "attention-view__grid" }, cells)
  }

  function describeFocus(r, weights) {
    if (state.focus === null) {
      focus.textContent = "トークン(表の行の見出し、線の左側)を押すと、そのトークンがどこを見ているかが出ます。"
      return
    }
    const top = strongest(weights[state.focus], 3).map(({ index, weight }) => `${r.tokens[index]} ${weight.toFixed(2)}`)
    focus.textContent = `「${r.tokens[state.focus]}」が見ている先(重みの大きい順): ${top.join("、")}`
  }

  function show(kind, message) {
    setStatus(view, status, kind, message)
  }

  go.addEventListener("click", compute)
  runOnEnter(input, compute)
  layer.addEventListener("change", () => { state.layer = Number(layer.value); draw() })
  head.addEventListener("change", () => { state.head = head.value === "all" ? "all" : Number(head.value); draw() })
  mode.addEventListener("change", () => { state.mode = mode.value; draw() })
  const pick = event => {
    const token = event.target.closest("[data-index]")
    if (token) {
      const index = Number(token.dataset.index)
      state.focus = state.focus === index ? null : index
      draw()
      return
    }
    const small = event.target.closest("[data-head]")
    if (small) {
      state.head = Number(small.dataset.head)
      head.value = String(state.head)
      draw()
    }
  }
  canvas.addEventListener("click", pick)
  canvas.addEventListener("keydown", event => { if (event.key === "Enter" || event.key === " ") pick(event) })
}
