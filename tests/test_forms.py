"""The forms: each Obsidian form recognised by its markdown-it rule and written by its writer,
tried in the registry's order; the staged page written from the syntax tree."""

from __future__ import annotations

import markdown

from compiler.forms import dialect, registry
from compiler.forms.callouts import callout_classes, default_title
from compiler.graph import build_graph
from compiler.parse import parse_note
from compiler.render import render_site
from compiler.resolve import resolve_vault
from compiler.syntax import make_parser

EXTENSIONS = ["admonition", "pymdownx.superfences", "pymdownx.details", "attr_list", "md_in_html",
              "tables", "footnotes", "nl2br", "sane_lists", "pymdownx.mark", "pymdownx.tilde"]


def body_of(source: str) -> str:
    notes = {"a.md": parse_note("a.md", source.encode())}
    resolved = resolve_vault(notes, {})
    page = render_site(resolved, build_graph(resolved), "t").pages["a.md"]
    return page.split("---\n", 2)[2].split('<div class="kb-backlinks"')[0]


def html_of(source: str) -> str:
    return markdown.markdown(body_of(source), extensions=EXTENSIONS)


def test_aliases_keep_their_name_as_a_class_and_unknown_types_look_like_notes():
    assert callout_classes("TIP") == ("tip",)
    assert callout_classes("faq") == ("question", "kb-callout-faq")
    assert callout_classes("my box") == ("note", "kb-callout-my-box")
    assert callout_classes("grid") == ("note", "kb-callout-grid")  # never a bare Material class


def test_the_default_title_is_the_type_capitalised():
    assert [default_title(k) for k in ("tip", "FAQ", "my-type", "메모")] == [
        "Tip", "Faq", "My-type", "메모"]


def test_every_form_with_syntax_of_its_own_adds_its_rule_by_name():
    md = make_parser()
    rules = md.inline.ruler.get_all_rules() + md.block.ruler.get_all_rules()
    for name in ("wikilink", "tag", "obsidian_comment", "obsidian_comment_block", "mark",
                 "escaped_dollar", "math_inline", "math_block", "footnote_inline"):
        assert name in rules


def test_a_form_declines_a_node_it_does_not_recognise_and_the_next_writer_takes_it():
    blocks, _, _, _, _ = registry.writers()
    quote_writers = [w.__module__.rsplit(".", 1)[1] for w in blocks["blockquote"]]
    assert quote_writers == ["callouts", "core"]
    assert "<blockquote>" in html_of("> plain quote\n")
    assert 'class="admonition tip"' in html_of("> [!tip]\n> boxed\n")


def test_text_is_written_literally_and_bare_urls_are_left_to_magiclink():
    tricky = "a*b* #c 1. ==d== \\x <i> & ~s~ [x](y) {#z} |"
    assert dialect.text(tricky) == (
        "a\\*b\\* \\#c 1\\. \\=\\=d\\=\\= \\\\x &lt;i\\> &amp; \\~s\\~ \\[x\\]\\(y\\) \\{\\#z\\} \\|")
    html = markdown.markdown(dialect.text(tricky), extensions=EXTENSIONS)
    assert html == "<p>a*b* #c 1. ==d== \\x &lt;i&gt; &amp; ~s~ [x](y) {#z} |</p>"
    assert dialect.text("see https://example.com/a_b?c=d.") == "see https://example.com/a_b?c=d\\."


def test_callouts_nest_in_lists_and_lists_nest_by_four_spaces_whatever_the_source_indent():
    html = html_of("- item\n\t- tabbed\n\t  - deeper\n- next\n\n> [!note] T\n> - in box\n>   - nested\n")
    assert html.count("<ul>") == 5 and "<li>deeper</li>" in html
    assert '<p class="admonition-title">T</p>' in html and "<li>nested</li>" in html


def test_a_quote_or_fence_opening_a_list_item_stays_in_the_item():
    html = html_of("- > quoted\n  >\n  > more\n- ```\n  code\n  ```\n- last\n")
    assert html.count("<li>") == 3
    assert "<blockquote>" in html and "more" in html.split("</blockquote>")[0]
    assert "code" in html and "```" not in html


def test_an_inline_footnote_is_numbered_on_the_page_and_defined_at_its_end():
    body = body_of("text^[**inline** note] and[^x]\n\n[^x]: labelled\n")
    assert "text[^kb-inline-1] and[^x]" in body
    assert "[^x]: labelled" in body and "[^kb-inline-1]: **inline** note" in body
