"""Note HTML as the site shows it: sanitised as Obsidian does by default, as written (minus
loads from other hosts) when the vault owner trusts their notes."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from compiler.parse import parse_note
from compiler.render import render_note
from compiler.sanitize import (
    UnsafeSvg,
    clean_html,
    clean_svg,
    external_loads,
    is_local_url,
    relative_addresses,
)
from compiler.sitecheck import check_site
from tests.conftest import write_vault


def tags(html: str) -> list[tuple[str, dict]]:
    return [(t.name, dict(t.attrs)) for t in BeautifulSoup(html, "html.parser").find_all(True)]


@pytest.mark.parametrize("vector", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle/></svg>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example/"><button formaction="https://evil.example/">b</button></form>',
    "<style>body{background:url(https://evil.example/x)}</style>",
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
])
def test_scripts_handlers_and_foreign_documents_are_removed(vector):
    cleaned = clean_html(vector)
    for name, attrs in tags(cleaned):
        assert name not in {"script", "iframe", "meta", "object", "embed", "form", "style",
                            "svg", "base", "link"}
        assert not any(a.startswith("on") or a in ("srcdoc", "action", "formaction") for a in attrs)
        assert "javascript" not in attrs.get("href", "").replace("\t", "").lower()
        assert not attrs.get("href", "").startswith("data:")
    assert "alert(1)</script>" not in cleaned


@pytest.mark.parametrize(("vector", "attribute"), [
    ('<img src="https://evil.example/a.png">', "src"),
    ('<img src="ht\ttps://evil.example/a.png">', "src"),
    ('<img src="//evil.example/a.png">', "src"),
    ('<img src="\\\\evil.example/a.png">', "src"),
    ('<img srcset="a.png 1x, https://evil.example/b.png 2x">', "srcset"),
    ('<video poster="https://evil.example/p.png"></video>', "poster"),
    ('<table background="https://evil.example/t.png"></table>', "background"),
])
def test_an_attribute_that_would_load_from_another_host_is_dropped(vector, attribute):
    assert all(attribute not in attrs for _, attrs in tags(clean_html(vector)))


def test_inline_styles_keep_only_properties_that_cannot_load_anything():
    cleaned = clean_html('<span style="color: red; background: url(\\68ttps://e.example/x); '
                         "background-image: image-set('https://e.example/y' 1x); "
                         'font-weight: bold">t</span>')
    (_, attrs), = tags(cleaned)
    assert attrs["style"].replace(" ", "") == "color:red;font-weight:bold"


def test_formatting_links_and_site_images_are_kept():
    cleaned = clean_html('<div class="box" markdown><img src="pics/a.png" alt="그림" width="30">'
                         '<a href="https://example.org/">밖</a> <mark>표시</mark></div>')
    assert tags(cleaned) == [
        ("div", {"class": ["box"], "markdown": "1"}),
        ("img", {"src": "pics/a.png", "alt": "그림", "width": "30"}),
        ("a", {"href": "https://example.org/", "rel": ["noopener", "noreferrer"]}),
        ("mark", {}),
    ]


def test_a_piece_keeps_its_open_elements_open_and_its_lone_end_tags():
    """markdown-it hands HTML over in pieces: `<details>` here, `</details>` later."""
    assert clean_html("<details open><summary>제목</summary>\n") == \
        '<details open=""><summary>제목</summary>\n'
    assert clean_html("</details>") == "</details>"
    assert clean_html('<td colspan="2" onclick="x">') == '<td colspan="2">'


def test_text_that_is_not_a_whole_tag_stays_text():
    """An unfinished tag in an HTML block must not join the next block's markup."""
    assert clean_html("<img src=x onerror=alert(1)\n") == "&lt;img src=x onerror=alert(1)\n"


def test_ids_the_theme_uses_cannot_be_taken_by_a_note():
    assert tags(clean_html('<div id="__config">{}</div><p id="mine">x</p>')) == [
        ("div", {}), ("p", {"id": "mine"})]


def test_trusted_mode_keeps_the_html_but_switches_off_loads_from_other_hosts():
    assert clean_html("<script>go()</script><b onclick=x>b</b>", "trusted") == \
        "<script>go()</script><b onclick=x>b</b>"
    cleaned = clean_html('<img src="https://evil.example/a.png" alt="a">'
                         '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
                         "<style>@import 'https://evil.example/x.css';</style>", "trusted")
    assert [attrs for _, attrs in tags(cleaned)] == [
        {"data-kb-blocked-src": "https://evil.example/a.png", "alt": "a"},
        {"http-equiv": "refresh", "data-kb-blocked-content": "0;url=https://evil.example/"},
        {},
    ]
    assert "evil" not in cleaned.rpartition("<style>")[2]


def test_external_loads_name_what_a_piece_would_fetch():
    assert external_loads('<p style="background:url(//x.example/a)">') == \
        ["background:url(//x.example/a)"]
    assert external_loads('<img src="ht\ttps://x.example/a.png">') == ["ht\ttps://x.example/a.png"]
    assert external_loads('<a href="https://x.example/">link</a>') == []


def test_local_urls_are_those_without_scheme_or_host():
    assert is_local_url("a/b.png") and is_local_url("../x.png#y") and is_local_url("/root.png")
    assert not is_local_url(" https://x") and not is_local_url("//x/y")
    assert not is_local_url("/\\x/y") and not is_local_url("data:image/png;base64,AA")


