// Japanese search for Material for MkDocs: a drop-in for Material's search worker.
//
// Material's worker builds a lunr index in the browser and cuts Japanese into words with TinySegmenter. The index
// and the query are cut differently, so compound terms (言語モデル, 自己教師あり学習) found nothing. This worker
// answers the same messages (SETUP, READY, QUERY, RESULT; Material 9.8's
// integrations/search/worker/message) from the same search_index.json, but matches by substring on a normalised
// form of the text, where there are no word boundaries to disagree about: a compound and each of its parts match
// wherever they are written. The page is small (a few hundred sections), so a scan per keystroke takes well under
// a millisecond and needs no index. Ranking: a section whose title is the term comes first, then a title that
// contains it, then text that uses it, with rarer words weighing more.
//
// Nothing the reader types reaches the page as HTML: excerpts are cut from the index's own text and escaped,
// and only <mark> is added around the matched characters.
"use strict"

const SETUP = 0
const READY = 1
const QUERY = 2
const RESULT = 3

const KEPT = /[\p{L}\p{N}\p{M}]/u // letters (ー is a letter), digits, combining marks; everything else is a separator
const TOKEN = /[\p{Script=Latin}\p{N}]+|[\p{Script=Han}\p{Script=Katakana}ー々〆ヶ]+|\p{Script=Hiragana}+|[\p{L}\p{N}\p{M}]+/gu
const HIRAGANA = /^\p{Script=Hiragana}+$/u
const TIER = 1000 // every score of a tier is above every score of the tier below
const EXCERPT_BEFORE = 40 // characters of context before the first match
const EXCERPT_LENGTH = 180
const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: "\u00a0" }

/** Plain text of an HTML fragment from search_index.json: tags become spaces, entities characters. */
function plain(html) {
  return html
    .replace(/<[^>]*>/g, " ")
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name) => {
      if (name[0] === "#")
        return String.fromCodePoint(name[1] === "x" || name[1] === "X"
          ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10))
      return ENTITIES[name.toLowerCase()] ?? whole
    })
    .replace(/\s+/g, " ")
    .trim()
}

/**
 * The form every comparison uses: NFKC, lower case, only letters and digits. Computed one character at a time so
 * that each normalised character remembers where it came from (start and end in the original string).
 */
function normalise(text) {
  let chars = ""
  const starts = []
  const ends = []
  let at = 0
  for (const char of text) {
    for (const out of char.normalize("NFKC").toLowerCase())
      if (KEPT.test(out)) {
        chars += out
        for (let i = 0; i < out.length; i++) {
          starts.push(at)
          ends.push(at + char.length)
        }
      }
    at += char.length
  }
  return { chars, starts, ends }
}

function escapeHTML(text) {
  return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)
}

function count(haystack, needle) {
  let n = 0
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length))
    n++
  return n
}

/** Original-text spans of every occurrence of the needles, merged where they touch. */
function spans(field, needles) {
  const found = []
  for (const needle of needles)
    for (let at = field.chars.indexOf(needle); at >= 0; at = field.chars.indexOf(needle, at + 1))
      found.push([field.starts[at], field.ends[at + needle.length - 1]])
  found.sort((a, b) => a[0] - b[0])
  const merged = []
  for (const span of found)
    if (merged.length && span[0] <= merged[merged.length - 1][1])
      merged[merged.length - 1][1] = Math.max(merged[merged.length - 1][1], span[1])
    else
      merged.push(span)
  return merged
}

/** text[from, to) escaped, with <mark> around the spans that fall inside it. */
function marked(text, from, to, found) {
  let html = ""
  let at = from
  for (const [start, end] of found) {
    if (end <= from || start >= to)
      continue
    const s = Math.max(start, from)
    const e = Math.min(end, to)
    html += escapeHTML(text.slice(at, s)) + `<mark data-md-highlight>${escapeHTML(text.slice(s, e))}</mark>`
    at = e
  }
  return html + escapeHTML(text.slice(at, to))
}

/** What the reader typed, as the needles to look for. */
function parse(query) {
  const normal = query.normalize("NFKC").toLowerCase()
  const words = [...new Set(normal.match(TOKEN) || [])]
  // particles and okurigana (の, を, あり) between terms are dropped, unless the query is nothing else
  const content = words.filter(word => !HIRAGANA.test(word))
  const tokens = (content.length ? content : words).map(word => normalise(word).chars).filter(Boolean)
  return { phrase: normalise(query).chars, tokens: [...new Set(tokens)] }
}

