"""The GitHub Pages workflow kb ships: least privilege, and a vault with errors deploys nothing."""

from __future__ import annotations

from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "pages.yml"


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def writes(permissions: dict) -> set[str]:
    return {scope for scope, level in (permissions or {}).items() if level == "write"}


def test_the_job_that_runs_the_vaults_blocks_can_only_read_the_repository():
    flow = workflow()
    assert writes(flow["permissions"]) == set()
    build = flow["jobs"]["build"]
    assert writes(build["permissions"]) == set()
    checkout = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["persist-credentials"] is False


def test_only_the_deploy_job_may_publish_and_it_runs_no_code_of_the_vault():
    deploy = workflow()["jobs"]["deploy"]
    assert writes(deploy["permissions"]) == {"pages", "id-token"}
    assert all("run" not in step for step in deploy["steps"])
    assert deploy["needs"] == "build"


def test_the_build_step_fails_the_job_on_errors():
    steps = workflow()["jobs"]["build"]["steps"]
    build = next(step for step in steps if "kb build" in step.get("run", ""))
    assert "||" not in build["run"] and "continue-on-error" not in build
