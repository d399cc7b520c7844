"""Obsidian's forms, one module each: what a form looks like in a note (a markdown-it rule
where CommonMark has none) and what it becomes on the staged page (a writer for its node of
markdown-it's syntax tree). `registry` lists them in the order they are tried; `writer`
walks the tree; `dialect` holds what Python-Markdown and Material need that CommonMark does
not. Importing this package imports nothing else, so `parse` may use the form modules'
recognisers without a cycle.
"""
