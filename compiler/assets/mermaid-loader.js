// Mermaid, fetched only by pages that draw a diagram.
//
// Material draws every ```mermaid block (`<pre class="mermaid">`) with `window.mermaid` when the
// page defines it, and fetches Mermaid from unpkg.com otherwise. This stand-in defines it on
// every page for a few hundred bytes; the site's own copy of Mermaid (3 MB) is fetched the first
// time Material asks it to draw, which happens only on a page that has a diagram, whether it
// was opened directly or reached by instant navigation (Material keeps `window.mermaid` across
// pages, so the stand-in is the one it calls). Mermaid replaces the stand-in once loaded; the
// calls made before that are replayed on it in order (Material's `initialize`, then `render`).
//
// A Mermaid that mkdocs.yml's extra_javascript loads itself is left alone.
(() => {
  "use strict";

  if (typeof window.mermaid !== "undefined") return;

  const source = new URL("vendor/mermaid/mermaid.min.js", document.currentScript.src).href;
  let loaded = null; // Promise of the real Mermaid

  function load() {
    loaded ??= new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = source;
      script.onload = () => resolve(window.mermaid);
      script.onerror = () => reject(new Error(`Mermaid could not be loaded from ${source}`));
      document.head.appendChild(script);
    });
    return loaded;
  }

  // Mermaid's public API (mermaid.js.org/config/usage); each call waits for the real one.
  const standIn = {};
  for (const name of ["initialize", "render", "run", "parse", "registerIconPacks",
    "registerLayoutLoaders", "registerExternalDiagrams"]) {
    standIn[name] = (...args) => load().then((mermaid) => mermaid[name](...args));
  }
  window.mermaid = standIn;
})();
