"""A build stopped by a mistake prints the problems, not a traceback, and leaves the last good site as it was."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, build_site, copy_project, replace_once


def _snapshot(site: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of a site with its bytes and modification time."""
    return {
        path.relative_to(site).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with a good site built into its site/."""
    project = copy_project(tmp_path_factory.mktemp("project"))
    result = build_site(project / "site", config=project / "mkdocs.yml")
    assert result.returncode == 0, result.stderr
    return project


def test_bad_data_stops_the_build_with_the_problems_and_leaves_the_site_untouched(project):
    before = _snapshot(project / "site")
    meeting = project / "data" / "meetings" / "first-plenary.yaml"
    kept = meeting.read_bytes()
    replace_once(meeting, "\nkind: plenary\n", "\nkind: plenery\n")
    try:
        result = build_site(project / "site", config=project / "mkdocs.yml")
    finally:
        meeting.write_bytes(kept)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.splitlines()[:4] == [
        "ERROR   -  The archive data has 1 problem; nothing was built.",
        "data/meetings/first-plenary.yaml:4:1: kind: 'plenery', which is not allowed here.",
        "    Expected: one of: summit, plenary, consultations, working-group.",
        "    How to fix: did you mean 'plenary'?",
    ]
    assert _snapshot(project / "site") == before


def test_an_unknown_marker_stops_the_build_before_the_site_is_touched(project):
    before = _snapshot(project / "site")
    page = project / "docs" / "index.md"
    kept = page.read_bytes()
    page.write_text(page.read_text(encoding="utf-8") + "\n<!-- archive:meeting-lists -->\n", encoding="utf-8")
    try:
        result = build_site(project / "site", config=project / "mkdocs.yml")
    finally:
        page.write_bytes(kept)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "docs/index.md: unknown marker 'archive:meeting-lists'." in result.stderr
    assert _snapshot(project / "site") == before


def test_make_check_lists_the_problems_on_stderr_and_exits_non_zero(project, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(project / "data", data)
    replace_once(data / "people" / "sergey-ryabkov.yaml", "\nparty: russia\n", "\nparty: Russia\nspeeker: x\n")
    result = subprocess.run(
        [sys.executable, "-m", "archive", "--data", str(data), "check"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT / "scripts"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[:2] == [
        "The archive data has 2 problems; fix them before building.",
        "data/people/sergey-ryabkov.yaml:3:1: party: 'Russia', which is not allowed here.",
    ]
    assert "Traceback" not in result.stderr
