"""The query stage and its edges: DQL read and run on small vaults, file dates from
properties / git / the file system, the `kb.dates` setting, and results that follow the notes
(a page holding a query changes when a note it reads changes, and only such pages)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.build import compile_vault, prepare_stage, vault_queries
from compiler.config import load_settings
from compiler.dataview import parse_query, run_query
from compiler.diagnostics import ConfigError
from compiler.expr import QueryError, Unsupported
from compiler.facts import build_facts
from compiler.filedates import file_facts, parse_date
from compiler.parse import parse_note
from compiler.resolve import resolve_vault
from compiler.scan import scan_vault
from compiler.serve import stage_changes
from tests.conftest import project_settings, write_vault

EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def facts_of(files: dict[str, str]):
    notes = {path: parse_note(path, text.encode()) for path, text in files.items()}
    return build_facts(resolve_vault(notes, {}), {}, {p: (EPOCH, EPOCH) for p in notes})


PROJECTS = facts_of({
    "projects/A.md": "---\ntags: [project]\ncompleted: false\npriority: 2\n---\n- [ ] one\n- [x] two\n",
    "projects/B.md": "---\ntags: [project/side]\ncompleted: true\npriority: 1\n---\nSee [[A]].",
    "projects/C.md": "---\ntags: [project]\npriority: 3\n---\nsee [[B]] and [[A]]",
    "Home.md": "Links [[A]] and [[C]].",
})


def test_a_query_is_read_into_its_type_fields_and_clauses_in_order():
    query = parse_query('TABLE WITHOUT ID file.link AS "Project", priority\n'
                        "FROM #project\n// a comment\nWHERE priority > 1\nSORT priority DESC\nLIMIT 2")
    assert (query.kind, query.without_id) == ("table", True)
    assert [f.name for f in query.fields] == ["Project", "priority"]
    assert [c.keyword for c in query.clauses] == ["FROM", "WHERE", "SORT", "LIMIT"]


@pytest.mark.parametrize(("source", "expected"), [
    ("#project", ["projects/A.md", "projects/B.md", "projects/C.md"]),  # nested tags too
    ('#project and -"projects/B"', ["projects/A.md", "projects/C.md"]),
    ("[[A]]", ["Home.md", "projects/B.md", "projects/C.md"]),
    ("outgoing([[Home]])", ["projects/A.md", "projects/C.md"]),
    ("([[A]] or [[B]]) and !#project", ["Home.md"]),
])
def test_from_sources_and_their_combinations(source, expected):
    result = run_query(f"LIST FROM {source}", PROJECTS)
    assert [row.id.path for row in result.rows] == expected


def test_where_sort_limit_run_in_the_written_order():
    result = run_query("LIST FROM #project SORT priority DESC LIMIT 2 SORT priority ASC", PROJECTS)
    assert [row.id.path for row in result.rows] == ["projects/A.md", "projects/C.md"]
    result = run_query("LIST WHERE !completed AND priority", PROJECTS)
    assert [row.id.path for row in result.rows] == ["projects/A.md", "projects/C.md"]


def test_group_by_gives_rows_and_key():
    result = run_query("TABLE length(rows) AS n, sum(rows.priority) AS total FROM #project "
                       "GROUP BY completed", PROJECTS)
    assert result.id_header == "group"
    assert [(row.id, row.values) for row in result.rows] == [
        (None, (1, 3)), (False, (1, 2)), (True, (1, 1))]


def test_task_queries_run_on_tasks():
    result = run_query("TASK WHERE !completed", PROJECTS)
    assert [(t.path, t.text, t.status, t.line) for t in result.tasks] == [
        ("projects/A.md", "one", " ", 6)]


def test_errors_and_unsupported_parts_name_their_offset():
    with pytest.raises(Unsupported) as found:
        run_query("LIST\nWHERE contains(x, 1) and icon(y)", PROJECTS)
    assert found.value.name == "icon" and found.value.pos == 30
    with pytest.raises(Unsupported):
        run_query('LIST WHERE filter(file.tasks, (t) => t.completed)', PROJECTS)
    with pytest.raises(QueryError) as found:
        run_query("LIST FROM #a WHERE", PROJECTS)
    assert found.value.pos == 18
    with pytest.raises(QueryError):
        run_query("SELECT * FROM x", PROJECTS)


# -- file dates --

def test_dates_come_from_named_properties_else_the_file_system(tmp_path):
    vault = write_vault(tmp_path / "v", {"a.md": "x", "b.md": "y"})
    os.utime(vault / "b.md", (1_600_000_000, 1_600_000_000))
    files = scan_vault(vault).notes
    sizes, dates = file_facts(vault, files, {"a.md": {"made": "2020-02-03", "edited": "2021-05-06T07:08"}},
                              created=("created", "made"), modified=("edited",))
    assert sizes == {"a.md": 1, "b.md": 1}
    assert dates["a.md"] == (parse_date("2020-02-03"), parse_date("2021-05-06T07:08"))
    assert dates["b.md"][1] == dt.datetime.fromtimestamp(1_600_000_000, dt.UTC)


def test_dates_come_from_git_history_in_a_work_tree(tmp_path):
    vault = write_vault(tmp_path / "repo" / "vault", {"a.md": "one"})
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}

    def git(*args: str, when: int | None = None) -> None:
        stamp = {"GIT_AUTHOR_DATE": f"@{when} +0000", "GIT_COMMITTER_DATE": f"@{when} +0000"} if when else {}
        subprocess.run(["git", *args], cwd=tmp_path / "repo", env={**env, **stamp}, check=True,
                       capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "first", when=1_500_000_000)
    (vault / "a.md").write_text("two", encoding="utf-8")
    git("commit", "-qam", "second", when=1_700_000_000)
    _, dates = file_facts(vault, scan_vault(vault).notes, {})
    assert dates["a.md"] == (dt.datetime.fromtimestamp(1_500_000_000, dt.UTC),
                             dt.datetime.fromtimestamp(1_700_000_000, dt.UTC))


def test_the_dates_setting_is_read_and_checked(tmp_path):
    (tmp_path / "vault").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nkb:\n  dates:\n    created: made\n"
                                         "    modified: [updated, edited]\n", encoding="utf-8")
    settings = load_settings(tmp_path)
    assert settings.created_properties == ("made",)
    assert settings.modified_properties == ("updated", "edited")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nkb:\n  dates:\n    born: x\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_settings(tmp_path)


# -- correct under change --

def test_a_page_with_a_query_changes_when_a_note_it_reads_changes_and_only_such_pages(tmp_path):
    from compiler.query_cache import QueryCache

    vault = write_vault(tmp_path / "vault", {
        "Queries.md": "```dataview\nTABLE level FROM #topic\n```\n",
        "Base.md": "```base\nfilters: 'file.hasTag(\"topic\")'\nviews:\n  - type: table\n"
                   "    order: [file.name, level]\n```\n",
        "Plain.md": "No query here.",
        "A.md": "---\ntags: [topic]\nlevel: 1\n---\ntext",
    })
    settings = dataclasses.replace(project_settings(tmp_path, vault), sandbox=False)
    cache = QueryCache()  # as kb serve keeps it
    first = prepare_stage(settings, use_cache=False, query_cache=cache).stage
    (vault / "A.md").write_text("---\ntags: [topic]\nlevel: 2\n---\ntext", encoding="utf-8")
    second = prepare_stage(settings, use_cache=False, query_cache=cache).stage
    changed, removed = stage_changes(first, second, {}, {})
    pages = {p for p in changed if p.endswith(".md")}
    assert {"Queries.md", "Base.md", "A.md"} <= pages and "Plain.md" not in pages and not removed
    assert "<td markdown=\"span\">2</td>" in second.pages["Queries.md"]
    assert "<td markdown=\"span\">2</td>" in second.pages["Base.md"]
    assert cache.evaluated == 4
    # A note no query reads: its page alone changes, and no query runs.
    (vault / "Plain.md").write_text("No query here, still; a link to [[A]].", encoding="utf-8")
    third = prepare_stage(settings, use_cache=False, query_cache=cache).stage
    changed, _ = stage_changes(second, third, {}, {})
    assert "Queries.md" not in changed and "Base.md" not in changed and "Plain.md" in changed
    assert cache.evaluated == 4 and cache.reused == 2


def test_a_build_keeps_the_results_in_the_cache_folder(tmp_path):
    from compiler.queries import evaluate_queries
    from compiler.query_cache import QueryCache

    vault = write_vault(tmp_path / "vault", {"Q.md": "```dataview\nLIST FROM #t\n```\n",
                                             "A.md": "#t", "B.md": "text"})
    settings = project_settings(tmp_path, vault)
    resolved = compile_vault(settings).resolved
    facts = build_facts(resolved, {}, {})

    def evaluations(cache: QueryCache) -> int:
        found = evaluate_queries(resolved, facts, cache).evaluated
        cache.save()
        return found

    first = QueryCache(settings.cache_dir)
    assert evaluations(first) == 1
    assert evaluations(QueryCache(settings.cache_dir)) == 0  # another build reads the file
    assert [f.name for f in settings.cache_dir.glob("queries-*")] == [first.file.name]
    first.file.write_bytes(b"not a pickle")
    assert evaluations(QueryCache(settings.cache_dir)) == 1  # a damaged file counts as empty
    assert evaluations(QueryCache(settings.cache_dir)) == 0  # and was written again


def test_an_unpublished_note_is_in_no_query_result(tmp_path):
    vault = write_vault(tmp_path / "vault", {
        "Queries.md": "```dataview\nLIST FROM #topic\n```\n",
        "Shown.md": "---\ntags: [topic]\n---\n",
        "Secret.md": "---\ntags: [topic]\npublish: false\n---\n",
    })
    stage = prepare_stage(project_settings(tmp_path, vault), use_cache=False).stage
    assert "Shown" in stage.pages["Queries.md"] and "Secret" not in stage.pages["Queries.md"]


def test_the_bundled_vault_queries_evaluate_with_no_diagnostic(tmp_path):
    settings = project_settings(tmp_path, Path(__file__).parent.parent / "vault")
    compilation = compile_vault(settings, use_cache=False)
    queries = vault_queries(compilation, settings)
    assert queries.diagnostics == ()
    concepts = [n for n in compilation.resolved.notes.values() if "topic" in n.properties]
    assert len(concepts) == 44 and all(n.title != "딥러닝 기초 정리" for n in concepts)
    (table,) = [shown for (note, base, view), shown in queries.embeds.items() if view is None]
    assert [r.path.rsplit("/", 1)[1] for r in table.views[0].groups[0].rows][:3] == [
        "기대값.md", "데이터 샘플링.md", "딥러닝 구성요소.md"]  # stage, then difficulty, then name
    assert sum(len(g.rows) for g in table.views[0].groups) == 44


def test_kb_check_reports_the_queries_problems_at_their_place(tmp_path, monkeypatch, capsys):
    from compiler import cli

    write_vault(tmp_path / "vault", {"A.md": "```dataview\nLIST WHERE icon(x)\n```\n",
                                     "B.md": "```base\nfilters: 'file.hasTag(('\n```\n"})
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--vault", "vault", "--strict"]) != 0
    shown = capsys.readouterr().out
    assert "vault/A.md:2:12: warning[unsupported-query]" in shown
    assert "vault/B.md:2:" in shown and "error[invalid-base]" in shown


def test_a_bug_in_one_query_is_a_diagnostic_on_it_and_the_build_goes_on(monkeypatch):
    from compiler import queries

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(queries.dataview, "run_query", broken)
    notes = {"A.md": parse_note("A.md", b"text\n\n```dataview\nLIST\n```\n")}
    resolved = resolve_vault(notes, {})
    found = queries.evaluate_queries(resolved, build_facts(resolved, {}, {}))
    assert [(d.path, d.line, d.code) for d in found.diagnostics] == [("A.md", 4, "internal-error")]
    assert isinstance(found.fences[("A.md", 2)], queries.Failed)


# -- evaluated again when a fact it read changes, and only then --

QUERY_NOTE = ("---\nowner: Kim\n---\n"
              "```dataview\nTABLE level FROM #topic SORT file.name\n```\n\n"
              "```base\nfilters: 'file.hasTag(\"topic\")'\nviews:\n  - type: table\n"
              "    order: [file.name, level]\n```\n\n"
              "Owner: `= this.owner`.\n")
TOPICS = {
    "Q.md": QUERY_NOTE,
    "A.md": "---\ntags: [topic]\nlevel: 1\n---\nabout [[B]]",
    "B.md": "---\ntags: [topic]\nlevel: 2\n---\ntext",
    "Other.md": "---\nx: 1\n---\nno tag here",
}


def queries_of(files: dict[str, str], cache=None):
    from compiler.queries import evaluate_queries

    notes = {path: parse_note(path, text.encode()) for path, text in files.items()}
    resolved = resolve_vault(notes, {})
    return evaluate_queries(resolved, build_facts(resolved, {}, {p: (EPOCH, EPOCH) for p in notes}),
                            cache)


def shown_rows(queries) -> dict[str, list]:
    """What each query of Q.md shows: the rows' notes and values."""
    (table,) = [s for (note, _), s in queries.fences.items() if s.__class__.__name__ == "QueryResult"]
    (base,) = [s for (note, _), s in queries.fences.items() if s.__class__.__name__ == "BaseOutcome"]
    (inline,) = queries.inline.values()
    return {"dataview": [(row.id.path, row.values) for row in table.rows],
            "base": [(row.path, row.cells[1]) for g in base.views[0].groups for row in g.rows],
            "inline": inline.value}


