"""Content-addressed cache of parsed notes: an unchanged note is never parsed twice.

A corrupt or unreadable entry is treated as absent and recomputed, never trusted.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from .parse import PARSER_VERSION, Note, parse_note


class ParseCache:
    def __init__(self, directory: Path | None):
        self.directory = directory / f"parse-v{PARSER_VERSION}" if directory else None
        self.hits = self.misses = 0

    def _entry(self, path: str, data: bytes) -> Path | None:
        if self.directory is None:
            return None
        digest = hashlib.sha256(path.encode() + b"\0" + data).hexdigest()
        return self.directory / digest[:2] / f"{digest}.pickle"

    def parse(self, path: str, data: bytes) -> Note:
        entry = self._entry(path, data)
        if entry is not None and entry.is_file():
            try:
                note = pickle.loads(entry.read_bytes())
                if isinstance(note, Note) and note.path == path:
                    self.hits += 1
                    return note
            except Exception:  # any damage to the entry: parse again
                pass
        self.misses += 1
        note = parse_note(path, data)
        if entry is not None:
            entry.parent.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed, so a crash never leaves a half-written entry behind.
            handle, temp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(pickle.dumps(note, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(temp, entry)
        return note
