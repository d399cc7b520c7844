"""Query results kept across builds: a base or a query is evaluated again only when a fact it
read changed.

An entry is found by what the query is (its language, text, the note showing it, its place,
its view) and holds its result, its diagnostics and its `Dependencies` (`compiler.reads`): the
reads it made and a digest of their values. It is used when the same reads give the same
digest over the new facts table; else the query runs again and the entry is replaced.

`kb serve` keeps one `QueryCache` in memory for its whole session (`cache_dir=None`); `kb
build` reads `<cache_dir>/queries-<fingerprint>.pickle` and writes it back when an entry was
added or dropped. A file is kept with the entries this run used, so the results of deleted
queries do not pile up; it is replaced by a rename (never half written), and one that cannot
be read counts as empty. The fingerprint changes with the code that evaluates queries, so a
file written by other code is never read (and is deleted). Trust: like the parse cache
(`compiler.cache`), the file is unpickled, so it is only read from the project's own cache
folder.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .cache import _source_digest, _version
from .diagnostics import Diagnostic
from .reads import Dependencies, FactValues

FORMAT = "queries-1"
# The modules whose code decides a query's result and diagnostics.
SOURCES = ("facts.py", "expr.py", "functions.py", "bases.py", "dataview.py", "queries.py",
           "reads.py", "filedates.py", "diagnostics.py")
DISTRIBUTIONS = ("PyYAML",)
_PREFIX, _SUFFIX = "queries-", ".pickle"

QueryKey = tuple[str, ...]


@dataclass(frozen=True)
class Evaluation:
    """One query's outcome: what the page shows and what the build reports."""
    shown: object  # compiler.queries.Shown
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class _Entry:
    evaluation: Evaluation
    dependencies: Dependencies


def fingerprint() -> str:
    parts = [f"format={FORMAT}", *(f"{name}={_source_digest(name)}" for name in SOURCES),
             *(f"{dist}={_version(dist)}" for dist in DISTRIBUTIONS),
             f"python={platform.python_implementation()}-{platform.python_version()}"]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


class QueryCache:
    def __init__(self, cache_dir: Path | None = None):
        self.file = cache_dir / f"{_PREFIX}{fingerprint()}{_SUFFIX}" if cache_dir else None
        self._entries: dict[QueryKey, _Entry] | None = None if self.file else {}
        self._used: dict[QueryKey, _Entry] = {}
        self._changed = False
        self.evaluated = 0  # queries run since this cache was made
        self.reused = 0

    def _kept(self) -> dict[QueryKey, _Entry]:
        if self._entries is None:
            self._entries = {}
            try:
                with open(self.file, "rb") as handle:
                    found = pickle.load(handle)
                if isinstance(found, dict):
                    self._entries = {k: v for k, v in found.items() if isinstance(v, _Entry)}
            except FileNotFoundError:
                pass
            except Exception:  # damaged or foreign: counts as empty, rewritten on save
                self._changed = True
        return self._entries

    def get(self, key: QueryKey, values: FactValues) -> Evaluation | None:
        """The kept outcome of the query `key`, if every fact it read is unchanged in `values`."""
        entry = self._used.get(key) or self._kept().get(key)
        if entry is None or not values.still_hold(entry.dependencies):
            return None
        self._used[key] = entry
        self.reused += 1
        return entry.evaluation

    def put(self, key: QueryKey, evaluation: Evaluation, dependencies: Dependencies) -> None:
        self._used[key] = _Entry(evaluation, dependencies)
        self._changed = True
        self.evaluated += 1

    def save(self) -> None:
        """End of a build: keep only the entries it used, and write them if they changed."""
        kept = self._kept()
        changed = self._changed or kept.keys() != self._used.keys()
        self._entries, self._used, self._changed = self._used, {}, False
        if self.file is None or not changed:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            for other in self.file.parent.glob(f"{_PREFIX}*{_SUFFIX}"):
                if other != self.file:
                    other.unlink(missing_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.file.parent, prefix=".queries-")
            try:
                with os.fdopen(handle, "wb") as out:
                    pickle.dump(self._entries, out, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, self.file)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:  # a cache folder that refuses a file costs the next build a run
            pass
