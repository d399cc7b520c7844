// Link previews: pointing at a link to another note (or focusing it with the keyboard) shows
// that note's title and first section, or the section of the heading it links to, as
// Obsidian Publish does. Escape hides it. Touch does nothing special: a tap follows the link.
// Pages are fetched from the site itself, once each; nothing is asked of another host.
//
// Material's own previews (navigation.instant.preview) need absolute addresses in
// sitemap.xml, that is `site_url`, and match them host and port exactly: they stay silent
// on a site without one and when browsing a local copy.
(() => {
  "use strict";

  const SHOW_DELAY = 350; // ms of pointing before a preview shows, so that passing by does not
  const HIDE_DELAY = 250; // ms to move the pointer from the link onto the preview
  const MAX_BLOCKS = 8; // blocks of the section shown; the rest is one click away
  const pages = new Map(); // page address -> Promise<Document | null>
  let popup = null;
  let anchor = null; // the link the preview is for
  let showTimer = 0;
  let hideTimer = 0;

  function targetOf(link) {
    if (!link || !link.closest("article.md-content__inner")) return null;
    if (link.closest(".kb-preview, .headerlink, .footnote-ref, .footnote-backref")) return null;
    const href = link.getAttribute("href");
    if (!href || href.startsWith("#")) return null;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin) return null;
    if (!(url.pathname.endsWith("/") || url.pathname.endsWith(".html"))) return null;
    const here = new URL(location.href);
    if (url.pathname === here.pathname) return null; // the same page: its text is right here
    return url;
  }

  function fetchPage(url) {
    const key = url.origin + url.pathname;
    if (!pages.has(key)) {
      pages.set(key, fetch(key, { credentials: "same-origin" })
        .then((response) => (response.ok ? response.text() : null))
        .then((text) => (text ? new DOMParser().parseFromString(text, "text/html") : null))
        .catch(() => null));
    }
    return pages.get(key);
  }

  function headingLevel(element) {
    const match = /^H([1-6])$/.exec(element.tagName);
    return match ? Number(match[1]) : 0;
  }

  // The heading and what follows it up to the next heading of its level or above.
  function section(doc, url) {
    const article = doc.querySelector("article.md-content__inner");
    if (!article) return null;
    const id = url.hash ? decodeURIComponent(url.hash.slice(1)) : null;
    const start = id ? doc.getElementById(id) : article.querySelector("h1");
    if (!start || !article.contains(start)) return null;
    const level = headingLevel(start) || 7;
    const parts = [start];
    let element = start;
    // An anchor that is not a heading (a block id) previews its own block.
    if (!headingLevel(start)) return parts;
    for (element = start.nextElementSibling; element; element = element.nextElementSibling) {
      const next = headingLevel(element);
      if (next && (!id || next <= level)) break; // the title's preview stops at any heading
      if (element.matches("[data-search-exclude], .kb-backlinks, .kb-read-before")) continue;
      parts.push(element);
      if (parts.length > MAX_BLOCKS) break;
    }
    return parts;
  }

  function build(parts, url) {
    const box = document.createElement("div");
    box.className = "kb-preview__content md-typeset";
    for (const part of parts) {
      const copy = part.cloneNode(true);
      for (const link of copy.querySelectorAll(".headerlink")) link.remove();
      // Addresses in the fetched page are relative to it, not to this one.
      for (const element of [copy, ...copy.querySelectorAll("[href], [src]")]) {
        for (const name of ["href", "src"]) {
          const value = element.getAttribute && element.getAttribute(name);
          if (value) element.setAttribute(name, new URL(value, url).href);
        }
      }
      for (const element of [copy, ...copy.querySelectorAll("[id]")]) element.removeAttribute("id");
      box.append(copy);
    }
    const first = box.firstElementChild;
    if (first && headingLevel(first)) { // one size of title whatever the heading's level
      const title = document.createElement("p");
      title.className = "kb-preview__title";
      title.append(...first.childNodes);
      first.replaceWith(title);
    }
    return box;
  }

  function place(link) {
    const rect = link.getBoundingClientRect();
    const width = Math.min(480, document.documentElement.clientWidth - 16);
    popup.style.width = `${width}px`;
    const left = Math.max(8, Math.min(rect.left + window.scrollX,
      window.scrollX + document.documentElement.clientWidth - width - 8));
    popup.style.left = `${left}px`;
    const below = window.innerHeight - rect.bottom;
    const height = popup.offsetHeight;
    const top = below >= height + 12 || rect.top < height + 12
      ? rect.bottom + window.scrollY + 6
      : rect.top + window.scrollY - height - 6;
    popup.style.top = `${top}px`;
  }

  function hide() {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    if (anchor) anchor.removeAttribute("aria-describedby");
    if (popup) popup.remove();
    popup = null;
    anchor = null;
  }

  async function show(link) {
    const url = targetOf(link);
    if (!url) return;
    const doc = await fetchPage(url);
    // The reader may have moved on while the page was fetched.
    if (!doc || anchor !== link) return;
    const parts = section(doc, url);
    if (!parts) return;
    if (popup) popup.remove();
    popup = document.createElement("div");
    popup.className = "kb-preview";
    popup.id = "kb-preview";
    popup.setAttribute("role", "tooltip");
    popup.append(build(parts, url));
    popup.addEventListener("pointerenter", () => clearTimeout(hideTimer));
    popup.addEventListener("pointerleave", () => scheduleHide());
    document.body.append(popup);
    place(link);
    popup.classList.toggle("kb-preview--clipped", popup.scrollHeight > popup.clientHeight);
    link.setAttribute("aria-describedby", popup.id);
  }

  function scheduleShow(link, delay) {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    if (anchor !== link) hide();
    anchor = link;
    showTimer = setTimeout(() => show(link), delay);
  }

  function scheduleHide() {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, HIDE_DELAY);
  }

  // Delegated to the document, so that it also works after Material's instant navigation.
  document.addEventListener("pointerover", (event) => {
    if (event.pointerType !== "mouse") return; // touch and pen: a tap just follows the link
    const link = event.target.closest && event.target.closest("a[href]");
    if (link && targetOf(link)) {
      if (link === anchor) clearTimeout(hideTimer);
      else scheduleShow(link, SHOW_DELAY);
    }
  });
  document.addEventListener("pointerout", (event) => {
    if (event.pointerType !== "mouse" || !anchor) return;
    const link = event.target.closest && event.target.closest("a[href]");
    if (link === anchor && !anchor.contains(event.relatedTarget)) scheduleHide();
  });
  document.addEventListener("focusin", (event) => {
    const link = event.target.closest && event.target.closest("a[href]");
    // Keyboard focus only: a tap or a click also focuses the link.
    if (link && targetOf(link) && link.matches(":focus-visible")) scheduleShow(link, 0);
  });
  document.addEventListener("focusout", (event) => {
    if (anchor && event.target === anchor) scheduleHide();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && popup) hide();
  });
  document.addEventListener("click", () => hide());
})();
