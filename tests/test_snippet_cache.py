"""Specification of the snippet cache: which snippets a block imports, the digest of their
sources, the key of a block, and the on-disk store of outcomes that never trusts damage."""

from __future__ import annotations

import hashlib
import json
import os
import textwrap
from pathlib import Path

import pytest

from compiler import snippet_cache as sc
from compiler.snippet_cache import (
    EXECUTION_OPTIONS,
    OutcomeStore,
    SourceIndex,
    block_key,
    execution_options,
    snippet_imports,
    versions,
)

# compiler.execute's types once it exists, stand-ins with the same fields until then.
Figure, Outcome = sc._types()


def project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return project(
        tmp_path,
        {
            "snippets/__init__.py": "",
            "snippets/softmax.py": "import numpy as np\nfrom .util import shift\ndef softmax(x): ...\n",
            "snippets/util.py": "def shift(x): return x\n",
            "snippets/plots.py": "def plot(): ...\n",
            "snippets/nn/__init__.py": "",
            "snippets/nn/layers.py": "from ..softmax import softmax\nfrom . import init\n",
            "snippets/nn/init.py": "W = 1\n",
        },
    )


def digest(root: Path, code: str) -> str:
    """What a build computes for a block: a fresh index per build."""
    return SourceIndex(root).digest_for_code(code)


# --- snippet_imports ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("import snippets.softmax", {"snippets.softmax"}),
        ("import snippets.softmax as sm", {"snippets.softmax"}),
        ("import snippets", {"snippets"}),
        ("from snippets.softmax import softmax", {"snippets.softmax"}),
        ("from snippets.softmax import softmax as s, log_softmax", {"snippets.softmax"}),
        ("from snippets import softmax", {"snippets", "snippets.softmax"}),
        ("from snippets import softmax as sm, plots", {"snippets", "snippets.softmax", "snippets.plots"}),
        ("from snippets import helper", {"snippets"}),  # a name in __init__, not a module
        ("from snippets.nn import layers", {"snippets.nn", "snippets.nn.layers"}),
        ("import snippets.nn.layers", {"snippets.nn.layers"}),
        ("def f():\n    import snippets.plots\n    return 1", {"snippets.plots"}),
        ("try:\n    from snippets.util import shift\nexcept ImportError:\n    pass", {"snippets.util"}),
        ("import numpy as np\nimport snippetsx\nfrom os import path", set()),
        ("from . import softmax", set()),  # relative import in a block: nothing to resolve
        ("import snippets.softmax\nthis is not python(", set()),
        ("x = 1", set()),
    ],
)
def test_imports_of_a_block(root: Path, code: str, expected: set[str]) -> None:
    assert snippet_imports(code, root) == expected


def test_without_a_root_from_import_names_count_as_possible_submodules() -> None:
    assert snippet_imports("from snippets import softmax") == {"snippets", "snippets.softmax"}


@pytest.mark.parametrize(
    ("code", "package", "expected"),
    [
        ("from .util import shift", "snippets", {"snippets.util"}),
        ("from . import util", "snippets", {"snippets", "snippets.util"}),
        ("from ..softmax import softmax", "snippets.nn", {"snippets.softmax"}),
        ("from . import init", "snippets.nn", {"snippets.nn", "snippets.nn.init"}),
        ("from .. import util", "snippets.nn", {"snippets", "snippets.util"}),
        ("from ... import x", "snippets.nn", set()),  # beyond the top-level package
    ],
)
def test_relative_imports_inside_snippets_modules(
    root: Path, code: str, package: str, expected: set[str]
) -> None:
    assert snippet_imports(code, root, package=package) == expected


# --- SourceIndex --------------------------------------------------------------------------------


def test_digest_changes_when_an_imported_module_changes(root: Path) -> None:
    code = "from snippets.softmax import softmax"
    before = digest(root, code)
    assert digest(root, code) == before  # stable
    (root / "snippets/softmax.py").write_text("def softmax(x): return 2\n", encoding="utf-8")
    assert digest(root, code) != before


def test_digest_follows_imports_transitively(root: Path) -> None:
    code = "import snippets.nn.layers"  # -> ..softmax -> .util, and . init
    before = digest(root, code)
    (root / "snippets/util.py").write_text("def shift(x): return x + 1\n", encoding="utf-8")
    after_util = digest(root, code)
    assert after_util != before
    (root / "snippets/nn/init.py").write_text("W = 2\n", encoding="utf-8")
    assert digest(root, code) != after_util


