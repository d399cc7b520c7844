"""Parse cache: an unchanged note is never parsed twice; a damaged entry is never trusted.

Entries are addressed by the note's path and bytes, so changed bytes can never hit. They live
in 16 shard files under a folder named by a fingerprint of the parsing code and libraries, and
reach the disk only through `save`.
"""

from __future__ import annotations

import ast
import hashlib
import pickle
from pathlib import Path

import pytest

import compiler
import compiler.cache as cache_module
import compiler.parse as parse_module
from compiler.cache import ParseCache, fingerprint
from compiler.parse import parse_note

TEXT = "---\ntitle: 제목\n---\n# 머리\n\n본문 [[Link]] ![[pic.png|300]]\n".encode()


def files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def key(path: str, data: bytes) -> str:
    return hashlib.sha256(path.encode() + b"\0" + data).hexdigest()


def shard_file(cache: ParseCache, path: str, data: bytes) -> Path:
    return cache.directory / f"{key(path, data)[0]}.pickle"


def variants(path: str, digit: str, count: int, avoid: tuple[bytes, ...] = ()) -> list[bytes]:
    """`count` versions of TEXT whose entries for `path` fall in the shard `digit`."""
    found = []
    n = 0
    while len(found) < count:
        data = TEXT + f"\n{n}\n".encode()
        if key(path, data)[0] == digit and data not in avoid:
            found.append(data)
        n += 1
    return found


def stamp(file: Path) -> tuple[int, int, bytes]:
    status = file.stat()
    return status.st_ino, status.st_mtime_ns, file.read_bytes()


def saved(directory: Path, path: str, data: bytes) -> ParseCache:
    cache = ParseCache(directory)
    cache.parse(path, data)
    cache.save()
    return cache


# -- hits and misses ---------------------------------------------------------------------------


def test_the_second_parse_of_the_same_bytes_is_a_hit_and_returns_an_equal_note(tmp_path):
    cache = ParseCache(tmp_path)
    first = cache.parse("a/note.md", TEXT)
    second = cache.parse("a/note.md", TEXT)
    assert (cache.hits, cache.misses) == (1, 1)
    assert second == first == parse_note("a/note.md", TEXT)


def test_a_fresh_cache_over_the_same_directory_hits_entries_saved_before(tmp_path):
    saved(tmp_path, "note.md", TEXT)
    later = ParseCache(tmp_path)
    assert later.parse("note.md", TEXT) == parse_note("note.md", TEXT)
    assert (later.hits, later.misses) == (1, 0)


def test_nothing_reaches_the_disk_before_save(tmp_path):
    cache = ParseCache(tmp_path)
    cache.parse("note.md", TEXT)
    assert files(tmp_path) == []
    later = ParseCache(tmp_path)
    later.parse("note.md", TEXT)
    assert (later.hits, later.misses) == (0, 1)


def test_changed_bytes_miss_and_give_the_new_note(tmp_path):
    saved(tmp_path, "note.md", TEXT)
    cache = ParseCache(tmp_path)
    changed = TEXT.replace(b"[[Link]]", b"[[Other]]")
    note = cache.parse("note.md", changed)
    assert (cache.hits, cache.misses) == (0, 1)
    assert [link.target for link in note.links] == ["Other", "pic.png"]


def test_the_same_bytes_under_another_path_miss_and_carry_that_path(tmp_path):
    saved(tmp_path, "one.md", TEXT)
    cache = ParseCache(tmp_path)
    note = cache.parse("two.md", TEXT)
    assert cache.misses == 1
    assert note.path == "two.md"


def test_a_note_with_diagnostics_round_trips_through_the_cache(tmp_path):
    data = b"---\nbad: : yaml\n---\n\xff [[x]]\n"
    saved(tmp_path, "bad.md", data)
    again = ParseCache(tmp_path)
    note = again.parse("bad.md", data)
    assert again.hits == 1
    assert note == parse_note("bad.md", data)
    assert {d.code for d in note.diagnostics} == {"invalid-utf8", "invalid-front-matter"}


# -- shards ------------------------------------------------------------------------------------


def test_entries_are_grouped_into_at_most_sixteen_shards_named_by_the_first_hex_digit(tmp_path):
    cache = ParseCache(tmp_path)
    notes = {f"n{n}.md": TEXT + str(n).encode() for n in range(200)}
    for path, data in notes.items():
        cache.parse(path, data)
    cache.save()
    shards = files(tmp_path)
    assert [f.name for f in shards] == [f"{d}.pickle" for d in "0123456789abcdef"]
    assert {f.parent for f in shards} == {cache.directory}
    for path, data in notes.items():
        assert key(path, data) in pickle.loads(shard_file(cache, path, data).read_bytes())
    later = ParseCache(tmp_path)
    for path, data in notes.items():
        later.parse(path, data)
    assert (later.hits, later.misses) == (200, 0)


