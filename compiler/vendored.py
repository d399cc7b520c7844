"""The npm files every built site serves from its own host (graph drawing, diagrams).

`scripts/install` fetches them into `node_modules/`; `setup.py` copies them into the wheel's
`compiler/assets/vendor/` (never committed), so that an installed `kb` carries them. Only
constants and the standard library here: `setup.py` loads this file by path.
"""

from __future__ import annotations

from pathlib import PurePosixPath

# (npm package, file inside the package)
MERMAID = ("mermaid", "dist/mermaid.min.js")
GRAPHOLOGY = ("graphology", "dist/graphology.umd.min.js")
SIGMA = ("sigma", "dist/sigma.min.js")
VENDORED: tuple[tuple[str, str], ...] = (MERMAID, GRAPHOLOGY, SIGMA)


def vendored_name(package: str, file: str) -> str:
    """Where a vendored file lives under `compiler/assets/vendor/` (and the site's `_kb/vendor/`)."""
    return f"{package}/{PurePosixPath(file).name}"