def test_digest_includes_the_package_init_files_on_the_path(root: Path) -> None:
    code = "from snippets.nn.init import W"
    before = digest(root, code)
    (root / "snippets/__init__.py").write_text("SEED = 1\n", encoding="utf-8")
    after = digest(root, code)
    assert after != before
    (root / "snippets/nn/__init__.py").write_text("X = 1\n", encoding="utf-8")
    assert digest(root, code) != after


def test_digest_ignores_unrelated_snippets_modules(root: Path) -> None:
    code = "from snippets.softmax import softmax"
    before = digest(root, code)
    (root / "snippets/plots.py").write_text("def plot(): return 3\n", encoding="utf-8")
    (root / "snippets/nn/layers.py").write_text("Y = 3\n", encoding="utf-8")
    (root / "snippets/extra.py").write_text("Z = 3\n", encoding="utf-8")
    assert digest(root, code) == before


def test_a_block_importing_no_snippets_does_not_depend_on_them(root: Path) -> None:
    code = "import numpy as np\nprint(np.arange(3))"
    before = digest(root, code)
    (root / "snippets/__init__.py").write_text("SEED = 1\n", encoding="utf-8")
    assert digest(root, code) == before


@pytest.mark.parametrize(
    "code",
    ["import snippets.later", "from snippets.later import f", "from snippets import later"],
)
def test_a_missing_module_then_created_changes_the_digest(root: Path, code: str) -> None:
    before = digest(root, code)
    assert digest(root, code) == before
    (root / "snippets/later.py").write_text("def f(): ...\n", encoding="utf-8")
    assert digest(root, code) != before


def test_a_missing_module_imported_by_a_snippet_then_created_changes_the_digest(root: Path) -> None:
    (root / "snippets/util.py").write_text("from .later import g\n", encoding="utf-8")
    code = "from snippets.softmax import softmax"
    before = digest(root, code)
    (root / "snippets/later.py").write_text("def g(): ...\n", encoding="utf-8")
    assert digest(root, code) != before


def test_digest_of_names_and_digest_for_code_agree_on_existing_modules(root: Path) -> None:
    code = "from snippets import softmax\nimport snippets.nn.layers"
    index = SourceIndex(root)
    assert index.digest_of(snippet_imports(code, root)) == index.digest_for_code(code)


def test_each_file_is_read_once_per_index(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[Path] = []
    original = Path.read_bytes

    def counting(self: Path) -> bytes:
        reads.append(self)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    index = SourceIndex(root)
    for code in ["import snippets.nn.layers", "from snippets.softmax import softmax", "import snippets.util"]:
        index.digest_for_code(code)
    assert len(reads) == len(set(reads)) == 6  # __init__, nn/__init__, layers, init, softmax, util


def test_cyclic_snippet_imports_terminate(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {
            "snippets/__init__.py": "",
            "snippets/a.py": "from . import b\n",
            "snippets/b.py": "from . import a\n",
        },
    )
    assert set(SourceIndex(root).closure({"snippets.a"})) == {"snippets", "snippets.a", "snippets.b"}


def test_a_snippet_that_does_not_parse_still_contributes_its_source(root: Path) -> None:
    (root / "snippets/util.py").write_text("def broken(:\n", encoding="utf-8")
    code = "import snippets.util"
    before = digest(root, code)
    (root / "snippets/util.py").write_text("def broken(::\n", encoding="utf-8")
    assert digest(root, code) != before


# --- block_key ----------------------------------------------------------------------------------


BASE = dict(code="print(1)", options={"timeout": "10"}, earlier=(), snippets_digest="d" * 64, versions="v")


def key(**changes: object) -> str:
    return block_key(**{**BASE, **changes})  # type: ignore[arg-type]


def test_key_is_sha256_hex_and_stable() -> None:
    assert len(key()) == 64 and int(key(), 16) >= 0
    assert key() == key()


@pytest.mark.parametrize(
    "change",
    [
        {"code": "print(2)"},
        {"code": "print(1) "},
        {"options": {"timeout": "11"}},
        {"options": {"timeout": "10", "error": "ValueError"}},
        {"earlier": ("k" * 64,)},
        {"snippets_digest": "e" * 64},
        {"versions": "v2"},
    ],
)
def test_key_changes_with_every_input(change: dict[str, object]) -> None:
    assert key(**change) != key()


def test_key_depends_on_earlier_blocks_and_their_order() -> None:
    assert key(earlier=("a", "b")) != key(earlier=("b", "a"))
    assert key(earlier=("a", "b")) != key(earlier=("ab",))


def test_key_framing_is_unambiguous() -> None:
    assert key(code="ab", earlier=("c",)) != key(code="a", earlier=("bc",))
    assert key(options={"a": "bc"}) != key(options={"ab": "c"})
    assert key(code="x", versions="y") != key(code="xy", versions="")


def test_key_ignores_option_order() -> None:
    assert key(options={"timeout": "5", "error": "E"}) == key(options={"error": "E", "timeout": "5"})


def test_only_execution_options_enter_the_key() -> None:
    options = {"caption": "c", "alt": "a", "fold": "hide", "width": "300", "figure": "x.png", "session": "s"}
    options |= {"timeout": "5", "error": "ValueError"}
    assert execution_options(options) == {"timeout": "5", "error": "ValueError"}
    assert frozenset({"timeout", "error"}) == EXECUTION_OPTIONS


def test_versions_name_python_numpy_matplotlib_and_the_cache_format() -> None:
    text = versions()
    for part in ("python=", "numpy=", "matplotlib=", f"format={sc.CACHE_FORMAT}"):
        assert part in text
    assert versions() == text


def test_versions_cover_the_worker_source_and_koreanize_matplotlib() -> None:
    text = versions()
    lines = dict(line.split("=", 1) for line in text.splitlines())
    assert lines["koreanize-matplotlib"] not in ("", "absent")  # a dependency of the project
    worker = Path(sc.__file__).resolve().parent / "snippet_worker.py"
    assert lines["snippet_worker.py"] == hashlib.sha256(worker.read_bytes()).hexdigest()
    for name in ("execute.py", "snippet_cache.py"):
        assert name in lines


# --- OutcomeStore -------------------------------------------------------------------------------

KEY = hashlib.sha256(b"block").hexdigest()


def outcome(key: str = KEY, status: str = "ok", figures: int = 2) -> object:
    return Outcome(
        key=key,
        status=status,
        stdout="out ☃\n",
        stderr="warn\n",
        truncated=False,
        figures=tuple(
            Figure(svg=f"<svg>{n}</svg>".encode(), png=bytes(range(256)) * (n + 1)) for n in range(figures)
        ),
        error="ValueError: x" if status in ("expected-error", "error") else None,
        traceback="Traceback ..." if status in ("expected-error", "error") else None,
        seconds=0.25,
    )


def entries(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))


