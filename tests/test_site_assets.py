"""Where the browser libraries come from: the wheel's copy first, then the checkout's
node_modules/; a missing one is named with the way to get it for this kind of install."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler import site_assets
from compiler.vendored import VENDORED, vendored_name


def test_the_packaged_copy_wins_over_node_modules(tmp_path, monkeypatch):
    package, file = VENDORED[0]
    packaged = tmp_path / "vendor" / vendored_name(package, file)
    packaged.parent.mkdir(parents=True)
    packaged.write_text("packaged")
    monkeypatch.setattr(site_assets, "VENDOR_DIR", tmp_path / "vendor")
    asset = site_assets.npm_asset(package, file)
    assert asset.source == packaged
    assert asset.staged_path == f"_kb/vendor/{vendored_name(package, file)}"
    monkeypatch.setattr(site_assets, "VENDOR_DIR", tmp_path / "nothing")
    assert site_assets.npm_asset(package, file).source == site_assets.NODE_MODULES / package / file


@pytest.mark.parametrize(("checkout", "advice"), [(True, "scripts/install"), (False, "wheel")])
def test_a_missing_library_says_how_to_get_it(tmp_path, monkeypatch, checkout, advice):
    if checkout:
        (tmp_path / "package.json").write_text("{}")
    monkeypatch.setattr(site_assets, "PROJECT_ROOT", tmp_path)
    missing = site_assets.SiteAsset("_kb/vendor/x/x.js", Path(tmp_path / "absent.js"))
    with pytest.raises(site_assets.MissingAsset, match=advice) as caught:
        site_assets.check_installed((missing,))
    assert "absent.js" in str(caught.value)
    if not checkout:
        assert "scripts/install" not in str(caught.value)


def test_a_features_libraries_are_staged_only_when_a_page_uses_it():
    def paths(features: set[str]) -> set[str]:
        return {a.staged_path for a in site_assets.needed(features)}

    everything = {a.staged_path for a in site_assets.SITE_ASSETS}
    assert paths({"mermaid", "graph"}) == everything
    bare = paths(set())
    assert "_kb/kb.css" in bare and "_kb/preview.js" in bare
    assert not any("mermaid" in p or "sigma" in p or "graphology" in p or "graph." in p for p in bare)
    assert paths({"graph"}) - bare == {"_kb/graph.css", "_kb/graph.js", "_kb/vendor/sigma/sigma.min.js",
                                       "_kb/vendor/graphology/graphology.umd.min.js"}


def test_a_mermaid_diagram_is_found_in_the_syntax_tree_not_in_the_words():
    from compiler.features import draws_mermaid, used_features
    from compiler.parse import parse_note

    def note(text: str):
        return parse_note("a.md", text.encode())

    drawn = note("# A\n\n> [!note]\n> ```mermaid\n> graph TD; A-->B\n> ```\n")
    told = note("Mermaid draws diagrams: write `mermaid` after the fence.\n\n```python\nmermaid = 1\n```\n")
    assert draws_mermaid(drawn) and not draws_mermaid(told)
    assert used_features([told], has_graph=True) == {"graph"}
    assert used_features([told, drawn], has_graph=False) == {"mermaid"}


def test_the_bundled_site_carries_the_graph_libraries_but_no_mermaid(bundled_site):
    _, site, _, _ = bundled_site
    assert not (site / "_kb/vendor/mermaid").exists() and not (site / "_kb/mermaid-loader.js").exists()
    assert (site / "_kb/vendor/sigma/sigma.min.js").is_file()
    page = (site / "index.html").read_text(encoding="utf-8")
    assert "mermaid-loader.js" not in page and "_kb/graph.js" in page
