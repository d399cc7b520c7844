"""`kb serve` under attack or bad luck (issue 19): it answers only to this machine's names,
and it recovers from any sequence of bad, deleted and renamed notes."""

from __future__ import annotations

import http.client
import os
import random
import shutil
import threading
from pathlib import Path

import pytest

from compiler.config import load_settings
from compiler.livereload import Changes, make_server
from compiler.serve import Preview
from tests.conftest import PROJECT, write_vault
from tests.test_yaml_budget import LAUGHS

pytestmark = pytest.mark.slow


def _get(port: int, host: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/", headers={"Host": host})
        return connection.getresponse().status
    finally:
        connection.close()


def test_only_this_machines_names_are_answered(tmp_path):
    """DNS rebinding: evil.example resolving to 127.0.0.1 must not read the preview."""
    (tmp_path / "index.html").write_text("<p>private</p>", encoding="utf-8")
    server = make_server(tmp_path, Changes(), 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        assert [_get(port, h) for h in (f"localhost:{port}", f"127.0.0.1:{port}", "[::1]")] == \
            [200, 200, 200]
        assert [_get(port, h) for h in ("evil.example", f"evil.example:{port}",
                                        "127.0.0.1.evil.example", "")] == [421, 421, 421, 421]
    finally:
        server.shutdown()
        server.server_close()


BAD_NOTES = {
    "sitemap.xml.md": "# 사이트맵\n",
    "웃음.md": f"---\n{LAUGHS}---\n# 웃음\n",
    "깊이.md": "---\na: " + "[" * 800 + "]" * 800 + "\n---\n# 깊이\n",
    "바이트.md": b"# \xff\xfe bytes\n",
    "강조.md": "# 강조\n\n" + "**" * 1000 + "글" + "**" * 1000 + "\n",
    "고리.md": "# 고리\n\n![[고리]]\n",
}


def _pages(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
            for p in site.rglob("*.html") if "_kb/report" not in p.as_posix()}


def test_any_sequence_of_bad_deleted_and_renamed_notes_ends_as_a_fresh_build(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    vault = write_vault(root / "vault", {"index.md": "# 홈\n\n[[A]]\n", "A.md": "# A\n\n[[홈]]\n"})
    preview = Preview(load_settings(root), "vault/")
    steps = random.Random(19)
    try:
        assert preview.rebuild().error is None
        for _ in range(14):
            name, content = steps.choice(sorted(BAD_NOTES.items()))
            action = steps.choice(["add", "add", "delete", "rename"])
            present = sorted(p.name for p in vault.glob("*.md") if p.name not in ("index.md", "A.md"))
            if action == "add" or not present:
                write_vault(vault, {name: content})
            elif action == "delete":
                os.remove(vault / steps.choice(present))
            else:
                old = steps.choice(present)
                (vault / old).rename(vault / f"{steps.randrange(100)}-{old}")
            preview.rebuild()  # may fail: the next must still recover
        for extra in [p for p in vault.glob("*.md") if p.name not in ("index.md", "A.md")][::2]:
            extra.unlink()
        last = preview.rebuild()
        assert last.error is None, last.error
        served = _pages(preview.site_dir)
        preview.close()
        shutil.rmtree(preview.site_dir)
        fresh = Preview(load_settings(root), "vault/")
        assert fresh.rebuild().error is None
        assert served == _pages(fresh.site_dir)
        fresh.close()
    finally:
        preview.close()


def test_a_note_whose_rebuild_failed_leaves_no_trace_once_deleted(tmp_path, monkeypatch):
    """MkDocs took the page and then failed (as on a note nested too deep for it): deleting
    the note must remove it from MkDocs too, else every later rebuild fails on it."""
    from compiler.publish import MkDocs

    real_request = MkDocs.request

    def failing_request(self, changed, removed, full, stream=False):
        reply = real_request(self, changed, removed, full, stream)
        return {"ok": False, "error": "boom"} if "나쁨.md" in changed else reply

    monkeypatch.setattr(MkDocs, "request", failing_request)
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    vault = write_vault(root / "vault", {"index.md": "# 홈\n", "A.md": "# A\n"})
    preview = Preview(load_settings(root), "vault/")
    try:
        assert preview.rebuild().error is None
        write_vault(vault, {"나쁨.md": "# 나쁨\n"})
        assert "boom" in preview.rebuild().error
        (vault / "나쁨.md").unlink()
        assert preview.rebuild().error is None
        write_vault(vault, {"B.md": "# B\n\n[[A]]\n"})
        assert preview.rebuild().error is None
        assert (preview.site_dir / "B" / "index.html").is_file()
        assert not (preview.site_dir / "나쁨" / "index.html").exists()
    finally:
        preview.close()
