"""The page's Content-Security-Policy (compiler/csp.py): where it goes, and which inline
scripts it allows, as a browser reads the page."""

from __future__ import annotations

import pytest

from compiler import livereload
from compiler.csp import add_policy, policy, policy_place, script_hash


def _meta(scripts: list[str]) -> str:
    return f'<meta http-equiv="Content-Security-Policy" content="{policy(scripts)}">'


def _allowed(page: str) -> set[str]:
    """The script hashes the policy added to `page` allows (the live reload script's aside)."""
    content = add_policy(page).split('content="', 1)[1].split('"', 1)[0]
    hashes = set(content.split("script-src 'self' ", 1)[1].split())
    return hashes - {script_hash(livereload.SCRIPT)}


@pytest.mark.parametrize(("before", "after"), [
    # Material's page: after the <meta charset> that opens the head.
    ('<!doctype html>\n<html lang="ko">\n  <head>\n    <meta charset="utf-8">',
     '\n    <meta name="viewport" content="width=device-width"><title>t</title>'),
    # No charset: right after <head>, whatever its attributes hold.
    ('<html><head data-x="a>b" >', "<title>t</title><script>x</script>"),
    ("<html>\r\n<head>", "\r\n<title>t</title>"),
    ("<html>\r\n<head>\r\n<!-- c --><meta charset=utf-8>", "<title>t</title>"),
    # An empty head, and one with its charset only: read to the end of the page.
    ("<html><head>", "</head><body><p>x</p>"),
    ("<html><HEAD><meta charset='utf-8' >", "</head><body>x"),
    # The head's start beyond the first prefix read.
    ("<!--" + "x" * 5000 + "--><html><head><meta charset=utf-8>", "<title>t</title>"),
])
def test_the_policy_is_the_first_element_of_the_head(before, after):
    page = before + after
    assert policy_place(page) == len(before)
    assert add_policy(page) == before + _meta([*(["x"] if "<script>x" in after else [])]) + after


@pytest.mark.parametrize("page", [
    "<p>no head here</p>",
    "<p>x</p><head><title>t</title>",  # a head tag after the body's text is ignored
    "",
])
def test_a_page_without_a_head_tag_is_left_as_it_is(page):
    assert add_policy(page) == page


def test_the_scripts_allowed_are_those_the_browser_runs():
    """html.parser read a `<script>` inside a textarea or noscript as a script, and ended a
    script at its first `</script>` even after `<!--<script>`; the browser does neither."""
    escaped = "<!--<script>document.title='a'</script>-->"
    page = ("<html><head><meta charset=utf-8><script>head()</script></head><body>"
            f"<script>{escaped}</script>"
            "<noscript><script>never()</script></noscript>"
            "<textarea><script>text()</script></textarea><title>x</title>"
            "<!-- <script>comment()</script> -->"
            "<svg><script>svg()</script></svg>"
            "<template><script>cloned()</script></template>"
            "<script src='x.js'></script></body></html>")
    assert _allowed(page) == {script_hash(s) for s in
                              ["head()", escaped, "svg()", "cloned()"]}


def test_a_policy_only_counts_in_the_head():
    """A policy in the head is kept as it is; one in the body (a trusted note's) is ignored
    by the browser, so the page still gets kb's."""
    own = '<meta http-equiv="content-security-policy" content="default-src *">'
    kept = f"<html><head>{own}<title>t</title></head><body>x</body></html>"
    assert add_policy(kept) == kept
    page = f"<html><head><title>t</title></head><body>{own}</body></html>"
    assert add_policy(page) == f"<html><head>{_meta([])}<title>t</title></head><body>{own}</body></html>"
