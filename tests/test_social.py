"""Reading the site elsewhere (compiler/social.py): what a link preview shows, how notes are
dated, and the Atom feed, read back by feedparser as a feed reader reads it. The built site's
feed, sitemap and meta are checked on the sub-path site (tests/test_subpath_browser.py)."""

from __future__ import annotations

import datetime as dt

import feedparser

from compiler.parse import parse_note
from compiler.resolve import resolve_vault
from compiler.scan import VaultFile
from compiler.social import Entry, atom_feed, description, first_image, note_dates, shorten
from compiler.social_meta import absolute, feed_href, page_meta

UTC = dt.UTC


def _note(text: str, path: str = "a.md"):
    return parse_note(path, text.encode())


def test_the_description_is_the_property_else_the_first_paragraph_as_plain_text():
    assert description(_note("---\ndescription: '  Own   words '\n---\n# T\n\nText.\n")) == "Own words"
    note = _note("---\ntags: [x]\n---\n# Title\n\n> [!note] Box\n\nSee [[Folder/Other|the other]], "
                 "[[Folder/Third]] and $\\hat{y}$ with `code`\nnext line.\n\nSecond.\n")
    assert description(note) == "See the other, Third and \\hat{y} with code next line."
    assert shorten("word " * 100, 40).endswith("…") and len(shorten("word " * 100, 40)) <= 40


def test_notes_are_dated_by_their_properties_else_by_the_file():
    modified = dt.datetime(2026, 1, 2, tzinfo=UTC)
    dated = _note("---\ncreated: 2023-09-16\nupdated: 2024-01-05 10:30\n---\nx\n")
    assert note_dates(dated, (modified, modified)) == (dt.datetime(2023, 9, 16, tzinfo=UTC),
                                           dt.datetime(2024, 1, 5, 10, 30, tzinfo=UTC))
    assert note_dates(_note("---\ndate: 2022-05-01\n---\nx\n"), (modified, modified))[0].year == 2022
    assert note_dates(_note("---\ndate: someday\n---\nx\n"), (modified, modified)) == (modified, modified)


def test_the_image_is_the_property_else_the_first_embedded_image():
    notes = {"a.md": _note("---\ncover: '[[pics/c.png]]'\n---\n![[b.png]]\n"),
             "b.md": _note("Text ![[b.png]] and ![[c.png]]\n", "b.md"),
             "u.md": _note("---\nimage: https://example.org/x.png\n---\nx\n", "u.md")}
    files = {p: VaultFile(p, None) for p in ("b.png", "pics/c.png")}
    resolved = resolve_vault(notes, files)
    assert first_image(notes["a.md"], resolved, {}) == "pics/c.png"
    assert first_image(notes["b.md"], resolved, {}) == "b.png"
    assert first_image(notes["u.md"], resolved, {}) == "https://example.org/x.png"
    assert absolute("https://h.org/sub", "pics/c d.png") == "https://h.org/sub/pics/c%20d.png"


def test_the_feed_is_valid_atom_with_the_newest_notes_first():
    entries = [Entry(f"노트 {n}", f"https://h.org/n{n}/", dt.datetime(2024, 1, n, tzinfo=UTC),
                     dt.datetime(2024, 2, n, tzinfo=UTC), f"요약 {n} <b>&</b>") for n in range(1, 6)]
    written = atom_feed("정원", "https://h.org/", "ko", entries, limit=3)
    assert b'xml:lang="ko"' in written
    parsed = feedparser.parse(written)
    assert not parsed.bozo and parsed.version == "atom10"
    assert [e.title for e in parsed.entries] == ["노트 5", "노트 4", "노트 3"]
    assert parsed.entries[0].link == "https://h.org/n5/" and parsed.entries[0].summary == "요약 5 <b>&</b>"
    assert parsed.feed.links[1].href == "https://h.org/feed.xml"


def test_the_feed_link_is_relative_to_the_page_never_the_published_host():
    assert [feed_href(u) for u in ("", "a/", "a/b/", "404.html")] == [
        "feed.xml", "../feed.xml", "../../feed.xml", "feed.xml"]
    assert 'href="../feed.xml"' in page_meta("T", "https://h.org/a/", "S", "https://h.org/", "",
                                             None, home=False, feed=feed_href("a/"))


def test_the_preview_meta_escapes_and_names_the_card_by_the_image():
    with_image = page_meta('A "quoted" <title>', "https://h.org/a/", "Site", "https://h.org/",
                           "d & e", "https://h.org/a.png", home=False)
    assert '<meta property="og:title" content="A &quot;quoted&quot; &lt;title&gt;">' in with_image
    assert 'content="summary_large_image"' in with_image and 'content="article"' in with_image
    bare = page_meta("T", "https://h.org/", "Site", "https://h.org/", "", None, home=True)
    assert 'content="summary"' in bare and "og:image" not in bare and "og:description" not in bare
