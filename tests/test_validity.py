"""Gates on the built files: valid HTML (Nu checker), no broken link or anchor (linkchecker), reproducible builds."""

from __future__ import annotations

import csv
import difflib
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import ROOT, _QuietHandler, build_site, serve

pytestmark = pytest.mark.gate

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
THEME = Path(__import__("material").__file__).parent / "templates"
LINKCHECK = ROOT / "tests" / "linkcheck"


def tool(path: Path | str | None, what: str) -> None:
    """Skip when a gate's tool is missing, as the browser tests do; under CI=true the gates must run."""
    if path and Path(path).exists():
        return
    message = f"{what} is not installed: `make test` installs it (scripts/install-gates)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def test_every_page_is_valid_html(site):
    tool(VNU, "The Nu HTML Checker (npm vnu-jar)")
    tool(shutil.which("java"), "Java")
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--skip-non-html", "--errors-only", "--format", "json", str(site)],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [f"{m['url'].removeprefix(site.as_uri())}:{m.get('lastLine')}: {m['message']}" for m in messages]
    assert errors == []
    assert result.returncode == 0


class _UnthrottledHandler(_QuietHandler):
    def end_headers(self):
        # linkchecker waits 0.1-0.6 s between requests to a host unless the host answers with this header.
        self.send_header("LinkChecker", "unthrottled: the test's own server")
        super().end_headers()


def linkchecker(site: Path, *options: str) -> subprocess.CompletedProcess:
    """Run linkchecker with the repository's settings and plugin over a folder served on 127.0.0.1."""
    program = Path(sys.executable).parent / "linkchecker"
    tool(program, "linkchecker")
    # linkchecker loads plugins only from $XDG_DATA_HOME/linkchecker/plugins, and run as root it reads them as
    # `nobody`: a folder of its own that others may read (pytest's tmp_path is private to root).
    with tempfile.TemporaryDirectory() as data:
        Path(data).chmod(0o755)
        plugins = Path(data) / "linkchecker" / "plugins"
        plugins.mkdir(parents=True)
        shutil.copy(LINKCHECK / "text_fragments.py", plugins)
        with serve(site, _UnthrottledHandler) as url:
            return subprocess.run(
                [program, "-f", LINKCHECK / "linkcheckerrc", "-o", "csv", *options, url],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "XDG_DATA_HOME": data},
            )


def test_no_broken_link_or_anchor(site):
    result = linkchecker(site, "--verbose")
    lines = (line for line in result.stdout.splitlines() if not line.startswith("#"))
    rows = list(csv.DictReader(lines, delimiter=";"))
    broken = [
        f"{row['urlname']} (on {row['parentname']}): {row['result']} {row['warningstring']}"
        for row in rows
        if row["valid"] != "True" or row["warningstring"]
    ]
    assert broken == []
    assert result.returncode == 0, result.stderr
    # The gate really crawled the site and its quote links, not only the home page.
    assert sum(":~:text=" in row["urlname"] for row in rows) >= 10
    assert sum(row["urlname"].endswith("/") and row["result"] == "200 OK" for row in rows) >= 10


def test_the_link_gate_finds_a_broken_paragraph_id(tmp_path):
    """The gate above can fail: a text-fragment link to a paragraph id that is not there is reported."""
    (tmp_path / "index.html").write_text(
        '<!doctype html><title>t</title><p id="here">Here.</p>'
        '<a href="#here:~:text=Here">ok</a><a href="#gone:~:text=Here">broken</a>'
    )
    result = linkchecker(tmp_path)
    assert "Anchor `gone' (decoded: `gone') not found" in result.stdout
    assert "`here' (decoded" not in result.stdout


def test_two_builds_of_the_same_commit_are_byte_identical(tmp_path):
    """Same SOURCE_DATE_EPOCH, different folders and hash seeds: the same bytes in every file."""
    first, second = tmp_path / "first", tmp_path / "second"
    for output, seed in ((first, "1"), (second, "2")):
        result = build_site(output, SOURCE_DATE_EPOCH="1700000000", PYTHONHASHSEED=seed)
        assert result.returncode == 0, result.stderr
    files = sorted(str(path.relative_to(first)) for path in first.rglob("*") if path.is_file())
    assert files == sorted(str(path.relative_to(second)) for path in second.rglob("*") if path.is_file())
    _, differ, errors = filecmp.cmpfiles(first, second, files, shallow=False)
    first_difference = [
        line
        for name in differ[:1]
        for line in difflib.unified_diff(
            (first / name).read_text(errors="replace").splitlines(),
            (second / name).read_text(errors="replace").splitlines(),
            name,
            name,
            n=0,
        )
    ][:12]
    assert differ == [] and errors == [], "\n".join(first_difference)


# Each copied theme template and the only changes it makes: (the theme's text, ours).
FIXES = {
    "base.html": [
        (' id="__drawer" autocomplete="off">', ' id="__drawer">'),
        (' id="__search" autocomplete="off">', ' id="__search">'),
    ],
    "partials/search.html": [('role="dialog">', 'role="dialog" aria-label="{{ lang.t(\'search\') }}">')],
    "partials/toc.html": [(' for="__toc">', '{% if page in nav.pages %} for="__toc"{% endif %}>')],
}


@pytest.mark.parametrize("override", sorted(FIXES))
def test_the_theme_overrides_differ_from_the_theme_only_by_their_fix(override):
    """A copied template must follow the installed theme: re-copy it when mkdocs-material is upgraded."""
    theme = (THEME / override).read_text().split("-#}\n", 1)[1]  # after the theme's "generated" comment
    copy = (ROOT / "overrides" / override).read_text().split("-#}\n", 1)[1]  # after our comment saying why
    for theirs, ours in FIXES[override]:
        assert theirs in theme, f"mkdocs-material changed {override}: re-copy it and redo the fix"
        theme = theme.replace(theirs, ours)
    assert copy == theme
