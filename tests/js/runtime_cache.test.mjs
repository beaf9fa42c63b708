// node --test tests/js/: runtime.js keeps downloads in Cache Storage (a model is fetched once for the whole site).
import assert from "node:assert/strict"
import { beforeEach, test } from "node:test"

import { download, keepFilesIn } from "../../docs/assets/javascripts/runtime.js"

/** Cache Storage as the browser has it, in memory; and a network that counts what it is asked for. */
class FakeCaches {
  constructor() { this.stores = new Map() }
  async keys() { return [...this.stores.keys()] }
  async delete(name) { return this.stores.delete(name) }
  async open(name) {
    if (!this.stores.has(name)) this.stores.set(name, new Map())
    const store = this.stores.get(name)
    return {
      match: async url => store.get(url)?.clone(),
      put: async (url, response) => { store.set(url, new Response(await response.arrayBuffer())) },
    }
  }
}
let asked
beforeEach(() => {
  asked = []
  globalThis.caches = new FakeCaches()
  globalThis.fetch = async url => {
    asked.push(url)
    return url.endsWith("missing") ? new Response("no", { status: 404 }) : new Response(new Uint8Array([1, 2, 3]))
  }
})
const settle = () => new Promise(resolve => setTimeout(resolve, 10)) // the copy is kept beside the read

test("a file is downloaded once: the next page's request is answered from the cache, bytes counted both times", async () => {
  await keepFilesIn("build1")
  let counted = 0
  assert.deepEqual([...await download("http://site/models/m-abc/model.onnx", n => { counted += n })], [1, 2, 3])
  await settle()
  assert.deepEqual([...await download("http://site/models/m-abc/model.onnx", n => { counted += n })], [1, 2, 3])
  assert.deepEqual(asked, ["http://site/models/m-abc/model.onnx"])
  assert.equal(counted, 6)
})

test("another build's cache is removed, and its files are not served", async () => {
  await keepFilesIn("old")
  await download("http://site/models/m-abc/model.onnx", () => {})
  await settle()
  await keepFilesIn("new")
  assert.deepEqual(await caches.keys(), [])
  await download("http://site/models/m-abc/model.onnx", () => {})
  assert.equal(asked.length, 2)
})

test("a failed download is not kept, and says which file", async () => {
  await keepFilesIn("build2")
  await assert.rejects(download("http://site/models/m-abc/missing", () => {}), /m-abc\/missing.*HTTP 404/)
  await settle()
  await assert.rejects(download("http://site/models/m-abc/missing", () => {}), /HTTP 404/)
  assert.equal(asked.length, 2)
})

test("without Cache Storage (or with it refused) every file is simply downloaded", async () => {
  await keepFilesIn("build3")
  globalThis.caches = { open: async () => { throw new Error("SecurityError") }, keys: async () => [] }
  await download("http://site/a", () => {})
  await download("http://site/a", () => {})
  assert.equal(asked.length, 2)
})
