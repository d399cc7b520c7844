"""Parse cache: an unchanged note is never parsed twice; a damaged entry is never trusted.

Entries are addressed by the note's path and bytes, so changed bytes can never hit.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from compiler.cache import ParseCache
from compiler.parse import parse_note

TEXT = "---\ntitle: 제목\n---\n# 머리\n\n본문 [[Link]] ![[pic.png|300]]\n".encode()


def entries(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def test_the_second_parse_of_the_same_bytes_is_a_hit_and_returns_an_equal_note(tmp_path):
    cache = ParseCache(tmp_path)
    first = cache.parse("a/note.md", TEXT)
    second = cache.parse("a/note.md", TEXT)
    assert (cache.hits, cache.misses) == (1, 1)
    assert second == first == parse_note("a/note.md", TEXT)


def test_a_fresh_cache_over_the_same_directory_hits_entries_written_before(tmp_path):
    ParseCache(tmp_path).parse("note.md", TEXT)
    later = ParseCache(tmp_path)
    assert later.parse("note.md", TEXT) == parse_note("note.md", TEXT)
    assert (later.hits, later.misses) == (1, 0)


def test_changed_bytes_miss_and_give_the_new_note(tmp_path):
    cache = ParseCache(tmp_path)
    cache.parse("note.md", TEXT)
    changed = TEXT.replace(b"[[Link]]", b"[[Other]]")
    note = cache.parse("note.md", changed)
    assert (cache.hits, cache.misses) == (0, 2)
    assert [link.target for link in note.links] == ["Other", "pic.png"]


def test_the_same_bytes_under_another_path_miss_and_carry_that_path(tmp_path):
    cache = ParseCache(tmp_path)
    cache.parse("one.md", TEXT)
    note = cache.parse("two.md", TEXT)
    assert cache.misses == 2
    assert note.path == "two.md"


@pytest.mark.parametrize("damage", [
    b"garbage, not a pickle at all",
    b"",
    b"\x80\x05",  # a pickle cut short
])
def test_a_corrupt_entry_is_recomputed_not_trusted(tmp_path, damage):
    cache = ParseCache(tmp_path)
    expected = cache.parse("note.md", TEXT)
    [entry] = entries(tmp_path)
    entry.write_bytes(damage)
    again = ParseCache(tmp_path)
    assert again.parse("note.md", TEXT) == expected
    assert (again.hits, again.misses) == (0, 1)
    assert again.parse("note.md", TEXT) == expected  # and the entry was written afresh
    assert again.hits == 1


def test_a_truncated_entry_is_recomputed(tmp_path):
    cache = ParseCache(tmp_path)
    expected = cache.parse("note.md", TEXT)
    [entry] = entries(tmp_path)
    entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])
    again = ParseCache(tmp_path)
    assert again.parse("note.md", TEXT) == expected
    assert again.misses == 1


def test_an_entry_holding_something_other_than_this_notes_parse_is_not_trusted(tmp_path):
    cache = ParseCache(tmp_path)
    expected = cache.parse("note.md", TEXT)
    [entry] = entries(tmp_path)
    for impostor in ({"not": "a note"}, parse_note("other.md", b"# other")):
        entry.write_bytes(pickle.dumps(impostor))
        again = ParseCache(tmp_path)
        assert again.parse("note.md", TEXT) == expected
        assert again.misses == 1


def test_without_a_directory_nothing_is_cached_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cache = ParseCache(None)
    assert cache.parse("note.md", TEXT) == cache.parse("note.md", TEXT)
    assert (cache.hits, cache.misses) == (0, 2)
    assert entries(tmp_path) == []


def test_no_temporary_files_are_left_behind(tmp_path):
    cache = ParseCache(tmp_path)
    for n in range(5):
        cache.parse(f"n{n}.md", TEXT + str(n).encode())
    files = entries(tmp_path)
    assert len(files) == 5
    assert all(f.suffix == ".pickle" for f in files)


def test_a_note_with_diagnostics_round_trips_through_the_cache(tmp_path):
    data = b"---\nbad: : yaml\n---\n\xff [[x]]\n"
    ParseCache(tmp_path).parse("bad.md", data)
    again = ParseCache(tmp_path)
    note = again.parse("bad.md", data)
    assert again.hits == 1
    assert note == parse_note("bad.md", data)
    assert {d.code for d in note.diagnostics} == {"invalid-utf8", "invalid-front-matter"}
