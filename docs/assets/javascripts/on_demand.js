// What a page loads only when the reader needs it (issue 26, page weight). Runs in <head>, before Material's bundle.
//
// 1. mermaid (2.7 MB): Material draws a diagram with window.mermaid and, when that is undefined, fetches it from
//    unpkg.com. This stand-in is what Material finds: it loads the copy `make setup` ships (data-mermaid) on the first
//    diagram Material draws, on any page and after instant navigation too, and hands Material the real mermaid.
// 2. the search index (search/search_index.json, about 0.5 MB): Material asks for it as every page loads. Its request
//    waits here until the reader turns to search (the search box, its label, Material's keys / s f) or arrives with a
//    query or a highlight in the address (?q=, ?h=).
// 3. a notebook page (mkdocs-jupyter) wraps a diagram in .jp-Mermaid, hidden until nbconvert's own script draws it
//    with mermaid from cdnjs.cloudflare.com. The wrapper is taken off before that script looks (both wait for
//    DOMContentLoaded; this listener was added first), so Material draws the diagram like any other, from 1.
(() => {
  const here = document.currentScript;
  const mermaidUrl = new URL(here.dataset.mermaid, document.baseURI).href;  // absolute: instant navigation moves the base

  let loading = null;
  const standIn = {
    config: {},
    initialize(config) { standIn.config = config; },
    async render(id, text) {
      loading ??= new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = mermaidUrl;
        script.onload = () => { window.mermaid.initialize(standIn.config); resolve(window.mermaid); };
        script.onerror = () => reject(new Error(`mermaid did not load from ${mermaidUrl}`));
        document.head.append(script);
      });
      return (await loading).render(id, text);
    },
  };
  if (window.mermaid === undefined) window.mermaid = standIn;
  document.addEventListener("DOMContentLoaded", () => {
    for (const wrapper of document.querySelectorAll(".jp-Mermaid")) wrapper.replaceWith(...wrapper.childNodes);
  });

  const isIndex = url => new URL(url, document.baseURI).pathname.endsWith("/search/search_index.json");
  const params = new URLSearchParams(location.search);
  let wanted = params.has("q") || params.has("h");
  const waiting = [];
  const want = () => {
    if (wanted) return;
    wanted = true;
    for (const send of waiting.splice(0)) send();
  };
  const open = XMLHttpRequest.prototype.open;
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.livenotesDeferred = isIndex(String(url));
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...body) {
    if (!this.livenotesDeferred || wanted) return send.apply(this, body);
    waiting.push(() => send.apply(this, body));
  };
  const isSearch = target => target instanceof Element && target.closest('[data-md-component="search"], label[for="__search"]');
  document.addEventListener("focusin", event => { if (isSearch(event.target)) want(); });
  document.addEventListener("pointerdown", event => { if (isSearch(event.target)) want(); });
  document.addEventListener("keydown", event => {
    const typing = event.target instanceof Element && event.target.closest("input, textarea, select, [contenteditable]");
    if (!typing && ["/", "s", "f"].includes(event.key)) want();
  });
})();
