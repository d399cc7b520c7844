"""Resolve: every link gets a target file (and heading anchor), or a diagnostic at the link.

Obsidian's rules: names match case-insensitively after NFC normalisation; an exact vault
path wins, then a file in the linking note's folder, then the shortest path, and any choice
among several files is reported. An alias alone never resolves a link.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from compiler.diagnostics import Diagnostic
from compiler.parse import parse_note
from compiler.resolve import Kind, Resolved, ResolvedLink, resolve_vault
from compiler.scan import VaultFile


def resolve(notes: dict[str, str], attachments: tuple[str, ...] = ()) -> Resolved:
    parsed = {path: parse_note(path, text.encode("utf-8")) for path, text in notes.items()}
    files = {path: VaultFile(path, Path("/vault") / path) for path in attachments}
    return resolve_vault(parsed, files)


def link(resolved: Resolved, source: str, raw: str) -> ResolvedLink:
    found = [item for item in resolved.links[source] if item.link.raw == raw]
    assert len(found) == 1, f"{raw!r} in {source}: {[i.link.raw for i in resolved.links[source]]}"
    return found[0]


def target(resolved: Resolved, source: str, raw: str) -> tuple[Kind, str | None, str | None]:
    item = link(resolved, source, raw)
    return item.kind, item.path, item.anchor


def diagnostics(resolved: Resolved, code: str | None = None) -> list[Diagnostic]:
    return [d for d in resolved.diagnostics if code is None or d.code == code]


def one_link_vault(text: str, others: dict[str, str], attachments: tuple[str, ...] = ()
                   ) -> tuple[ResolvedLink, list[Diagnostic]]:
    """Resolve a vault in which `src.md` holds exactly one link; return it and all diagnostics."""
    resolved = resolve({"src.md": text, **others}, attachments)
    [item] = resolved.links["src.md"]
    return item, list(resolved.diagnostics)


# --- matching names -------------------------------------------------------------------------


def test_a_link_resolves_to_the_note_of_that_name():
    item, problems = one_link_vault("[[Target]]", {"Target.md": ""})
    assert (item.kind, item.path, item.anchor) == (Kind.NOTE, "Target.md", None)
    assert problems == []


def test_names_match_case_insensitively():
    item, problems = one_link_vault("[[deep LEARNING]]", {"Deep Learning.md": ""})
    assert (item.kind, item.path) == (Kind.NOTE, "Deep Learning.md")
    assert problems == []


def test_nfd_link_text_resolves_to_an_nfc_named_note():
    item, problems = one_link_vault(f"[[{unicodedata.normalize('NFD', '신경망')}]]", {"신경망.md": ""})
    assert (item.kind, item.path) == (Kind.NOTE, "신경망.md")
    assert problems == []


def test_a_link_may_name_the_md_suffix():
    item, _ = one_link_vault("[[Target.md]]", {"Target.md": ""})
    assert (item.kind, item.path) == (Kind.NOTE, "Target.md")


def test_a_link_with_the_md_suffix_in_another_case_still_resolves():
    item, _ = one_link_vault("[[target.MD]]", {"Target.md": ""})
    assert (item.kind, item.path) == (Kind.NOTE, "Target.md")


def test_a_link_with_a_folder_path_resolves_from_the_vault_root():
    item, problems = one_link_vault("[[topics/ml/Target]]", {"topics/ml/Target.md": "", "Target.md": ""})
    assert (item.kind, item.path) == (Kind.NOTE, "topics/ml/Target.md")
    assert problems == []


def test_a_partial_folder_path_resolves_by_its_ending():
    item, _ = one_link_vault("[[ml/Target]]", {"topics/ml/Target.md": ""})
    assert (item.kind, item.path) == (Kind.NOTE, "topics/ml/Target.md")


def test_the_markdown_link_forms_resolve_like_wikilinks():
    resolved = resolve({"src.md": "[a](Name%20here.md) [b](<Name here.md>) [c](name%20HERE)",
                        "Name here.md": ""})
    assert [(i.kind, i.path) for i in resolved.links["src.md"]] == [(Kind.NOTE, "Name here.md")] * 3
    assert diagnostics(resolved) == []


def test_a_relative_markdown_link_climbs_out_of_the_linking_notes_folder():
    resolved = resolve({"a/b/src.md": "[up](../x.md) [same](./y.md)", "a/x.md": "", "a/b/y.md": "",
                        "x.md": ""})
    assert target(resolved, "a/b/src.md", "[up](../x.md)") == (Kind.NOTE, "a/x.md", None)
    assert target(resolved, "a/b/src.md", "[same](./y.md)") == (Kind.NOTE, "a/b/y.md", None)
    assert diagnostics(resolved) == []


def test_an_external_link_is_external_and_never_a_problem():
    item, problems = one_link_vault("[site](https://example.com/Target.md)", {"Target.md": ""})
    assert (item.kind, item.path) == (Kind.EXTERNAL, None)
    assert problems == []


# --- several files with one name ------------------------------------------------------------


def test_an_exact_vault_path_wins_over_a_same_named_note_elsewhere():
    resolved = resolve({"src.md": "[[Note]]", "Note.md": "", "deep/er/Note.md": ""})
    assert target(resolved, "src.md", "[[Note]]") == (Kind.NOTE, "Note.md", None)
    resolved = resolve({"x/src.md": "[[b/Note]]", "b/Note.md": "", "a/b/Note.md": ""})
    assert target(resolved, "x/src.md", "[[b/Note]]") == (Kind.NOTE, "b/Note.md", None)


def test_the_linking_notes_folder_wins_next_and_the_choice_is_reported():
    resolved = resolve({"b/src.md": "text [[Note]]", "a/Note.md": "", "b/Note.md": "", "c/d/Note.md": ""})
    assert target(resolved, "b/src.md", "[[Note]]") == (Kind.NOTE, "b/Note.md", None)
    [warning] = diagnostics(resolved, "ambiguous-link")
    assert (warning.path, warning.line, warning.col) == ("b/src.md", 1, 6)
    assert "b/Note.md" in warning.message
    assert "folder" in warning.message
    for candidate in ("a/Note.md", "b/Note.md", "c/d/Note.md"):
        assert candidate in warning.hint


def test_otherwise_the_shortest_path_wins_and_the_choice_is_reported():
    resolved = resolve({"src.md": "[[Note]]", "a/b/Note.md": "", "z/Note.md": "", "a/b/c/Note.md": ""})
    assert target(resolved, "src.md", "[[Note]]") == (Kind.NOTE, "z/Note.md", None)
    [warning] = diagnostics(resolved, "ambiguous-link")
    assert (warning.line, warning.col, warning.severity) == (1, 1, "warning")
    assert "z/Note.md" in warning.message
    assert "shortest" in warning.message
    for candidate in ("a/b/Note.md", "z/Note.md", "a/b/c/Note.md"):
        assert candidate in warning.hint


def test_an_ambiguous_korean_name_picks_the_shortest_path_and_names_the_choice():
    resolved = resolve({"src.md": "[[신경망]]", "강의/2024/신경망.md": "", "요약/신경망.md": ""})
    assert target(resolved, "src.md", "[[신경망]]") == (Kind.NOTE, "요약/신경망.md", None)
    [warning] = diagnostics(resolved, "ambiguous-link")
    assert "요약/신경망.md" in warning.message


def test_the_choice_does_not_depend_on_the_order_notes_were_given_in():
    files = {"src.md": "[[Note]]", "a/Note.md": "", "b/Note.md": ""}
    forward = resolve(files)
    backward = resolve(dict(reversed(list(files.items()))))
    assert target(forward, "src.md", "[[Note]]") == target(backward, "src.md", "[[Note]]")


def test_notes_whose_names_differ_only_in_case_are_each_reached_by_their_exact_spelling():
    for order in (["Note.md", "note.md"], ["note.md", "Note.md"]):
        files = {path: path for path in order}
        resolved = resolve({**files, "src.md": "[[Note]] [[note]]"})
        assert target(resolved, "src.md", "[[Note]]") == (Kind.NOTE, "Note.md", None)
        assert target(resolved, "src.md", "[[note]]") == (Kind.NOTE, "note.md", None)


def test_an_ambiguous_attachment_is_reported_with_its_candidates():
    resolved = resolve({"src.md": "![[pic.png]]"}, ("img/a/pic.png", "img/pic.png"))
    assert target(resolved, "src.md", "![[pic.png]]") == (Kind.ATTACHMENT, "img/pic.png", None)
    [warning] = diagnostics(resolved, "ambiguous-link")
    assert "img/a/pic.png" in warning.hint


# --- headings and blocks ---------------------------------------------------------------------


def test_a_heading_link_gets_the_headings_anchor():
    resolved = resolve({"src.md": "[[Doc#신경망 기초이론]] [[doc#SECOND part]]",
                        "Doc.md": "# 신경망 기초이론\n## Second part\n"})
    assert target(resolved, "src.md", "[[Doc#신경망 기초이론]]") == (Kind.NOTE, "Doc.md", "신경망-기초이론")
    assert target(resolved, "src.md", "[[doc#SECOND part]]") == (Kind.NOTE, "Doc.md", "second-part")
    assert diagnostics(resolved) == []


def test_a_nested_heading_link_picks_the_heading_under_the_named_parent():
    doc = "# A\n## Setup\n# B\n## Setup\n### Detail\n"
    resolved = resolve({"src.md": "[[Doc#B#Setup]] [[Doc#A#Setup]] [[Doc#B#Detail]]", "Doc.md": doc})
    assert target(resolved, "src.md", "[[Doc#B#Setup]]") == (Kind.NOTE, "Doc.md", "setup-1")
    assert target(resolved, "src.md", "[[Doc#A#Setup]]") == (Kind.NOTE, "Doc.md", "setup")
    assert target(resolved, "src.md", "[[Doc#B#Detail]]") == (Kind.NOTE, "Doc.md", "detail")
    assert diagnostics(resolved) == []


def test_a_nested_heading_link_with_the_wrong_parent_is_a_missing_heading():
    resolved = resolve({"src.md": "[[Doc#A#Detail]]", "Doc.md": "# A\n# B\n## Detail\n"})
    assert target(resolved, "src.md", "[[Doc#A#Detail]]") == (Kind.NOTE, "Doc.md", None)
    assert [d.code for d in diagnostics(resolved)] == ["missing-heading"]


def test_a_missing_heading_is_reported_with_the_existing_headings_in_the_hint():
    resolved = resolve({"src.md": "줄 하나\n보기: [[Doc#없는 제목]]", "Doc.md": "# 기초\n## 세부\n"})
    kind, path, anchor = target(resolved, "src.md", "[[Doc#없는 제목]]")
    assert (kind, path, anchor) == (Kind.NOTE, "Doc.md", None)
    [problem] = diagnostics(resolved)
    assert (problem.code, problem.path, problem.line, problem.col) == ("missing-heading", "src.md", 2, 5)
    assert "#기초" in problem.hint and "#세부" in problem.hint


def test_a_same_note_heading_link_resolves_in_the_linking_note():
    resolved = resolve({"folder/src.md": "[[#Later part]]\n\n## Later part\n"})
    assert target(resolved, "folder/src.md", "[[#Later part]]") == (Kind.NOTE, "folder/src.md", "later-part")
    assert diagnostics(resolved) == []


def test_an_embed_with_no_address_is_reported_and_is_not_the_note_embedding_itself():
    resolved = resolve({"src.md": "# Top\n\nSee ![x.png]() here and [back]() there.\n"})
    item = link(resolved, "src.md", "![x.png]()")
    assert (item.kind, item.path) == (Kind.MISSING_ATTACHMENT, None)
    [problem] = diagnostics(resolved)
    assert (problem.code, problem.line, problem.col) == ("empty-embed", 3, 5)
    assert target(resolved, "src.md", "[back]()") == (Kind.NOTE, "src.md", None)


def test_a_same_note_link_to_a_missing_heading_is_reported():
    resolved = resolve({"src.md": "[[#Nowhere]]\n# Somewhere\n"})
    [problem] = diagnostics(resolved)
    assert (problem.code, problem.line, problem.col) == ("missing-heading", 1, 1)
    assert "#Somewhere" in problem.hint


def test_a_block_link_resolves_when_the_target_has_that_block_id():
    doc = "A paragraph that ends with an id. ^my-block\n\n- item\n\n^list-id\n"
    resolved = resolve({"src.md": "[[Doc#^my-block]] [[Doc#^list-id]]", "Doc.md": doc})
    assert target(resolved, "src.md", "[[Doc#^my-block]]") == (Kind.NOTE, "Doc.md", "^my-block")
    assert target(resolved, "src.md", "[[Doc#^list-id]]") == (Kind.NOTE, "Doc.md", "^list-id")
    assert diagnostics(resolved) == []


def test_block_ids_match_case_insensitively_and_a_missing_one_names_those_that_exist():
    resolved = resolve({"src.md": "[[Doc#^ABC]] [[Doc#^zzz]]", "Doc.md": "one ^abc\n\ntwo ^x-1\n"})
    assert target(resolved, "src.md", "[[Doc#^ABC]]")[2] == "^abc"
    [problem] = diagnostics(resolved)
    assert problem.code == "missing-block" and problem.hint == "block ids: ^abc, ^x-1"


def test_a_block_link_to_a_missing_id_is_a_missing_block():
    resolved = resolve({"src.md": "x [[Doc#^nope]]", "Doc.md": "para ^other\n"})
    assert target(resolved, "src.md", "[[Doc#^nope]]")[:2] == (Kind.NOTE, "Doc.md")
    [problem] = diagnostics(resolved)
    assert (problem.code, problem.line, problem.col) == ("missing-block", 1, 3)


def test_a_block_id_must_end_its_line_to_count():
    resolved = resolve({"src.md": "[[Doc#^mid]]", "Doc.md": "text ^mid and more\n"})
    assert [d.code for d in diagnostics(resolved)] == ["missing-block"]


# --- unresolved links ---------------------------------------------------------------------


def test_an_unresolved_link_is_reported_with_a_did_you_mean_hint_for_a_near_name():
    resolved = resolve({"src.md": "# T\n\n보기 [[Nueral network]]", "Neural network.md": ""})
    item = link(resolved, "src.md", "[[Nueral network]]")
    assert (item.kind, item.path) == (Kind.UNRESOLVED, None)
    [problem] = diagnostics(resolved)
    assert (problem.code, problem.line, problem.col) == ("unresolved-link", 3, 4)
    assert problem.hint == "did you mean [[Neural network]]?"


def test_a_hint_reads_a_bounded_number_of_names_however_many_share_its_common_pieces(monkeypatch):
    """Each unresolved link would otherwise count every name sharing a two-letter piece with
    it ("e ", "in"): work growing with links times notes. The rarest pieces are read first."""
    import compiler.resolve as resolve_module
    from compiler.resolve import VaultIndex

    class Counted(list):  # the names holding one piece; counts the entries read
        read = 0

        def __iter__(self):
            for number in super().__iter__():
                Counted.read += 1
                yield number

    monkeypatch.setattr(resolve_module, "SUGGESTION_READS", 50)
    names = [f"in the note {n:04d}" for n in range(400)] + ["Neural network"]
    index = VaultIndex({f"{name}.md": parse_note(f"{name}.md", b"") for name in names}, ())
    index._by_bigram = {gram: Counted(numbers) for gram, numbers in index._by_bigram.items()}
    assert index.suggest("Nueral netwrok in the") == "Neural network"
    assert Counted.read < 50 + 400  # the rare pieces, then at most one common one


def test_an_unresolved_link_with_no_near_name_has_no_hint():
    resolved = resolve({"src.md": "[[Quantum chromodynamics]]", "Cat.md": ""})
    [problem] = diagnostics(resolved)
    assert (problem.code, problem.hint) == ("unresolved-link", "")


def test_a_name_matching_only_an_alias_links_to_its_note_and_is_reported_as_alias_link():
    # Obsidian leaves [[AI]] unresolved; the reader's intent is plain, so the site links it.
    holder = "---\naliases: [AI, 인공지능]\n---\n# 정의\n"
    resolved = resolve({"src.md": "[[AI]] [[인공지능#정의|보기]]", "Artificial intelligence.md": holder})
    assert target(resolved, "src.md", "[[AI]]") == (Kind.NOTE, "Artificial intelligence.md", None)
    assert target(resolved, "src.md", "[[인공지능#정의|보기]]") == (
        Kind.NOTE, "Artificial intelligence.md", "정의")
    first, second = diagnostics(resolved)
    assert (first.code, first.line, first.col) == ("alias-link", 1, 1)
    assert first.hint == "write [[Artificial intelligence|AI]]"
    assert second.hint == "write [[Artificial intelligence#정의|보기]]"


def test_an_alias_link_hint_names_the_folder_when_the_name_is_ambiguous():
    resolved = resolve({"src.md": "[[AI]]", "a/Topic.md": "---\naliases: AI\n---\n", "b/Topic.md": ""})
    [problem] = diagnostics(resolved)
    assert problem.code == "alias-link"
    assert problem.hint == "write [[a/Topic|AI]]"


def test_a_note_name_wins_over_an_alias():
    resolved = resolve({"src.md": "[[AI]]", "AI.md": "", "Other.md": "---\naliases: [AI]\n---\n"})
    assert target(resolved, "src.md", "[[AI]]") == (Kind.NOTE, "AI.md", None)
    assert diagnostics(resolved) == []


def test_aliases_feed_the_did_you_mean_hint():
    holder = "---\naliases: [인공지능 개론]\n---\n"
    resolved = resolve({"src.md": "[[인공지능 개롬]]", "AI.md": holder})
    [problem] = diagnostics(resolved)
    assert (problem.code, problem.hint) == ("unresolved-link", "did you mean [[AI|인공지능 개론]]?")


def test_a_link_to_an_unpublished_note_is_unpublished_and_the_linking_note_is_told():
    private = "---\npublish: false\n---\n[[src]]"
    resolved = resolve({"src.md": "[[Private]] [[Private#H]]", "Private.md": private})
    assert target(resolved, "src.md", "[[Private]]") == (Kind.UNPUBLISHED, "Private.md", None)
    assert [(d.path, d.code, d.severity.value, d.col) for d in diagnostics(resolved)] == [
        ("src.md", "unpublished-link", "info", 1), ("src.md", "unpublished-link", "info", 13)]


def test_a_missing_image_is_a_missing_attachment():
    resolved = resolve({"src.md": "text ![[pic.png]] and ![alt](other.jpg)"}, ("present.png",))
    assert target(resolved, "src.md", "![[pic.png]]") == (Kind.MISSING_ATTACHMENT, None, None)
    assert target(resolved, "src.md", "![alt](other.jpg)") == (Kind.MISSING_ATTACHMENT, None, None)
    assert [(d.code, d.col) for d in diagnostics(resolved)] == [
        ("missing-attachment", 6), ("missing-attachment", 23)]


def test_an_existing_attachment_resolves_by_its_name_from_any_folder():
    resolved = resolve({"notes/src.md": "![[Figure 1.png|300]] [[paper.pdf#page=3]]"},
                       ("assets/Figure 1.png", "papers/paper.pdf"))
    assert target(resolved, "notes/src.md", "![[Figure 1.png|300]]") == (
        Kind.ATTACHMENT, "assets/Figure 1.png", None)
    pdf = target(resolved, "notes/src.md", "[[paper.pdf#page=3]]")
    assert pdf[:2] == (Kind.ATTACHMENT, "papers/paper.pdf")
    assert diagnostics(resolved) == []


@pytest.mark.parametrize(("source", "raw"), [
    ("src.md", "[[../../etc/passwd]]"),
    ("a/src.md", "[[../../etc/passwd]]"),
    ("a/src.md", "[x](../../secret.md)"),
    ("src.md", "[[sub/../../outside]]"),
])
def test_a_link_climbing_out_of_the_vault_is_refused_with_an_error(source, raw):
    resolved = resolve({source: f"보기 {raw}", "etc/passwd.md": "", "secret.md": ""})
    item = link(resolved, source, raw)
    assert (item.kind, item.path) == (Kind.REFUSED, None)
    [problem] = diagnostics(resolved)
    assert (problem.code, problem.severity, problem.line, problem.col) == (
        "link-outside-vault", "error", 1, 4)


def test_a_relative_link_that_stays_inside_the_vault_is_not_refused():
    resolved = resolve({"a/b/src.md": "[[../../Top]]", "Top.md": ""})
    assert target(resolved, "a/b/src.md", "[[../../Top]]") == (Kind.NOTE, "Top.md", None)


# --- every diagnostic is at its link ------------------------------------------------------------


def test_every_diagnostic_carries_its_links_line_and_col():
    text = ("# 제목\n"
            "한국어 문장 [[없는 노트]] 끝.\n"
            "- 항목 ![[없는그림.png]]\n"
            "> 인용 [[Doc#없는 제목]] 과 [[Doc#^없음]]\n"
            "| 표 | [[별칭]] |\n|---|---|\n| x | [[../../밖]] |\n"
            "마지막 [[Note]]\n")
    resolved = resolve({"src.md": text, "Doc.md": "# 있음\n", "a/Note.md": "", "b/Note.md": "",
                        "Alias holder.md": "---\naliases: [별칭]\n---\n"})
    problems = diagnostics(resolved)
    assert sorted(d.code for d in problems) == sorted([
        "unresolved-link", "missing-attachment", "missing-heading", "missing-block", "alias-link",
        "link-outside-vault", "ambiguous-link"])
    by_position = {(item.link.line, item.link.col): item.link.raw for item in resolved.links["src.md"]}
    lines = text.split("\n")
    for problem in problems:
        assert problem.path == "src.md"
        raw = by_position[(problem.line, problem.col)]
        assert lines[problem.line - 1][problem.col - 1:].startswith(raw), problem
        assert raw in problem.message or problem.code == "ambiguous-link"


def test_links_are_kept_per_note_in_source_order():
    resolved = resolve({"src.md": "[[C]] [[A]]\n[[B]]", "A.md": "", "B.md": "", "C.md": ""})
    assert [i.path for i in resolved.links["src.md"]] == ["C.md", "A.md", "B.md"]
    assert set(resolved.links) == {"src.md", "A.md", "B.md", "C.md"}


def test_an_image_a_block_draws_resolves_to_the_block_and_wins_over_a_vault_file():
    from compiler.resolve import FigureSource

    block_note = "```python exec\n#| figure: Plot.png\nimport matplotlib\n```\n"
    notes = {"a.md": parse_note("a.md", b"![[x/Plot.png]] ![[Other.png]]"),
             "b.md": parse_note("b.md", block_note.encode())}
    attachments = {"Other.png": VaultFile("Other.png", Path("/nonexistent/Other.png")),
                   "img/plot.png": VaultFile("img/plot.png", Path("/nonexistent/plot.png"))}
    resolved = resolve_vault(notes, attachments)
    drawn, other = resolved.links["a.md"]
    assert drawn.kind is Kind.GENERATED and drawn.figure == FigureSource("b.md", 0, 0)
    assert other.kind is Kind.ATTACHMENT
    notes["a.md"] = parse_note("a.md", b"![[img/plot.png]]")
    resolved = resolve_vault(notes, attachments)
    assert [d.code for d in resolved.diagnostics] == ["figure-shadows-attachment"]
    assert resolved.links["a.md"][0].kind is Kind.GENERATED


def test_a_figure_name_claimed_by_two_blocks_keeps_the_first():
    block = b"```python exec\n#| figure: Plot.png\nx = 1\n```\n"
    resolved = resolve_vault({"a.md": parse_note("a.md", block), "b.md": parse_note("b.md", block)}, {})
    [problem] = resolved.diagnostics
    assert (problem.code, problem.path) == ("duplicate-figure", "b.md")
