"""Shared fixtures: small vaults on disk and sites built from them by the real pipeline.

Under pytest-xdist (`scripts/test`: `-n auto --dist loadfile`) the tests of one file stay on
one worker, so a module's fixtures (its site, its browser) are made once. (`--dist loadgroup` with
`xdist_group` marks would say the same, but it groups nothing under pytest 9.2: pytest-xdist
issue #1386.) The bundled site, which several files read, is built once for the whole run:
the first worker to need it builds it under a file lock, the others load it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from compiler.build import BuildResult, Compilation, build_site, compile_vault
from compiler.config import Settings, load_settings
from compiler.lock import hold

PROJECT = Path(__file__).resolve().parent.parent
BUNDLED_VAULT = PROJECT / "vault"
# Files by the time they take, longest first (measured with --durations), so that no long file
# is left for the end of a run: scripts/test keeps this order (--no-loadscope-reorder; by
# default pytest-xdist hands out the files with the most tests first). The first file builds
# the bundled site; the second, which the other worker starts with, does not need it.
LONG_FIRST = ("test_build_e2e", "test_blocks_e2e", "test_lock", "test_properties", "test_conformance",
              "test_engines", "test_incremental", "test_execute_dask", "test_browser", "test_serve",
              "test_browser_reader", "test_snippet_figures", "test_cli",
              "test_execute", "test_safety_browser", "test_graph_browser", "test_messages",
              "test_subpath_browser", "test_report", "test_barrier", "test_canvas_browser",
              "test_mermaid_browser", "test_owned_settings", "test_graph_legible_browser")
T = TypeVar("T")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        stem = Path(str(item.path)).stem
        return LONG_FIRST.index(stem) if stem in LONG_FIRST else len(LONG_FIRST)

    items.sort(key=rank)  # stable: each file keeps its own order


def shared(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], T]) -> T:
    """make(folder) once per test run, whichever worker asks first; its (picklable) result
    is loaded by the others. Workers share the parent of their own temporary folders."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    folder, saved = root / f"shared-{name}", root / f"shared-{name}.pickle"
    with hold(root / f"shared-{name}.lock", name):
        if saved.is_file():
            return pickle.loads(saved.read_bytes())
        folder.mkdir(exist_ok=True)
        value = make(folder)
        saved.write_bytes(pickle.dumps(value))
        return value


def write_vault(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write {vault path: text or bytes} under root and return root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under root with the SHA-256 of its bytes."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def project_settings(tmp: Path, vault: Path) -> Settings:
    """The repository's real mkdocs.yml, with the vault and cache given."""
    settings = load_settings(PROJECT, vault=vault)
    return dataclasses.replace(settings, cache_dir=tmp / "cache")


@pytest.fixture
def build_vault(tmp_path: Path) -> Callable[[dict[str, str | bytes]], tuple[BuildResult, Path]]:
    """Build a small vault with the real pipeline and MkDocs; returns (result, site dir)."""

    def build(files: dict[str, str | bytes]) -> tuple[BuildResult, Path]:
        vault = write_vault(tmp_path / "vault", files)
        site = tmp_path / "site"
        return build_site(project_settings(tmp_path, vault), site), site

    return build


@pytest.fixture(scope="session")
def build_vault_once(tmp_path_factory: pytest.TempPathFactory
                     ) -> Callable[[dict[str, str | bytes]], tuple[BuildResult, Path]]:
    """Like build_vault, for tests that only read what was built: the same files are built
    once per worker process and their (result, site) shared. Read them, never change them."""
    built: dict[str, tuple[BuildResult, Path]] = {}

    def build(files: dict[str, str | bytes]) -> tuple[BuildResult, Path]:
        digest = hashlib.sha256(pickle.dumps(sorted(files.items()))).hexdigest()[:16]
        if digest not in built:
            tmp = tmp_path_factory.mktemp(f"built-{digest}")
            vault = write_vault(tmp / "vault", files)
            built[digest] = build_site(project_settings(tmp, vault), tmp / "site"), tmp / "site"
        return built[digest]

    return build


@pytest.fixture(scope="session")
def bundled_compilation(tmp_path_factory: pytest.TempPathFactory) -> Compilation:
    """The bundled vault compiled, as the bundled site's build compiles it (in a process of
    its own, so its result carries no compilation)."""
    return compile_vault(project_settings(tmp_path_factory.mktemp("compiled"), BUNDLED_VAULT),
                         use_cache=False)


@pytest.fixture(scope="session")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Path, dict, dict]:
    """The bundled vault built once for the whole run: (result, site, vault digest before,
    vault digest after). Read it, never change it: other tests (and workers) read it too."""

    def build(tmp: Path) -> tuple[BuildResult, Path, dict, dict]:
        before = tree_digest(BUNDLED_VAULT)
        site = tmp / "site"
        result = build_site(project_settings(tmp, BUNDLED_VAULT), site)
        return result, site, before, tree_digest(BUNDLED_VAULT)

    return shared(tmp_path_factory, "bundled", build)