@pytest.mark.parametrize(("edit", "evaluated", "expected"), [
    # a note the queries do not read: a body, a property no query reads (its size changes too)
    ({"Other.md": "---\nx: 2\n---\nother text, and a link to [[A]]"}, 0, None),
    ({"B.md": "---\ntags: [topic]\nlevel: 2\n---\nnew text"}, 0, None),
    # a fact a query reads of a note it shows
    ({"A.md": "---\ntags: [topic]\nlevel: 5\n---\nabout [[B]]"}, 2,
     {"dataview": [("A.md", (5,)), ("B.md", (2,))], "base": [("A.md", 5), ("B.md", 2)]}),
    # a note that newly matches FROM #topic and the base's filter
    ({"Other.md": "---\ntags: [topic]\nlevel: 9\n---\nno tag here"}, 2,
     {"dataview": [("A.md", (1,)), ("B.md", (2,)), ("Other.md", (9,))],
      "base": [("A.md", 1), ("B.md", 2), ("Other.md", 9)]}),
    # `this` note's field: only the inline query
    ({"Q.md": QUERY_NOTE.replace("Kim", "Lee")}, 1, {"inline": "Lee"}),
])
def test_a_query_runs_again_only_when_a_fact_it_read_changed(edit, evaluated, expected):
    from compiler.query_cache import QueryCache

    cache = QueryCache()
    before = queries_of(TOPICS, cache)
    assert before.evaluated == 3
    after = queries_of({**TOPICS, **edit}, cache)
    assert after.evaluated == evaluated
    assert shown_rows(after) == {**shown_rows(before), **(expected or {})}
    assert shown_rows(after) == shown_rows(queries_of({**TOPICS, **edit}))  # as a fresh run


