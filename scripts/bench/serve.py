"""`mkdocs serve`: how long after an editor saves a record the reader's open page shows the change."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
RECORD = Path("data/meetings/first-plenary.yaml")
PAGE = "meetings/first-plenary/"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"mkdocs serve did not answer at {url} within {seconds:.0f} s")


def edit_to_screen(project: Path, browser, edits: int) -> list[float]:
    """Seconds from saving an edit of one meeting record to the edited words on the open page, per edit.

    The project is a scratch copy: the edit adds a marker word to the title in first-plenary.yaml.
    """
    port = _free_port()
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT / "scripts")}
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--strict", "--dev-addr", f"127.0.0.1:{port}", "--livereload"],
        cwd=project,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    record = project / RECORD
    original = record.read_text(encoding="utf-8")
    timings: list[float] = []
    try:
        url = f"http://127.0.0.1:{port}/{PAGE}"
        _wait_for(url, 120)
        page = browser.new_page()
        page.goto(url, wait_until="load")
        for number in range(1, edits + 1):
            marker = f"Benchmarkedit{number}"
            # The meeting's title gains a word; the record stays valid.
            edited = re.sub(r"^title: ", f"title: {marker} ", original, count=1, flags=re.MULTILINE)
            if edited == original:
                raise RuntimeError(f"the benchmark's edit no longer applies to {RECORD}: update bench/serve.py")
            page.wait_for_timeout(1500)  # let the server settle after the previous rebuild
            start = time.monotonic()
            record.write_text(edited, encoding="utf-8")
            timings.append(_wait_for_text(page, marker, start, 30) - start)
            record.write_text(original, encoding="utf-8")
            _wait_for_text(page, "<h1", time.monotonic(), 30, absent=marker)
        page.close()
    finally:
        record.write_text(original, encoding="utf-8")
        os.killpg(server.pid, signal.SIGINT)  # Ctrl+C, to the server and only it: it leads its own session
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
    return timings


def _wait_for_text(page, text: str, start: float, seconds: float, absent: str | None = None) -> float:
    """The moment the page shows the text (and no longer the absent one); survives the live reload."""
    while time.monotonic() - start < seconds:
        try:
            content = page.content()
        except Exception:  # the page is reloading
            content = ""
        if text in content and (absent is None or absent not in content):
            return time.monotonic()
        time.sleep(0.05)
    raise TimeoutError(f"the edit did not show in the browser within {seconds:.0f} s")
