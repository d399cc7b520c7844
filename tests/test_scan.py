"""Scan: which files of a vault are notes, which are attachments, and which are not content.

The scan reads directory entries only. Names come out NFC (the form links are written in),
while `VaultFile.source` keeps the name as it lies on disk.
"""

from __future__ import annotations

import os
import threading
import unicodedata
from pathlib import Path

import pytest

from compiler.scan import ScanResult, VaultFile, scan_vault
from tests.conftest import write_vault

NFD = "NFD"


def write(vault: Path, rel: str, content: str | bytes = "text") -> Path:
    write_vault(vault, {rel: content})
    return vault / rel


def nfd(name: str) -> str:
    return unicodedata.normalize(NFD, name)


def note_paths(result: ScanResult) -> list[str]:
    return [f.path for f in result.notes]


def attachment_paths(result: ScanResult) -> list[str]:
    return [f.path for f in result.attachments]


def codes(result: ScanResult) -> list[str]:
    return [d.code for d in result.diagnostics]


def scan_within(seconds: float, vault: Path, ignore: tuple[str, ...] = ()) -> ScanResult:
    """Scan in a daemon thread so that a scan that never ends fails the test instead of hanging."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = scan_vault(vault, ignore)
        except BaseException as exc:  # handed back to the test below
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"scan_vault did not finish within {seconds}s"
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]


def symlink_or_skip(link: Path, target: Path | str, target_is_directory: bool = False) -> None:
    try:
        os.symlink(target, link, target_is_directory=target_is_directory)
    except (OSError, NotImplementedError):
        pytest.skip("this file system cannot make symbolic links")


# --- notes and attachments ------------------------------------------------------------


def test_markdown_files_are_notes_and_every_other_file_is_an_attachment(tmp_path):
    write(tmp_path, "Home.md")
    write(tmp_path, "topics/Deep learning.md")
    write(tmp_path, "topics/figure.png", b"\x89PNG")
    write(tmp_path, "paper.pdf", b"%PDF")
    result = scan_vault(tmp_path)
    assert note_paths(result) == ["Home.md", "topics/Deep learning.md"]
    assert attachment_paths(result) == ["paper.pdf", "topics/figure.png"]
    assert result.diagnostics == ()


def test_the_md_suffix_is_recognised_in_any_case(tmp_path):
    write(tmp_path, "Upper.MD")
    assert note_paths(scan_vault(tmp_path)) == ["Upper.MD"]


def test_paths_are_vault_relative_with_forward_slashes_and_source_points_at_the_file(tmp_path):
    written = write(tmp_path, "a/b/c.md", "deep")
    [file] = scan_vault(tmp_path).notes
    assert file == VaultFile("a/b/c.md", file.source)
    assert file.name == "c.md"
    assert file.source.read_text(encoding="utf-8") == "deep"
    assert file.source.resolve() == written.resolve()


def test_an_empty_vault_has_no_files_and_no_diagnostics(tmp_path):
    result = scan_vault(tmp_path)
    assert (result.notes, result.attachments, result.diagnostics) == ((), (), ())


def test_a_missing_vault_folder_is_a_diagnostic_not_an_exception(tmp_path):
    result = scan_vault(tmp_path / "nowhere")
    assert result.notes == ()
    assert codes(result) == ["vault-missing"]


# --- what is skipped -----------------------------------------------------------------


@pytest.mark.parametrize("folder", [".obsidian", ".trash", ".git", ".hidden-folder"])
def test_obsidian_trash_git_and_every_dot_folder_are_skipped(tmp_path, folder):
    write(tmp_path, f"{folder}/inside.md")
    write(tmp_path, f"{folder}/nested/deeper.png", b"x")
    write(tmp_path, "kept.md")
    result = scan_vault(tmp_path)
    assert note_paths(result) == ["kept.md"]
    assert attachment_paths(result) == []


def test_dot_files_are_skipped(tmp_path):
    write(tmp_path, ".DS_Store", b"\0")
    write(tmp_path, "sub/.hidden.md")
    write(tmp_path, "sub/shown.md")
    result = scan_vault(tmp_path)
    assert note_paths(result) == ["sub/shown.md"]
    assert attachment_paths(result) == []


def test_configured_ignore_globs_skip_matching_files_and_folders(tmp_path):
    write(tmp_path, "drafts/idea.md")
    write(tmp_path, "private/diary/2024.md")
    write(tmp_path, "notes/keep.md")
    write(tmp_path, "notes/scratch.tmp", b"x")
    write(tmp_path, "notes/templates/t.md")
    result = scan_vault(tmp_path, ("drafts", "private/*", "*.tmp", "notes/templates/*"))
    assert note_paths(result) == ["notes/keep.md"]
    assert attachment_paths(result) == []


def test_an_ignore_glob_matches_a_bare_file_name_in_any_folder(tmp_path):
    write(tmp_path, "a/TODO.md")
    write(tmp_path, "b/c/TODO.md")
    write(tmp_path, "b/c/done.md")
    assert note_paths(scan_vault(tmp_path, ("TODO.md",))) == ["b/c/done.md"]


def test_without_ignore_globs_ordinary_folders_are_all_scanned(tmp_path):
    write(tmp_path, "drafts/idea.md")
    assert note_paths(scan_vault(tmp_path)) == ["drafts/idea.md"]


# --- Unicode names -------------------------------------------------------------------


def test_an_nfd_file_name_comes_out_nfc_while_its_source_still_opens(tmp_path):
    write(tmp_path, nfd("신경망.md"), "본문")
    write(tmp_path, nfd("폴더") + "/" + nfd("그림.png"), b"png")
    result = scan_vault(tmp_path)
    [note] = result.notes
    [picture] = result.attachments
    assert note.path == "신경망.md"
    assert unicodedata.is_normalized("NFC", note.path)
    assert note.source.read_text(encoding="utf-8") == "본문"
    assert picture.path == "폴더/그림.png"
    assert picture.source.read_bytes() == b"png"


def test_an_nfc_and_an_nfd_file_of_the_same_name_keep_one_and_report_duplicate_file(tmp_path):
    write(tmp_path, "신경망.md", "nfc")
    write(tmp_path, nfd("신경망.md"), "nfd")
    if len(os.listdir(tmp_path)) != 2:
        pytest.skip("this file system normalises names itself")
    result = scan_vault(tmp_path)
    [kept] = result.notes
    assert kept.path == "신경망.md"
    assert kept.source.read_text(encoding="utf-8") in ("nfc", "nfd")
    [duplicate] = result.diagnostics
    assert duplicate.code == "duplicate-file"
    assert duplicate.path == "신경망.md"
    assert duplicate.severity == "warning"


def test_files_whose_names_differ_only_in_case_are_distinct_and_both_kept(tmp_path):
    write(tmp_path, "Note.md", "upper")
    write(tmp_path, "note.md", "lower")
    if len(os.listdir(tmp_path)) != 2:
        pytest.skip("this file system ignores case")
    result = scan_vault(tmp_path)
    assert note_paths(result) == ["Note.md", "note.md"]
    assert [f.source.read_text(encoding="utf-8") for f in result.notes] == ["upper", "lower"]
    assert result.diagnostics == ()


# --- symbolic links -------------------------------------------------------------------


def test_a_symlink_to_a_file_outside_the_vault_is_skipped_with_symlink_outside_vault(tmp_path):
    vault, outside = tmp_path / "vault", tmp_path / "outside"
    write(outside, "secret.md", "secret")
    write(vault, "ordinary.md")
    symlink_or_skip(vault / "leak.md", outside / "secret.md")
    result = scan_vault(vault)
    assert note_paths(result) == ["ordinary.md"]
    [warning] = result.diagnostics
    assert (warning.code, warning.path) == ("symlink-outside-vault", "leak.md")


def test_a_symlink_to_a_folder_outside_the_vault_is_skipped_with_symlink_outside_vault(tmp_path):
    vault, outside = tmp_path / "vault", tmp_path / "outside"
    write(outside, "secret.md")
    vault.mkdir()
    symlink_or_skip(vault / "elsewhere", outside, target_is_directory=True)
    result = scan_vault(vault)
    assert note_paths(result) == []
    assert [(d.code, d.path) for d in result.diagnostics] == [("symlink-outside-vault", "elsewhere")]


def test_a_symlink_to_a_file_inside_the_vault_is_kept_under_the_links_own_name(tmp_path):
    write(tmp_path, "real/target.md", "shared")
    symlink_or_skip(tmp_path / "shortcut.md", Path("real/target.md"))
    result = scan_vault(tmp_path)
    assert note_paths(result) == ["real/target.md", "shortcut.md"]
    assert result.notes[1].source.read_text(encoding="utf-8") == "shared"
    assert result.diagnostics == ()


def test_a_folder_symlink_cycle_inside_the_vault_ends_and_lists_each_note_once(tmp_path):
    write(tmp_path, "a/note.md")
    symlink_or_skip(tmp_path / "a" / "up", Path(".."), target_is_directory=True)
    symlink_or_skip(tmp_path / "a" / "self", Path("."), target_is_directory=True)
    result = scan_within(10, tmp_path)
    assert note_paths(result) == ["a/note.md"]


def test_a_loop_of_symlinks_pointing_at_each_other_neither_hangs_nor_raises(tmp_path):
    write(tmp_path, "ordinary.md")
    symlink_or_skip(tmp_path / "ping.md", Path("pong.md"))
    symlink_or_skip(tmp_path / "pong.md", Path("ping.md"))
    symlink_or_skip(tmp_path / "itself", Path("itself"))
    result = scan_within(10, tmp_path)
    assert note_paths(result) == ["ordinary.md"]


def test_a_broken_symlink_is_not_listed(tmp_path):
    write(tmp_path, "ordinary.md")
    symlink_or_skip(tmp_path / "gone.md", Path("missing.md"))
    assert note_paths(scan_within(10, tmp_path)) == ["ordinary.md"]


# --- order -------------------------------------------------------------------------


def test_notes_and_attachments_are_sorted_by_path(tmp_path):
    for rel in ["z.md", "b/a.md", "a.md", "B.md", "가.md", "a/z.md", "a b.md", "img/2.png", "img/10.png",
                "1.png"]:
        write(tmp_path, rel, b"x")
    result = scan_vault(tmp_path)
    assert note_paths(result) == sorted(note_paths(result))
    assert attachment_paths(result) == sorted(attachment_paths(result))
    assert set(note_paths(result)) == {"z.md", "b/a.md", "a.md", "B.md", "가.md", "a/z.md", "a b.md"}
    assert attachment_paths(result) == ["1.png", "img/10.png", "img/2.png"]


def test_scanning_twice_gives_equal_results(tmp_path):
    for rel in ["c.md", "a/b.md", nfd("한국어.md"), "pic.jpg"]:
        write(tmp_path, rel)
    assert scan_vault(tmp_path) == scan_vault(tmp_path)


def test_a_name_that_is_not_utf8_is_decoded_reported_and_still_opens(tmp_path):
    vault = tmp_path / "vault"
    vault.mkdir()
    folder = os.path.join(os.fsencode(vault), "자료".encode("cp949"))
    os.mkdir(folder)
    (Path(os.fsdecode(folder)) / "노트.md").write_text("본문", encoding="utf-8")
    with open(os.path.join(os.fsencode(vault), b"\xff\xfe bad.md"), "wb") as handle:
        handle.write(b"x")
    result = scan_vault(vault)
    assert [n.path for n in result.notes] == ["자료/노트.md", "\ufffd\ufffd bad.md"]
    assert result.notes[0].source.read_text(encoding="utf-8") == "본문"
    assert sorted((d.path, d.code) for d in result.diagnostics) == [
        ("자료", "file-name-encoding"), ("\ufffd\ufffd bad.md", "file-name-encoding")]


def test_vault_state_sees_a_rewrite_that_keeps_size_and_modification_time(tmp_path):
    from compiler.scan import vault_state

    note = write_vault(tmp_path, {"a.md": "original"}) / "a.md"
    before = vault_state(tmp_path)
    stat = note.stat()
    note.write_text("replaced", encoding="utf-8")  # same size
    os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same modification time
    assert note.stat().st_size == stat.st_size and note.stat().st_mtime_ns == stat.st_mtime_ns
    assert vault_state(tmp_path) != before