class JapaneseSearch {
  constructor(docs) {
    this.docs = docs.map(doc => {
      const title = plain(doc.title || "")
      const text = plain(doc.text || "")
      return {
        doc,
        page: doc.location.split("#")[0],
        title,
        text,
        titleN: normalise(title),
        textN: normalise(text),
        // a glossary heading 言語モデル(language model) is about each of its names
        names: title.split(/[()（）,、]/).map(part => normalise(part).chars).filter(Boolean),
      }
    })
    this.articles = new Map(this.docs.filter(d => !d.doc.location.includes("#")).map(d => [d.page, d]))
  }

  idf(token) {
    const df = this.docs.filter(d => d.titleN.chars.includes(token) || d.textN.chars.includes(token)).length
    return Math.log(1 + this.docs.length / Math.max(df, 1))
  }

  /**
   * Tiers first: the section named by the query, then a title containing it, then text containing the whole query,
   * then sections that contain each of its words somewhere. Within a tier, rarer words used more often weigh more
   * (short Latin words like "to" occur inside many others, so they never lift a section into a higher tier).
   */
  score(d, phrase, tokens, weights) {
    const title = d.titleN.chars
    const text = d.textN.chars
    const tier = d.names.includes(phrase) ? 3 : title.includes(phrase) ? 2 : text.includes(phrase) ? 1 : 0
    if (!tier && !tokens.every(t => title.includes(t) || text.includes(t)))
      return 0
    let within = 0
    if (tier === 2)
      within += 50 * phrase.length / title.length
    if (tier >= 1)
      within += 10 * Math.log2(1 + count(text, phrase))
    tokens.forEach((t, i) => {
      within += weights[i] * ((title.includes(t) ? 5 : 0) + Math.log2(1 + count(text, t)))
    })
    return tier * TIER + Math.min(within, TIER - 1)
  }

  item(d, score, phrase, tokens) {
    const needles = d.titleN.chars.includes(phrase) || d.textN.chars.includes(phrase) ? [phrase] : tokens
    const inTitle = spans(d.titleN, needles)
    const inText = spans(d.textN, needles)
    let text = ""
    if (inText.length) {
      const from = Math.max(0, inText[0][0] - EXCERPT_BEFORE)
      const to = Math.min(d.text.length, from + EXCERPT_LENGTH)
      text = `<p>${from > 0 ? "…" : ""}${marked(d.text, from, to, inText)}${to < d.text.length ? "…" : ""}</p>`
    } else if (d.text) {
      const to = Math.min(d.text.length, EXCERPT_LENGTH)
      text = `<p>${escapeHTML(d.text.slice(0, to))}${to < d.text.length ? "…" : ""}</p>`
    }
    // Material puts these words in the link (?h=...) so the page it opens highlights them too
    const terms = Object.fromEntries(needles.map(n => [n, true]))
    return { ...d.doc, title: marked(d.title, 0, d.title.length, inTitle), text, score, terms }
  }

  search(query) {
    const { phrase, tokens } = parse(query)
    if (!phrase)
      return { items: [] }
    const weights = tokens.map(t => this.idf(t))
    const groups = new Map()
    for (const d of this.docs) {
      const score = this.score(d, phrase, tokens, weights)
      if (score > 0)
        groups.set(d.page, [...groups.get(d.page) || [], this.item(d, score, phrase, tokens)])
    }
    const items = [...groups.entries()].map(([page, group]) => {
      // Material draws each group under its page's title: the page must be in it, if only as a heading
      group.sort((a, b) => b.score - a.score)
      const article = this.articles.get(page)
      if (article && !group.some(item => item.location === article.doc.location))
        // its link highlights what the best section matched, as that is why the page is listed
        group.push({ ...this.item(article, 0, phrase, tokens), terms: group[0].terms })
      return group
    })
    items.sort((a, b) => b[0].score - a[0].score)
    return { items } // no suggestions: mkdocs.yml leaves search.suggest off
  }
}

let index

addEventListener("message", ({ data: message }) => {
  switch (message.type) {
    case SETUP:
      index = new JapaneseSearch(message.data.docs)
      postMessage({ type: READY })
      break
    case QUERY:
      postMessage({ type: RESULT, data: index.search(message.data) })
      break
    default:
      throw new TypeError(`search_ja: unknown message type ${message.type}`)
  }
})
