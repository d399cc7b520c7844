"""Resolve: give every link a target file (and heading anchor), or a diagnostic.

Obsidian's rules: names match case-insensitively after NFC normalisation; an exact vault
path wins, then a file in the linking note's folder, then the shortest path, and the
choice is reported. An alias alone never resolves a link. Nothing here reads a file.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process

from .diagnostics import Diagnostic, Severity
from .normalize import nfc
from .parse import Link, Note, heading_key
from .scan import VaultFile

SUGGESTION_POOL = 64  # names scored for a did-you-mean hint
# Files Obsidian opens, by extension: a link to a missing one is a missing attachment.
ATTACHMENT_SUFFIXES = frozenset({
    "avif", "bmp", "gif", "jpeg", "jpg", "png", "svg", "webp",  # images
    "flac", "m4a", "mp3", "ogg", "wav", "webm", "3gp",  # audio
    "mkv", "mov", "mp4", "ogv",  # video
    "pdf", "canvas", "base", "excalidraw",
})


class Kind(StrEnum):
    NOTE = "note"
    ATTACHMENT = "attachment"
    EXTERNAL = "external"
    UNRESOLVED = "unresolved"
    MISSING_ATTACHMENT = "missing-attachment"
    REFUSED = "refused"  # leaves the vault


@dataclass(frozen=True, slots=True)
class ResolvedLink:
    source: str  # vault path of the linking note
    link: Link
    kind: Kind
    path: str | None = None  # vault path of the target file
    anchor: str | None = None  # heading anchor in the target note


@dataclass(frozen=True)
class Resolved:
    notes: dict[str, Note]
    attachments: dict[str, VaultFile]
    links: dict[str, tuple[ResolvedLink, ...]]  # per linking note, in source order
    diagnostics: tuple[Diagnostic, ...]


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _depth_then_path(path: str) -> tuple[int, int, str]:
    return (path.count("/"), len(path), path)


@dataclass(frozen=True)
class _Match:
    path: str
    candidates: tuple[str, ...] = ()  # more than one: the name was ambiguous
    reason: str = ""


class _Table:
    """Files of one kind, looked up by path or name, case-insensitively (exact case first)."""

    def __init__(self, paths: Iterable[str], key_of):
        self.by_path: dict[str, list[str]] = defaultdict(list)
        self.by_name: dict[str, list[str]] = defaultdict(list)
        for path in paths:
            key = key_of(path).casefold()
            self.by_path[key].append(path)
            self.by_name[key.rsplit("/", 1)[-1]].append(path)
        self.key_of = key_of

    def _spelled(self, paths: list[str], target: str) -> str:
        """Among files differing only in case, the one spelled as the link is, else the first."""
        return next((p for p in paths if self.key_of(p) == target), paths[0])

    def find(self, target: str, folder: str) -> _Match | None:
        key = target.casefold()
        name = key.rsplit("/", 1)[-1]
        if key in self.by_path:
            exact = self._spelled(self.by_path[key], target)
            namesakes = self.by_name.get(name, [])
            if "/" not in key and len(namesakes) > 1:  # `[[Note]]` with Note.md at the root
                return _Match(exact, tuple(sorted(namesakes)), "its path is exactly the link's text")
            return _Match(exact)
        candidates = sorted(
            p for p in self.by_name.get(name, ())
            if self.key_of(p).casefold().endswith("/" + key) or self.key_of(p).casefold() == key)
        if not candidates:
            return None
        if len(candidates) == 1:
            return _Match(candidates[0])
        here = [p for p in candidates if _folder(p).casefold() == folder.casefold()]
        if len(here) == 1:
            return _Match(here[0], tuple(candidates), "it is in the linking note's folder")
        return _Match(min(candidates, key=_depth_then_path), tuple(candidates),
                      "it has the shortest path")


class VaultIndex:
    """One vault-wide index; every link of every note is resolved against it."""

    def __init__(self, notes: dict[str, Note], attachments: Iterable[str]):
        self.notes = notes
        self.note_table = _Table(notes, lambda p: p[:-3])
        self.attachment_table = _Table(attachments, lambda p: p)
        self.aliases: dict[str, list[str]] = defaultdict(list)
        for path, note in notes.items():
            for alias in note.aliases:
                self.aliases[nfc(alias).casefold().strip()].append(path)
        self._names = sorted({p[:-3].rsplit("/", 1)[-1] for p in notes})
        self._by_bigram: dict[str, list[int]] = defaultdict(list)
        for number, name in enumerate(self._names):
            for gram in _bigrams(name):
                self._by_bigram[gram].append(number)
        self._suggestions: dict[str, str | None] = {}

    def find(self, target: str, source: str) -> tuple[Kind, _Match | None]:
        folder = _folder(source)
        key = nfc(target).strip().strip("/")
        if key.startswith("./") or "/../" in f"/{key}/":
            joined = posixpath.normpath(posixpath.join(folder, key))
            if joined == ".." or joined.startswith("../"):
                return Kind.REFUSED, None
            key = joined
        if key.casefold().endswith(".md"):
            found = self.note_table.find(key[:-3], folder)
            return (Kind.NOTE, found) if found else (Kind.UNRESOLVED, None)
        found = self.note_table.find(key, folder)
        if found:
            return Kind.NOTE, found
        found = self.attachment_table.find(key, folder)
        if found:
            return Kind.ATTACHMENT, found
        is_file = key.rpartition(".")[2].casefold() in ATTACHMENT_SUFFIXES
        return (Kind.MISSING_ATTACHMENT if is_file else Kind.UNRESOLVED), None

    def suggest(self, target: str) -> str | None:
        """The closest note name, for a did-you-mean hint. Only names sharing the most
        two-letter pieces with the target are scored, so a hint costs no scan of the vault."""
        name = nfc(target).strip().rsplit("/", 1)[-1].removesuffix(".md")
        if name not in self._suggestions:
            shared: dict[int, int] = defaultdict(int)
            for gram in _bigrams(name):
                for number in self._by_bigram.get(gram, ()):
                    shared[number] += 1
            nearest = sorted(shared, key=lambda n: -shared[n])[:SUGGESTION_POOL]
            best = process.extractOne(name, [self._names[n] for n in nearest], scorer=fuzz.ratio,
                                      score_cutoff=60, processor=str.casefold)
            useful = best and best[0].casefold() != name.casefold()
            self._suggestions[name] = best[0] if useful else None
        return self._suggestions[name]

    def link_text(self, path: str) -> str:
        """The shortest text that links to `path` unambiguously."""
        name = path[:-3].rsplit("/", 1)[-1]
        return name if len(self.note_table.by_name.get(name.casefold(), ())) == 1 else path[:-3]


def _bigrams(name: str) -> set[str]:
    folded = " ".join(name.casefold().split())
    return {folded[i:i + 2] for i in range(len(folded) - 1)} or {folded}


def find_heading(note: Note, fragment: str) -> str | None:
    """Anchor of `[[Note#A#B]]`: heading B, under a heading A (nested links name ancestors)."""
    parts = [heading_key(p) for p in fragment.split("#") if p.strip()]
    if not parts:
        return None
    ancestors: list[tuple[int, str]] = []
    for heading in note.headings:
        while ancestors and ancestors[-1][0] >= heading.level:
            ancestors.pop()
        keys = {heading_key(heading.text), heading_key(heading.source)}
        if parts[-1] in keys and _is_subsequence(parts[:-1], [k for _, k in ancestors]):
            return heading.anchor
        ancestors.append((heading.level, heading_key(heading.text)))
    return None


def _is_subsequence(wanted: list[str], chain: list[str]) -> bool:
    remaining = iter(chain)
    return all(any(w == c for c in remaining) for w in wanted)


def has_block(note: Note, block_id: str) -> bool:
    return re.search(rf"(?:^|\s)\^{re.escape(block_id)}[ \t]*$", note.source, re.M) is not None


def _diagnostic(source: str, link: Link, severity: Severity, code: str, message: str,
                hint: str = "") -> Diagnostic:
    return Diagnostic(source, link.line, link.col, severity, code, message, hint)


def resolve_link(index: VaultIndex, source: str, link: Link
                 ) -> tuple[ResolvedLink, list[Diagnostic]]:
    if link.external:
        return ResolvedLink(source, link, Kind.EXTERNAL), []
    problems: list[Diagnostic] = []
    if not link.target.strip():
        kind, match = Kind.NOTE, _Match(source)
    else:
        kind, match = index.find(link.target, source)
    if kind is Kind.REFUSED:
        problems.append(_diagnostic(source, link, Severity.ERROR, "link-outside-vault",
                                    f"{link.raw} points outside the vault; refused",
                                    "links can only reach files inside the vault"))
        return ResolvedLink(source, link, kind), problems
    if match is None:
        hint = ""
        aliased = index.aliases.get(nfc(link.target).strip().casefold())
        if kind is Kind.UNRESOLVED and aliased:
            text = index.link_text(aliased[0])
            problems.append(_diagnostic(
                source, link, Severity.WARNING, "alias-link",
                f"{link.raw} matches only an alias of {aliased[0]!r}; Obsidian leaves it unresolved",
                f"write [[{text}|{link.target.strip()}]]"))
            return ResolvedLink(source, link, kind), problems
        if kind is Kind.UNRESOLVED and (suggestion := index.suggest(link.target)):
            hint = f"did you mean [[{suggestion}]]?"
        code, what = ("missing-attachment", "attachment") if kind is Kind.MISSING_ATTACHMENT \
            else ("unresolved-link", "note")
        problems.append(_diagnostic(source, link, Severity.WARNING, code,
                                    f"{link.raw}: no {what} of that name in the vault", hint))
        return ResolvedLink(source, link, kind), problems
    if len(match.candidates) > 1:
        others = ", ".join(match.candidates)
        problems.append(_diagnostic(
            source, link, Severity.WARNING, "ambiguous-link",
            f"{link.raw} matches {len(match.candidates)} files; chose {match.path!r} "
            f"because {match.reason}",
            f"candidates: {others}; write the folder to choose, e.g. [[{match.path[:-3]}]]"
            if kind is Kind.NOTE else f"candidates: {others}"))
    anchor = None
    if kind is Kind.NOTE and link.fragment.strip():
        anchor, problem = _resolve_fragment(index.notes[match.path], source, link)
        problems += problem
    return ResolvedLink(source, link, kind, match.path, anchor), problems


def _resolve_fragment(target: Note, source: str, link: Link
                      ) -> tuple[str | None, list[Diagnostic]]:
    fragment = link.fragment.strip()
    if fragment.startswith("^"):
        if has_block(target, fragment[1:]):
            return None, []
        return None, [_diagnostic(source, link, Severity.WARNING, "missing-block",
                                  f"{link.raw}: {target.path!r} has no block ^{fragment[1:]}",
                                  "a block id is written ' ^id' at the end of a paragraph")]
    anchor = find_heading(target, fragment)
    if anchor is not None:
        return anchor, []
    existing = ", ".join(f"#{h.text}" for h in target.headings[:12]) or "it has no headings"
    return None, [_diagnostic(source, link, Severity.WARNING, "missing-heading",
                              f"{link.raw}: {target.path!r} has no heading {fragment!r}",
                              f"headings: {existing}")]


def resolve_vault(notes: dict[str, Note], attachments: dict[str, VaultFile]) -> Resolved:
    index = VaultIndex(notes, attachments)
    resolved: dict[str, tuple[ResolvedLink, ...]] = {}
    diagnostics: list[Diagnostic] = []
    for path, note in notes.items():
        results = []
        for link in note.links:
            result, problems = resolve_link(index, path, link)
            results.append(result)
            diagnostics += problems
        resolved[path] = tuple(results)
    return Resolved(notes, attachments, resolved, tuple(diagnostics))
