// The in-page models' runtime, shared by the 「自分で試す」 boxes and the views (attention, next token).
//
// onnxruntime-web (its WebAssembly build) and @huggingface/tokenizers, both served by this site (scripts/setup.sh takes
// them from the npm registry at pinned versions and checks their SHA-256). Nothing is downloaded until the reader
// asks, and nothing the reader types leaves the page. What was downloaded is kept in the browser's Cache Storage, so a
// model is fetched once for the whole site, not once per page: a model's folder is named by its contents' digest and
// the cache by the runtime's (data-files on every box), so a new build never serves an old file.

import { cutToLimit } from "./arithmetic.js"

export const RUNTIME = {
  ort: "assets/vendor/onnxruntime-web/ort.wasm.bundle.min.mjs",
  wasm: "assets/vendor/onnxruntime-web/ort-wasm-simd-threaded.wasm",
  tokenizers: "assets/vendor/tokenizers/tokenizers.min.mjs",
}
export const MB = 1e6
const runtimes = new Map() // site root → Promise of { ort, Tokenizer }
const models = new Map() // model URL → Promise of { session, tokenizer, config, special, byteLevel }

/** An element with attributes (or properties, for names starting with "."), children as text or nodes. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes))
    if (name.startsWith(".")) node[name.slice(1)] = value
    else node.setAttribute(name, value)
  for (const child of children.flat())
    node.append(child instanceof Node ? child : document.createTextNode(String(child)))
  return node
}

const CACHE_PREFIX = "livenotes-files-"
let cacheName = null

/** Keep downloads in the Cache Storage named by this build's runtime digest; caches of other builds are removed. */
export async function keepFilesIn(digest) {
  if (!digest || !globalThis.caches || cacheName === CACHE_PREFIX + digest) return
  cacheName = CACHE_PREFIX + digest
  try {
    for (const name of await caches.keys())
      if (name.startsWith(CACHE_PREFIX) && name !== cacheName) await caches.delete(name)
  } catch { /* storage off (a private window, a policy): every file is simply downloaded */ }
}

/** The response for url: from this build's cache when an earlier page kept it, else from the network (and kept). */
async function fetchKept(url) {
  let cache = null
  try {
    cache = cacheName && globalThis.caches ? await caches.open(cacheName) : null
    const kept = cache && await cache.match(url)
    if (kept) return kept
  } catch { cache = null }
  const response = await fetch(url)
  // kept while the box reads it (the copy streams beside it); a failed put only means the next page downloads again
  if (response.ok && cache) cache.put(url, response.clone()).catch(() => {})
  return response
}

/** The bytes at url, telling onBytes how many arrived; a clear error naming the file when it fails. */
export async function download(url, onBytes) {
  let response
  try {
    response = await fetchKept(url)
  } catch (error) {
    throw new Error(`${url.split("/").slice(-2).join("/")} を読み込めませんでした(${error.message})`)
  }
  if (!response.ok)
    throw new Error(`${url.split("/").slice(-2).join("/")} を読み込めませんでした(HTTP ${response.status})`)
  const reader = response.body.getReader()
  const parts = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    parts.push(value)
    size += value.length
    onBytes(value.length)
  }
  const bytes = new Uint8Array(size)
  let at = 0
  for (const part of parts) {
    bytes.set(part, at)
    at += part.length
  }
  return bytes
}

async function json(url, onBytes) {
  return JSON.parse(new TextDecoder().decode(await download(url, onBytes)))
}

export function runtime(root, onBytes) {
  if (!runtimes.has(root))
    runtimes.set(root, (async () => {
      const base = new URL(root, location.href)
      const [ort, { Tokenizer }, wasm] = await Promise.all([
        import(new URL(RUNTIME.ort, base).href),
        import(new URL(RUNTIME.tokenizers, base).href),
        download(new URL(RUNTIME.wasm, base).href, onBytes),
      ])
      ort.env.wasm.wasmBinary = wasm // handed over, so that the runtime fetches nothing by itself
      ort.env.wasm.numThreads = 1 // GitHub Pages sends no cross-origin isolation headers: no shared memory
      return { ort, Tokenizer }
    })().catch(error => { runtimes.delete(root); throw error }))
  return runtimes.get(root)
}