def test_a_shard_is_read_only_when_a_key_first_falls_in_it(tmp_path, monkeypatch):
    notes = {f"n{n}.md": TEXT + str(n).encode() for n in range(40)}
    first = ParseCache(tmp_path)
    for path, data in notes.items():
        first.parse(path, data)
    first.save()
    loaded = []
    real_load = ParseCache._load

    def spy(self, digit):
        loaded.append(digit)
        return real_load(self, digit)

    monkeypatch.setattr(ParseCache, "_load", spy)
    cache = ParseCache(tmp_path)
    assert loaded == []
    [(path, data), *rest] = notes.items()
    cache.parse(path, data)
    cache.parse(path, data)
    assert loaded == [key(path, data)[0]]
    for path, data in rest:
        cache.parse(path, data)
    assert sorted(loaded) == sorted({key(p, d)[0] for p, d in notes.items()})


def test_save_rewrites_only_the_shards_that_gained_an_entry(tmp_path):
    notes = {f"n{n}.md": TEXT + str(n).encode() for n in range(100)}
    first = ParseCache(tmp_path)
    for path, data in notes.items():
        first.parse(path, data)
    first.save()
    before = {f.name: stamp(f) for f in files(tmp_path)}
    assert len(before) == 16

    cache = ParseCache(tmp_path)
    for path, data in notes.items():
        cache.parse(path, data)
    cache.parse("new.md", TEXT + b"new")
    cache.save()
    after = {f.name: stamp(f) for f in files(tmp_path)}
    changed = {name for name in before if after[name] != before[name]}
    assert changed == {shard_file(cache, "new.md", TEXT + b"new").name}


def test_a_save_with_nothing_new_writes_nothing(tmp_path):
    saved(tmp_path, "note.md", TEXT)
    before = [stamp(f) for f in files(tmp_path)]
    cache = ParseCache(tmp_path)
    cache.parse("note.md", TEXT)
    cache.save()
    cache.save()
    assert [stamp(f) for f in files(tmp_path)] == before


def test_a_rewritten_shard_keeps_only_the_entries_used_in_this_run(tmp_path):
    old, kept, new = variants("note.md", "7", 3)
    first = ParseCache(tmp_path)
    first.parse("note.md", old)
    first.parse("note.md", kept)
    first.save()
    cache = ParseCache(tmp_path)
    cache.parse("note.md", kept)  # a hit
    cache.parse("note.md", new)  # a miss: the shard is rewritten, without `old`
    cache.save()
    shard = pickle.loads(shard_file(cache, "note.md", kept).read_bytes())
    assert set(shard) == {key("note.md", kept), key("note.md", new)}


def test_a_cache_kept_across_runs_holds_only_the_last_runs_version_of_an_edited_note(tmp_path):
    cache = ParseCache(tmp_path)  # as kb serve keeps one
    for version in variants("note.md", "7", 4):
        cache.parse("note.md", version)
        cache.save()
    assert cache.held() == 1
    cache.parse("note.md", version)
    assert cache.hits == 1


def test_a_shard_that_is_not_rewritten_keeps_its_unused_entries(tmp_path):
    [elsewhere] = variants("other.md", "3", 1)
    data, edited = variants("note.md", "c", 2)
    first = ParseCache(tmp_path)
    first.parse("other.md", elsewhere)
    first.parse("note.md", data)
    first.save()
    untouched = shard_file(first, "other.md", elsewhere)
    before = stamp(untouched)
    cache = ParseCache(tmp_path)
    cache.parse("note.md", edited)  # a miss in shard c only; other.md is not used this run
    cache.save()
    assert stamp(untouched) == before
    later = ParseCache(tmp_path)
    later.parse("other.md", elsewhere)
    assert later.hits == 1


def test_no_temporary_files_are_left_behind(tmp_path):
    cache = ParseCache(tmp_path)
    for n in range(50):
        cache.parse(f"n{n}.md", TEXT + str(n).encode())
    cache.save()
    shards = files(tmp_path)
    assert 0 < len(shards) <= 16
    assert all(f.suffix == ".pickle" and not f.name.startswith(".") for f in shards)


