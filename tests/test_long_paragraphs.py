"""Long paragraphs: the staged page cuts a long paragraph into segments (`SEGMENT_BREAK`) that
Python-Markdown reads one by one (`compiler.long_paragraphs`), and the page's HTML is the
one the paragraph gives uncut. (That the MkDocs step is then linear in a paragraph's length
is measured by `benchmarks/bench_big_note.py --mkdocs`, not asserted here.)"""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest

from compiler import mkdocs_runner
from compiler.forms import core
from compiler.graph import build_graph
from compiler.normalize import SEGMENT_BREAK
from compiler.parse import parse_note
from compiler.render import render_site
from compiler.resolve import resolve_vault
from compiler.scan import VaultFile

# Every form a paragraph holds, each sentence different, then the blocks a long paragraph
# stands in: a loose list's item, a task, a tight list's item (with a list under it), a
# callout, a quote, a footnote; footnote references after the long paragraph keep their
# numbers.
SENTENCES = [
    "확률 분포의 **기댓값**과 [[Target|분산]]을 ==강조==해서 본다",
    "$\\sum_i x_i^2$ 와 $e^{i\\pi}$ 는 `np.sum(x)` 로 계산한다",
    "#태그/하위 와 #tag 그리고 ![[figure.png]] 와 ![[figure.png|120]] 를 본다",
    "[링크](https://example.com/page?q=1) 와 https://example.org/bare/path 그리고 www.example.net",
    "_기울임_ ~~지움~~ *별* __굵게__ [[Target#Heading]] [[Target#Heading|제목]] [[Missing note]]",
    "각주[^1] 와 인라인 각주^[안쪽 [[Target]] 과 **굵게**] 를 단다",
    "<b>굵은</b> <span title=\"a [b\">열린 괄호</span> <kbd>Ctrl</kbd> 1. 2) # * _ = ~ | \\ & < >",
    "[[Target|표시 [괄호] 글]] [a [nested] link](Target.md) ![alt](figure.png) %%주석%% 끝",
]
LONG = " ".join(SENTENCES * 2)
NOTE = f"""# Long

{LONG} ^long-block

- {LONG}
- short item[^2]

- [ ] {LONG}

Between the lists.

- {LONG}
    - nested[^2]
- tight item after[^3]

> [!note] 상자
> {LONG}

> {LONG}

After the long ones[^3], a reference that comes later.

[^1]: 첫 각주 {" ".join(SENTENCES[:3] * 4)}
[^2]: 둘째
[^3]: 셋째
"""
TARGET = "# Target\n\n## Heading\n\nSee [[Long]].\n"


def staged_page(segment_chars: int, monkeypatch: pytest.MonkeyPatch,
                long_chars: int | None = None) -> str:
    monkeypatch.setattr(core, "SEGMENT_CHARS", segment_chars)
    monkeypatch.setattr(core, "LONG_PARAGRAPH_CHARS", segment_chars if long_chars is None else long_chars)
    notes = {"Long.md": parse_note("Long.md", NOTE.encode()),
             "Target.md": parse_note("Target.md", TARGET.encode())}
    resolved = resolve_vault(notes, {"figure.png": VaultFile("figure.png", Path("/v/figure.png"))})
    return render_site(resolved, build_graph(resolved), "t").pages["Long.md"]


@pytest.fixture(scope="module")
def converter(tmp_path_factory: pytest.TempPathFactory):
    """A fresh Python-Markdown with the extensions MkDocs reads a staged page with."""
    tmp = tmp_path_factory.mktemp("mkdocs")
    (tmp / "docs").mkdir()
    config = mkdocs_runner.load(tmp / "mkdocs.yml", str(tmp / "docs"), str(tmp / "site"), -1, -1,
                                {"read_config": False})
    return lambda: markdown.Markdown(extensions=config.markdown_extensions,
                                     extension_configs=config.mdx_configs)


def test_a_paragraph_cut_into_segments_gives_the_html_of_the_whole(converter, monkeypatch):
    whole = staged_page(10**9, monkeypatch)
    cut = staged_page(1, monkeypatch)  # a break at every place one may stand
    assert SEGMENT_BREAK not in whole
    assert cut.count(SEGMENT_BREAK) > 200
    assert cut.replace(SEGMENT_BREAK, "") == whole
    html = converter().convert(whole)
    assert converter().convert(cut) == html
    # What the page is made of came through: the test compares pages that say something.
    for shown in ('class="kb-math-inline"', 'href="Target.md#heading"', "<mark>강조</mark>",
                  'src="figure.png" width="120"', 'class="kb-tag"', "https://example.org/bare/path",
                  'class="footnote-ref"', 'id="^long-block"', 'type="checkbox"',
                  'class="admonition note"', "<del>지움</del>", "<b>굵은</b>"):
        assert shown in html, shown


def test_segments_are_long_only_in_a_long_paragraph(monkeypatch):
    page = staged_page(300, monkeypatch, 2000)
    long_paragraph = next(line for line in page.split("\n") if "kb-block-anchor" in line)
    assert len(long_paragraph) > 2000
    assert 0 < long_paragraph.count(SEGMENT_BREAK) <= len(long_paragraph) // 300
    assert all(SEGMENT_BREAK not in line for line in page.split("\n") if len(line) < 2000)
    # Every segment but the first starts with the space that opens a span.
    assert all(segment.startswith(" ") for segment in long_paragraph.split(SEGMENT_BREAK)[1:])


def test_a_notes_own_segment_mark_is_read_as_a_replacement_character():
    note = parse_note("a.md", f"# A\n\ncut{SEGMENT_BREAK}here `and{SEGMENT_BREAK}here`\n".encode())
    assert SEGMENT_BREAK not in note.source
    assert "cut\ufffdhere" in note.source


def test_a_stray_mark_is_never_shown(converter):
    html = converter().convert(f"text `code {SEGMENT_BREAK} span`\n\n    code{SEGMENT_BREAK}block\n")
    assert SEGMENT_BREAK not in html and "data-kb-segment" not in html
