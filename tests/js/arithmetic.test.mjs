// node --test tests/js/: the in-page arithmetic alone, without a browser or a model.
import assert from "node:assert/strict"
import { test } from "node:test"

import {
  argmax, cosines, cutToLimit, draw, groupEntities, headWeights, meanPooled, samplingDistribution, seededRandom, softmax,
  strongest, topIndices,
} from "../../docs/assets/javascripts/arithmetic.js"

const close = (a, b, tolerance = 1e-12) => assert.ok(Math.abs(a - b) <= tolerance, `${a} vs ${b}`)

test("softmax sums to 1, keeps the order, and does not overflow on large logits", () => {
  const p = softmax([1000, 1001, 999])
  close(p.reduce((a, b) => a + b, 0), 1)
  assert.deepEqual(topIndices(p, 3), [1, 0, 2])
  close(p[1] / p[0], Math.E, 1e-9)
})

test("argmax and topIndices take the first of equal values, as torch does", () => {
  assert.equal(argmax([0.2, 0.5, 0.5]), 1)
  assert.deepEqual(topIndices([0.1, 0.3, 0.3, 0.2], 3), [1, 2, 3])
})

test("temperature sharpens or flattens; 1 changes nothing", () => {
  const logits = [2, 1, 0]
  assert.deepEqual(samplingDistribution(logits), softmax(logits))
  const cold = samplingDistribution(logits, { temperature: 0.5 })
  const hot = samplingDistribution(logits, { temperature: 2 })
  assert.ok(cold[0] > softmax(logits)[0] && hot[0] < softmax(logits)[0])
  close(cold[0], softmax([4, 2, 0])[0])
})

test("top-k keeps the k most likely tokens, and every token tied with the k-th", () => {
  assert.deepEqual(samplingDistribution([3, 2, 1, 0], { topK: 2 }).map(v => v > 0), [true, true, false, false])
  assert.deepEqual(samplingDistribution([3, 2, 2, 0], { topK: 2 }).map(v => v > 0), [true, true, true, false])
})

test("top-p keeps the smallest set reaching p, and always the most likely token", () => {
  const logits = [0.5, 0.3, 0.15, 0.05].map(Math.log)
  assert.deepEqual(samplingDistribution(logits, { topP: 0.75 }).map(v => v > 0), [true, true, false, false])
  assert.deepEqual(samplingDistribution(logits, { topP: 0.85 }).map(v => v > 0), [true, true, true, false])
  assert.deepEqual(samplingDistribution(logits, { topP: 0.01 }).map(v => v > 0), [true, false, false, false])
  const kept = samplingDistribution(logits, { topP: 0.75 })
  close(kept[0], 0.5 / 0.8, 1e-12)
})

test("a seeded draw is the same every time, and follows the probabilities", () => {
  const a = seededRandom(42), b = seededRandom(42)
  const first = Array.from({ length: 5 }, a)
  assert.deepEqual(first, Array.from({ length: 5 }, b))
  assert.ok(first.every(r => r >= 0 && r < 1))
  const p = [0.7, 0.0, 0.3]
  const random = seededRandom(1)
  const counts = [0, 0, 0]
  for (let i = 0; i < 10000; i++) counts[draw(p, random())]++
  assert.equal(counts[1], 0)
  close(counts[0] / 10000, 0.7, 0.02)
  assert.equal(draw(p, 0.9999999), 2)
})

test("entities are grouped as the pipeline's simple strategy does", () => {
  const tokens = [
    { entity: "B-PER", score: 0.9, word: "Syl" }, { entity: "I-PER", score: 0.7, word: "##vain" },
    { entity: "O", score: 0.99, word: "and" }, { entity: "B-ORG", score: 0.8, word: "Hugging" },
    { entity: "I-ORG", score: 0.6, word: "Face" }, { entity: "B-LOC", score: 0.5, word: "Brooklyn" },
  ]
  const groups = groupEntities(tokens).filter(g => g.entity_group !== "O")
  assert.deepEqual(groups.map(g => [g.entity_group, g.word]), [["PER", "Sylvain"], ["ORG", "Hugging Face"], ["LOC", "Brooklyn"]])
  close(groups[0].score, 0.8)
})

test("sentence vectors are unit length and their cosines form a symmetric matrix with 1 on the diagonal", () => {
  const a = meanPooled([[1, 0], [0, 1]]), b = meanPooled([[2, 0]])
  const c = cosines([a, b])
  close(c[0][0], 1)
  close(c[0][1], c[1][0])
  close(c[0][1], Math.SQRT1_2)
})

test("cutting to the model's limit keeps a final special token and says how much was cut", () => {
  const special = id => id === 102
  assert.deepEqual(cutToLimit([101, 5, 6, 7, 102], 4, special), { ids: [101, 5, 6, 102], cut: 1 })
  assert.deepEqual(cutToLimit([5, 6, 7], 2, special), { ids: [5, 6], cut: 1 })
  assert.deepEqual(cutToLimit([5, 6], 4, special), { ids: [5, 6], cut: 0 })
})

test("one head's weights are cut from the attentions output by layer and head", () => {
  // dims [batch, layer, head, n, n] = [1, 2, 3, 2, 2]: the value at (l, h, i, j) is l*1000 + h*100 + i*10 + j
  const dims = [1, 2, 3, 2, 2]
  const data = new Float32Array(2 * 3 * 2 * 2)
  for (let l = 0; l < 2; l++) for (let h = 0; h < 3; h++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++)
    data[((l * 3 + h) * 2 + i) * 2 + j] = l * 1000 + h * 100 + i * 10 + j
  assert.deepEqual(headWeights(data, dims, 1, 2), [[1200, 1201], [1210, 1211]])
  assert.deepEqual(headWeights(data, dims, 0, 0), [[0, 1], [10, 11]])
  assert.throws(() => headWeights(data, dims, 2, 0), RangeError)
  // cross-attention: 2 written tokens looking at 3 input tokens
  const cross = Float32Array.from({ length: 1 * 1 * 2 * 3 }, (_, k) => k)
  assert.deepEqual(headWeights(cross, [1, 1, 1, 2, 3], 0, 0), [[0, 1, 2], [3, 4, 5]])
  assert.throws(() => headWeights(data, dims, 0, 3), RangeError)
})

test("the strongest looks come largest first with their weights", () => {
  assert.deepEqual(strongest([0.1, 0.6, 0.3], 2), [{ index: 1, weight: 0.6 }, { index: 2, weight: 0.3 }])
})

test("a draw over a top-k distribution never picks a removed token", () => {
  const p = samplingDistribution([5, 4, 3, 2, 1], { topK: 2, temperature: 2 })
  const random = seededRandom(3)
  for (let i = 0; i < 2000; i++) assert.ok(draw(p, random()) < 2)
})

test("kanji numerals are read as the training data writes them, and other strings say why not", async () => {
  const { parseKanji } = await import("../../docs/assets/javascripts/arithmetic.js")
  const cases = { 三千五百二十一: 3521, 二万七: 20007, 五億八千百万三千六百六十五: 581003665, 十: 10, 百: 100, 四: 4,
    一億: 100000000, 千万: 10000000, 九億九千九百九十九万九千九百九十九: 999999999, 十億: 1000000000, 三十億五千万: 3050000000 }
  for (const [text, value] of Object.entries(cases)) assert.deepEqual(parseKanji(text), { value }, text)
  for (const text of ["", "千千", "五五", "一千", "万", "万億", "億億", "3千", "十ニ"])
    assert.ok(parseKanji(text).error, text)
})
