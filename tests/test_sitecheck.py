"""The site check: internal references must point at files and anchors; nothing loads from
another host."""

from __future__ import annotations

from pathlib import Path

from compiler.sitecheck import check_site
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
