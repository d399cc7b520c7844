"""Whole builds of hostile or unlucky vaults (issue 19): no input stops a build, and nothing
about a `publish: false` note reaches a published file."""

from __future__ import annotations

import html
import os
import re

from compiler.build import build_site
from tests.conftest import project_settings, write_vault
from tests.test_yaml_budget import LAUGHS

MARKER = "KBPRIVATEMARKER"


def site_files(site):
    return sorted(p for p in site.rglob("*") if p.is_file())


def test_nothing_about_a_private_note_reaches_any_published_file(build_vault):
    result, site = build_vault({
        "index.md": "# 홈\n\n[[공개]]\n",
        # Links that almost name a private note, by its title or its alias: no did-you-mean
        # hint may offer it (the hint is published in the report).
        "공개.md": "# 공개\n\n[[비밀]] 로 가는 링크, [[KBPRIVATEMARKR]] [[KBPRIVATEMARKRAlias]]\n",
        f"숨김/{MARKER}.md": f"---\npublish: false\naliases: [{MARKER}Alias]\n---\n# {MARKER}\n",
        f"{MARKER}/비밀.md": f"---\npublish: false\ntags: [{MARKER}tag]\n---\n# {MARKER} 제목\n\n"
                          f"{MARKER} 본문 [[{MARKER} 없는 노트]] ![[{MARKER}.png]] "
                          f"<img src='https://x.example/{MARKER}.png'>\n\n"
                          f"```python exec\nprint('{MARKER}')\n```\n\n"
                          "```python exec\nimport matplotlib.pyplot as plt\nplt.plot([3, 1, 2])\n```\n",
    })
    assert any(MARKER in d.message for d in result.diagnostics)  # reported to the author...
    leaks = [p.relative_to(site).as_posix() for p in site_files(site)
             if MARKER.encode() in p.read_bytes() or MARKER.lower().encode() in p.read_bytes()
             or MARKER in p.relative_to(site).as_posix()]
    assert leaks == [], leaks  # ...and to nobody else
    figures = [p for p in site_files(site) if p.suffix in (".svg", ".png") and "figures" in p.parts]
    assert figures == []  # the private note's drawing is not published either
    near = [d for d in result.diagnostics if d.code == "unresolved-link" and "MARKR" in d.message]
    assert len(near) == 2 and not any(MARKER in d.hint for d in near)


def test_generated_paths_bad_names_and_hostile_front_matter_do_not_stop_the_build(tmp_path):
    long_name = "가" * 80 + ".md"  # 243 bytes: renamed with " (2)", it would pass 255
    vault = write_vault(tmp_path / "vault", {
        "index.md": "# 홈\n",
        "sitemap.xml.md": "사이트맵 노트\n",
        "404.html.md": "없는 쪽 노트\n",
        "_kb/graph.json.md": "그래프 노트\n",
        "search/search_index.json.md": "검색 노트\n",
        long_name: "긴 이름 하나\n",
        "a/" + long_name: "긴 이름 둘\n",
        "웃음.md": f"---\n{LAUGHS}---\n웃음 본문\n",
        "깊이.md": "---\na: " + "[" * 1000 + "]" * 1000 + "\n---\n깊은 본문\n",
        "강조.md": "강조 본문 " + "**" * 1000 + "글" + "**" * 1000 + "\n",
    })
    with open(os.path.join(os.fsencode(vault), "윈도.md".encode("cp949")), "wb") as handle:
        handle.write("윈도 본문\n".encode())  # a name from a zip made on Korean Windows
    site = tmp_path / "site"
    result = build_site(project_settings(tmp_path, vault), site)
    codes = {(d.path, d.code) for d in result.diagnostics}
    assert {("sitemap.xml.md", "reserved-path"), ("404.html.md", "reserved-path"),
            ("_kb/graph.json.md", "reserved-path"),
            ("search/search_index.json.md", "reserved-path"),
            ("웃음.md", "invalid-front-matter"), ("깊이.md", "invalid-front-matter"),
            ("윈도.md", "file-name-encoding"), (long_name, "long-name"),
            ("강조.md", "too-deep")} <= codes
    assert (site / "sitemap.xml").read_text().startswith("<?xml")
    text = "".join(p.read_text(encoding="utf-8") for p in site.rglob("index.html"))
    for shown in ("사이트맵 노트", "없는 쪽 노트", "그래프 노트", "검색 노트", "긴 이름 하나",
                  "긴 이름 둘", "웃음 본문", "깊은 본문", "윈도 본문", "강조 본문"):
        assert shown in text, shown
    assert all(len(p.name.encode()) <= 255 for p in site.rglob("*"))


def test_a_note_over_the_size_limit_is_cut_at_a_line_and_reported(tmp_path):
    import dataclasses

    from compiler.build import compile_vault

    vault = write_vault(tmp_path / "vault", {
        "큰.md": "# 큰 노트\n\n" + "".join(f"줄 {i}\n" for i in range(2000)),
        "작은.md": "# 작은 노트\n"})
    settings = dataclasses.replace(project_settings(tmp_path, vault), max_note_bytes=1000)
    notes = compile_vault(settings, use_cache=False).resolved.notes
    big = notes["큰.md"]
    assert len(big.source.encode()) <= 1000 and big.source.endswith("\n")
    assert [(d.code, d.line) for d in big.diagnostics] == [
        ("note-too-large", big.source.count("\n") + 1)]
    assert notes["작은.md"].diagnostics == ()


def test_a_note_of_one_long_line_is_cut_between_characters(tmp_path):
    import dataclasses

    from compiler.build import compile_vault

    vault = write_vault(tmp_path / "vault", {"한 줄.md": "가" * 1000})
    settings = dataclasses.replace(project_settings(tmp_path, vault), max_note_bytes=1000)
    note = compile_vault(settings, use_cache=False).resolved.notes["한 줄.md"]
    assert note.source == "가" * 333  # 999 bytes: the 334th character does not fit whole
    assert [d.code for d in note.diagnostics] == ["note-too-large"]  # no invalid-utf8


def test_a_remote_image_with_a_space_is_text_as_in_commonmark_and_loads_nothing(build_vault):
    """Text to CommonMark (a space in the URL): the page shows it as text, so Python-Markdown
    finds no image in it and the site loads nothing (before, it refused the whole site)."""
    _, site = build_vault({
        "index.md": "# 홈\n\n![s](https://example.com/raw/HEAD/Screen Shot.png) 다음 글\n"})
    page = (site / "index.html").read_text(encoding="utf-8")
    article = page[page.index("<article"):page.index("</article>")]
    assert "<img" not in article
    assert "![s](https://example.com/raw/HEAD/Screen Shot.png) 다음 글" in html.unescape(
        re.sub(r"<[^>]+>", "", article))