def test_round_trip(tmp_path: Path) -> None:
    store = OutcomeStore(tmp_path / "cache")
    assert store.get(KEY) is None
    original = outcome()
    store.put(original)
    again = store.get(KEY)
    assert again == original
    assert [f.png for f in again.figures] == [f.png for f in original.figures]
    assert [f.svg for f in again.figures] == [f.svg for f in original.figures]
    assert OutcomeStore(tmp_path / "cache").get(KEY) == original  # survives across builds


def test_expected_error_round_trip_and_no_figures(tmp_path: Path) -> None:
    store = OutcomeStore(tmp_path)
    original = outcome(status="expected-error", figures=0)
    store.put(original)
    assert store.get(KEY) == original


def test_layout(tmp_path: Path) -> None:
    store = OutcomeStore(tmp_path)
    store.put(outcome())
    entry = tmp_path / KEY[:2] / KEY
    assert sorted(p.name for p in entry.iterdir()) == [
        "fig-0.png",
        "fig-0.svg",
        "fig-1.png",
        "fig-1.svg",
        "outcome.json",
    ]
    meta = json.loads((entry / "outcome.json").read_text())
    assert meta["outcome"]["key"] == KEY and "figures" not in meta["outcome"]
    png = (entry / "fig-1.png").read_bytes()
    assert meta["figures"][1]["png"] == {
        "file": "fig-1.png",
        "size": len(png),
        "sha256": hashlib.sha256(png).hexdigest(),
    }


@pytest.mark.parametrize("status", ["timeout", "crashed", "memory", "skipped", "unstable"])
def test_only_deterministic_outcomes_are_stored(tmp_path: Path, status: str) -> None:
    with pytest.raises(ValueError):
        OutcomeStore(tmp_path).put(outcome(status=status))
    assert entries(tmp_path) == []


def test_storable_statuses() -> None:
    assert frozenset({"ok", "expected-error", "error"}) == sc.STORABLE_STATUSES


def test_error_outcomes_are_stored_so_an_unchanged_rebuild_runs_nothing(tmp_path: Path) -> None:
    store = OutcomeStore(tmp_path)
    original = outcome(status="error", figures=1)
    store.put(original)
    again = OutcomeStore(tmp_path).get(KEY)
    assert again == original and again.failed