export function model(root, folder, onBytes) {
  const url = new URL(folder, new URL(root, location.href)).href
  if (!models.has(url))
    models.set(url, (async () => {
      const { ort, Tokenizer } = await runtime(root, onBytes)
      const [bytes, tokenizerJson, tokenizerConfig, config] = await Promise.all([
        download(url + "model.onnx", onBytes),
        json(url + "tokenizer.json", onBytes),
        json(url + "tokenizer_config.json", onBytes),
        json(url + "config.json", onBytes),
      ])
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] })
      const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig)
      const special = new Set(tokenizerJson.added_tokens.filter(t => t.special).map(t => t.id))
      // GPT-2's byte-level BPE (a Japanese character becomes byte pieces), not the Japanese model's BPE over characters
      const byteLevel = tokenizerJson.decoder?.type === "ByteLevel"
      return { ort, session, tokenizer, config, special, byteLevel, tokenizerConfig }
    })().catch(error => { models.delete(url); throw error }))
  return models.get(url)
}

export function maxPositions(config) {
  return config.max_position_embeddings ?? config.n_positions ?? 512
}

/** Token ids for text, cut to what the model reads; what was cut is reported, never silently dropped. */
export function encode(m, text, limit = maxPositions(m.config)) {
  return cutToLimit(m.tokenizer.encode(text).ids, limit, id => m.special.has(id))
}

/** The named outputs of one forward pass over ids, as onnxruntime's tensors (only those outputs are computed);
 * ``given`` feeds replace the ones made from ids (an Encoder-Decoder has two sequences). */
export async function run(m, ids, inputs, outputs, given = null) {
  const n = ids.length
  const tensor = values => new m.ort.Tensor("int64", BigInt64Array.from(values, BigInt), [1, n])
  const feeds = given ?? {}
  if (!given)
    for (const name of inputs)
      feeds[name] = tensor(name === "input_ids" ? ids : name === "attention_mask" ? ids.map(() => 1) : ids.map(() => 0))
  return m.session.run(feeds, outputs)
}

/** One forward pass; the named output as nested rows: [token][value] for the first (only) sequence. */
export async function forward(m, ids, inputs, output) {
  const result = (await run(m, ids, inputs, [output]))[output]
  const width = result.dims[result.dims.length - 1]
  const data = result.data
  const rows = []
  for (let i = 0; i < data.length / width; i++) rows.push(Array.from(data.subarray(i * width, (i + 1) * width)))
  return rows
}

/** How a token looks to a reader: byte-level BPE tokens decoded one by one, a space shown as ␣ (the Japanese
 * model's ▁ too). WordPiece's "##face" is shown as it is: it says the token continues a word. */
export function shown(m, id) {
  if (!m.byteLevel) return m.tokenizer.id_to_token(id).replace(/\u2581/g, "␣")
  return m.tokenizer.decode([id]).replace(/ /g, "␣") || "␣"
}

/** How many of the ids stand for something the model cannot read: [UNK], or a byte-level piece of a character. */
export function unreadable(m, ids) {
  const unk = m.tokenizerConfig.unk_token ?? "[UNK]"
  if (!m.byteLevel) return ids.filter(id => m.tokenizer.id_to_token(id) === unk).length
  return ids.filter(id => m.tokenizer.decode([id]).includes("\uFFFD")).length
}

/** What a box says beside its button: the download its first run costs (bytes), or that the model is already here. */
export function downloadNote(bytes, loaded = false) {
  return loaded ? "モデルは読み込み済み" : `初回はランタイムとモデルで ${(bytes / MB).toFixed(1)} MB を読み込みます(押したときだけ)`
}

/** What the reader is told next to the answer when ids hold tokens the model cannot read, or "" when none do. */
export function unreadableNote(m, spec, ids) {
  const lost = unreadable(m, ids)
  if (!lost) return ""
  const why = m.byteLevel ? "日本語や絵文字は 1 文字がバイトごとのかけらになる"
    : `${m.tokenizerConfig.unk_token ?? "[UNK]"} は語彙にない文字`
  return `${lost} 個のトークンは、このモデルが読めない文字です(${spec.reads}だけで学習したため。${why})。` +
    "例文を押すと、このモデルが読める文で見られます。"
}

