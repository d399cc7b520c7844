"""A wheel that works anywhere: built from the checkout, installed into a fresh virtualenv
outside it, its `kb` builds a vault from another folder, graph page and diagrams included,
with the browser libraries it carries as package data (never committed)."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import sysconfig
import threading
import zipfile
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from compiler.sitecheck import check_site
from compiler.vendored import VENDORED, vendored_name
from tests.conftest import PROJECT, write_vault
from tests.test_browser import CHROMIUM, Browser, _QuietHandler, chromium  # noqa: F401
from tests.test_mermaid_browser import OPEN_SHADOW_ROOTS

pytestmark = [pytest.mark.slow]

VAULT = {
    "Start.md": "# Start\n\nSee [[Gradient]] and [[Missing note]].\n\n```mermaid\ngraph LR\n"
                "  A[input] --> B[output]\n```\n",
    "Gradient.md": "# Gradient\n\nBack to [[Start]].\n\n```python exec\n#| figure: slope.png\n"
                   "import matplotlib.pyplot as plt\nplt.plot([0, 1], [0, 2])\n```\n\n![[slope.png]]\n",
}


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the wheel, the fresh virtualenv's bin folder)."""
    tmp = tmp_path_factory.mktemp("wheel")
    built = run([sys.executable, "-m", "pip", "wheel", str(PROJECT), "--no-deps", "-q",
                 "-w", str(tmp / "dist")], cwd=tmp)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp / "dist").glob("kb_vault_compiler-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    target = Path(run([str(venv / "bin" / "python"), "-c",
                       "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp)
                  .stdout.strip())
    # The dependencies are this checkout's virtualenv's (read, not imported from the
    # checkout): the test stays offline; the `compiler` package is only the wheel's.
    (target / "_kb_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                     "install", "--no-deps", "-q", str(wheel)], cwd=tmp)
    assert installed.returncode == 0, installed.stderr
    return wheel, venv / "bin"


def test_the_wheel_carries_the_browser_libraries_and_the_compilers_assets(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for package, file in VENDORED:
        assert f"compiler/assets/vendor/{vendored_name(package, file)}" in names
    assert {"compiler/assets/graph.js", "compiler/assets/kb.css", "compiler/snippet_worker.py",
            "compiler/catalogues/en.yaml", "compiler/catalogues/ko.yaml"} <= names
    assert not any(name.startswith(("node_modules/", "vault/", "snippets/", "tests/")) for name in names)


def test_the_installed_kb_is_the_wheels_and_knows_its_version(installed, tmp_path):
    _, bin_dir = installed
    where = run([str(bin_dir / "python"), "-c", "import compiler; print(compiler.__file__)"], cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(bin_dir.parent)
    version = run([str(bin_dir / "kb"), "--version"], cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("kb 0.")


@pytest.fixture(scope="module")
def site_from_elsewhere(installed, tmp_path_factory) -> Iterator[str]:
    _, bin_dir = installed
    tmp = tmp_path_factory.mktemp("anyone")
    write_vault(tmp / "garden" / "notes", VAULT)
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    built = run([str(bin_dir / "kb"), "build", "--vault", "../garden/notes", "--quiet"], cwd=elsewhere)
    assert built.returncode == 0, built.stderr
    site = elsewhere / "site"
    assert check_site(site) == []
    for package, file in VENDORED:
        assert (site / "_kb" / "vendor" / vendored_name(package, file)).is_file()
    assert list((site / "_kb" / "figures").glob("*.svg"))  # the block ran in the wheel's worker
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_the_graph_page_and_a_diagram_draw_in_chromium(site_from_elsewhere, chromium):  # noqa: F811
    context = chromium.new_context()
    page = context.new_page()
    page.add_init_script(OPEN_SHADOW_ROOTS)
    browser = Browser(page, site_from_elsewhere)
    browser.open("graph/")
    page.wait_for_function("window.kbGraph && window.kbGraph.ready", timeout=15_000)
    assert page.evaluate("kbGraph.nodeCount()") == 3  # two notes and a ghost
    browser.open("Start/")
    page.locator("div.mermaid svg", has_text="output").first.wait_for(timeout=20_000)
    assert browser.errors == [] and browser.foreign == []
    context.close()
