"""Scan: list the vault's notes and attachments, with NFC names, skipping what is not content.

Reads directory entries only, never file contents. Symlinks are followed only while they
stay inside the vault.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, Severity
from .normalize import nfc

NOTE_SUFFIX = ".md"
CANVAS_SUFFIX = ".canvas"  # JSON Canvas boards: pages of their own (compiler/canvas.py)


@dataclass(frozen=True, slots=True)
class VaultFile:
    path: str  # vault-relative, '/'-separated, NFC: the name links resolve against
    source: Path  # where it lies on disk (its name may be NFD)

    @property
    def is_note(self) -> bool:
        return self.path.lower().endswith(NOTE_SUFFIX)

    @property
    def is_canvas(self) -> bool:
        return self.path.lower().endswith(CANVAS_SUFFIX)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class ScanResult:
    vault: Path
    notes: tuple[VaultFile, ...]
    attachments: tuple[VaultFile, ...]
    diagnostics: tuple[Diagnostic, ...]
    canvases: tuple[VaultFile, ...] = ()


def _ignored(rel_path: str, name: str, patterns: tuple[str, ...]) -> bool:
    if name.startswith("."):  # .obsidian/, .trash/, .git/: Obsidian hides dot-folders too
        return True
    return any(fnmatch.fnmatchcase(rel_path, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


# Names that are not UTF-8 (a zip made on Korean Windows holds CP949 names) are read in
# this encoding when they can be, else with the undecodable bytes replaced.
LEGACY_ENCODING = "cp949"


def readable_name(name: str) -> tuple[str, str | None]:
    """A name as the OS gives it (bytes that are not UTF-8 kept as surrogate escapes), as
    text: (name, None) when it is UTF-8, else (decoded name, how it was decoded)."""
    try:
        name.encode("utf-8")
        return name, None
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogateescape")
    try:
        return raw.decode(LEGACY_ENCODING), f"read as {LEGACY_ENCODING.upper()}"
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), "with the bytes that are not UTF-8 replaced by �"


def scan_vault(vault: Path, ignore: tuple[str, ...] = ()) -> ScanResult:
    """Walk the vault; results are sorted by NFC path so every later stage is deterministic."""
    vault = vault.resolve()
    if not vault.is_dir():
        missing = Diagnostic(str(vault), 0, 0, Severity.ERROR, "vault-missing",
                             "the vault folder does not exist")
        return ScanResult(vault, (), (), (missing,))
    files: dict[str, VaultFile] = {}
    diagnostics: list[Diagnostic] = []
    visited_dirs = {vault}
    pending: list[tuple[Path, str]] = [(vault, "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            diagnostics.append(Diagnostic(prefix or ".", 0, 0, Severity.ERROR, "unreadable-folder",
                                          f"cannot list folder: {exc.strerror}"))
            continue
        for entry in entries:
            name, decoded = readable_name(entry.name)
            name = nfc(name)
            rel = f"{prefix}{name}"
            if _ignored(rel, name, ignore):
                continue
            if decoded:
                diagnostics.append(Diagnostic(
                    rel, 0, 0, Severity.WARNING, "file-name-encoding",
                    f"this name is not UTF-8; it is {decoded}",
                    "rename the file (zip tools on Windows write names in the system's code page)"))
            real = Path(os.path.realpath(entry.path))  # a symlink loop resolves, never raises
            if entry.is_symlink() and not real.is_relative_to(vault):
                diagnostics.append(Diagnostic(rel, 0, 0, Severity.WARNING, "symlink-outside-vault",
                                              "symbolic link leads outside the vault; skipped"))
                continue
            try:
                is_dir, is_file = entry.is_dir(), entry.is_file()
            except OSError:  # a symlink loop, or an entry that vanished
                diagnostics.append(Diagnostic(rel, 0, 0, Severity.WARNING, "unreadable-entry",
                                              "cannot follow this entry (a symbolic link loop?)"))
                continue
            if is_dir:
                if real not in visited_dirs:
                    visited_dirs.add(real)
                    pending.append((Path(entry.path), rel + "/"))
            elif is_file:
                if rel in files:  # an NFC and an NFD spelling of one name, side by side
                    kept = files[rel].source.name
                    diagnostics.append(Diagnostic(
                        rel, 0, 0, Severity.WARNING, "duplicate-file",
                        f"two files have this name once Unicode-normalised; kept {kept!r}",
                        "rename one of them"))
                    continue
                files[rel] = VaultFile(rel, Path(entry.path))
    ordered = sorted(files.values(), key=lambda f: f.path)
    return ScanResult(
        vault=vault,
        notes=tuple(f for f in ordered if f.is_note),
        attachments=tuple(f for f in ordered if not f.is_note and not f.is_canvas),
        diagnostics=tuple(diagnostics),
        canvases=tuple(f for f in ordered if f.is_canvas),
    )


def vault_state(vault: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under the vault (dot-folders included) with its size, its change time and
    the SHA-256 of its bytes: compared before and after the blocks run, it shows a block that
    wrote there, also one that put back the size and modification time it found."""
    state = {}
    for root, _, names in os.walk(vault):
        for name in names:
            path = Path(root) / name
            try:
                info = path.lstat()
                if stat.S_ISREG(info.st_mode):
                    with open(path, "rb") as handle:
                        digest = hashlib.file_digest(handle, "sha256").hexdigest()
                else:
                    digest = os.readlink(path) if stat.S_ISLNK(info.st_mode) else ""
            except OSError:
                continue
            state[path.relative_to(vault).as_posix()] = (info.st_size, info.st_ctime_ns, digest)
    return state
