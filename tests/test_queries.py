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
    vault = write_vault(tmp_path / "vault", {
        "Queries.md": "```dataview\nTABLE level FROM #topic\n```\n",
        "Base.md": "```base\nfilters: 'file.hasTag(\"topic\")'\nviews:\n  - type: table\n"
                   "    order: [file.name, level]\n```\n",
        "Plain.md": "No query here.",
        "A.md": "---\ntags: [topic]\nlevel: 1\n---\ntext",
    })
    settings = dataclasses.replace(project_settings(tmp_path, vault), sandbox=False)
    first = prepare_stage(settings, use_cache=False).stage
    (vault / "A.md").write_text("---\ntags: [topic]\nlevel: 2\n---\ntext", encoding="utf-8")
    second = prepare_stage(settings, use_cache=False).stage
    changed, removed = stage_changes(first, second, {}, {})
    pages = {p for p in changed if p.endswith(".md")}
    assert {"Queries.md", "Base.md", "A.md"} <= pages and "Plain.md" not in pages and not removed
    assert "<td markdown=\"span\">2</td>" in second.pages["Queries.md"]
    assert "<td markdown=\"span\">2</td>" in second.pages["Base.md"]


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
