"""Configuration: the root mkdocs.yml, with the compiler's own `kb:` section.

Everything outside `kb:` belongs to MkDocs and is only read; a bad `kb:` section stops the
command with a ConfigError whose diagnostic points at the offending line and column.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from compiler.config import guess_language, load_settings, settings_for
from compiler.diagnostics import ConfigError, Diagnostic


def project(tmp_path: Path, mkdocs_yml: str | None) -> Path:
    if mkdocs_yml is not None:
        (tmp_path / "mkdocs.yml").write_text(mkdocs_yml, encoding="utf-8")
    return tmp_path


def config_error(tmp_path: Path, mkdocs_yml: str) -> Diagnostic:
    with pytest.raises(ConfigError) as caught:
        load_settings(project(tmp_path, mkdocs_yml))
    return caught.value.diagnostic


def position_of(text: str, snippet: str) -> tuple[int, int]:
    at = text.index(snippet)
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


# --- defaults -----------------------------------------------------------------------------


def test_without_a_kb_section_every_setting_has_its_default(tmp_path):
    settings = load_settings(project(tmp_path, "site_name: 내 노트\ntheme:\n  name: material\n"))
    root = tmp_path.resolve()
    assert settings.project_root == root
    assert settings.config_path == root / "mkdocs.yml"
    assert settings.vault == root / "vault"
    assert settings.site_name == "내 노트"
    assert settings.ignore == ()
    assert settings.home is None
    assert settings.cache_dir == root / ".kb-cache"
    assert settings.section_lines is None


def test_without_mkdocs_yml_the_defaults_apply(tmp_path):
    settings = load_settings(project(tmp_path, None))
    assert settings.vault == tmp_path.resolve() / "vault"
    assert settings.site_name == "vault"  # the vault's folder name
    assert settings.section_lines is None
    assert not settings.has_config


def test_an_empty_kb_section_means_defaults(tmp_path):
    settings = load_settings(project(tmp_path, "site_name: X\nkb:\n"))
    assert (settings.vault, settings.ignore, settings.home) == (tmp_path.resolve() / "vault", (), None)


def test_the_kb_section_sets_vault_ignore_home_and_cache_dir(tmp_path):
    settings = load_settings(project(tmp_path, (
        "site_name: X\n"
        "kb:\n"
        "  vault: notes/my vault\n"
        "  ignore: [drafts, '*.tmp']\n"
        "  home: Start here.md\n"
        "  cache_dir: build/cache\n")))
    root = tmp_path.resolve()
    assert settings.vault == root / "notes" / "my vault"
    assert settings.ignore == ("drafts", "*.tmp")
    assert settings.home == "Start here.md"
    assert settings.cache_dir == root / "build" / "cache"


def test_a_vault_given_by_the_caller_overrides_the_kb_section(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    settings = load_settings(project(tmp_path, "kb:\n  vault: notes\n"), vault=elsewhere)
    assert settings.vault == elsewhere.resolve()


# --- errors point at the key ----------------------------------------------------------------


def test_an_unknown_key_in_kb_is_config_unknown_at_the_keys_line_and_col(tmp_path):
    text = "site_name: X\nkb:\n  vault: v\n  vualt_typo: v\n"
    problem = config_error(tmp_path, text)
    assert problem.code == "config-unknown"
    assert problem.severity == "error"
    assert Path(problem.path).resolve() == tmp_path.resolve() / "mkdocs.yml"
    assert (problem.line, problem.col) == position_of(text, "vualt_typo") == (4, 3)
    assert "vualt_typo" in problem.message
    assert "vault" in problem.hint


def test_an_unknown_key_in_flow_style_is_located_too(tmp_path):
    text = "site_name: X\nkb: {vault: v, bogus: 1}\n"
    problem = config_error(tmp_path, text)
    assert (problem.code, problem.line, problem.col) == ("config-unknown", 2, 16)


@pytest.mark.parametrize(("body", "key"), [
    ("  vault: 3\n", "vault"),
    ("  vault: [a, b]\n", "vault"),
    ("  ignore: drafts\n", "ignore"),
    ("  ignore: [1, 2]\n", "ignore"),
    ("  home: {a: 1}\n", "home"),
    ("  cache_dir: true\n", "cache_dir"),
])
def test_a_value_of_the_wrong_type_is_config_type_at_its_key(tmp_path, body, key):
    text = "site_name: X\nkb:\n" + body
    problem = config_error(tmp_path, text)
    assert problem.code == "config-type"
    assert (problem.line, problem.col) == position_of(text, body.strip())
    assert key in problem.message


def test_a_kb_section_that_is_not_a_mapping_is_config_type(tmp_path):
    problem = config_error(tmp_path, "site_name: X\nkb: [vault]\n")
    assert (problem.code, problem.line) == ("config-type", 2)


def test_invalid_yaml_is_config_yaml_with_its_position(tmp_path):
    problem = config_error(tmp_path, "site_name: X\nnav: [a, b\n")
    assert problem.code == "config-yaml"
    assert problem.line >= 2


def test_a_mkdocs_yml_that_is_not_a_mapping_is_config_type(tmp_path):
    problem = config_error(tmp_path, "- just\n- a list\n")
    assert problem.code == "config-type"


# --- MkDocs' own tags ----------------------------------------------------------------------


def test_mkdocs_python_name_and_env_tags_still_load(tmp_path):
    text = (
        "site_name: !ENV [SITE_NAME, 'Tagged site']\n"
        "markdown_extensions:\n"
        "  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n"
        "  - pymdownx.superfences:\n"
        "      custom_fences:\n"
        "        - name: mermaid\n"
        "          format: !!python/name:pymdownx.superfences.fence_code_format ''\n"
        "extra:\n"
        "  token: !ENV GITHUB_TOKEN\n"
        "  nested: !relative $config_dir\n"
        "kb:\n"
        "  vault: notes\n")
    settings = load_settings(project(tmp_path, text))
    assert settings.vault == tmp_path.resolve() / "notes"


def test_tags_are_never_executed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = "site_name: X\nextra: !!python/object/apply:os.system ['touch pwned']\nkb:\n  vault: v\n"
    load_settings(project(tmp_path, text))
    assert not (tmp_path / "pwned").exists()


# --- the kb block's lines (publish removes them before MkDocs sees the file) ---------------


def lines_of(text: str, span: tuple[int, int]) -> list[str]:
    return text.split("\n")[span[0]:span[1]]


def without(text: str, span: tuple[int, int]) -> str:
    lines = text.split("\n")
    return "\n".join(lines[:span[0]] + lines[span[1]:])


def test_section_lines_cover_exactly_the_kb_block_in_the_middle_of_the_file(tmp_path):
    text = ("site_name: X\n"
            "# The compiler's own settings\n"
            "kb:\n"
            "  vault: v\n"
            "  ignore:\n"
            "    - drafts\n"
            "plugins:\n"
            "  - search\n")
    settings = load_settings(project(tmp_path, text))
    assert settings.section_lines == (2, 6)
    assert lines_of(text, settings.section_lines) == ["kb:", "  vault: v", "  ignore:", "    - drafts"]
    assert yaml.safe_load(without(text, settings.section_lines)) == {
        "site_name": "X", "plugins": ["search"]}


def test_section_lines_reach_the_end_of_the_file_when_kb_comes_last(tmp_path):
    text = "site_name: X\nkb:\n  vault: v\n  ignore: []\n"
    settings = load_settings(project(tmp_path, text))
    start, end = settings.section_lines
    assert start == 1
    assert [line for line in lines_of(text, (start, end)) if line] == ["kb:", "  vault: v", "  ignore: []"]
    assert yaml.safe_load(without(text, settings.section_lines)) == {"site_name": "X"}


def test_section_lines_leave_out_nothing_but_blank_and_comment_lines_before_the_next_key(tmp_path):
    text = ("site_name: X\n"
            "kb:\n"
            "  vault: v\n"
            "\n"
            "# MkDocs plugins\n"
            "plugins:\n"
            "  - search\n")
    settings = load_settings(project(tmp_path, text))
    kept = lines_of(text, settings.section_lines)
    assert kept[:2] == ["kb:", "  vault: v"]
    assert all(not line.strip() or line.lstrip().startswith("#") for line in kept[2:])
    assert yaml.safe_load(without(text, settings.section_lines)) == {"site_name": "X", "plugins": ["search"]}


def test_section_lines_of_a_one_line_kb_mapping(tmp_path):
    text = "site_name: X\nkb: {vault: v}\nnav: []\n"
    settings = load_settings(project(tmp_path, text))
    assert settings.section_lines == (1, 2)
    assert settings.vault == tmp_path.resolve() / "v"


def test_section_lines_with_mkdocs_tags_around_the_kb_block(tmp_path):
    text = ("site_name: X\n"
            "extra:\n"
            "  token: !ENV TOKEN\n"
            "kb:\n"
            "  vault: v\n"
            "markdown_extensions:\n"
            "  - pymdownx.emoji:\n"
            "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n")
    settings = load_settings(project(tmp_path, text))
    assert settings.section_lines == (3, 5)


# --- where the configuration is found ---------------------------------------------------------


def test_the_mkdocs_yml_beside_a_vault_that_names_it_is_its_configuration(tmp_path):
    garden = tmp_path / "garden"
    (garden / "notes").mkdir(parents=True)
    (garden / "mkdocs.yml").write_text("site_name: My Garden\nkb:\n  vault: notes\n  cache_dir: c\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    settings = settings_for(None, garden / "notes", cwd=elsewhere)
    assert settings.has_config
    assert settings.site_name == "My Garden"
    assert settings.project_root == garden.resolve()
    assert settings.cache_dir == garden.resolve() / "c"  # relative to the file's own folder


def test_a_plain_mkdocs_project_names_its_vault_with_docs_dir(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: Docs\ndocs_dir: pages\n")
    settings = settings_for(None, tmp_path / "pages", cwd=tmp_path)
    assert (settings.has_config, settings.site_name) == (True, "Docs")


def test_the_configuration_of_the_folder_you_run_in_is_never_taken_for_another_vault(tmp_path):
    project_dir = tmp_path / "project"
    (project_dir / "vault").mkdir(parents=True)
    (project_dir / "mkdocs.yml").write_text(
        "site_name: 딥러닝 노트\ntheme:\n  name: material\n  language: ko\nkb:\n  vault: vault\n")
    other = tmp_path / "notes"
    other.mkdir()
    (other / "a.md").write_text("An English note about gradients.\n")
    settings = settings_for(None, other, cwd=project_dir)
    assert not settings.has_config
    assert (settings.site_name, settings.language) == ("notes", "en")
    assert settings.project_root == project_dir.resolve()  # output goes where you run


def test_a_mkdocs_yml_beside_the_vault_naming_another_vault_is_not_read(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: A's site\nkb:\n  vault: a\n")
    settings = settings_for(None, tmp_path / "b", cwd=tmp_path)
    assert not settings.has_config and settings.site_name == "b"
    assert settings.mkdocs_defaults()["read_config"] is False


def test_with_no_arguments_the_mkdocs_yml_of_the_folder_you_run_in_is_read(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: Here\n")
    settings = settings_for(None, None, cwd=tmp_path)
    assert settings.has_config and settings.vault == tmp_path.resolve() / "vault"


def test_config_given_outright_resolves_the_vault_against_its_own_folder(tmp_path):
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "site.yml").write_text("site_name: X\nkb:\n  vault: ../notes\n")
    settings = settings_for(conf / "site.yml", None, cwd=tmp_path / "conf")
    assert settings.vault == (tmp_path / "notes").resolve()


@pytest.mark.parametrize(("notes", "language"), [
    ({"a.md": "역전파는 연쇄 법칙으로 기울기를 구한다. Backpropagation."}, "ko"),
    ({"a.md": "Backpropagation computes gradients by the chain rule. 역전파"}, "en"),
    ({}, "en"),
])
def test_the_language_is_guessed_from_the_share_of_hangul(tmp_path, notes, language):
    vault = tmp_path / "v"
    vault.mkdir()
    for name, text in notes.items():
        (vault / name).write_text(text, encoding="utf-8")
    assert guess_language(vault) == language


# --- settings that would break the output are refused before any note is compiled -----------


@pytest.mark.parametrize(("text", "snippet", "code"), [
    ("site_name: X\ntheme: readthedocs\n", "readthedocs", "config-theme"),
    ("site_name: X\ntheme:\n  name: mkdocs\n", "mkdocs\n", "config-theme"),
    ("site_name: X\ntheme:\n  name: material\n  font:\n    text: Roboto\n", "font:", "config-offline"),
    ("site_name: X\nextra_javascript:\n  - https://cdn.example.com/a.js\n", "https://cdn", "config-offline"),
    ("site_name: X\nextra_css:\n  - //cdn.example.com/a.css\n", "//cdn", "config-offline"),
    ("site_name: X\nkb:\n  allow_hosts: [https://x.org/]\n", "allow_hosts", "config-type"),
    ("site_name: X\nkb:\n  snippets: code\n", "snippets", "config-snippets"),
])
def test_a_setting_that_would_break_the_output_is_an_error_at_its_position(tmp_path, text, snippet, code):
    problem = config_error(tmp_path, text)
    assert problem.code == code
    assert (problem.line, problem.col) == position_of(text, snippet)


def test_allowed_hosts_permit_web_fonts_and_scripts_on_purpose(tmp_path):
    settings = load_settings(project(tmp_path, (
        "site_name: X\ntheme:\n  name: material\n  font:\n    text: Roboto\n"
        "extra_javascript:\n  - https://plausible.io/js/script.js\n"
        "kb:\n  allow_hosts: [fonts.googleapis.com, fonts.gstatic.com, plausible.io]\n")))
    assert settings.allow_hosts == ("fonts.googleapis.com", "fonts.gstatic.com", "plausible.io")
    assert settings.mkdocs_defaults()["web_fonts"] is True


def test_a_snippets_folder_is_relative_to_the_configuration(tmp_path):
    settings = load_settings(project(tmp_path, "site_name: X\nkb:\n  snippets: code/snippets\n"))
    assert settings.snippets_dir == tmp_path.resolve() / "code" / "snippets"
    assert load_settings(project(tmp_path, "site_name: X\n")).snippets_dir == tmp_path.resolve() / "snippets"


def test_site_dir_is_mkdocs_own_setting_relative_to_the_configuration(tmp_path):
    assert load_settings(project(tmp_path, "site_name: X\n")).site_dir == tmp_path.resolve() / "site"
    settings = load_settings(project(tmp_path, "site_name: X\nsite_dir: out/docs\n"))
    assert settings.site_dir == tmp_path.resolve() / "out" / "docs"


# --- raw HTML ------------------------------------------------------------------------------


def test_note_html_is_sanitised_unless_the_owner_trusts_it(tmp_path):
    assert load_settings(project(tmp_path, "site_name: x\n")).raw_html == "sanitize"
    trusted = load_settings(project(tmp_path, "kb:\n  raw_html: trusted\n"))
    assert trusted.raw_html == "trusted"


def test_an_unknown_raw_html_mode_is_config_type_at_its_key(tmp_path):
    text = "kb:\n  raw_html: yolo\n"
    problem = config_error(tmp_path, text)
    assert (problem.code, (problem.line, problem.col)) == ("config-type", position_of(text, "raw_html"))
    assert "sanitize, trusted" in problem.message
