"""The documentation is an Obsidian vault kb publishes; its list of diagnostic codes is the
one the code reports, so that it cannot drift."""

from __future__ import annotations

from compiler.build import compile_vault
from compiler.codes import diagnostic_codes, documented_table, markdown_table
from compiler.config import settings_for
from tests.conftest import PROJECT


def test_the_documented_codes_are_the_codes_in_the_code():
    note = (PROJECT / "docs" / "Diagnostics.md").read_text(encoding="utf-8")
    assert documented_table(note) == markdown_table(diagnostic_codes()), (
        "run: python -m compiler.codes docs/Diagnostics.md")


def test_codes_reported_through_variables_and_helpers_are_found():
    codes = diagnostic_codes()
    assert {"unresolved-link", "missing-attachment", "embed-cycle", "embed-too-deep", "config-theme",
            "config-offline", "invalid-front-matter", "unpublished-link"} <= set(codes)
    assert codes["unpublished-link"].severity == "info" and codes["config-yaml"].severity == "error"
    assert not any(code.startswith("kb-") for code in codes)  # CSS classes are no codes


def test_the_documentation_vault_compiles_without_a_diagnostic(tmp_path):
    settings = settings_for(PROJECT / "docs.yml", None, cwd=tmp_path)
    assert settings.vault == PROJECT / "docs" and settings.language == "en"
    compilation = compile_vault(settings, use_cache=False)
    assert len(compilation.resolved.notes) >= 10
    assert compilation.diagnostics == ()
