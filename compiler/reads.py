"""What a query read of the facts table: recorded while it runs, checked against a later table.

A base or a Dataview query is a deterministic function of its text, the note that shows it,
and the facts it reads. Running it over `TrackedFacts` records each read as a small key:

- `("notes",)`: the list of notes, when the query went through every note (a filter, a
  `FROM #tag` or `FROM "folder"`, a query with no `FROM`): a note added or removed anywhere
  changes it, since the new note may match;
- `("note", path)`: whether a note exists (a link followed, `this`);
- `("fact", path, name)`: one fact of one note (`tags`, `links`, `inlinks`, `properties`,
  `size`, `mtime`, ...); the path-derived ones (name, folder, extension) need no key;
- `("value", path, key)`, `("has", path, key)`: one property or inline field of a note, so a
  query reading `status` does not depend on the note's other properties;
- `("find", text)`: the note a link's text resolves to (it changes when a note of that name
  appears or goes);
- `("clock", "today")`, `("clock", "now")`: the build's date, or its instant (then the query is
  evaluated again on every build, as its result may differ).

Each note's reads are those its evaluation actually made (a filter `a && b` reads `b` only
for the notes where `a` holds), which is enough: if every value a run read is unchanged, the
run takes the same path and gives the same result. A query's `Dependencies` is the sorted
list of its reads and a digest of their values; it still holds for a new facts table when the
same reads give the same digest there (`FactValues`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .facts import Facts, NoteFacts

Read = tuple[str, ...]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ABSENT = "<absent>"  # the value of a read about a note that does not exist


class Reads:
    """The reads of one evaluation, each once, in the order made."""

    def __init__(self) -> None:
        self.keys: dict[Read, None] = {}

    def add(self, key: Read) -> None:
        self.keys[key] = None


class TrackedNote:
    """A note's facts, recording each fact read (a stand-in for `NoteFacts`)."""

    __slots__ = ("_note", "_reads")

    def __init__(self, note: NoteFacts, reads: Reads):
        self._note, self._reads = note, reads

    # The path and what is derived from it name the note: reading them reads nothing more.
    @property
    def path(self) -> str:
        return self._note.path

    @property
    def basename(self) -> str:
        return self._note.basename

    @property
    def ext(self) -> str:
        return self._note.ext

    @property
    def folder(self) -> str:
        return self._note.folder

    @property
    def name(self) -> str:
        return self._note.name

    @property
    def plain(self) -> NoteFacts:
        return self._note

    def value(self, key: str) -> object:
        self._reads.add(("value", self._note.path, key))
        return self._note.value(key)

    def has(self, key: str) -> bool:
        self._reads.add(("has", self._note.path, key))
        return self._note.has(key)

    def __getattr__(self, name: str) -> object:
        found = getattr(self._note, name)
        self._reads.add(("fact", self._note.path, name))
        return found

    def __repr__(self) -> str:
        return f"TrackedNote({self._note.path!r})"


class _TrackedNotes(Mapping[str, TrackedNote]):
    def __init__(self, facts: Facts, reads: Reads):
        self._notes, self._reads = facts.notes, reads

    def __getitem__(self, path: str) -> TrackedNote:
        self._reads.add(("note", path))
        return TrackedNote(self._notes[path], self._reads)

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        self._reads.add(("note", path))
        return path in self._notes

    def __iter__(self) -> Iterator[str]:
        self._reads.add(("notes",))
        return iter(self._notes)

    def __len__(self) -> int:
        self._reads.add(("notes",))
        return len(self._notes)

    def items(self) -> Iterator[tuple[str, TrackedNote]]:  # type: ignore[override]
        self._reads.add(("notes",))  # every note is listed: each one's existence is read
        return ((path, TrackedNote(note, self._reads)) for path, note in self._notes.items())


class TrackedFacts:
    """The facts table as a query sees it, recording what it reads into `reads`."""

    def __init__(self, facts: Facts, reads: Reads):
        self.plain, self.reads = facts, reads
        self.notes = _TrackedNotes(facts, reads)

    def find(self, name: str) -> str | None:
        self.reads.add(("find", name))
        return self.plain.find(name)

    def today(self) -> dt.datetime:
        self.reads.add(("clock", "today"))
        return self.plain.today()

    def now(self) -> dt.datetime:
        self.reads.add(("clock", "now"))
        return self.plain.now()


@dataclass(frozen=True)
class Dependencies:
    reads: tuple[Read, ...]  # sorted
    digest: str  # of the values those reads gave


class FactValues:
    """The value of each read over one facts table, as text, computed once per table (many
    queries read the same facts)."""

    def __init__(self, facts: Facts):
        self.facts = facts
        self._texts: dict[Read, str] = {}

    def text(self, read: Read) -> str:
        found = self._texts.get(read)
        if found is None:
            found = self._texts[read] = repr(self._value(read))
        return found

    def _value(self, read: Read) -> object:
        kind, notes = read[0], self.facts.notes
        if kind == "notes":
            return tuple(notes)
        if kind == "find":
            return self.facts.find(read[1])
        if kind == "clock":
            return self.facts.today() if read[1] == "today" else self.facts.now()
        note = notes.get(read[1])
        if kind == "note":
            return note is not None
        if note is None:
            return _ABSENT
        if kind == "value":
            return note.value(read[2])
        if kind == "has":
            return note.has(read[2])
        return getattr(note, read[2], _ABSENT)

    def digest(self, reads: tuple[Read, ...]) -> str:
        """A digest of the values of `reads` (the reads themselves are kept beside it)."""
        return hashlib.sha256("\0".join(map(self.text, reads)).encode()).hexdigest()

    def dependencies(self, reads: Reads) -> Dependencies:
        ordered = tuple(sorted(reads.keys))
        return Dependencies(ordered, self.digest(ordered))

    def still_hold(self, dependencies: Dependencies) -> bool:
        return self.digest(dependencies.reads) == dependencies.digest


def identity(note: NoteFacts | TrackedNote) -> NoteFacts:
    """A note as a result keeps it: its path and name, none of its other facts (a result shows
    a note as a link to it; what it shows of the note's facts it read while running)."""
    plain = note.plain if isinstance(note, TrackedNote) else note
    return NoteFacts(plain.path, plain.basename, plain.ext, plain.folder, 0, _EPOCH, _EPOCH,
                     {}, {}, (), (), ())


def detached(value: object) -> object:
    """A result with every note in it replaced by its `identity`: it holds no tracked note (so
    it reads nothing more once kept) and no other facts (so a kept result is small)."""
    if isinstance(value, TrackedNote | NoteFacts):
        return identity(value)
    if isinstance(value, list | tuple):
        items = [detached(item) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        pairs = {key: detached(item) for key, item in value.items()}
        return value if all(pairs[k] is value[k] for k in pairs) else pairs
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {}
        for item in dataclasses.fields(value):
            old = getattr(value, item.name)
            new = detached(old)
            if new is not old and item.init:
                changed[item.name] = new
        return dataclasses.replace(value, **changed) if changed else value
    return value