def test_a_key_that_is_not_a_sha256_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        OutcomeStore(tmp_path).get("../../etc")


def _corrupt_json(entry: Path) -> None:
    (entry / "outcome.json").write_text('{"format": ', encoding="utf-8")


def _missing_figure(entry: Path) -> None:
    (entry / "fig-1.svg").unlink()


def _truncated_figure(entry: Path) -> None:
    path = entry / "fig-0.png"
    path.write_bytes(path.read_bytes()[:-10])


def _same_size_other_bytes(entry: Path) -> None:
    path = entry / "fig-0.png"
    data = bytearray(path.read_bytes())
    data[5] ^= 0xFF
    path.write_bytes(bytes(data))


def _wrong_hash_recorded(entry: Path) -> None:
    meta = json.loads((entry / "outcome.json").read_text())
    meta["figures"][0]["svg"]["sha256"] = "0" * 64
    (entry / "outcome.json").write_text(json.dumps(meta))


def _edited_stdout(entry: Path) -> None:
    meta = json.loads((entry / "outcome.json").read_text())
    meta["outcome"]["stdout"] = "something else"
    (entry / "outcome.json").write_text(json.dumps(meta))


def _other_key(entry: Path) -> None:
    meta = json.loads((entry / "outcome.json").read_text())
    meta["outcome"]["key"] = "f" * 64
    (entry / "outcome.json").write_text(json.dumps(meta))


def _missing_json(entry: Path) -> None:
    (entry / "outcome.json").unlink()


def _json_not_an_object(entry: Path) -> None:
    (entry / "outcome.json").write_text("[1, 2]")


def _figure_outside_entry(entry: Path) -> None:
    meta = json.loads((entry / "outcome.json").read_text())
    meta["figures"][0]["svg"]["file"] = "../../x.svg"
    (entry / "outcome.json").write_text(json.dumps(meta))


@pytest.mark.parametrize(
    "damage",
    [
        _corrupt_json,
        _missing_json,
        _json_not_an_object,
        _missing_figure,
        _truncated_figure,
        _same_size_other_bytes,
        _wrong_hash_recorded,
        _edited_stdout,
        _other_key,
        _figure_outside_entry,
    ],
)
def test_damaged_entries_are_not_trusted_and_are_removed(tmp_path: Path, damage) -> None:
    store = OutcomeStore(tmp_path)
    store.put(outcome())
    damage(tmp_path / KEY[:2] / KEY)
    assert store.get(KEY) is None
    assert not (tmp_path / KEY[:2] / KEY).exists()
    assert entries(tmp_path) == [KEY[:2]]
    store.put(outcome())  # recomputed and stored again
    assert store.get(KEY) == outcome()


def test_put_replaces_an_existing_entry_and_leaves_no_temporary_directories(tmp_path: Path) -> None:
    store = OutcomeStore(tmp_path)
    store.put(outcome(figures=3))
    store.put(outcome(figures=1))
    assert store.get(KEY) == outcome(figures=1)
    assert entries(tmp_path) == [
        KEY[:2],
        f"{KEY[:2]}/{KEY}",
        f"{KEY[:2]}/{KEY}/fig-0.png",
        f"{KEY[:2]}/{KEY}/fig-0.svg",
        f"{KEY[:2]}/{KEY}/outcome.json",
    ]


def test_a_failed_put_leaves_no_entry_and_no_temporary_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = OutcomeStore(tmp_path)

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "rename", fail)
    with pytest.raises(OSError):
        store.put(outcome())
    monkeypatch.undo()
    assert entries(tmp_path) == [KEY[:2]]
    assert store.get(KEY) is None


def test_a_partial_entry_left_by_a_crash_is_never_read(tmp_path: Path) -> None:
    store = OutcomeStore(tmp_path)
    store.put(outcome())
    entry = tmp_path / KEY[:2] / KEY
    # a crash mid-write leaves only a temporary directory beside the entries, never a named one
    partial = tmp_path / KEY[:2] / f".tmp-{KEY[:8]}-crash"
    partial.mkdir()
    (partial / "fig-0.svg").write_bytes(b"<sv")
    assert store.get(KEY) == outcome()
    assert entry.is_dir()


def test_concurrent_puts_of_one_key_leave_one_good_entry(tmp_path: Path) -> None:
    import threading

    store = OutcomeStore(tmp_path)
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(20):
                store.put(outcome())
                assert store.get(KEY) in (None, outcome())
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.get(KEY) == outcome()
    assert [p.name for p in (tmp_path / KEY[:2]).iterdir()] == [KEY]
