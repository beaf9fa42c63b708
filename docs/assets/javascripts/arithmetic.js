// The arithmetic of the in-page models, as transformers' pipelines and generate() do it: no DOM, no model, so
// node's test runner checks it alone (tests/js/). Every view and box imports it from here.

/** Probabilities from logits (the largest subtracted first, so that exp never overflows). */
export function softmax(values) {
  let top = -Infinity
  for (const v of values) if (v > top) top = v
  const exps = values.map(v => Math.exp(v - top))
  let sum = 0
  for (const e of exps) sum += e
  return exps.map(e => e / sum)
}

/** The index of the largest value (the first one on a tie, as torch.argmax does). */
export function argmax(values) {
  let best = 0
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i
  return best
}

/** Indices of the k largest values, largest first (ties: the smaller index first). */
export function topIndices(values, k) {
  return values.map((v, i) => i).sort((a, b) => values[b] - values[a] || a - b).slice(0, k)
}

/**
 * What generate() samples from, step by step as transformers' logits processors do: logits divided by the
 * temperature, then only the top_k most likely tokens, then only the smallest set whose probability reaches top_p
 * (the most likely token always stays). Returns the probability of every token (0 for the removed ones).
 */
export function samplingDistribution(logits, { temperature = 1, topK = 0, topP = 1 } = {}) {
  const scaled = logits.map(v => v / temperature)
  const keep = new Array(scaled.length).fill(true)
  if (topK > 0 && topK < scaled.length) {
    const kth = topIndices(scaled, topK).at(-1)
    // TopKLogitsWarper keeps every token whose logit reaches the k-th largest (ties at the edge stay)
    scaled.forEach((v, i) => { if (v < scaled[kth]) keep[i] = false })
  }
  if (topP < 1) {
    const p = softmax(scaled.map((v, i) => (keep[i] ? v : -Infinity)))
    // TopPLogitsWarper: sorted ascending, drop the tokens whose cumulative probability stays within 1 - top_p
    const ascending = p.map((v, i) => i).filter(i => keep[i]).sort((a, b) => p[a] - p[b] || b - a)
    let cumulative = 0
    for (const i of ascending.slice(0, -1)) {
      cumulative += p[i]
      if (cumulative <= 1 - topP) keep[i] = false
    }
  }
  return softmax(scaled.map((v, i) => (keep[i] ? v : -Infinity)))
}

/** A seeded generator of numbers in [0, 1) (mulberry32): the same seed, the same draws, in every browser. */
export function seededRandom(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A token drawn from probabilities p with one number r in [0, 1). */
export function draw(p, r) {
  let left = r
  let last = 0
  for (let i = 0; i < p.length; i++) {
    if (p[i] <= 0) continue
    last = i
    left -= p[i]
    if (left < 0) return i
  }
  return last
}

/** transformers' TokenClassificationPipeline.group_entities with aggregation_strategy="simple". */
export function groupEntities(tokens) {
  const tag = name => name.startsWith("B-") ? ["B", name.slice(2)] : name.startsWith("I-") ? ["I", name.slice(2)] : ["I", name]
  const close = group => ({
    entity_group: group[0].entity.split("-").slice(group[0].entity.includes("-") ? 1 : 0).join("-"),
    score: group.reduce((sum, t) => sum + t.score, 0) / group.length,
    // WordPiece's convert_tokens_to_string: words joined by spaces, "##" pieces glued to the word before
    word: group.map(t => t.word).join(" ").replace(/ ##/g, "").trim(),
  })
  const groups = []
  let current = []
  for (const token of tokens) {
    const [bi, name] = tag(token.entity)
    if (current.length && name === tag(current.at(-1).entity)[1] && bi !== "B") current.push(token)
    else {
      if (current.length) groups.push(close(current))
      current = [token]
    }
  }
  if (current.length) groups.push(close(current))
  return groups
}

/** The mean of the token vectors, scaled to length 1 (the sentence vector of the feature-extraction box). */
export function meanPooled(rows) {
  const mean = rows[0].map((_, j) => rows.reduce((sum, row) => sum + row[j], 0) / rows.length)
  const norm = Math.hypot(...mean)
  return mean.map(v => v / norm)
}

/** The cosine of every pair of unit vectors. */
export function cosines(vectors) {
  return vectors.map(a => vectors.map(b => a.reduce((sum, v, k) => sum + v * b[k], 0)))
}

/**
 * Ids cut to what a model reads (limit tokens); a final special token ([SEP]) is kept at the end. Returns the ids
 * kept and how many were cut, so that what was cut is told, never silently dropped.
 */
export function cutToLimit(ids, limit, isSpecial) {
  if (ids.length <= limit) return { ids, cut: 0 }
  const endsSpecial = isSpecial(ids[ids.length - 1])
  const kept = endsSpecial ? [...ids.slice(0, limit - 1), ids[ids.length - 1]] : ids.slice(0, limit)
  return { ids: kept, cut: ids.length - limit }
}

/**
 * One head's attention weights from an "...attentions" output (dims [batch, layer, head, rows, columns], batch 1):
 * rows are the tokens that look, columns the tokens they look at (the input's, for cross-attention); each row sums
 * to 1.
 */
export function headWeights(data, dims, layer, head) {
  const [, layers, heads, rows, columns] = dims
  if (layer < 0 || layer >= layers || head < 0 || head >= heads) throw new RangeError(`no head ${layer}/${head}`)
  const start = (layer * heads + head) * rows * columns
  return Array.from({ length: rows }, (_, i) =>
    Array.from(data.subarray(start + i * columns, start + (i + 1) * columns)))
}

/** The k tokens a row of weights looks at most, largest first, with their weights. */
export function strongest(row, k) {
  return topIndices(row, k).map(index => ({ index, weight: row[index] }))
}

const KANJI_DIGITS = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 }
const SMALL_UNITS = { 十: 10, 百: 100, 千: 1000 }
const BIG_UNITS = { 万: 1e4, 億: 1e8 }

/**
 * The value of a kanji numeral written as in running text (三千五百二十一, 二万七, 五億八千百万三千六百六十五), or why it
 * is not one: { value } or { error }. Each group below 万 is digits and units in decreasing order (十, 百, 千 without
 * a 一 in front); 万 and 億 close a group, each once, 億 before 万.
 */
export function parseKanji(text) {
  let total = 0
  let group = 0
  let digit = null
  let lastSmall = Infinity
  let lastBig = Infinity
  for (const char of text) {
    if (char in KANJI_DIGITS) {
      if (digit !== null) return { error: `「${char}」の前にも数字がある(二つ続けて書かない)` }
      digit = KANJI_DIGITS[char]
    } else if (char in SMALL_UNITS) {
      const unit = SMALL_UNITS[char]
      if (unit >= lastSmall) return { error: `「${char}」の位が前と同じか大きい` }
      if (digit === 1) return { error: `「一${char}」ではなく「${char}」と書く` }
      group += (digit ?? 1) * unit
      digit = null
      lastSmall = unit
    } else if (char in BIG_UNITS) {
      const unit = BIG_UNITS[char]
      const part = group + (digit ?? 0)
      if (unit >= lastBig) return { error: `「${char}」が二度ある、または億より前に万がある` }
      if (part === 0) return { error: `「${char}」の前に数がない` }
      total += part * unit
      group = 0
      digit = null
      lastSmall = Infinity
      lastBig = unit
    } else {
      return { error: `「${char}」は漢数字ではない` }
    }
  }
  const value = total + group + (digit ?? 0)
  if (!text.length || value === 0) return { error: "数が書かれていない" }
  return { value }
}
