// node --test tests/js/: the in-page arithmetic alone, without a browser or a model.
import assert from "node:assert/strict"
import { test } from "node:test"

import {
  argmax, cosines, cutToLimit, draw, groupEntities, meanPooled, samplingDistribution, seededRandom, softmax, topIndices,
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
