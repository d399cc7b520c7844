"""Cache of executed snippet blocks: the key of a block, and a store of its outcomes on disk.

The key (`block_key`) is a SHA-256 over, length-prefixed so no two inputs frame alike:
the block's code, the options that affect its execution, the keys of the earlier blocks of its
session, a digest of the source of every `snippets` module it imports, transitively
(`SourceIndex.digest_of`), and `versions()` (Python, NumPy, matplotlib, koreanize-matplotlib,
the source of the executor, its worker and this module, `CACHE_FORMAT`). Prose around a block
is in none of these, so editing it re-executes nothing; editing `snippets/softmax.py` changes
the key of exactly the blocks that import it, directly or through another snippets module.

Options: only `EXECUTION_OPTIONS` (`timeout`, `error`) go into the key; the caller passes
`execution_options(options)`. `caption`, `alt`, `fold`, `width` change the page, not the run.
`figure` only names the attachment a figure replaces (figures are captured whatever it says),
and `session` is represented by `earlier`: a block's run depends on which blocks ran before it
in the same process, not on the session's name.

Import detection is static (`ast`): `import snippets.a`, `from snippets.a import f`,
`from snippets import a`, relative imports inside snippets modules, anywhere in the code
(inside functions, `try`, `if`). Not seen: `importlib.import_module("snippets.x")`, `__import__`,
star imports of submodules listed in `__all__`, and data files a snippet reads; such a block's
key does not follow those sources.

The store (`OutcomeStore`) keeps one directory per key, written into a temporary directory
beside it and renamed into place, so a reader sees a complete entry or none. `get` verifies
everything it reads (format, key, fields and their types, a checksum of the fields, every
figure file's size and SHA-256) and removes an entry that fails, so damage costs a re-run and is
never shown. Only outcomes whose status is in `STORABLE_STATUSES` ("ok", "expected-error",
"error") are stored (`put` refuses others): an exception is as deterministic as a success, so an
unchanged rebuild executes no block; a timeout, crash, memory error, skip or "unstable" block
(threads left running) depends on more than the key and is run again on the next build.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import errno
import functools
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

CACHE_FORMAT = "snippet-cache-1"  # change whenever a key or an entry would mean something else
PACKAGE = "snippets"
EXECUTION_OPTIONS = frozenset({"timeout", "error"})
STORABLE_STATUSES = frozenset({"ok", "expected-error", "error"})  # see the module docstring

_KEY = re.compile(r"[0-9a-f]{64}")
_HERE = Path(__file__).resolve().parent


# --- imports ------------------------------------------------------------------------------------


def _in_package(name: str) -> bool:
    return name == PACKAGE or name.startswith(PACKAGE + ".")


@functools.lru_cache(maxsize=4096)
def _import_candidates(code: str, package: str | None = None) -> frozenset[tuple[str, bool]]:
    """(module name, certain) for every snippets module the code may import. `certain` is
    False for `from P import n`, where `P.n` is a submodule only if such a file exists.
    `package`: the package relative imports resolve against (None: top-level code).
    Remembered: a preview rebuild asks again for every block, and parsing them was most of
    its execute stage."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return frozenset()
    found: set[tuple[str, bool]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _in_package(alias.name):
                    found.add((alias.name, True))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if package is None:
                    continue  # a relative import in a block fails at run time
                parts = package.split(".")
                if node.level - 1 >= len(parts):
                    continue  # beyond the top-level package
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if not _in_package(target):
                continue
            found.add((target, True))
            for alias in node.names:
                if alias.name != "*":
                    found.add((f"{target}.{alias.name}", False))
    return frozenset(found)


def snippet_imports(code: str, root: Path | None = None, package: str | None = None) -> set[str]:
    """Names of the modules under the `snippets` package that `code` imports (not transitively).

    `from snippets import a` gives `snippets.a` if `root/snippets/a.py` or `root/snippets/a/`
    exists, else just `snippets`. Without `root` it gives both: `a` may be a submodule not yet
    written, and a missing module only adds its name to a digest, which changes when it appears.
    For keys, `SourceIndex.digest_for_code` does this itself. `package`: for the code of a
    snippets module, the package its relative imports resolve against. Code that does not parse
    imports nothing (the run reports the SyntaxError)."""
    names = set()
    for name, certain in _import_candidates(code, package):
        if certain or root is None or _locate(root, name)[0] != "missing":
            names.add(name)
    return names


def _locate(root: Path, name: str) -> tuple[str, Path | None]:
    """("package", __init__.py) | ("module", file.py) | ("namespace", dir) | ("missing", None),
    in the order Python's path finder prefers them."""
    base = root.joinpath(*name.split("."))
    init = base / "__init__.py"
    if init.is_file():
        return "package", init
    source = base.with_name(base.name + ".py")
    if source.is_file():
        return "module", source
    if base.is_dir():
        return "namespace", base
    return "missing", None


# --- source digest ------------------------------------------------------------------------------


def _frame(parts: Iterable[str | bytes]) -> bytes:
    out = bytearray()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        out += len(data).to_bytes(8, "big")
        out += data
    return bytes(out)


class SourceIndex:
    """The sources of the modules under `<project_root>/snippets/`, each file read and parsed
    at most once per instance (make one per build)."""

    def __init__(self, project_root: Path):
        self.root = Path(project_root)
        self._files: dict[Path, tuple[str, frozenset[tuple[str, bool]]]] = {}
        self._locations: dict[str, tuple[str, Path | None]] = {}

    def _where(self, name: str) -> tuple[str, Path | None]:
        found = self._locations.get(name)
        if found is None:
            found = self._locations[name] = _locate(self.root, name)
        return found

    def _file(self, path: Path, package: str) -> tuple[str, frozenset[tuple[str, bool]]]:
        entry = self._files.get(path)
        if entry is None:
            try:
                data = path.read_bytes()
            except OSError as err:  # unreadable: the run will say so; the key must still differ
                entry = (f"unreadable:{type(err).__name__}", frozenset())
            else:
                text = data.decode("utf-8", "surrogateescape")
                entry = (hashlib.sha256(data).hexdigest(), frozenset(_import_candidates(text, package)))
            self._files[path] = entry
        return entry

    def closure(self, modules: Iterable[str]) -> dict[str, str]:
        """{module name: what its digest contributes} for `modules`, every package on their
        paths, and, transitively, every snippets module their sources import."""
        return self._closure((name, True) for name in modules)

    def _closure(self, items: Iterable[tuple[str, bool]]) -> dict[str, str]:
        todo = [(name, certain) for name, certain in items if _in_package(name)]
        seen: dict[str, str] = {}
        while todo:
            name, certain = todo.pop()
            if name in seen:
                continue
            if not certain and self._where(name.rpartition(".")[0])[0] == "module":
                continue  # a plain module has no submodules: `n` in `from P import n` is a name in it
            parts = name.split(".")
            todo.extend((".".join(parts[:i]), True) for i in range(1, len(parts)))
            kind, path = self._where(name)
            if kind in ("package", "module"):
                assert path is not None
                package = name if kind == "package" else name.rpartition(".")[0]
                digest, imports = self._file(path, package)
                seen[name] = f"{kind}:{digest}"
                todo.extend(imports)
            else:
                seen[name] = kind  # "namespace" or "missing": the name alone
        return seen

    @staticmethod
    def _hash(closure: dict[str, str]) -> str:
        return hashlib.sha256(
            _frame(x for name in sorted(closure) for x in (name, closure[name]))
        ).hexdigest()

    def digest_of(self, modules: set[str]) -> str:
        """SHA-256 hex over the sources of `modules` and everything they import (`closure`);
        a missing module contributes its name, so the digest changes when it appears."""
        return self._hash(self.closure(modules))

    def digest_for_code(self, code: str) -> str:
        """The digest for a block's code: like `digest_of(snippet_imports(code))`, but `from
        snippets import n` counts `snippets/n.py` even before it exists (its appearance changes
        the digest) unless `snippets` is a plain module."""
        return self._hash(self._closure(_import_candidates(code)))


# --- key ----------------------------------------------------------------------------------------


def execution_options(options: Mapping[str, str]) -> dict[str, str]:
    """The options that go into a block's key (`EXECUTION_OPTIONS`)."""
    return {name: value for name, value in options.items() if name in EXECUTION_OPTIONS}


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def _source(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "absent"


def versions() -> str:
    """What besides the block and its snippets decides its outcome: CACHE_FORMAT, the Python
    implementation, version and machine, the versions of NumPy, matplotlib and koreanize-matplotlib
    (from metadata, so none is imported), and the source of the executor (`execute.py`), of its
    worker (`snippet_worker.py`) and of this module."""
    parts = [
        f"format={CACHE_FORMAT}",
        f"python={platform.python_implementation()}-{platform.python_version()}-{platform.machine()}",
        f"numpy={_version('numpy')}",
        f"matplotlib={_version('matplotlib')}",
        f"koreanize-matplotlib={_version('koreanize-matplotlib')}",
        f"execute.py={_source(_HERE / 'execute.py')}",
        f"snippet_worker.py={_source(_HERE / 'snippet_worker.py')}",
        f"snippet_cache.py={_source(Path(__file__))}",
    ]
    return "\n".join(parts)


def block_key(
    code: str, options: Mapping[str, str], earlier: tuple[str, ...], snippets_digest: str, versions: str
) -> str:
    """SHA-256 hex of a block's run. `options`: already filtered (`execution_options`); their
    order does not matter. `earlier`: the keys of the earlier blocks of the same session, in
    order (empty for a block alone)."""
    opts = sorted(options.items())
    parts: list[str] = [CACHE_FORMAT, "code", code, "options", str(len(opts))]
    for name, value in opts:
        parts += [name, value]
    parts += ["earlier", str(len(earlier)), *earlier, "snippets", snippets_digest, "versions", versions]
    return hashlib.sha256(_frame(parts)).hexdigest()


# --- store --------------------------------------------------------------------------------------


def _types() -> tuple[type, type]:
    """(Figure, Outcome) from compiler.execute, imported late (execute may import this module)."""
    try:
        from .execute import Figure, Outcome
    except ModuleNotFoundError as err:
        if err.name != f"{__package__}.execute":
            raise
        return _Figure, _Outcome
    return Figure, Outcome


@dataclasses.dataclass(frozen=True)
class _Figure:  # stand-ins with the interface of compiler.execute, used only while it is absent
    svg: bytes
    png: bytes


@dataclasses.dataclass(frozen=True)
class _Outcome:
    key: str
    status: str
    stdout: str
    stderr: str
    truncated: bool
    figures: tuple[_Figure, ...]
    error: str | None
    traceback: str | None
    seconds: float


_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "key": (str,),
    "status": (str,),
    "stdout": (str,),
    "stderr": (str,),
    "truncated": (bool,),
    "error": (str, type(None)),
    "traceback": (str, type(None)),
    "seconds": (float, int),
}


def _checksum(fields: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=True).encode()).hexdigest()


