"""An address Python cannot split (which Python-Markdown takes for a link where CommonMark
and Obsidian see text) is shown as text: MkDocs would otherwise stop the whole build."""

from __future__ import annotations

import logging

import markdown
import pytest
from bs4 import BeautifulSoup

BAD = "http://2. Copy it: Download from GitHub [https://github.com/gentilkiwi/mimikatz]"


def html(text: str) -> BeautifulSoup:
    md = markdown.Markdown(extensions=["compiler.readable_urls"])
    return BeautifulSoup(md.convert(text), "html.parser")


def test_a_link_whose_address_cannot_be_split_keeps_its_text_and_loses_its_address(caplog):
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        soup = html(f"2. [Download from GitHub]({BAD}) and [a good one](other.md)")
    assert [a.get("href") for a in soup.find_all("a")] == ["other.md"]
    assert soup.find("span").get_text() == "Download from GitHub"
    assert BAD in caplog.text


def test_an_image_whose_address_cannot_be_split_becomes_its_description():
    soup = html(f"![a screenshot]({BAD}) ![fine](a.png)")
    assert [img["src"] for img in soup.find_all("img")] == ["a.png"]
    assert "a screenshot" in soup.get_text()


@pytest.mark.slow
def test_such_a_note_no_longer_stops_mkdocs(build_vault):
    _, site = build_vault({
        "Procedure.md": f"# Procedure\n\n1. Get it. [Download from GitHub]({BAD})\n",
        "Other.md": "# Other\n\nSee [[Procedure]].\n",
    })
    page = BeautifulSoup((site / "Procedure" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    assert "Download from GitHub" in page.select_one("article").get_text()
    assert (site / "Other" / "index.html").is_file()
    # CommonMark reads it as text (a space in the address), and so does the page
    assert page.select_one("article").find("a", string="Download from GitHub") is None
