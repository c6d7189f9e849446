"""What keeps large builds fast and light gives the same site: pages written to a folder, fast paths and maps."""

from __future__ import annotations

import posixpath
import random

import pytest
from archive.pages import SMALL_DOWNLOAD, _relpath, render_site
from archive.passages import EQUIVALENT_CHARACTERS, NormalisedText
from conftest import ROOT


def test_pages_written_to_a_folder_are_the_pages_rendered_in_memory(archive, tmp_path):
    in_memory = render_site(archive)
    written = render_site(archive, folder=tmp_path)

    assert sorted(written.uris()) == sorted(in_memory.uris())
    assert written.fragments == in_memory.fragments
    assert written.pages == {}
    for uri in written.written:
        expected = in_memory.pages.get(uri)
        expected = expected.encode("utf-8") if expected is not None else in_memory.downloads[uri]
        assert (tmp_path / uri).read_bytes() == expected, uri
    # Only the small files, each page's citation files among them, stay in memory.
    assert written.downloads
    assert all(len(content) < SMALL_DOWNLOAD for content in written.downloads.values())
    assert written.downloads == {uri: in_memory.downloads[uri] for uri in written.downloads}
    assert {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*") if path.is_file()} == set(
        written.written
    )


def test_a_build_leaves_no_folder_of_pages_behind(site):
    # `site` is built by `mkdocs build`, whose pages are written to .cache/ssd-pages/ and removed at its end.
    folder = ROOT / ".cache" / "ssd-pages"
    assert folder.is_dir()
    assert list(folder.iterdir()) == []


PATHS = ["", ".", "meetings", "meetings/", "meetings/a/", "meetings/b/", "sources/x/", "a/b/c/", "a/b/d", "index"]


@pytest.mark.parametrize("start", PATHS)
def test_links_between_pages_are_those_posixpath_gives(start):
    for path in PATHS:
        assert _relpath(path or ".", start or ".") == posixpath.relpath(path or ".", start or "."), (path, start)


def _folded_by_hand(text: str) -> tuple[str, list[int]]:
    """The reference: fold each character, then each run of white space to one space; and where each came from."""
    translated = [EQUIVALENT_CHARACTERS.get(character, character) for character in text]
    folded: list[str] = []
    origins: list[int] = []
    index = 0
    while index < len(translated):
        origins.append(index)
        if translated[index].isspace():
            folded.append(" ")
            while index < len(translated) and translated[index].isspace():
                index += 1
        else:
            folded.append(translated[index])
            index += 1
    return "".join(folded), origins


def test_folded_text_maps_every_range_back_to_the_stored_text():
    chance = random.Random(7)
    alphabet = ["a", "b", " ", "  ", "\n", "\n\n", "\t", "\r\n", "\u00a0", *EQUIVALENT_CHARACTERS]
    for _ in range(400):
        text = "".join(chance.choice(alphabet) for _ in range(chance.randint(0, 40)))
        folded = NormalisedText(text)
        expected, origins = _folded_by_hand(text)
        assert folded.text == expected, repr(text)
        for start in range(len(expected)):
            for end in range(start + 1, len(expected) + 1):
                # A range starts where its first character came from and ends after its last one's origin.
                assert folded.original_span(start, end) == (origins[start], origins[end - 1] + 1), (text, start, end)
