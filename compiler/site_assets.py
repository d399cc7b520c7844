"""The files every built site carries besides its pages: the compiler's own CSS and JavaScript,
and the browser libraries that `scripts/install` fetches from npm into `node_modules/`.

One list serves both ends: `render` stages the files, and `mkdocs_runner` links the stylesheets
and scripts from every page. Nothing here is loaded from another host.

An installed wheel carries the browser libraries as package data (`vendored.py`, copied by
`setup.py` at build time, never committed): the runtime looks there first, then in the
checkout's `node_modules/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .vendored import GRAPHOLOGY, MERMAID, SIGMA, vendored_name

ASSET_DIR = "_kb"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = PROJECT_ROOT / "node_modules"
VENDOR_DIR = Path(__file__).resolve().parent / "assets" / "vendor"  # inside an installed wheel


class MissingAsset(RuntimeError):
    """A browser library is not installed: `scripts/install` fetches it from npm."""


@dataclass(frozen=True)
class SiteAsset:
    staged_path: str  # where the file lands in the site, relative to its root
    source: Path
    linked: bool = True  # linked from every page (stylesheet or script), or only copied

    @property
    def is_script(self) -> bool:
        return self.staged_path.endswith((".js", ".mjs"))

    @property
    def is_stylesheet(self) -> bool:
        return self.staged_path.endswith(".css")


def own_asset(name: str, linked: bool = True) -> SiteAsset:
    """A file of `compiler/assets/`, staged under `_kb/`."""
    return SiteAsset(f"{ASSET_DIR}/{name}", Path(str(resources.files("compiler") / "assets" / name)),
                     linked)


def npm_asset(package: str, file: str, linked: bool = True) -> SiteAsset:
    """A file of an npm package, staged under `_kb/vendor/<package>/`: the wheel's copy,
    or the checkout's `node_modules/`."""
    name = vendored_name(package, file)
    packaged = VENDOR_DIR / name
    source = packaged if packaged.is_file() else NODE_MODULES / package / file
    return SiteAsset(f"{ASSET_DIR}/vendor/{name}", source, linked)


# Order matters for scripts: libraries before the code that uses them.
SITE_ASSETS: tuple[SiteAsset, ...] = (
    own_asset("kb.css"),
    # Material draws ```mermaid blocks with `window.mermaid` when a page defines it, and
    # fetches it from unpkg.com otherwise: the site serves its own. Every page links the small
    # loader, which defines `window.mermaid` and fetches Mermaid (3 MB, not linked) the first
    # time a diagram is drawn: pages without a diagram never load it.
    own_asset("mermaid-loader.js"),
    npm_asset(*MERMAID, linked=False),
    own_asset("graph.css"),
    npm_asset(*GRAPHOLOGY),  # global `graphology`
    # global `Sigma`: draws the graph with WebGL. Pinned to 3.0.x in package.json: graph.js
    # extends its line program's render() and listens to its process and resize events.
    npm_asset(*SIGMA),
    own_asset("graph.js"),  # the global graph page and every note's local graph
    own_asset("preview.css"),
    own_asset("preview.js"),
    own_asset("canvas.css"),  # canvas boards' pan and zoom (compiler/forms/canvases.py)
    own_asset("canvas.js"),
)


def check_installed(assets: tuple[SiteAsset, ...] = SITE_ASSETS) -> None:
    """Raises MissingAsset naming every file that is not there, and how to get it."""
    missing = [str(a.source) for a in assets if not a.source.is_file()]
    if not missing:
        return
    if (PROJECT_ROOT / "package.json").is_file():  # a checkout
        how = "run scripts/install, which fetches the browser libraries from npm"
    else:
        how = ("this installation of kb was built without its browser libraries: install a wheel "
               "built from a checkout after `npm ci` (see the README)")
    raise MissingAsset("missing site files: " + ", ".join(missing) + f" ({how})")


def stylesheets(assets: tuple[SiteAsset, ...] = SITE_ASSETS) -> list[str]:
    return [a.staged_path for a in assets if a.linked and a.is_stylesheet]


def scripts(assets: tuple[SiteAsset, ...] = SITE_ASSETS) -> list[str]:
    return [a.staged_path for a in assets if a.linked and a.is_script]
