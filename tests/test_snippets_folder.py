"""A user's vault has its own importable code: `snippets/` beside the vault (or the folder
`kb.snippets` names). A block importing a module that is not there says where it looked."""

from __future__ import annotations

import pytest

from compiler.build import build_site
from compiler.config import settings_for
from tests.conftest import write_vault

pytestmark = pytest.mark.slow

NOTE = ("# Code\n\n```python exec\nfrom snippets.helper import double\nprint(double(21))\n```\n\n"
        "```python exec\nfrom snippets.absent import nothing\n```\n")


def test_blocks_import_the_snippets_beside_the_vault_and_a_missing_module_names_the_folder(tmp_path):
    garden = tmp_path / "garden"
    write_vault(garden, {"notes/Code.md": NOTE, "snippets/__init__.py": "",
                         "snippets/helper.py": "def double(x):\n    return 2 * x\n"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    settings = settings_for(None, garden / "notes", cwd=elsewhere)
    assert settings.snippets_dir == (garden / "snippets").resolve()
    result = build_site(settings, elsewhere / "site")
    found = {r.block.index: r.outcome for r in result.blocks.values()}
    assert found[0].status == "ok" and found[0].stdout.strip() == "42"
    assert found[1].status == "error"
    assert f"(searched {garden.resolve() / 'snippets'})" in found[1].error
