"""The files every built site carries besides its pages: the compiler's own CSS and JavaScript,
and the browser libraries that `scripts/install` fetches from npm into `node_modules/`.

One list serves both ends: `render` stages the files, and `mkdocs_runner` links the stylesheets
and scripts from every page. Nothing here is loaded from another host. The libraries of one
feature (Mermaid's diagrams, the concept graph) are staged only when some page of the site uses
that feature (`needed`), and only what was staged is linked (`staged`): a small site without a
diagram does not carry Mermaid's 3.5 MB.

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
    feature: str | None = None  # staged only when a page uses it (MERMAID_FEATURE, GRAPH_FEATURE)

    @property
    def is_script(self) -> bool:
        return self.staged_path.endswith((".js", ".mjs"))

    @property
    def is_stylesheet(self) -> bool:
        return self.staged_path.endswith(".css")


MERMAID_FEATURE = "mermaid"  # a ```mermaid diagram on some page
GRAPH_FEATURE = "graph"  # the graph page and the notes' local graphs


def own_asset(name: str, linked: bool = True, feature: str | None = None) -> SiteAsset:
    """A file of `compiler/assets/`, staged under `_kb/`."""
    return SiteAsset(f"{ASSET_DIR}/{name}", Path(str(resources.files("compiler") / "assets" / name)),
                     linked, feature)


def npm_asset(package: str, file: str, linked: bool = True, feature: str | None = None) -> SiteAsset:
    """A file of an npm package, staged under `_kb/vendor/<package>/`: the wheel's copy,
    or the checkout's `node_modules/`."""
    name = vendored_name(package, file)
    packaged = VENDOR_DIR / name
    source = packaged if packaged.is_file() else NODE_MODULES / package / file
    return SiteAsset(f"{ASSET_DIR}/vendor/{name}", source, linked, feature)


# Order matters for scripts: libraries before the code that uses them.
SITE_ASSETS: tuple[SiteAsset, ...] = (
    own_asset("kb.css"),
    # Material draws ```mermaid blocks with `window.mermaid` when a page defines it, and
    # fetches it from unpkg.com otherwise: the site serves its own. Every page links the small
    # loader, which defines `window.mermaid` and fetches Mermaid (3 MB, not linked) the first
    # time a diagram is drawn: pages without a diagram never load it.
    own_asset("mermaid-loader.js", feature=MERMAID_FEATURE),
    npm_asset(*MERMAID, linked=False, feature=MERMAID_FEATURE),
    own_asset("graph.css", feature=GRAPH_FEATURE),
    npm_asset(*GRAPHOLOGY, feature=GRAPH_FEATURE),  # global `graphology`
    # global `Sigma`: draws the graph with WebGL. Pinned to 3.0.x in package.json: graph.js
    # extends its line program's render() and listens to its process and resize events.
    npm_asset(*SIGMA, feature=GRAPH_FEATURE),
    own_asset("graph.js", feature=GRAPH_FEATURE),  # the global graph page and every note's local graph
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


def needed(features: set[str] | frozenset[str],
           assets: tuple[SiteAsset, ...] = SITE_ASSETS) -> tuple[SiteAsset, ...]:
    """The assets a site carries: every one that belongs to no feature, and those of the
    features its pages use."""
    return tuple(a for a in assets if a.feature is None or a.feature in features)


def staged(docs_dir: Path, assets: tuple[SiteAsset, ...] = SITE_ASSETS) -> tuple[SiteAsset, ...]:
    """The assets present in a staged folder: the ones the pages may link."""
    return tuple(a for a in assets if (docs_dir / a.staged_path).is_file())


def stylesheets(assets: tuple[SiteAsset, ...] = SITE_ASSETS) -> list[str]:
    return [a.staged_path for a in assets if a.linked and a.is_stylesheet]


def scripts(assets: tuple[SiteAsset, ...] = SITE_ASSETS) -> list[str]:
    return [a.staged_path for a in assets if a.linked and a.is_script]
