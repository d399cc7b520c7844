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