class _Corrupt(Exception):
    pass


class OutcomeStore:
    """Outcomes by key in `<directory>/<key[:2]>/<key>/`: `outcome.json` (every field but the
    figures, a checksum of them, and each figure file's name, size and SHA-256) and
    `fig-<n>.svg`, `fig-<n>.png` for the n-th figure (from 0)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a block key: {key!r}")
        return self.directory / key[:2] / key

    def get(self, key: str) -> Any:
        """The stored Outcome for `key`, or None if there is none or it fails verification
        (then the entry is removed, so the block runs again and `put` writes a good one)."""
        entry = self.path(key)
        try:
            inode = entry.stat().st_ino
        except OSError:
            return None
        try:
            return self._read(key, entry)
        except (_Corrupt, OSError, ValueError, TypeError, KeyError):
            # Remove the entry that failed, not one another writer renamed into place meanwhile.
            self._remove(entry, inode)
            return None

    def _read(self, key: str, entry: Path) -> Any:
        figure_type, outcome_type = _types()
        meta = json.loads((entry / "outcome.json").read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != CACHE_FORMAT:
            raise _Corrupt("format")
        fields = meta["outcome"]
        if not isinstance(fields, dict) or set(fields) != set(_FIELD_TYPES):
            raise _Corrupt("fields")
        for name, types in _FIELD_TYPES.items():
            if not isinstance(fields[name], types):
                raise _Corrupt(name)
        if fields["key"] != key or fields["status"] not in STORABLE_STATUSES:
            raise _Corrupt("key")
        if meta.get("checksum") != _checksum(fields):
            raise _Corrupt("checksum")
        figures = []
        listing = meta["figures"]
        if not isinstance(listing, list):
            raise _Corrupt("figures")
        for item in listing:
            figures.append(
                figure_type(svg=self._file(entry, item["svg"]), png=self._file(entry, item["png"]))
            )
        return outcome_type(**fields, figures=tuple(figures))

    @staticmethod
    def _file(entry: Path, record: Any) -> bytes:
        if not isinstance(record, dict) or not re.fullmatch(r"fig-\d+\.(svg|png)", str(record.get("file"))):
            raise _Corrupt("record")
        data = (entry / record["file"]).read_bytes()
        if len(data) != record["size"] or hashlib.sha256(data).hexdigest() != record["sha256"]:
            raise _Corrupt(record["file"])
        return data

    def put(self, outcome: Any) -> None:
        """Store `outcome` under its key, replacing any entry there; atomic for readers."""
        if outcome.status not in STORABLE_STATUSES:
            raise ValueError(f"only {sorted(STORABLE_STATUSES)} outcomes are cached, not {outcome.status!r}")
        target = self.path(outcome.key)
        fields = {name: getattr(outcome, name) for name in _FIELD_TYPES}
        fields["seconds"] = float(fields["seconds"])
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=f".tmp-{outcome.key[:8]}-", dir=target.parent))
        try:
            listing = []
            for n, figure in enumerate(outcome.figures):
                item = {}
                for kind in ("svg", "png"):
                    data = bytes(getattr(figure, kind))
                    name = f"fig-{n}.{kind}"
                    (temp / name).write_bytes(data)
                    item[kind] = {"file": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                listing.append(item)
            meta = {
                "format": CACHE_FORMAT,
                "outcome": fields,
                "checksum": _checksum(fields),
                "figures": listing,
            }
            (temp / "outcome.json").write_text(
                json.dumps(meta, ensure_ascii=True, indent=1), encoding="utf-8"
            )
            self._install(temp, target)
        finally:
            if temp.exists():
                shutil.rmtree(temp, ignore_errors=True)

    @staticmethod
    def _install(temp: Path, target: Path) -> None:
        for _attempt in range(5):
            try:
                os.rename(temp, target)
                return
            except OSError as err:
                if err.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
            # An entry is there (an older one, or another writer's): move it aside, then retry.
            OutcomeStore._remove(target)
        # Another writer keeps winning the race; its entry for the same key serves as well.

    @staticmethod
    def _remove(entry: Path, inode: int | None = None) -> None:
        """Move `entry` aside (one rename, so readers never see it half deleted), then delete it;
        if `inode` is given and the entry moved aside is another directory, put it back."""
        trash = entry.with_name(f".old-{entry.name[:8]}-{os.urandom(4).hex()}")
        try:
            os.rename(entry, trash)
        except OSError:
            return
        if inode is not None and trash.stat().st_ino != inode:
            with contextlib.suppress(OSError):
                os.rename(trash, entry)
        shutil.rmtree(trash, ignore_errors=True)
