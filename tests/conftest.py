"""Shared fixtures: small vaults on disk and sites built from them by the real pipeline."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from compiler.build import BuildResult, build_site
from compiler.config import Settings, load_settings

PROJECT = Path(__file__).resolve().parent.parent
BUNDLED_VAULT = PROJECT / "vault"


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
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Path, dict, dict]:
    """The bundled vault built once: (result, site, vault digest before, vault digest after)."""
    tmp = tmp_path_factory.mktemp("bundled")
    before = tree_digest(BUNDLED_VAULT)
    site = tmp / "site"
    result = build_site(project_settings(tmp, BUNDLED_VAULT), site)
    after = tree_digest(BUNDLED_VAULT)
    return result, site, before, after
