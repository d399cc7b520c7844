"""Text that reads well: link text, the home page, search entries, formulas as text and in
backlink contexts, generated pages ranked below notes. Pure functions on small vaults."""

from __future__ import annotations

from compiler.forms.wikilinks import link_titles
from compiler.graph import build_graph
from compiler.markup import HOME_NAMES
from compiler.math_text import math_text
from compiler.parse import parse_note, to_mathml
from compiler.reading import index_pages, rank_index_pages_lower
from compiler.render import HOME, render_site, staged_paths
from compiler.resolve import resolve_vault
from compiler.search_index import page_entries


def _stage(files: dict[str, str], **options):
    notes = {p: parse_note(p, t.encode()) for p, t in files.items()}
    resolved = resolve_vault(notes, {})
    return render_site(resolved, build_graph(resolved), "Site", None, **options)


def test_a_link_written_as_a_vault_path_shows_the_notes_name_unless_turned_off():
    files = {"4. Archive/AI/Parameter.md": "# Parameter\n\n## Bias\n",
             "a.md": "See [[4. Archive/AI/Parameter]], [[4. Archive/AI/Parameter#Bias]] and "
                     "[[4. Archive/AI/Parameter|the parameter]].\n\n## On [[4. Archive/AI/Parameter]]\n"}
    page = _stage(files).pages["a.md"]
    assert "[Parameter](4.%20Archive/AI/Parameter.md)" in page
    assert "[Parameter &#62; Bias](" in page
    assert "[the parameter](" in page and "## On [Parameter](" in page
    assert "Archive/AI/Parameter](" not in page
    with link_titles(False):
        kept = _stage(files).pages["a.md"]
    assert "[4&#46; Archive/AI/Parameter](" in kept


def test_a_root_note_named_home_or_홈_is_the_home_page():
    assert HOME_NAMES == ("index", "README", "Home", "홈")
    assert staged_paths({"Home.md": None, "a.md": None}, None)[0]["Home.md"] == HOME
    assert staged_paths({"홈.md": None, "a.md": None}, None)[0]["홈.md"] == HOME
    assert staged_paths({"index.md": None, "Home.md": None}, None)[0]["index.md"] == HOME
    assert staged_paths({"sub/Home.md": None}, None)[0]["sub/Home.md"] != HOME
    assert staged_paths({"Start.md": None}, None, ("Start",))[0]["Start.md"] == HOME
    stage = _stage({"Home.md": "# My home\n\n[[a]]\n", "a.md": "# A\n"})
    assert stage.pages[HOME].count("My home") >= 1 and "Home.md" not in stage.pages


def test_the_home_page_links_every_note_of_a_folder():
    files = {f"f/n{i:02}.md": f"# N{i:02}\n" for i in range(45)}
    home = _stage(files).pages[HOME]
    assert all(f"(f/n{i:02}.md)" in home for i in range(45))
    assert "외" not in home and "more" not in home


def test_generated_pages_rank_below_notes_in_search():
    stage = _stage({"a.md": "# A\n\n#tag [[b]]\n", "b.md": "# B\n"})
    generated = index_pages(stage)
    assert HOME in generated and "a.md" not in generated and "b.md" not in generated
    lowered = rank_index_pages_lower(stage)
    assert "search:\n  boost: 0.2\n" in lowered.pages[HOME]
    assert lowered.pages["a.md"] == stage.pages["a.md"]


def test_search_entries_leave_the_properties_out_and_read_formulas_as_text():
    stage = _stage({"a.md": "---\ntags: [딥러닝, 확률론]\naliases: [Monte Carlo]\n---\n# A\n\n"
                            "확률 $P(a\\le X\\le b)=\\int_a^b p(x)\\,dx$ 이다.\n"})
    assert 'data-search-exclude=""' in stage.pages["a.md"]
    built = ('<article><h1 id="a">A</h1><div class="kb-properties" data-search-exclude="">'
             "<span>tags</span><span>#딥러닝</span></div><p>확률 <span class=\"kb-math-inline\">"
             + to_mathml(r"P(a\le X\le b)=\int_a^b p(x)\,dx", False) + "</span> 이다.</p></article>")
    [entry] = page_entries(built, "a/")
    assert entry["text"] == "<p>확률 P(a ≤ X ≤ b) = ∫_a^b p(x) dx 이다.</p>"


def test_formulas_read_as_one_line_of_text():
    from xml.etree import ElementTree

    def text(latex: str) -> str:
        return math_text(ElementTree.fromstring(to_mathml(latex, False)))

    assert text(r"\hat{y}") == "ŷ"
    assert text(r"\frac{a+b}{2}") == "(a + b)/2"
    assert text(r"\sum_{i=1}^{n} x_i^2") == "∑_(i=1)^n x_i^2"
    assert text(r"\sqrt{x}") == "√x"


def test_a_backlink_context_draws_the_formulas_it_quotes():
    stage = _stage({"a.md": "# A\n", "b.md": "예측 $\\hat{y}$ 는 [[a]] 의 출력, $x$ 도.\n"})
    backlinks = stage.pages["a.md"].split('class="kb-backlinks"', 1)[1]
    assert "\\hat" not in backlinks and "<math" in backlinks and "ŷ" not in backlinks
