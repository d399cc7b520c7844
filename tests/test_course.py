"""The path through a vault: the course map a note declares (`course: true`) opens the home
page, with where a beginner starts; every note in the reading order ends with what to read
next."""

from __future__ import annotations

from pathlib import Path

from compiler.analysis import analyse
from compiler.course import drawn_by, read_course
from compiler.graph import build_graph
from compiler.markup import url
from compiler.parse import parse_note
from compiler.prerequisites import reading_order
from compiler.render import HOME, render_site
from compiler.resolve import resolve_vault
from compiler.scan import scan_vault

BUNDLED = Path(__file__).resolve().parent.parent / "vault"

COURSE = """---
course: true
---
소개 [[Intro]]

## 기초
[[Base]], [[Side]]

## 응용
[[Top]]
### 더 보기
[[Base]] [[Extra]]
"""


def needs(*targets: str) -> str:
    listed = ", ".join(f'"[[{t}]]"' for t in targets)
    return f"---\nprerequisites: [{listed}]\n---\n본문\n"


def staged(vault: dict[str, str]):
    notes = {p: parse_note(p, t.encode("utf-8")) for p, t in vault.items()}
    resolved = resolve_vault(notes, {})
    graph = build_graph(resolved)
    return resolved, render_site(resolved, graph, "강의", summary=analyse(graph, notes))


VAULT = {"코스.md": COURSE, "Intro.md": "", "Base.md": needs(), "Side.md": needs(),
         "Top.md": needs("Base", "Side"), "Extra.md": needs("Top"), "Loose.md": "[[Top]]"}


def test_the_course_steps_are_the_course_notes_top_sections_and_the_notes_they_link():
    resolved, _ = staged(VAULT)
    course = read_course(resolved)
    assert course.path == "코스.md"
    assert [(s.title, s.notes) for s in course.steps] == [
        ("기초", ("Base.md", "Side.md")), ("응용", ("Top.md", "Base.md", "Extra.md"))]
    assert course.notes == ("Base.md", "Side.md", "Top.md", "Extra.md")


def test_the_home_page_opens_with_the_course_map_then_where_to_start():
    _, stage = staged(VAULT)
    home = stage.pages[HOME]
    course_at, start_at = home.index("## 학습 경로"), home.index("### 처음이라면 여기서 시작하세요")
    assert course_at < start_at < home.index("노트 7개")
    assert "1. **기초**: [Base](Base.md) → [Side](Side.md)" in home
    assert "1. **응용**: [Top](Top.md) → [Base](Base.md) → [Extra](Extra.md)" in home
    starts = home[start_at:].split("\n\n")[2]
    assert starts == "- [Base](Base.md)\n- [Side](Side.md)"


def test_a_vault_without_a_course_note_gets_no_course_map():
    _, stage = staged({k: v for k, v in VAULT.items() if k != "코스.md"})
    assert "학습 경로" not in stage.pages[HOME]


def test_every_note_in_the_reading_order_ends_with_what_builds_on_it():
    _, stage = staged(VAULT)
    base = stage.pages["Base.md"].split("## 다음에 읽을 노트")[1]
    assert base.split("</div>")[0].strip().splitlines()[-1] == "- [Top](Top.md)"
    last = stage.pages["Extra.md"].split("## 다음에 읽을 노트")[1]
    assert "아직 없습니다" in last and f"]({HOME})" in last
    assert "다음에 읽을 노트" not in stage.pages["Loose.md"]  # it declares nothing
    assert "다음에 읽을 노트" not in stage.pages["Intro.md"]


def test_the_bundled_course_follows_the_seed_and_never_puts_a_note_before_its_prerequisites():
    notes = {f.path: parse_note(f.path, f.source.read_bytes()) for f in scan_vault(BUNDLED, []).notes}
    resolved = resolve_vault(notes, {})
    course = read_course(resolved)
    assert [s.title for s in course.steps] == ["데이터", "모델", "손실", "최적화", "일반화", "구조"]
    order = reading_order(notes)
    position = {path: n for n, path in enumerate(course.notes)}
    for path in course.notes:
        for prerequisite in order.prerequisites.get(path, ()):
            assert position[prerequisite] < position[path], (prerequisite, path)
    declaring = {p for p in order.prerequisites if not p.endswith("학습 경로.md")}
    assert declaring == set(course.notes)  # every concept note has its place on the map


def test_a_regenerated_figure_shown_elsewhere_links_the_note_that_draws_it():
    pages = {"a/개념.md": "a/개념.md", "seed.md": "seed.md"}
    link = url("seed.md", "a/개념.md")
    assert drawn_by("a/개념.md", "seed.md", pages) == f"([그림을 그리는 노트: 개념]({link}))"
    assert drawn_by("a/개념.md", "a/개념.md", pages) == ""  # on its own page: nothing to add
    assert drawn_by("gone.md", "seed.md", pages) == ""
