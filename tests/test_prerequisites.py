"""Prerequisites: the reading order is what notes declare (`prerequisites:` links), acyclic,
with a cycle reported by name; and the bundled course declares one that means something."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.parse import parse_note
from compiler.prerequisites import check, reading_order
from compiler.scan import scan_vault

BUNDLED = Path(__file__).resolve().parent.parent / "vault"
CONCEPTS = "4. Archive/AI 공부/Ai Tech 딥러닝 공부/"
SEED = CONCEPTS + "딥러닝 기초 정리.md"
# The seed note, and the pages about the course rather than concepts of it (the figures the
# seed lost, the course map, the dashboard of the concept notes, the open questions).
NOT_CONCEPTS = {SEED, CONCEPTS + "다시 그리지 못한 그림.md", "학습 경로.md",
                "4. Archive/AI 공부/개념 대시보드.md", "4. Archive/AI 공부/열린 질문.md"}


def parsed(vault: dict[str, str]):
    return {path: parse_note(path, text.encode("utf-8")) for path, text in vault.items()}


def needs(*targets: str) -> str:
    listed = ", ".join(f'"[[{t}]]"' for t in targets)
    return f"---\nprerequisites: [{listed}]\n---\n본문\n"


def test_a_note_without_the_property_claims_nothing_and_an_empty_list_is_a_start():
    order = reading_order(parsed({"A.md": needs(), "B.md": "[[A]]\n", "C.md": needs("A")}))
    assert order.prerequisites == {"A.md": (), "C.md": ("A.md",)}
    assert order.starts == ("A.md",)
    assert "B.md" not in order.before and order.after["A.md"] == ("C.md",)


def test_a_cycle_is_reported_naming_its_notes_in_order_where_it_is_declared():
    notes = parsed({"A.md": needs("B"), "B.md": needs("C"), "C.md": needs("A"), "D.md": needs("A")})
    problems = check(notes)
    assert [p.code for p in problems] == ["prerequisite-cycle"]
    cycle = problems[0]
    assert (cycle.path, cycle.line) == ("A.md", 2)
    assert "A → B → C → A" in cycle.message
    order = reading_order(notes)
    assert order.cycles == (("A.md", "B.md", "C.md"),)
    # Inside the cycle nothing is claimed; D's own prerequisite still stands.
    assert order.before["A.md"] == () and order.before["D.md"] == ("A.md",)


def test_a_note_that_lists_itself_is_a_cycle():
    problems = check(parsed({"A.md": needs("A")}))
    assert [p.code for p in problems] == ["prerequisite-cycle"]
    assert "A → A" in problems[0].message


def test_an_entry_that_is_not_a_link_is_reported_and_a_missing_note_left_to_resolve():
    notes = parsed({"A.md": '---\nprerequisites: ["미분", "[[없는 노트]]"]\n---\n'})
    problems = check(notes)
    assert [p.code for p in problems] == ["prerequisite-not-a-link"]
    assert "'미분'" in problems[0].message and problems[0].line == 2
    assert reading_order(notes).prerequisites == {"A.md": ()}


def test_before_reads_each_chain_in_declared_order_and_each_note_once():
    notes = parsed({"Top.md": needs("Left", "Right"), "Left.md": needs("Base"),
                    "Right.md": needs("Base"), "Base.md": needs()})
    assert reading_order(notes).before["Top.md"] == ("Base.md", "Left.md", "Right.md")


@pytest.fixture(scope="module")
def bundled():
    scan = scan_vault(BUNDLED, [])
    return {f.path: parse_note(f.path, f.source.read_bytes()) for f in scan.notes}


def test_every_bundled_concept_note_declares_its_prerequisites(bundled):
    concepts = [p for p in bundled if p not in NOT_CONCEPTS]
    assert len(concepts) >= 44
    assert [p for p in concepts if "prerequisites" not in bundled[p].properties] == []
    assert "prerequisites" not in bundled[SEED].properties


def test_the_bundled_order_is_acyclic_and_no_note_lists_what_builds_on_it(bundled):
    assert check(bundled) == []
    order = reading_order(bundled)
    assert order.cycles == ()
    for path, needed in order.prerequisites.items():
        for prerequisite in needed:
            assert path not in order.before.get(prerequisite, ()), (path, prerequisite)
            assert prerequisite not in order.after.get(path, ()), (path, prerequisite)


@pytest.mark.parametrize(("first", "then"), [
    ("미분", "연쇄법칙"), ("연쇄법칙", "역전파 알고리즘"), ("확률", "확률분포"),
    ("확률분포", "가능도"), ("가능도", "최대가능도 추정"), ("합성함수", "연쇄법칙"),
    ("순환 신경망(RNN)", "LSTM과 GRU")])
def test_the_bundled_order_reads_foundations_first(bundled, first, then):
    order = reading_order(bundled)
    assert CONCEPTS + first + ".md" in order.before[CONCEPTS + then + ".md"]
    assert CONCEPTS + then + ".md" not in order.before.get(CONCEPTS + first + ".md", ())
