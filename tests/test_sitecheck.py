"""The site check: internal references must point at files and anchors; nothing loads from
another host."""

from __future__ import annotations

from pathlib import Path

from compiler.sitecheck import CheckedPages, check_site
from tests.conftest import write_vault


def site_with(pages: dict[str, str], root: Path) -> Path:
    return write_vault(root, pages)


def test_a_whole_site_has_no_problems(tmp_path):
    site = site_with({
        "index.html": '<a href="a/">A</a><a href="a/#x">x</a><img src="p.png"><a href="#top">t</a>'
                      '<p id="top"></p><a href="https://example.org/">out</a>',
        "a/index.html": '<h2 id="x">X</h2><a href="../">home</a><a href="mailto:me@x">m</a>',
        "p.png": "png",
    }, tmp_path)
    assert check_site(site) == []


def test_missing_files_and_anchors_are_reported_per_page(tmp_path):
    site = site_with({
        "index.html": '<a href="b/">B</a><a href="a/#nope">a</a><img src="gone.png">',
        "a/index.html": '<h2 id="x">X</h2>',
    }, tmp_path)
    problems = check_site(site)
    assert problems == sorted([
        "index.html: <a> points at missing b/",
        "index.html: <a> points at missing anchor a/#nope",
        "index.html: <img> points at missing gone.png",
    ])


def test_loading_anything_from_another_host_is_a_problem_but_linking_is_not(tmp_path):
    site = site_with({
        "index.html": '<script src="https://cdn.example/x.js"></script>'
                      '<link rel="stylesheet" href="//fonts.example/css">'
                      '<link rel="canonical" href="https://site.example/">'
                      '<img src="http://img.example/a.png"><a href="https://example.org">ok</a>',
    }, tmp_path)
    assert check_site(site) == sorted([
        "index.html: <script> loads https://cdn.example/x.js from another host",
        "index.html: <link> loads //fonts.example/css from another host",
        "index.html: <img> loads http://img.example/a.png from another host",
    ])


def test_korean_percent_encoded_paths_and_anchors_resolve(tmp_path):
    site = site_with({
        "index.html": '<a href="%EC%8B%A0%EA%B2%BD%EB%A7%9D/#%EA%B5%AC%EC%A1%B0">x</a>',
        "신경망/index.html": '<h2 id="구조">구조</h2>',
    }, tmp_path)
    assert check_site(site) == []


def test_single_quoted_and_unquoted_attributes_are_read(tmp_path):
    site = site_with({
        "index.html": "<img src='https://x.example/b.png'><img src=https://y.example/c.png>"
                      "<script src=//cdn.example/x.js></script><img src=p.png alt=pic/>"
                      "<a href='gone/'>g</a><a href=a/#nope>n</a><a href='a/#x'>x</a>"
                      "<a href=a/#y>y</a><IMG SRC='HTTPS://Z.example/d.png'>",
        "a/index.html": "<h2 id='x'>X</h2><h2 id=y>Y</h2>",
        "p.png": "png",
    }, tmp_path)
    assert check_site(site) == sorted([
        "index.html: <img> loads https://x.example/b.png from another host",
        "index.html: <img> loads https://y.example/c.png from another host",
        "index.html: <script> loads //cdn.example/x.js from another host",
        "index.html: <img> loads HTTPS://Z.example/d.png from another host",
        "index.html: <a> points at missing gone/",
        "index.html: <a> points at missing anchor a/#nope",
    ])


def test_srcset_poster_and_data_are_checked_for_hosts_and_files(tmp_path):
    site = site_with({
        "index.html": '<img src="p.png" srcset="p.png 1x, https://x.example/p2.png 2x">'
                      "<picture><source srcset='gone.webp 480w,p.png 800w'></picture>"
                      '<img srcset="data:image/png;base64,AAAA 1x, p.png 2x">'
                      '<video poster="https://x.example/poster.jpg" src="v.mp4"></video>'
                      '<video poster="still.jpg"></video>'
                      '<object data="https://x.example/doc.pdf"></object><object data="gone.pdf">'
                      '</object>',
        "p.png": "png",
        "v.mp4": "mp4",
    }, tmp_path)
    assert check_site(site) == sorted([
        "index.html: <img> loads https://x.example/p2.png from another host",
        "index.html: <source> points at missing gone.webp",
        "index.html: <video> loads https://x.example/poster.jpg from another host",
        "index.html: <video> points at missing still.jpg",
        "index.html: <object> loads https://x.example/doc.pdf from another host",
        "index.html: <object> points at missing gone.pdf",
    ])