def test_notes_added_removed_or_renamed_rerun_the_queries_that_list_every_note():
    from compiler.query_cache import QueryCache

    cache = QueryCache()
    queries_of(TOPICS, cache)
    added = queries_of({**TOPICS, "C.md": "---\ntags: [topic]\nlevel: 3\n---\n"}, cache)
    assert added.evaluated == 2
    assert [p for p, _ in shown_rows(added)["dataview"]] == ["A.md", "B.md", "C.md"]
    removed = queries_of({p: t for p, t in TOPICS.items() if p != "B.md"}, cache)
    assert removed.evaluated == 2 and [p for p, _ in shown_rows(removed)["base"]] == ["A.md"]
    renamed = {("Z.md" if p == "A.md" else p): t for p, t in TOPICS.items()}
    moved = queries_of(renamed, cache)
    assert moved.evaluated == 2 and [p for p, _ in shown_rows(moved)["dataview"]] == ["B.md", "Z.md"]


def test_a_query_reading_the_clock_runs_on_every_build_and_one_reading_the_date_each_day(monkeypatch):
    from compiler.facts import Facts
    from compiler.query_cache import QueryCache

    files = {"Q.md": "`= date(today)` and `= date(now) - date(now)`\n"}
    cache = QueryCache()
    assert queries_of(files, cache).evaluated == 2
    assert queries_of(files, cache).evaluated == 1  # `now` has moved on; `today` has not
    monkeypatch.setattr(Facts, "now", lambda self: dt.datetime(2031, 5, 6, 7, 8, tzinfo=dt.UTC))
    later = queries_of(files, cache)
    assert later.evaluated == 2
    assert dt.datetime(2031, 5, 6, tzinfo=dt.UTC) in [s.value for s in later.inline.values()]


