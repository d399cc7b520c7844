"""Content-addressed cache of parsed notes: an unchanged note is never parsed twice.

Layout: `<cache_dir>/parse-<fingerprint>/<h>.pickle`, sixteen shards named by the first hex
digit `h` of an entry's key, each one pickle of a dict {key: Note}. The key is the SHA-256 of
the note's path, a NUL and its bytes, so changed bytes or another path can never hit. The
fingerprint changes whenever parsing could give another Note for the same bytes (see
`fingerprint`), so a cache written by other code is never read: it sits in another folder,
which `save` deletes.

Shards are read lazily, the first time a key falls in them, and written back by `save` only
if this run added an entry to them; a shard that is written back keeps only the entries this
run used, so entries of deleted or edited notes do not pile up. Each write goes to a temporary
file renamed over the shard, so a crash never leaves half a shard. Two builds sharing a cache
folder at once may lose each other's new entries (last rename wins); that only costs a parse.

Damage is never trusted: a shard that cannot be unpickled or is not a dict counts as empty,
and an entry that is not a `Note` for the requested path counts as a miss; either is parsed
again and the shard rewritten on `save`.

Trust: unpickling runs code chosen by whoever wrote the file. Shards are only ever read from
the project's own cache folder (`cache_dir`, `.kb-cache` by default), which this tool writes
and which is trusted like the project's code; never point `cache_dir` at files from elsewhere.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import importlib.resources
import os
import pickle
import platform
import shutil
import tempfile
from pathlib import Path

from . import parse as _parse
from .parse import Note, parse_note, parse_tokens

FORMAT = "shards-1"  # the layout of this cache; change it when the layout changes
# The modules whose code decides what parse_note returns: parse.py and every module of this
# package it imports (diagnostics.py defines the Diagnostic objects a Note holds, so a change
# there breaks unpickling just like a change to Note). tests/test_cache.py checks the list.
# The parser is made of the rules of every form (compiler/forms), so their modules count too.
SOURCES = ("parse.py", "syntax.py", "diagnostics.py", "normalize.py", "sanitize.py", "yaml_budget.py",
           "nesting.py", *sorted(f"forms/{p.name}" for p in (Path(__file__).parent / "forms").glob("*.py")))
DISTRIBUTIONS = ("markdown-it-py", "mdit-py-plugins", "latex2mathml", "PyYAML")
_PREFIX = "parse-"


def _source_digest(name: str) -> str:
    try:
        return hashlib.sha256((importlib.resources.files(__package__) / name).read_bytes()).hexdigest()
    except OSError:  # no source to hash: make the fingerprint unique, so nothing is reused
        return "unreadable-" + os.urandom(16).hex()


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def fingerprint() -> str:
    """Hex digest of everything that could change the Note parsed from given bytes: the
    cache format, PARSER_VERSION, the source of the parsing modules, the versions of the
    libraries they use, and the Python implementation and version."""
    parts = [
        f"format={FORMAT}",
        f"parser={_parse.PARSER_VERSION}",
        *(f"{name}={_source_digest(name)}" for name in SOURCES),
        *(f"{dist}={_version(dist)}" for dist in DISTRIBUTIONS),
        f"python={platform.python_implementation()}-{platform.python_version()}",
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def with_tokens(note: Note) -> Note:
    """A note read from the cache with the tokens of its text again: what render walks.
    Tokenising is the bulk of a parse, but done once here, no stage after does it again."""
    return dataclasses.replace(note, tokens=tuple(parse_tokens(note.source)))


class ParseCache:
    def __init__(self, directory: Path | None, tokens: bool = False):
        """A cache in `directory` (the project's cache folder), or none at all if None:
        then every parse is a miss and nothing is ever read or written. `tokens`: a note
        read from disk gets its tokens again (for render; `kb check` needs none)."""
        self.root = directory
        self.tokens = tokens
        self.directory = directory / f"{_PREFIX}{fingerprint()[:20]}" if directory else None
        self.hits = self.misses = 0
        self._shards: dict[str, dict[str, Note]] = {}  # as read from disk, plus new entries
        self._used: dict[str, dict[str, Note]] = {}  # entries this run parsed or hit
        self._changed: set[str] = set()  # shards that gained an entry since the last save

    def _shard(self, digit: str) -> dict[str, Note]:
        shard = self._shards.get(digit)
        if shard is None:
            shard = self._shards[digit] = self._load(digit)
        return shard

    def _load(self, digit: str) -> dict[str, Note]:
        try:
            loaded = pickle.loads((self.directory / f"{digit}.pickle").read_bytes())
        except Exception:  # absent, unreadable or damaged in any way: as if it were empty
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def parse(self, path: str, data: bytes) -> Note:
        if self.directory is None:
            self.misses += 1
            return parse_note(path, data)
        digest = hashlib.sha256(path.encode() + b"\0" + data).hexdigest()
        digit = digest[0]
        shard = self._shard(digit)
        note = shard.get(digest)
        if isinstance(note, Note) and note.path == path:
            self.hits += 1
            if self.tokens and not note.tokens and note.source:  # from disk: no tokens kept
                note = shard[digest] = with_tokens(note)
        else:
            self.misses += 1
            note = shard[digest] = parse_note(path, data)
            self._changed.add(digit)
        self._used.setdefault(digit, {})[digest] = note
        return note

    def save(self) -> None:
        """Write back the shards this run added entries to, each holding just the entries
        this run used; leave the others as they are. Delete cache folders of other
        fingerprints. Without a directory, do nothing."""
        if self.directory is None:
            return
        if self._changed:
            self.directory.mkdir(parents=True, exist_ok=True)
        for digit in sorted(self._changed):
            self._write(self.directory / f"{digit}.pickle", self._used[digit])
            self._shards[digit] = dict(self._used[digit])
        self._changed.clear()
        # A cache kept across runs (kb serve) starts the next run afresh: otherwise every
        # version of every edited note, tokens included, would stay in memory for good.
        self._used = {}
        self._remove_other_fingerprints()

    def held(self) -> int:
        """How many parsed notes this cache holds in memory."""
        return len({key for entries in (*self._shards.values(), *self._used.values())
                    for key in entries})

    def _write(self, target: Path, entries: dict[str, Note]) -> None:
        # Written aside and renamed, so a crash never leaves a half-written shard behind.
        # Without the tokens: unpickling them takes longer than parsing the note again.
        kept = {key: dataclasses.replace(note, tokens=()) for key, note in entries.items()}
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(kept, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def _remove_other_fingerprints(self) -> None:
        try:
            siblings = list(self.root.iterdir())
        except OSError:
            return
        for sibling in siblings:
            if (sibling.name.startswith(_PREFIX) and sibling != self.directory
                    and sibling.is_dir() and not sibling.is_symlink()):
                shutil.rmtree(sibling, ignore_errors=True)
