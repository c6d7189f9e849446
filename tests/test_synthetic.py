"""The benchmark's synthetic archives: valid in the real schema, realistic, and the same on every run."""

from __future__ import annotations

import hashlib
from pathlib import Path

from archive.load import load_archive
from bench.synthetic import QUOTES_PER_MEETING, generate


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
