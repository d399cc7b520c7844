"""The ProperDocs engine: kb's MkDocs publisher (`compiler.mkdocs_live`) run by ProperDocs.

ProperDocs is a drop-in fork of MkDocs 1.6 in a package of its own (`properdocs`); its
`properdocs.replacement` makes every `mkdocs.*` import (Material's, and kb's publisher's)
load the `properdocs.*` module instead, as the `properdocs` command does. Imported first, in a
process of its own, before anything imports mkdocs.
"""

from __future__ import annotations

import sys

import properdocs.replacement  # noqa: F401  (mkdocs.* is properdocs.* from here on)

from compiler import mkdocs_live

if __name__ == "__main__":
    sys.exit(mkdocs_live.main(sys.argv[1:]))
