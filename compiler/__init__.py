"""Compile an Obsidian vault into an MkDocs Material site.

The pipeline, one module per stage: scan -> parse -> resolve -> graph -> render -> publish.
`build` wires the stages together; `cli` is the `kb` command.
"""

__version__ = "0.1.0"