def test_a_failed_write_leaves_the_old_shard_and_no_temporary_file(tmp_path, monkeypatch):
    first = saved(tmp_path, "note.md", TEXT)
    shard = shard_file(first, "note.md", TEXT)
    before = stamp(shard)
    [again] = variants("note.md", key("note.md", TEXT)[0], 1, avoid=(TEXT,))
    cache = ParseCache(tmp_path)
    cache.parse("note.md", again)

    def broken_dump(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(cache_module.pickle, "dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        cache.save()
    assert files(tmp_path) == [shard]
    assert stamp(shard) == before


# -- damage ------------------------------------------------------------------------------------


def assert_recomputed_and_rewritten(tmp_path: Path, expected) -> None:
    again = ParseCache(tmp_path)
    assert again.parse("note.md", TEXT) == expected
    assert (again.hits, again.misses) == (0, 1)
    again.save()
    third = ParseCache(tmp_path)
    assert third.parse("note.md", TEXT) == expected  # the shard was written afresh
    assert (third.hits, third.misses) == (1, 0)


@pytest.mark.parametrize("damage", [
    b"garbage, not a pickle at all",
    b"",
    b"\x80\x05",  # a pickle cut short
])
def test_a_corrupt_shard_is_recomputed_not_trusted(tmp_path, damage):
    cache = saved(tmp_path, "note.md", TEXT)
    expected = parse_note("note.md", TEXT)
    shard_file(cache, "note.md", TEXT).write_bytes(damage)
    assert_recomputed_and_rewritten(tmp_path, expected)


def test_a_truncated_shard_is_recomputed(tmp_path):
    cache = saved(tmp_path, "note.md", TEXT)
    shard = shard_file(cache, "note.md", TEXT)
    whole = shard.read_bytes()
    shard.write_bytes(whole[: len(whole) // 2])
    assert_recomputed_and_rewritten(tmp_path, parse_note("note.md", TEXT))


@pytest.mark.parametrize("impostor", [
    ["not", "a", "dict"],
    "a string",
    parse_note("note.md", TEXT),  # the right note, but not inside a dict
    {key("note.md", TEXT): {"not": "a note"}},
    {key("note.md", TEXT): "a string"},
    {key("note.md", TEXT): None},
    {key("note.md", TEXT): parse_note("other.md", b"# other")},  # a note for another path
], ids=["list", "str", "bare-note", "dict-value", "str-value", "none-value", "other-path"])
def test_a_shard_holding_something_other_than_notes_by_key_is_not_trusted(tmp_path, impostor):
    cache = saved(tmp_path, "note.md", TEXT)
    shard_file(cache, "note.md", TEXT).write_bytes(pickle.dumps(impostor))
    assert_recomputed_and_rewritten(tmp_path, parse_note("note.md", TEXT))


# -- fingerprint -------------------------------------------------------------------------------


def test_a_changed_fingerprint_misses_and_removes_the_old_folder_on_save(tmp_path, monkeypatch):
    old = saved(tmp_path, "note.md", TEXT).directory
    (tmp_path / "stage").mkdir()  # not ours: left alone
    (tmp_path / "stage" / "page.html").write_text("x")
    monkeypatch.setattr(cache_module, "fingerprint", lambda: "f" * 64)
    cache = ParseCache(tmp_path)
    assert cache.directory != old
    cache.parse("note.md", TEXT)
    assert (cache.hits, cache.misses) == (0, 1)
    cache.save()
    assert not old.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [cache.directory.name, "stage"]
    assert (tmp_path / "stage" / "page.html").read_text() == "x"


def test_a_parser_version_bump_misses(tmp_path, monkeypatch):
    saved(tmp_path, "note.md", TEXT)
    monkeypatch.setattr(parse_module, "PARSER_VERSION", parse_module.PARSER_VERSION + "-next")
    cache = ParseCache(tmp_path)
    cache.parse("note.md", TEXT)
    assert (cache.hits, cache.misses) == (0, 1)


@pytest.mark.parametrize("change", [
    lambda mp: mp.setattr(parse_module, "PARSER_VERSION", "another"),
    lambda mp: mp.setattr(cache_module, "_source_digest",
                          lambda name: "edited" if name == "parse.py" else "same"),
    lambda mp: mp.setattr(cache_module, "_source_digest",
                          lambda name: "edited" if name == "syntax.py" else "same"),
    lambda mp: mp.setattr(cache_module, "_version",
                          lambda dist: "9.9" if dist == "markdown-it-py" else "1.0"),
    lambda mp: mp.setattr(cache_module, "_version",
                          lambda dist: "9.9" if dist == "mdit-py-plugins" else "1.0"),
    lambda mp: mp.setattr(cache_module, "_version",
                          lambda dist: "9.9" if dist == "latex2mathml" else "1.0"),
    lambda mp: mp.setattr(cache_module, "_version",
                          lambda dist: "9.9" if dist == "PyYAML" else "1.0"),
    lambda mp: mp.setattr(cache_module.platform, "python_version", lambda: "3.99.0"),
], ids=["parser-version", "parse.py", "syntax.py", "markdown-it-py", "mdit-py-plugins",
        "latex2mathml", "PyYAML", "python"])
def test_the_fingerprint_changes_with_everything_parsing_depends_on(monkeypatch, change):
    # Each input is first pinned to a baseline, then changed alone.
    monkeypatch.setattr(cache_module, "_source_digest", lambda name: "same")
    monkeypatch.setattr(cache_module, "_version", lambda dist: "1.0")
    baseline = fingerprint()
    change(monkeypatch)
    assert fingerprint() != baseline


def test_the_fingerprint_is_stable_and_hashes_the_real_source_files():
    assert fingerprint() == fingerprint()
    assert {"parse.py", "syntax.py"} <= set(cache_module.SOURCES)
    source = Path(compiler.__file__).parent / "parse.py"
    assert cache_module._source_digest("parse.py") == hashlib.sha256(source.read_bytes()).hexdigest()
    assert cache_module._version("PyYAML") not in ("", "absent")
    assert cache_module._version("no-such-distribution-for-kb") == "absent"


def test_the_fingerprinted_sources_include_every_package_module_parsing_imports():
    package = Path(compiler.__file__).parent
    imported = set()
    # Every form module is fingerprinted whole (its rules make the parser; what else it
    # imports serves its writer, which parse never calls).
    assert {f"forms/{p.name}" for p in (package / "forms").glob("*.py")} <= set(cache_module.SOURCES)
    for name in (n for n in cache_module.SOURCES if not n.startswith("forms/")):
        folder = Path(name).parent
        for node in ast.walk(ast.parse((package / name).read_text())):
            if isinstance(node, ast.ImportFrom) and node.level >= 1:
                base = folder.parents[node.level - 2] if node.level > 1 else folder
                paths = [base / node.module.replace(".", "/")] if node.module else \
                    [base / a.name for a in node.names]
                imported |= {(p / "__init__.py" if (package / p).is_dir() else p.with_suffix(".py"))
                             .as_posix() for p in paths}
    assert imported <= set(cache_module.SOURCES), imported - set(cache_module.SOURCES)


# -- no directory ------------------------------------------------------------------------------


def test_without_a_directory_nothing_is_cached_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cache = ParseCache(None)
    assert cache.parse("note.md", TEXT) == cache.parse("note.md", TEXT)
    assert (cache.hits, cache.misses) == (0, 2)
    cache.save()
    assert files(tmp_path) == []
    assert list(tmp_path.iterdir()) == []


# Tokens: render walks the tokens parse made, so a note is tokenised once per build. They
# stay in memory and never reach the disk (unpickling them is slower than parsing again).

def test_a_parsed_note_keeps_the_tokens_of_its_text():
    note = parse_note("a.md", TEXT)
    assert [t.type for t in note.tokens] == [t.type for t in parse_module.parse_tokens(note.source)]
    assert note.tokens and note == parse_note("a.md", TEXT)  # tokens do not count in equality


def test_tokens_are_not_written_to_disk_and_a_render_cache_gets_them_back(tmp_path):
    first = ParseCache(tmp_path)
    first.parse("a.md", TEXT)
    first.save()
    stored = pickle.loads(shard_file(first, "a.md", TEXT).read_bytes())
    assert [n.tokens for n in stored.values()] == [()]
    assert ParseCache(tmp_path).parse("a.md", TEXT).tokens == ()  # kb check needs none
    again = ParseCache(tmp_path, tokens=True)
    note = again.parse("a.md", TEXT)
    fresh = parse_note("a.md", TEXT).tokens
    assert again.hits == 1 and [t.type for t in note.tokens] == [t.type for t in fresh]
    assert again.parse("a.md", TEXT).tokens is note.tokens  # tokenised once per session


def test_render_walks_the_tokens_of_the_parse_instead_of_parsing_again(monkeypatch):
    import compiler.forms.writer as writer
    from compiler.render import render_note

    note = parse_note("a.md", TEXT)

    def refuse(source: str):
        raise AssertionError("render parsed the note again")

    monkeypatch.setattr(writer, "parse_tokens", refuse)
    assert "머리" in render_note(note, (), {"a.md": "a.md"})