// -- what every box and view does the same way ------------------------------------------------------------

/** A problem with what the reader typed: its message is shown as it is (any other error is a bug, logged too). */
export class UserError extends Error {}

/** The box after something went wrong: the reader's problem said plainly, anything else as what it is. */
export function showFailure(box, status, progress, error) {
  progress.hidden = true
  setStatus(box, status, "error", error instanceof UserError ? error.message : `動かせませんでした: ${error.message}`)
  if (!(error instanceof UserError)) console.error(error)
}

/** The box's state (its data-state, which the tests wait for) and its status line; an error is announced. */
export function setStatus(box, status, kind, message) {
  box.dataset.state = kind
  status.textContent = message
  status.classList.toggle("try-it__status--error", kind === "error")
  status.setAttribute("role", kind === "error" ? "alert" : "status")
}

/** One-click example texts: buttons that put their text in the input and run (not where the box cannot run). A
 * text of several lines (a box that compares sentences) shows its lines joined by " / ". */
export function exampleChips(examples, input, action) {
  const chips = el("p", { class: "attention-view__examples" }, "例: ",
    examples.map(text => el("button", { type: "button", class: "attention-view__example", "data-text": text },
      text.split("\n").join(" / "))))
  chips.addEventListener("click", event => {
    const chip = event.target.closest(".attention-view__example")
    if (!chip || input.closest("[data-state='unsupported']")) return
    input.value = chip.dataset.text
    action()
  })
  return chips
}

/** The view's choice of model (radio buttons; none when it offers one) and the example chips of the chosen model:
 * on a change the chips follow, an example of the previous model in the input is replaced, and onChange runs. */
export function modelChoice(view, models, input, action, onChange = () => {}) {
  const picker = el("fieldset", { class: "attention-view__models", ...(models.length < 2 ? { hidden: "" } : {}) },
    el("legend", {}, "モデル"),
    models.map((spec, i) => el("label", {},
      el("input", { type: "radio", name: `${view.id || view.className}-model`, value: String(i), ...(i === 0 ? { checked: "" } : {}) }),
      ` ${spec.label}`)))
  const chosen = () => models[Number(picker.querySelector("input:checked").value)]
  let previous = chosen()
  input.value = previous.examples[0]
  let chips = exampleChips(previous.examples, input, action)
  picker.addEventListener("change", () => {
    const spec = chosen()
    const fresh = exampleChips(spec.examples, input, action)
    chips.replaceWith(fresh)
    chips = fresh
    if (!input.value.trim() || previous.examples.includes(input.value)) input.value = spec.examples[0]
    previous = spec
    onChange(spec)
  })
  return { picker, chips: () => chips, chosen }
}

/** Enter runs the box (Shift+Enter is a new line); the Enter that confirms a Japanese IME conversion does not. */
export function runOnEnter(input, action) {
  input.addEventListener("keydown", event => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault()
      action()
    }
  })
}

/** A model for a box, downloaded (the first time) with the box's progress bar and status line showing how much. */
export async function loadModel(box, status, progress, root, folder, total) {
  let loaded = 0
  box.dataset.state = "loading"
  status.textContent = "モデルを準備しています…"
  await keepFilesIn(box.dataset.files)
  const m = await model(root, folder, bytes => {
    if (box.dataset.state !== "loading") return // a file still arriving after another one failed
    loaded += bytes
    progress.hidden = false
    progress.max = total
    progress.value = loaded
    status.textContent = `読み込み中 ${(loaded / MB).toFixed(1)} / ${(total / MB).toFixed(1)} MB`
  })
  progress.hidden = true
  return m
}

/** False (and the box says why, with its button off) in a browser without WebAssembly. */
export function canRun(box, status, button) {
  if (typeof WebAssembly === "object") return true
  button.disabled = true
  setStatus(box, status, "unsupported", "このブラウザは WebAssembly を使えないため、ここではモデルを動かせません。")
  status.classList.add("try-it__status--error")
  return false
}
