"""The search index: Korean words found inside compounds, sections cut as Material cuts them,
aliases searched, and an index of the whole site whatever MkDocs rebuilt."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pytest

from compiler import search_index as search_index_module
from compiler.search_index import (
    INDEX_PATH,
    NAME_LENGTHS,
    SEPARATOR,
    PageEntries,
    inner_parts,
    name_terms,
    page_entries,
    search_index,
    words,
    write_search_index,
)


def page(body: str, title: str = "노트") -> str:
    """A page as Material lays it out: navigation around, the note in <article>."""
    return (f"<html><head><title>{title} - 사이트</title></head><body>"
            f'<nav><a href="x/">다른 노트</a></nav><article class="md-content__inner md-typeset">'
            f"{body}</article><footer>바닥글</footer></body></html>")


def test_words_are_split_at_spaces_punctuation_and_escaped_markup_but_not_in_numbers():
    assert words("신경망(neural network)을 학습") == ["신경망", "neural", "network", "을", "학습"]
    assert words("<p>a&lt;b, 0.5. LSTM모델</p>") == ["a", "b", "0.5", "lstm모델"]


def test_inner_parts_let_a_prefix_match_find_a_word_inside_a_korean_compound():
    parts = inner_parts("몬테카를로적분 신경망을")
    # lunr matches a query word as a prefix: every inner word has a part it begins.
    for inner in ("적분", "카를로", "경망", "망을"):
        assert any(p.startswith(inner) for p in parts), inner
    assert "몬테카를로적분" not in parts and "신경망을" not in parts  # words of the text already


def test_inner_parts_leave_out_what_a_longer_part_or_a_word_already_begins_with():
    parts = inner_parts("미적분 적분")
    assert "적분" not in parts  # a word of the text
    assert parts == ["분"]
    assert inner_parts("LSTM모델") == ["델", "모델"]  # a Hangul run inside a Latin word
    assert inner_parts("network embedding") == []  # Latin words are matched as written


def test_inner_parts_are_cut_short():
    parts = inner_parts("".join(chr(0xAC00 + 7 * i) for i in range(40)))
    assert parts and max(map(len, parts)) <= 10


def test_separator_is_the_same_pattern_for_python_and_the_browser():
    assert "(?<" not in SEPARATOR and "(?P" not in SEPARATOR  # valid as a JavaScript RegExp


def test_a_page_is_cut_into_sections_at_its_headings():
    html = page('<h1 id="kb-title">적분<a class="headerlink" href="#kb-title">¶</a></h1>'
                '<p class="kb-measures" data-search-exclude><span>링크 3</span></p>'
                "<p>넓이를 구하는 <strong>미적분</strong></p><ul><li>정적분</li></ul>"
                '<h2 id="부정적분">부정적분</h2><pre><code>x  =  1\n</code></pre>'
                '<div class="kb-backlinks" data-search-exclude=""><h2 id="kb-backlinks">백링크</h2>'
                "<ul><li>다른 노트</li></ul></div>")
    first, second = page_entries(html, "a/")
    assert (first["location"], first["title"]) == ("a/", "적분")
    assert first["text"] == "<p>넓이를 구하는 미적분</p><ul><li>정적분</li></ul>"
    assert "적분" in first["text_parts"].split() and first["title_parts"] == "분"
    assert second["location"] == "a/#부정적분" and second["title"] == "부정적분"
    assert second["text"] == "<pre><code>x  =  1\n</code></pre>"  # code keeps its spaces
    assert "다른 노트" not in json.dumps([first, second], ensure_ascii=False)


def test_text_before_the_first_heading_is_the_page_entry_titled_by_the_page():
    first, second = page_entries(page("<p>preface</p><h2 id='b'>Two</h2><p>text</p>", "Title"),
                                 "n/")
    assert first == {"location": "n/", "title": "Title", "text": "<p>preface</p>",
                     "name": " ".join(name_terms("Title"))}
    assert second["location"] == "n/#b"


def test_aliases_are_searched_on_the_page_entry_only():
    entries = page_entries(page('<h1 id="t">가능도</h1><p>a</p><h2 id="s">MLE</h2><p>b</p>'),
                           "p/", ["Likelihood", "최대우도"])
    assert entries[0]["aliases"].split()[:2] == ["Likelihood", "최대우도"]
    assert "우도" in entries[0]["aliases"].split()  # inside an alias too
    assert "aliases" not in entries[1]


def test_a_notes_names_are_written_whole_and_the_shorter_the_name_the_more_terms():
    terms = name_terms("가능도", ["Likelihood", "최대 가능도"])
    by_name: dict[str, int] = {}
    for term in terms:
        by_name[term.split("§")[0]] = by_name.get(term.split("§")[0], 0) + 1
    # Words run together, lowercased: a query word matches a name by its start only.
    assert by_name == {"가능도": NAME_LENGTHS - 3, "likelihood": NAME_LENGTHS - 10,
                       "최대가능도": NAME_LENGTHS - 5}
    assert len(set(terms)) == len(terms)  # distinct terms: each adds to the score
    assert all(words(term) == [term] for term in terms)  # Material's tokenizer keeps them whole
    # A trailing gloss in brackets is a name of its own without it; a long name has one term.
    glossed = name_terms("신경망(neural network)")
    assert "신경망§0" in glossed and "신경망neuralnetwork§0" in glossed
    assert len([t for t in glossed if t.startswith("신경망neural")]) == 1


def test_the_page_entry_carries_the_notes_names():
    entries = page_entries(page('<h1 id="t">가능도</h1><p>a</p><h2 id="s">MLE</h2><p>b</p>'),
                           "p/", ["Likelihood"])
    assert entries[0]["name"].split()[0] == "가능도§0"
    assert "likelihood§0" in entries[0]["name"].split()
    assert "name" not in entries[1]  # sections are found by their words, not as names


def test_the_article_is_read_as_the_browser_shows_it():
    """What the reader never sees is not searched: a template's content, an iframe's
    fallback, a comment, the newline that opens a <pre>; text the tokenizer keeps as text
    (a textarea's) is; the page's title, when it titles the page entry, is escaped as the
    rest. A note's own </article> does not end the page's."""
    first, = page_entries(page("<p>보임</p><template><p>숨김1</p></template>"
                               "<iframe><p>숨김2</p></iframe><!-- 숨김3 -->"
                               "<textarea><b>글상자</b></textarea><pre>\nx = 1</pre>"
                               "<article><p>안쪽</p></article><p>끝</p>", "A &amp; B"), "n/")
    assert first["title"] == "A &amp; B"
    assert first["text"] == ("<p>보임</p>&lt;b&gt;글상자&lt;/b&gt;<pre>x = 1</pre>"
                             "<p>안쪽</p><p>끝</p>")


def test_a_page_without_an_article_has_no_entries():
    assert page_entries("<html><body><p>redirect</p></body></html>", "r/") == []


@pytest.fixture
def built_site(tmp_path: Path) -> Path:
    """A site as MkDocs lays it out, with the index Material wrote for one page only (as a
    partial rebuild would leave it)."""
    files = {
        "index.html": page('<h1 id="kb-title">홈</h1><p>노트 2개</p>', "홈"),
        "가능도/index.html": page('<h1 id="kb-title">가능도</h1><p>관측된 데이터</p>'),
        "폴더 (1)/몬테카를로 샘플링/index.html": page("<h1>몬테카를로</h1><p>몬테카를로적분</p>"),
        "404.html": page("<h1>404</h1>"),
        "assets/x.html": "<article>not a page</article>",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    material = {"config": {"lang": ["ko"], "separator": "[\\s\\-]+", "pipeline": [],
                           "fields": {"title": {"boost": 1000.0}, "text": {"boost": 2.0}}},
                "docs": [{"location": "%EA%B0%80%EB%8A%A5%EB%8F%84/", "title": "가능도",
                          "text": "", "tags": ["통계"]}]}
    (tmp_path / INDEX_PATH).parent.mkdir()
    (tmp_path / INDEX_PATH).write_text(json.dumps(material), encoding="utf-8")
    return tmp_path


def test_the_index_covers_every_page_of_the_site_whatever_material_indexed(built_site):
    write_search_index(built_site, {"가능도": ("Likelihood",)})
    raw = (built_site / INDEX_PATH).read_text(encoding="utf-8")
    index = json.loads(raw)
    assert [unquote(d["location"]) for d in index["docs"]] == [
        "", "가능도/", "폴더 (1)/몬테카를로 샘플링/"]
    assert index["docs"][2]["location"] == "%ED%8F%B4%EB%8D%94%20%281%29/" \
        "%EB%AA%AC%ED%85%8C%EC%B9%B4%EB%A5%BC%EB%A1%9C%20%EC%83%98%ED%94%8C%EB%A7%81/"
    assert index["docs"][1]["aliases"] == "Likelihood"
    assert index["docs"][1]["tags"] == ["통계"]  # taken from the page's front matter by Material
    assert "관측된" in raw  # UTF-8, not \\uXXXX escapes


def test_what_material_took_from_the_front_matter_goes_to_every_section_of_the_page(tmp_path):
    # kb's publisher gives Material's index one entry a page (mkdocs_live): its tags and
    # boost are the page's, so each of the page's sections in kb's index carries them.
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        page('<h1 id="kb-title">가</h1><p>하나</p><h2 id="b">나</h2><p>둘</p>'), encoding="utf-8")
    (tmp_path / INDEX_PATH).parent.mkdir()
    (tmp_path / INDEX_PATH).write_text(json.dumps(
        {"config": {"lang": ["ko"]},
         "docs": [{"location": "a/", "title": "가", "text": "", "tags": ["통계"], "boost": 2}]}),
        encoding="utf-8")
    write_search_index(tmp_path)
    docs = json.loads((tmp_path / INDEX_PATH).read_text(encoding="utf-8"))["docs"]
    assert [d["location"] for d in docs] == ["a/", "a/#b"]
    assert all(d["tags"] == ["통계"] and d["boost"] == 2 for d in docs)


def test_the_index_keeps_materials_settings_but_its_separator_and_adds_its_fields(built_site):
    index = search_index(built_site, config=json.loads(
        (built_site / INDEX_PATH).read_text(encoding="utf-8"))["config"])
    config = index["config"]
    assert config["lang"] == ["ko"] and config["separator"] == SEPARATOR
    assert config["fields"]["text"] == {"boost": 2.0}  # the user's own boost stays
    assert config["fields"]["title"]["boost"] == config["fields"]["aliases"]["boost"]
    assert {"title_parts", "text_parts", "tags"} <= config["fields"].keys()


def test_page_entries_read_again_only_the_pages_rewritten_and_forget_pages_removed(
        built_site, monkeypatch):
    read: list[str] = []
    original = search_index_module.page_entries
    monkeypatch.setattr(search_index_module, "page_entries",
                        lambda html, location, aliases=(): read.append(location)
                        or original(html, location, aliases))
    pages = PageEntries()
    first = pages.entries(built_site, {})
    assert len(read) == 3
    read.clear()
    assert pages.entries(built_site, {}) == first and read == []
    likelihood = built_site / "가능도" / "index.html"
    aside = likelihood.with_name("new.html.tmp")  # as MkDocs writes it: aside, then renamed
    aside.write_text(page('<h1 id="kb-title">가능도</h1><p>바뀐 글</p>'), encoding="utf-8")
    aside.replace(likelihood)
    (built_site / "index.html").unlink()
    docs = pages.entries(built_site, {"가능도": ["우도"]})
    assert [unquote(location) for location in read] == ["가능도/"]
    assert [unquote(d["location"]) for d in docs] == ["가능도/", "폴더 (1)/몬테카를로 샘플링/"]
    assert docs[0]["text"] == "<p>바뀐 글</p>" and docs[0]["aliases"].startswith("우도")
    read.clear()
    pages.entries(built_site, {})  # the aliases changed: the page is read again
    assert [unquote(location) for location in read] == ["가능도/"]


def test_no_index_is_written_when_the_site_has_no_search(tmp_path):
    (tmp_path / "index.html").write_text(page("<h1>홈</h1>"), encoding="utf-8")
    assert write_search_index(tmp_path) is None
    assert not (tmp_path / "search").exists()


@pytest.mark.slow
def test_the_bundled_site_index_has_every_note_and_its_aliases(bundled_site, bundled_compilation):
    _, site, _, _ = bundled_site
    index = json.loads((site / INDEX_PATH).read_text(encoding="utf-8"))
    page_entries_ = {unquote(d["location"]): d for d in index["docs"] if "#" not in d["location"]}
    for path in bundled_compilation.resolved.notes:
        assert path.removesuffix(".md") + "/" in page_entries_, path
    likelihood = page_entries_["4. Archive/AI 공부/Ai Tech 딥러닝 공부/가능도/"]
    assert likelihood["aliases"].startswith("Likelihood 우도")
    assert not any(d["location"].endswith(("#kb-backlinks", "#kb-read-before"))
                   for d in index["docs"])
