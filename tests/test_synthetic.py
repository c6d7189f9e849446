"""The benchmark's synthetic archives: valid in the real schema, realistic, and the same on every run."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from archive.load import load_archive
from bench.builds import measure_project, run_measured
from bench.synthetic import QUOTES_PER_MEETING, generate
from conftest import ROOT


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def test_a_synthetic_archive_passes_every_check(tmp_path: Path):
    archive = load_archive(generate(tmp_path / "project", 12) / "data")
    assert len(archive.meetings) == 12
    assert len(archive.quotes) == 12 * QUOTES_PER_MEETING
    assert all(len(text.text.split()) >= 2000 for text in archive.texts.values())
    # Every quote was found at exactly one place of its source, in the stored words.
    for located in archive.quotes.values():
        assert located.match.text in archive.texts[located.source].text
    assert {meeting.kind for meeting in archive.meetings.values()} >= {"summit", "plenary", "working-group"}
    assert archive.references and archive.people


def test_the_same_size_gives_the_same_files(tmp_path: Path):
    first = _digest(generate(tmp_path / "first", 3) / "data")
    second = _digest(generate(tmp_path / "second", 3) / "data")
    assert first == second
    assert _digest(generate(tmp_path / "other", 4) / "data") != first


def test_the_baseline_builds_the_same_site_as_the_whole_build(tmp_path: Path):
    """(c) must be the same pages and files as (b), built without the hook, or (b)/(c) measures nothing."""
    project = generate(tmp_path / "project", 3)
    found = measure_project(project, 1, tmp_path / "out")

    whole, plain = tmp_path / "out" / "site", tmp_path / "out" / "baseline-site"
    files = sorted(path.relative_to(whole).as_posix() for path in whole.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(plain).as_posix() for path in plain.rglob("*") if path.is_file())
    differing = [name for name in files if (whole / name).read_bytes() != (plain / name).read_bytes()]
    # The hook adds its pages after docs/, so pages outside the navigation come in another order in these.
    assert set(differing) <= {"search/search_index.json", "sitemap.xml", "sitemap.xml.gz"}
    for name in differing:
        assert _entries(whole / name) == _entries(plain / name), name
    assert set(found["archive_parts"]) == {"load_and_check", "pages_downloads_and_book", "book_page"}
    assert found["pages"] > 3 * 2 and 0 < found["archive_share"] < 1


def _entries(path: Path) -> list:
    """The entries of a search index or a sitemap, in a fixed order."""
    text = gzip.decompress(path.read_bytes()).decode() if path.suffix == ".gz" else path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        index = json.loads(text)
        return [index["config"], *sorted(index["docs"], key=lambda doc: json.dumps(doc, sort_keys=True))]
    return sorted(re.findall(r"<url>.*?</url>", text, flags=re.DOTALL))


BOOK_DIGEST = """
import hashlib, sys
from pathlib import Path
from archive.book import add_book
from archive.load import load_archive
from archive.pages import render_site
data = Path(sys.argv[1])
archive = load_archive(data)
site = render_site(archive)
add_book(site, archive, data, "", make_pdf=False)
print(hashlib.sha256(site.downloads["book/index.html"]).hexdigest())
"""


def test_the_briefing_book_is_the_same_whatever_the_order_of_sets(tmp_path: Path):
    # Synthetic outside references share their publishers: ties are ordered by id, not by the order of a set,
    # which changes from one Python process to the next.
    project = generate(tmp_path / "project", 12)
    for number in range(1, 6):  # all five references from one publisher
        path = project / "data" / "references" / f"reference-{number:04d}.yaml"
        path.write_text(re.sub(r"Synthetic Gazette \d", "Synthetic Gazette 1", path.read_text("utf-8")), "utf-8")
    archive = load_archive(project / "data")
    publishers = [reference.publisher for reference in archive.references.values()]
    assert len(set(publishers)) == 1 and len(publishers) == 5
    digests = set()
    for seed in ("1", "2", "3"):
        result = subprocess.run(
            [sys.executable, "-c", BOOK_DIGEST, str(project / "data")],
            env={**os.environ, "PYTHONPATH": str(ROOT / "scripts"), "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(result.stdout.strip())
    assert len(digests) == 1


TWO_WORKERS = """
import os, time
children = []
for _ in range(2):
    child = os.fork()
    if child == 0:
        memory = bytearray(150 * 2**20)  # zero-filled, and so resident, by both at once
        end = time.process_time() + 0.5
        while time.process_time() < end:
            pass
        time.sleep(0.5)
        os._exit(0)
    children.append(child)
for child in children:
    os.waitpid(child, 0)
"""


def test_a_step_in_several_processes_is_measured_in_all_of_them(tmp_path: Path):
    seconds, peak_mb, cpu_seconds = run_measured([sys.executable, "-c", TWO_WORKERS], tmp_path)
    # One process alone peaks near 160 MB; the two together hold twice as much.
    assert peak_mb > 300
    assert cpu_seconds >= 0.9  # half a second of work in each
    assert seconds >= 1
