"""`kb init [VAULT]`: a commented configuration beside the vault, read back by every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.cli import main
from compiler.config import settings_for
from compiler.init import InitError, init_vault


def vault_with(root: Path, name: str, text: str) -> Path:
    vault = root / name
    vault.mkdir(parents=True)
    (vault / "note.md").write_text(text, encoding="utf-8")
    return vault


def test_init_writes_the_configuration_beside_the_vault_and_commands_find_it_from_anywhere(tmp_path):
    vault = vault_with(tmp_path / "garden", "공부 노트", "# 역전파\n\n연쇄 법칙으로 기울기를 구한다.\n")
    written = init_vault(vault)
    assert written.config == (tmp_path / "garden" / "mkdocs.yml").resolve()
    text = written.config.read_text(encoding="utf-8")
    assert "# site_url:" in text  # left for the user, commented
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    settings = settings_for(None, vault, cwd=elsewhere)
    assert settings.has_config
    assert (settings.site_name, settings.language, settings.vault) == ("공부 노트", "ko", vault.resolve())


def test_a_name_yaml_would_misread_is_quoted(tmp_path):
    vault = vault_with(tmp_path, "yes: #1 notes", "English text only.\n")
    init_vault(vault)
    settings = settings_for(None, vault, cwd=tmp_path)
    assert settings.site_name == "yes: #1 notes" and settings.language == "en"


def test_init_never_overwrites_a_configuration(tmp_path):
    vault = vault_with(tmp_path, "notes", "text\n")
    init_vault(vault)
    before = (tmp_path / "mkdocs.yml").read_bytes()
    with pytest.raises(InitError, match="already configures"):
        init_vault(vault)
    other = vault_with(tmp_path, "other", "text\n")
    with pytest.raises(InitError, match="--config"):
        init_vault(other)
    assert (tmp_path / "mkdocs.yml").read_bytes() == before


def test_init_with_config_writes_elsewhere_with_the_vault_relative_to_it(tmp_path):
    vault = vault_with(tmp_path, "notes", "text\n")
    config = tmp_path / "site" / "kb.yml"
    init_vault(vault, config)
    assert settings_for(config, None, cwd=tmp_path).vault == vault.resolve()


def test_init_refuses_to_write_into_the_vault(tmp_path):
    vault = vault_with(tmp_path, "notes", "text\n")
    with pytest.raises(InitError, match="inside the vault"):
        init_vault(vault, vault / "mkdocs.yml")
    assert not (vault / "mkdocs.yml").exists()


def test_kb_init_command_reports_where_it_wrote_and_fails_on_a_second_run(tmp_path, capsys, monkeypatch):
    vault_with(tmp_path, "vault", "text\n")
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    assert "mkdocs.yml" in capsys.readouterr().out
    assert main(["init"]) == 2  # a usage error: nothing is overwritten
    assert "left as it was" in capsys.readouterr().err


def test_kb_version_names_the_installed_version(capsys):
    from importlib.metadata import version

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"kb {version('kb-vault-compiler')}"
