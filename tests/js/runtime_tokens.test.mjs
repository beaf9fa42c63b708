// node --test tests/js/: how runtime.js shows tokens and counts the ones a model cannot read, for the three kinds of
// tokenizer the site's models use (WordPiece, GPT-2's byte-level BPE, the Japanese model's BPE over characters).
import assert from "node:assert/strict"
import { test } from "node:test"

import { shown, unreadable, unreadableNote } from "../../docs/assets/javascripts/runtime.js"

/** A model whose tokenizer knows the given tokens (id = index) and decodes as the given function does. */
const fake = (tokens, { byteLevel = false, unk = undefined, decode = ids => ids.map(i => tokens[i]).join("") } = {}) => ({
  byteLevel,
  tokenizerConfig: unk ? { unk_token: unk } : {},
  tokenizer: { id_to_token: id => tokens[id], decode },
})

test("WordPiece: tokens as they are, [UNK] counted", () => {
  const m = fake(["[CLS]", "[UNK]", "##face", "は"])
  assert.equal(shown(m, 2), "##face")
  assert.equal(unreadable(m, [0, 1, 3, 1]), 2)
})

test("the Japanese model: ▁ shown as ␣, <unk> counted and named in the note", () => {
  const m = fake(["<unk>", "▁(", "ファイルを", "である。"], { unk: "<unk>" })
  assert.equal(shown(m, 1), "␣(")
  assert.equal(unreadable(m, [0, 0, 2, 3]), 2)
  const note = unreadableNote(m, { reads: "日本語の man ページ" }, [0, 0, 2, 3])
  assert.match(note, /^2 個のトークンは、このモデルが読めない文字です\(日本語の man ページだけで学習したため。<unk> は語彙にない文字\)/)
  assert.equal(unreadableNote(m, { reads: "日本語の man ページ" }, [2, 3]), "")
})

test("byte-level BPE: a piece of a character is what cannot be read; a space is shown as ␣", () => {
  const pieces = ["It", " was", "\uFFFD", "\uFFFD"]
  const m = fake(pieces, { byteLevel: true })
  assert.equal(shown(m, 1), "␣was")
  assert.equal(unreadable(m, [0, 2, 3]), 2)
  assert.match(unreadableNote(m, { reads: "英語" }, [0, 2, 3]), /バイトごとのかけら/)
})

test("every box and view says the same about its download: its size in MB once, then that it is here", async () => {
  const { downloadNote } = await import("../../docs/assets/javascripts/runtime.js")
  assert.equal(downloadNote(60_123_456), "初回はランタイムとモデルで 60.1 MB を読み込みます(押したときだけ)")
  assert.equal(downloadNote(60_123_456, true), "モデルは読み込み済み")
})
