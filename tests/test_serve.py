"""`mkdocs serve` with a mistake in the data: the problems on top of the last good pages, and back when fixed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import copy_project


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(log: Path, text: str, after: int, seconds: float = 120) -> int:
    """Wait until the server's log shows the text past a position; return the position after it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = log.read_text(encoding="utf-8", errors="replace").find(text, after)
        if found != -1:
            return found + len(text)
        time.sleep(0.2)
    raise AssertionError(f"the server never logged {text!r}:\n{log.read_text(encoding='utf-8')[after:]}")


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return response.read().decode("utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


def test_serve_shows_the_problems_over_the_last_good_pages_and_recovers_when_fixed(project, tmp_path):
    port = _free_port()
    log = tmp_path / "serve.log"
    server = _serve(project, port, log)
    page = f"http://127.0.0.1:{port}/meetings/first-plenary/"
    meeting = project / "data" / "meetings" / "first-plenary.yaml"
    good = meeting.read_text(encoding="utf-8")
    try:
        seen = _wait_for(log, "Serving on", 0)
        assert "<h1>First plenary meeting" in _get(page)

        meeting.write_text(good.replace("\nkind: plenary\n", "\nkind: plenery\n", 1), encoding="utf-8")
        seen = _wait_for(log, "Serving the last good pages until the data is fixed.", seen)
        seen = _wait_for(log, "Reloading browsers", seen)
        shown = _get(page)
        assert "The archive data has problems: these are the last good pages." in shown
        assert "data/meetings/first-plenary.yaml:4:1: kind: &#x27;plenery&#x27;, which is not allowed here." in shown
        assert "<h1>First plenary meeting" in shown
        assert "data/meetings/first-plenary.yaml:4:1: kind: 'plenery'" in log.read_text(encoding="utf-8")
        assert "Traceback" not in log.read_text(encoding="utf-8")

        meeting.write_text(good, encoding="utf-8")
        _wait_for(log, "Reloading browsers", seen)
        shown = _get(page)
        assert "The archive data has problems" not in shown
        assert "<h1>First plenary meeting" in shown
    finally:
        _stop(server)
    # Each build's pages are written to a folder of .cache/ that the server removes when it stops,
    # stopped by a process manager's SIGTERM as by Ctrl+C.
    assert list((project / ".cache" / "ssd-pages").iterdir()) == []


def test_serve_started_on_bad_data_shows_the_problems_on_the_hand_written_pages_until_fixed(project, tmp_path):
    port = _free_port()
    log = tmp_path / "serve.log"
    meeting = project / "data" / "meetings" / "first-plenary.yaml"
    good = meeting.read_text(encoding="utf-8")
    meeting.write_text(good.replace("\nkind: plenary\n", "\nkind: plenery\n", 1), encoding="utf-8")
    server = _serve(project, port, log)
    site = f"http://127.0.0.1:{port}/"
    try:
        seen = _wait_for(log, "Serving on", 0)
        assert "Serving the hand-written pages, without the archive's records, until the data is fixed." in (
            log.read_text(encoding="utf-8")
        )
        home = _get(site)
        assert "The archive data has problems: the archive's records are not shown." in home
        assert "data/meetings/first-plenary.yaml:4:1: kind: &#x27;plenery&#x27;, which is not allowed here." in home
        # In place of the meeting list:
        assert "Not shown until the problems of the archive&#x27;s data, listed above, are fixed." in home
        meetings = _get(site + "meetings/")
        assert '<h1 id="meetings">Meetings</h1>' in meetings
        assert "first-plenary" not in meetings.split("</header>", 1)[-1].split('role="alert"', 1)[0]
        assert "Traceback" not in log.read_text(encoding="utf-8")

        meeting.write_text(good, encoding="utf-8")
        _wait_for(log, "Reloading browsers", seen)
        shown = _get(site + "meetings/first-plenary/")
        assert "The archive data has problems" not in shown
        assert "<h1>First plenary meeting" in shown
        assert "The archive data has problems" not in _get(site)
    finally:
        _stop(server)


def _serve(project: Path, port: int, log: Path) -> subprocess.Popen:
    """`make serve`'s command on the project, on 127.0.0.1, its output in log; stop it with _stop."""
    with log.open("w") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--strict", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(server: subprocess.Popen) -> None:
    """Stop the server as a process manager does, with SIGTERM; kill it if it does not stop."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        raise