def test_every_link_rel_that_fetches_is_a_load_and_navigation_rels_are_not(tmp_path):
    fetching = ["icon", "shortcut icon", "apple-touch-icon", "preload", "prefetch", "preconnect",
                "dns-prefetch", "modulepreload", "manifest", "stylesheet", "alternate stylesheet",
                "search"]
    navigating = ["canonical", "alternate", "prev", "next", "author", "license", "help",
                  "Canonical", "alternate nofollow"]
    links = [f'<link rel="{rel}" href="https://x.example/{i}">' for i, rel in enumerate(fetching)]
    links += [f"<link href='https://y.example/{i}' rel='{rel}'>" for i, rel in enumerate(navigating)]
    links.append('<link href="https://x.example/norel">')
    site = site_with({"index.html": "".join(links)}, tmp_path)
    assert check_site(site) == sorted(
        [f"index.html: <link> loads https://x.example/{i} from another host"
         for i in range(len(fetching))]
        + ["index.html: <link> loads https://x.example/norel from another host"])


def test_css_urls_in_style_attributes_and_style_elements_are_loads(tmp_path):
    site = site_with({
        "index.html": '<div style="background: url(https://x.example/a.png)"></div>'
                      "<p style='background-image:url(&quot;//x.example/b.png&quot;)'>p</p>"
                      '<span style="background: url(local.png) , url(data:image/png;base64,AA)">'
                      "</span>"
                      '<style>@import "https://x.example/c.css"; @import url(\'/d.css\');'
                      " .x { background: URL( 'http://x.example/e.png' ) }"
                      " @font-face { src: url(fonts/f.woff2) }</style>",
    }, tmp_path)
    assert check_site(site) == sorted([
        "index.html: <div> loads https://x.example/a.png from another host",
        "index.html: <p> loads //x.example/b.png from another host",
        "index.html: <style> loads https://x.example/c.css from another host",
        "index.html: <style> loads http://x.example/e.png from another host",
    ])


def test_skipped_schemes_links_elsewhere_and_svg_loads(tmp_path):
    site = site_with({
        "index.html": '<img src="data:image/png;base64,AAAA"><img src="blob:https://x.example/1">'
                      '<iframe src="about:blank"></iframe><a href="mailto:me@x.example">m</a>'
                      '<a href="tel:+100">t</a><a href="javascript:void(0)">j</a>'
                      '<a href="//example.org/x">protocol-relative link</a>'
                      '<a href="http://example.org/">link</a><area href="https://example.org/">'
                      '<svg><use href="#icon"></use><image href="https://x.example/s.png"/>'
                      '<image xlink:href="//x.example/t.png"/><symbol id="icon"></symbol></svg>'
                      '<iframe src="ftp://x.example/f"></iframe>',
    }, tmp_path)
    assert check_site(site) == sorted([
        "index.html: <image> loads https://x.example/s.png from another host",
        "index.html: <image> loads //x.example/t.png from another host",
        "index.html: <iframe> loads ftp://x.example/f from another host",
    ])


def test_quoted_values_comments_and_script_bodies_are_not_read_as_references(tmp_path):
    site = site_with({
        "index.html": '<img alt="a > b src=https://x.example/a.png" src="p.png">'
                      "<a title=\"src='https://x.example/b.png'\" href=\"#top\" id=\"top\">t</a>"
                      '<!-- <img src="https://x.example/c.png"> -->'
                      "<script>document.write('<img src=\"https://x.example/d.png\">')</script>"
                      '<div data-src="https://x.example/e.png" data-href="gone/"></div>',
        "p.png": "png",
    }, tmp_path)
    assert check_site(site) == []


def test_a_colon_in_a_relative_path_is_not_a_scheme(tmp_path):
    site = site_with({
        "index.html": '<a href="Ratio%203:4/">r</a><a href="Note%20a:b/">n</a>',
        "Ratio 3:4/index.html": "",
    }, tmp_path)
    assert check_site(site) == ["index.html: <a> points at missing Note%20a:b/"]


def test_kept_checks_find_what_a_fresh_check_finds_after_pages_change_or_go(tmp_path):
    """A page kept from the last check is not read again, but a page it links to that went
    away, or lost the anchor it links to, is still reported; kept checks are used only
    while the page is the same file."""
    site = site_with({
        "index.html": '<a href="a/">A</a><a href="b/#x">b</a>',
        "a/index.html": '<a href="../b/">B</a>',
        "b/index.html": '<h2 id="x">X</h2>',
    }, tmp_path / "site")
    known = CheckedPages()
    assert check_site(site, known=known) == []
    (site / "b" / "index.html").write_text('<h2 id="y">Y</h2>', encoding="utf-8")
    assert check_site(site, known=known) == check_site(site) == [
        "index.html: <a> points at missing anchor b/#x"]
    (site / "b" / "index.html").unlink()
    (site / "b").rmdir()
    assert check_site(site, known=known) == check_site(site) == sorted([
        "index.html: <a> points at missing b/#x", "a/index.html: <a> points at missing ../b/"])
    aside = site / "a" / "new.html"
    aside.write_text('<img src="gone.png">', encoding="utf-8")
    aside.replace(site / "a" / "index.html")  # a new file, as MkDocs writes a page
    assert check_site(site, known=known) == sorted([
        "index.html: <a> points at missing b/#x", "a/index.html: <img> points at missing gone.png"])
