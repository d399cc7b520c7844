"""The preview's HTTP server: the built site as files, plus live reload on the same origin.

Every HTML page is sent with a small script added before `</body>`. The script long-polls
`/_kb-serve/changes?generation=N`, which answers as soon as a rebuild has ended (or after
`POLL_SECONDS`, to keep connections fresh) with the preview's state: the site's version,
and the error of the last rebuild if it failed. The page reloads itself when the version is
not the one it was served with, and shows a failed rebuild in a box of its own (the site
served stays the last good one), titled in the site's language. Nothing is requested from
any other host.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from dataclasses import dataclass
from html import escape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from . import messages

ENDPOINT = "/_kb-serve/changes"
POLL_SECONDS = 25.0

# The script's text never changes (its numbers and words are on its element), so the pages'
# Content-Security-Policy can allow it by its hash (see csp.py).
SCRIPT = """(() => {
  const own = document.currentScript.dataset;
  const served = Number(own.version);
  let generation = Number(own.generation);
  function show(error) {
    let box = document.getElementById("kb-serve-error");
    if (!error) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "kb-serve-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;z-index:1000;left:1em;right:1em;bottom:1em;margin:0;" +
        "padding:1em;max-height:40vh;overflow:auto;white-space:pre-wrap;font-size:.75rem;" +
        "background:#fff0f0;color:#8b0000;border:2px solid #c62828;border-radius:4px";
      document.body.appendChild(box);
    }
    box.textContent = own.failed + "\\n\\n" + error;
  }
  async function poll() {
    for (;;) {
      try {
        const reply = await fetch("ENDPOINT?generation=" + generation, {cache: "no-store"});
        const state = await reply.json();
        if (state.version !== served) { location.reload(); return; }
        generation = state.generation;
        show(state.error);
      } catch (e) {
        await new Promise(resolve => setTimeout(resolve, 1000));  // the server restarts
      }
    }
  }
  poll();
})();""".replace("ENDPOINT", ENDPOINT)


@dataclass(frozen=True)
class State:
    version: int  # successful rebuilds so far: pages served with another version reload
    generation: int  # rebuilds ended so far, successful or not
    error: str | None  # why the last rebuild failed, None when it succeeded


class Changes:
    """The preview's state, and a way to wait for it to change."""

    def __init__(self) -> None:
        self._state = State(0, 0, None)
        self._changed = threading.Condition()

    @property
    def state(self) -> State:
        return self._state

    def rebuilt(self, changed: bool, error: str | None = None) -> None:
        """A rebuild ended: pages reload when it `changed` the site."""
        with self._changed:
            old = self._state
            self._state = State(old.version + changed, old.generation + 1, error)
            self._changed.notify_all()

    def wait(self, generation: int, timeout: float) -> State:
        with self._changed:
            self._changed.wait_for(lambda: self._state.generation != generation, timeout)
            return self._state


def inject(page: bytes, state: State, words: messages.Messages | None = None) -> bytes:
    failed = escape((words or messages.current())("serve.rebuild_failed"), quote=True)
    script = (f'<script id="kb-livereload" data-version="{state.version}" '
              f'data-generation="{state.generation}" data-failed="{failed}">{SCRIPT}</script>').encode()
    at = page.rfind(b"</body>")
    return page[:at] + script + page[at:] if at >= 0 else page + script


class _Handler(SimpleHTTPRequestHandler):
    changes: Changes  # set on the subclass made by `make_server`
    words: messages.Messages  # as well: the site's language

    def log_message(self, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def _host_allowed(self) -> bool:
        """DNS rebinding: a page of another site whose name now points at 127.0.0.1 would
        read the preview (the vault's private notes included). Only the names of this
        machine, and the address the server is bound to, are answered."""
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rpartition(":")[0] if host.rpartition(":")[2].isdigit() else host
        bound = str(self.server.server_address[0]).lower()
        return name.strip("[]") in {"localhost", "127.0.0.1", "::1", bound}

    def do_HEAD(self) -> None:
        if not self._host_allowed():
            self.send_error(421, "Misdirected Request")
            return
        super().do_HEAD()

    def do_GET(self) -> None:
        if not self._host_allowed():
            self._reply(421, "text/plain; charset=utf-8",
                        b"kb serve answers only to localhost and 127.0.0.1\n")
            return
        parts = urlsplit(self.path)
        if parts.path == ENDPOINT:
            self._changes(parts.query)
            return
        html = self._html_file(parts.path)
        if html is None:
            super().do_GET()
            return
        self._reply(200, "text/html; charset=utf-8",
                    inject(html.read_bytes(), self.changes.state, self.words))

    def _html_file(self, url_path: str) -> Path | None:
        local = Path(self.translate_path(url_path))
        if local.is_dir():
            if not url_path.endswith("/"):
                return None  # the standard handler redirects to the folder's address
            local = local / "index.html"
        return local if local.suffix == ".html" and local.is_file() else None

    def _changes(self, query: str) -> None:
        try:
            generation = int(parse_qs(query).get("generation", ["-1"])[0])
        except ValueError:
            generation = -1
        state = self.changes.wait(generation, POLL_SECONDS)
        self._reply(200, "application/json", json.dumps(
            {"version": state.version, "generation": state.generation, "error": state.error}).encode())

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A missing page is the site's own 404 page, as on a static host."""
        not_found = Path(self.directory) / "404.html"
        if code != 404 or not not_found.is_file():
            super().send_error(code, message, explain)
            return
        self._reply(404, "text/html; charset=utf-8",
                    inject(not_found.read_bytes(), self.changes.state, self.words))

    def _reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A browser that closes a tab or stops a long poll is normal, not an error to print."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


def make_server(site_dir: Path, changes: Changes, port: int, host: str = "127.0.0.1",
                words: messages.Messages | None = None) -> ThreadingHTTPServer:
    """A server of site_dir on host:port (0: any free port); call serve_forever() on it.
    `words`: the site's language (the server's threads know no build's)."""
    handler = type("Handler", (_Handler,), {"changes": changes, "words": words or messages.current()})

    def make(*args, **kwargs):
        return handler(*args, directory=str(site_dir), **kwargs)

    server = (_Server6 if ":" in host else _Server)((host, port), make)
    server.daemon_threads = True  # waiting long-polls never keep the process alive
    return server

