"""The compiler owns what its output needs: a minimal mkdocs.yml (or none) renders like the
bundled one: callouts as admonitions, tasks as checkboxes, embeds as embeds, no web fonts,
the interface in the site's language. Hosts allowed on purpose pass the site check."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.build import build_site
from compiler.config import load_settings, settings_for
from compiler.sitecheck import check_site
from tests.conftest import write_vault

pytestmark = pytest.mark.slow

VAULT = {
    "index.md": "# Start\n\n> [!tip] A tip\n> Read [[Other]].\n\n- [ ] open task\n- [x] done task\n\n"
                "![[Other#Part]]\n",
    "Other.md": "# Other\n\n## Part\n\nThe embedded words.\n",
}


def built(tmp_path: Path, mkdocs_yml: str | None) -> str:
    project = tmp_path / "garden"
    write_vault(project / "vault", VAULT)
    if mkdocs_yml is not None:
        (project / "mkdocs.yml").write_text(mkdocs_yml, encoding="utf-8")
        settings = load_settings(project)
    else:
        settings = settings_for(None, project / "vault", cwd=tmp_path)
    site = tmp_path / "site"
    build_site(settings, site)
    assert check_site(site, frozenset(settings.allow_hosts)) == []
    return (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("mkdocs_yml", ["site_name: My Garden\n",
                                        "site_name: My Garden\ntheme: material\n",
                                        None])
def test_a_minimal_configuration_renders_callouts_tasks_and_embeds(tmp_path, mkdocs_yml):
    page = built(tmp_path, mkdocs_yml)
    assert '<div class="admonition tip">' in page and "> [!tip]" not in page
    assert '<input type="checkbox" disabled/>' in page and '<input type="checkbox" disabled checked/>' in page
    assert "The embedded words." in page and "![[Other" not in page
    assert "fonts.googleapis.com" not in page
    assert '<html lang="en"' in page
    assert 'class="headerlink"' in page  # the toc's permalinks, as in the bundled site


def test_web_fonts_allowed_on_purpose_load_and_pass_the_site_check(tmp_path):
    page = built(tmp_path, "site_name: G\ntheme:\n  name: material\n  font:\n    text: Roboto\n"
                           "kb:\n  allow_hosts: [fonts.googleapis.com, fonts.gstatic.com]\n")
    assert "fonts.googleapis.com" in page


def test_an_allowed_host_is_exactly_that_host(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        '<script src="https://plausible.io/js/s.js"></script><img src="https://evil.example/x.png">')
    problems = check_site(site, frozenset({"plausible.io"}))
    assert problems == ["index.html: <img> loads https://evil.example/x.png from another host"]