def test_parse_reports_the_foreign_load_and_render_cleans_every_piece_of_html():
    note = parse_note("a.md", "글 <b>굵게</b> <span onclick='x()'>s</span>\n\n<div>\n"
                      "<img src='ht\ttps://x.example/a.png'>\n</div>\n".encode())
    assert [d.code for d in note.diagnostics] == ["external-resource"]
    page = render_note(note, (), {"a.md": "a.md"})
    assert "<b>굵게</b>" in page
    assert "x.example" not in page and "onclick" not in page


@pytest.mark.parametrize(("html", "problem"), [
    ('<table background="https://e.example/t.png"></table>', "<table> loads https://e.example/t.png"),
    ('<img src="ht\ttps://e.example/a.png">', "<img> loads https://e.example/a.png"),
    ('<meta http-equiv="refresh" content="0; url=https://e.example/r">',
     "<meta> loads https://e.example/r"),
    ("<iframe srcdoc=\"<img src='https://e.example/s.png'>\"></iframe>",
     "<img> loads https://e.example/s.png"),
    ('<div style="background:url(\\68ttps://e.example/c.png)"></div>',
     "<div> loads https://e.example/c.png"),
    ("<div style=\"background:image-set('https://e.example/i.png' 1x)\"></div>",
     "<div> loads https://e.example/i.png"),
    ('<svg><set attributeName="href" to="https://e.example/x"/></svg>',
     "<set> loads https://e.example/x"),
    ('<form action="https://e.example/f"></form>', "<form> loads https://e.example/f"),
    ('<base href="https://e.example/">', "<base> loads https://e.example/"),
    ('<a href="x.html" ping="https://e.example/p">x</a>', "<a> loads https://e.example/p"),
])
def test_the_site_check_finds_every_vector_of_the_issue(tmp_path, html, problem):
    site = write_vault(tmp_path, {"index.html": html, "x.html": ""})
    assert check_site(site) == [f"index.html: {problem} from another host"]


def test_an_svg_attachment_keeps_its_drawing_and_loses_scripts_and_outside_references():
    cleaned = clean_svg((
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'onload="alert(1)" viewBox="0 0 9 9"><script>alert(2)</script>'
        '<defs><linearGradient id="g"/></defs><rect fill="url(#g)" width="9"/>'
        '<image xlink:href="https://e.example/a.png"/><use href="#g"/>'
        '<rect style="fill:url(https://e.example/p)"/><a href="https://e.example/">'
        '<set attributeName="href" to="https://e.example/"/><text>글</text></a>'
        "<foreignObject><div>x</div></foreignObject></svg>").encode()).decode()
    found = tags(cleaned.partition("?>")[2])  # the markup after the XML declaration
    assert [name for name, _ in found] == ["svg", "defs", "lineargradient", "rect", "image",
                                           "use", "rect", "a", "text"]
    assert found[0][1] == {"xmlns": "http://www.w3.org/2000/svg", "viewbox": "0 0 9 9"}
    assert found[3][1] == {"fill": "url(#g)", "width": "9"}
    assert found[4][1] == {} and found[5][1] == {"href": "#g"} and found[6][1] == {}
    assert "글" in cleaned and "alert" not in cleaned


def test_an_svg_with_entities_or_not_xml_is_refused():
    with pytest.raises(UnsafeSvg):
        clean_svg(b'<!DOCTYPE s [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><svg>&b;</svg>')
    with pytest.raises(UnsafeSvg):
        clean_svg(b"<svg><unclosed></svg>")
    with pytest.raises(UnsafeSvg):
        clean_svg(b"<html><script>alert(1)</script></html>")


def test_svg_attachments_are_published_cleaned_and_a_bad_one_as_a_placeholder(build_vault):
    result, site = build_vault({
        "a.md": "![[good.svg]] ![[bad.svg]]\n",
        "good.svg": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                    '<circle r="4"/></svg>',
        "bad.svg": "<svg><oops></svg>",
    })
    assert "<circle" in (site / "good.svg").read_text() and \
        "script" not in (site / "good.svg").read_text()
    assert "not published" in (site / "bad.svg").read_text()
    assert [(d.path, d.code) for d in result.diagnostics if d.code == "unsafe-svg"] == [
        ("bad.svg", "unsafe-svg")]


def test_a_notes_own_html_loses_the_addresses_relative_to_the_page_in_both_modes():
    fragment = ('<img src="$x" alt="a"><a href="b.html">b</a><a href="#c">c</a>'
                '<img srcset="d.png 2x"><a href="/e/">e</a><a href="mailto:f@g.h">f</a>')
    assert relative_addresses(fragment) == ["$x", "b.html", "d.png 2x"]
    for mode in ("sanitize", "trusted"):
        cleaned = clean_html(fragment, mode, keep_relative=False)
        assert not any(part in cleaned for part in ("$x", "b.html", "d.png")), cleaned
        assert all(part in cleaned for part in ('href="#c"', 'href="/e/"', "mailto:f@g.h")), cleaned
    assert 'src="$x"' in clean_html(fragment)  # kept unless asked: other callers' HTML