RICH_QUERIES = (
    "```dataview\nTABLE level, file.inlinks FROM #topic or [[A]] WHERE level > 1 SORT level DESC\n```\n"
    "```dataview\nLIST FROM outgoing([[A]])\n```\n"
    "```dataview\nTABLE length(rows) AS n FROM \"f\" GROUP BY level\n```\n"
    "```dataview\nTASK WHERE !completed\n```\n"
    "```base\nfilters:\n  or: ['file.inFolder(\"f\")', 'level >= 2']\nformulas:\n"
    "  twice: 'level * 2'\nviews:\n  - type: table\n    order: [file.name, formula.twice, file.tags]\n"
    "    sort: [{property: level, direction: DESC}]\n    limit: 3\n    summaries: {level: Sum}\n```\n"
    "`= this.owner` `= [[A]].level` `= length(this.file.inlinks)`\n")


@st.composite
def vault_edits(draw):
    names = ["A.md", "B.md", "f/C.md", "f/D.md", "E.md"]
    steps = []
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(names))
        if draw(st.booleans()) and path != "A.md":
            steps.append((path, None))  # the note goes (or stays away)
            continue
        tags = draw(st.lists(st.sampled_from(["topic", "topic/sub", "other"]), max_size=2))
        level = draw(st.one_of(st.none(), st.integers(0, 3)))
        links = draw(st.lists(st.sampled_from(["A", "B", "C", "Q"]), max_size=2))
        task = draw(st.sampled_from(["", "- [ ] open\n", "- [x] done\n"]))
        front = f"tags: [{', '.join(tags)}]\n" + (f"level: {level}\n" if level is not None else "")
        steps.append((path, f"---\n{front}---\n{task}" + " ".join(f"[[{n}]]" for n in links)))
    return steps


@settings(max_examples=12, deadline=None)
@given(vault_edits(), st.sampled_from(["Kim", "Lee"]))
def test_kept_results_are_what_a_fresh_evaluation_gives_after_any_edits(steps, owner):
    from compiler.query_cache import QueryCache

    files = {"Q.md": f"---\nowner: {owner}\n---\n{RICH_QUERIES}", "A.md": "---\nlevel: 2\n---\n"}
    cache = QueryCache()
    queries_of(files, cache)
    for path, text in steps:
        if text is None:
            files.pop(path, None)
        else:
            files[path] = text
        kept, fresh = queries_of(files, cache), queries_of(files)
        assert (kept.fences, kept.inline, kept.diagnostics) == \
            (fresh.fences, fresh.inline, fresh.diagnostics)
