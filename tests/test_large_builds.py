"""What keeps large builds fast and light gives the same site: pages written to a folder, fast paths and maps."""

from __future__ import annotations

import gc
import multiprocessing
import os
import posixpath
import random
import re
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path

import pytest
import yaml
from archive import load, pages, processes, staging
from archive.book import add_book
from archive.pages import PACK, SMALL_DOWNLOAD, _in_chunks, _relpath, render_site, yaml_front_matter
from archive.passages import EQUIVALENT_CHARACTERS, NormalisedText
from archive.problems import ArchiveProblems
from archive.reader import read_yaml
from conftest import DATA, ROOT, build_site, copy_project


def test_pages_written_to_a_folder_are_the_pages_rendered_in_memory(archive, tmp_path):
    in_memory = render_site(archive)
    written = render_site(archive, folder=tmp_path)

    assert sorted(written.uris()) == sorted(in_memory.uris())
    assert written.fragments == in_memory.fragments
    assert written.pages == {}
    # Every page is in the one pack file, and read back from it as rendered.
    assert sorted(written.packed) == sorted(in_memory.pages)
    for uri, markdown in in_memory.pages.items():
        assert written.read(uri) == markdown.encode("utf-8"), uri
    # The large downloads are files of their own.
    assert written.written
    for uri in written.written:
        assert (tmp_path / uri).read_bytes() == in_memory.downloads[uri], uri
    # The stored sources are handed over from data/ as they are, not copied into the folder.
    assert sorted(written.linked) == sorted(f"sources/{source_id}/{s.file}" for source_id, s in archive.sources.items())
    for uri, stored in written.linked.items():
        assert stored.parent == DATA / "sources" and stored.read_bytes() == in_memory.downloads[uri]
    # Only the small files, each page's citation files among them, stay in memory.
    assert written.downloads
    assert all(len(content) < SMALL_DOWNLOAD for content in written.downloads.values())
    assert written.downloads == {uri: in_memory.downloads[uri] for uri in written.downloads}
    assert {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*") if path.is_file()} == {
        PACK,
        *written.written,
    }


@pytest.mark.parametrize("size", [1, 2, 3, 1024])
def test_a_download_written_in_chunks_has_its_pieces_bytes_in_order(size):
    pieces = ["a", "é", b"<raw>", "\u2028", "", "z" * 5, b"", b"\xff", "€", "end"]
    expected = b"".join(piece if isinstance(piece, bytes) else piece.encode("utf-8") for piece in pieces)

    assert b"".join(_in_chunks(iter(pieces), size)) == expected


def test_a_download_is_written_in_chunks_of_at_most_so_many_pieces_of_text():
    pieces = ["a", "b", "c", b"<raw>", "d", "e", "f", "g", "h"]

    assert list(_in_chunks(iter(pieces), 2)) == [b"ab", b"c", b"<raw>", b"de", b"fg", b"h"]
    assert list(_in_chunks(iter(pieces), 1024)) == [b"abc", b"<raw>", b"defgh"]


def test_a_build_leaves_no_folder_of_pages_behind(site):
    # `site` is built by `mkdocs build`, whose pages are written to .cache/ssd-pages/ and removed at its end;
    # a folder still there belongs to a build running now, whose lock is held.
    cache = ROOT / ".cache" / "ssd-pages"
    assert cache.is_dir()
    assert staging.stale(cache) == []


OWNER = """
import sys
from pathlib import Path
from archive import staging
print(staging.new_folder(Path(sys.argv[1])), flush=True)
sys.stdin.readline()
import os
os._exit(0)  # killed, as it were: no clean-up runs
"""


def test_a_folder_left_by_a_killed_build_is_removed_by_the_next(tmp_path):
    cache = tmp_path / "cache"
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, str(cache)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")},
    )
    try:
        left = Path(owner.stdout.readline().strip())
        assert left.parent == cache and left.is_dir()
        assert staging.stale(cache) == []  # its build is running
        mine = staging.new_folder(cache)
        assert left.is_dir()  # a running build's folder is never touched
    finally:
        owner.communicate("stop\n", timeout=30)
    assert staging.stale(cache) == [left]
    other = staging.new_folder(cache)
    assert not left.exists()
    assert staging.stale(cache) == []
    staging.remove_all()
    assert not mine.exists() and not other.exists()


def test_a_project_that_cannot_be_written_to_builds_with_its_pages_in_memory(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / ".cache").write_text("not a folder", encoding="utf-8")  # so .cache/ssd-pages cannot be made
    assert staging.new_folder(project / ".cache" / "ssd-pages") is None

    result = build_site(tmp_path / "site", project / "mkdocs.yml", SSD_BOOK_PDF="0")

    assert result.returncode == 0, result.stderr
    assert "<h1>First plenary meeting" in (tmp_path / "site" / "meetings" / "first-plenary" / "index.html").read_text()


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


def test_a_site_saved_to_a_folder_is_the_same_rendered_in_memory_or_written(archive, tmp_path):
    in_memory, written = tmp_path / "in-memory", tmp_path / "written"
    render_site(archive).save_to(in_memory)
    render_site(archive, folder=tmp_path / "pages").save_to(written)

    def files(folder):
        return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}

    saved = files(in_memory)
    assert saved == files(written)
    assert {uri for uri in saved if uri.endswith(".md")} >= {"meetings/first-plenary.md", "timeline.md"}
    source = archive.sources["afp-productive-arms-control-talks"]
    stored = (DATA / "sources" / source.file).read_bytes()
    assert saved[f"sources/afp-productive-arms-control-talks/{source.file}"] == stored


def test_a_site_is_never_saved_over_its_own_folder_of_pages(archive, tmp_path):
    site = render_site(archive, folder=tmp_path)
    with pytest.raises(ValueError, match="holds this site's own pages"):
        site.save_to(tmp_path)
    site.close()
    assert (tmp_path / PACK).stat().st_size == sum(length for _, length in site.packed.values())


TRICKY = [
    "plain words",
    "",
    " leading and trailing spaces ",
    "quotes \" and ' and \\ backslashes",
    "a: colon, # a hash, - a dash, [brackets] {braces} & * ! | > % @ `",
    "yes",
    "null",
    "1.0",
    "2021-07-28",
    "---",
    "line\nbreak\ttab\rreturn",
    "accents é, dashes — and \u00a0 spaces, emoji \U0001f600",
    "YAML's own line breaks \u2028 \u2029 \x85 and \ufeff \x7f",
    "\x00 \x1b control characters",
]


@pytest.mark.parametrize("text", TRICKY)
def test_front_matter_is_read_back_as_written(text):
    meta = {"title": text, "ssd": {"meta": [["DC.title", text], [text, "x"]], "jsonld": f'{{"name": "{text}"}}'}}
    written = yaml_front_matter(meta)
    # MkDocs reads front matter with PyYAML's own loader.
    assert yaml.load(written, Loader=yaml.SafeLoader) == meta
    assert yaml.load(written, Loader=yaml.CSafeLoader) == meta


def test_every_page_has_front_matter_with_its_title_description_and_citation(archive):
    site = render_site(archive)
    for uri, markdown in site.pages.items():
        written = markdown.split("---\n")[1]
        meta = yaml.load(written, Loader=yaml.SafeLoader)
        assert meta["title"] and meta["description"], uri
        if uri not in ("changes.md", "timeline.md", "meetings/index.md", "people/index.md", "sources/index.md"):
            assert meta["ssd"]["meta"] and meta["ssd"]["jsonld"], uri


def _saved(site, folder):
    site.save_to(folder)
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_pages_rendered_in_two_processes_are_the_pages_rendered_in_one(archive, tmp_path, monkeypatch):
    monkeypatch.setattr(pages, "PARALLEL_FROM", 1)  # the real archive is small: two processes even so
    one = render_site(archive, folder=tmp_path / "one", processes=1)
    two = render_site(archive, folder=tmp_path / "two", processes=2)

    assert not (tmp_path / "one" / pages.SECOND_PACK).exists()
    assert not (tmp_path / "two" / pages.SECOND_PACK).exists()  # added to the pack, then removed
    assert list(two.packed) == list(one.packed)  # the same pages, in the same order
    assert list(two.downloads) == list(one.downloads)
    assert _saved(two, tmp_path / "saved-two") == _saved(one, tmp_path / "saved-one")
    assert multiprocessing.active_children() == []


def _in_second_process() -> bool:
    return multiprocessing.parent_process() is not None


def test_a_failure_in_the_second_process_stops_the_render(archive, tmp_path, monkeypatch, capfd):
    monkeypatch.setattr(pages, "PARALLEL_FROM", 1)
    render_page = pages.Renderer._render_page

    def failing(self, site, job):
        if _in_second_process():
            raise ValueError("a page that cannot be rendered")
        time.sleep(0.05)  # the second process takes a page before this one has taken them all
        render_page(self, site, job)

    monkeypatch.setattr(pages.Renderer, "_render_page", failing)
    with pytest.raises(RuntimeError, match="The second process failed"):
        render_site(archive, folder=tmp_path, processes=2)
    assert "ValueError: a page that cannot be rendered" in capfd.readouterr().err
    assert multiprocessing.active_children() == []


def test_a_failure_in_the_first_process_stops_the_second(archive, tmp_path, monkeypatch):
    monkeypatch.setattr(pages, "PARALLEL_FROM", 1)

    def failing(self, site, job):
        if not _in_second_process():
            raise ValueError("a page that cannot be rendered")
        time.sleep(0.5)  # the second process is still at work when the first fails

    monkeypatch.setattr(pages.Renderer, "_render_page", failing)
    with pytest.raises(ValueError, match="a page that cannot be rendered"):
        render_site(archive, folder=tmp_path, processes=2)
    assert multiprocessing.active_children() == []


def test_both_processes_render_pages(archive, tmp_path, monkeypatch):
    monkeypatch.setattr(pages, "PARALLEL_FROM", 1)
    render_page = pages.Renderer._render_page

    def slowly(self, site, job):
        time.sleep(0.02)  # so that neither process can take every page before the other starts
        render_page(self, site, job)

    monkeypatch.setattr(pages.Renderer, "_render_page", slowly)
    appended = []
    append_pack = pages.RenderedSite.append_pack
    monkeypatch.setattr(
        pages.RenderedSite,
        "append_pack",
        lambda site, other, packed: appended.append(packed) or append_pack(site, other, packed),
    )
    site = render_site(archive, folder=tmp_path, processes=2)
    their_pages = set(appended[0])
    assert their_pages and their_pages < set(site.packed)  # each process rendered some of the pages


def test_the_processes_take_each_job_once():
    counter = processes.SharedCounter()
    taken, mine = processes.in_two_processes(
        lambda: [counter.take() for _ in range(500)], lambda: [counter.take() for _ in range(500)]
    )
    assert sorted(taken + mine) == list(range(1000))


def test_a_build_renders_in_one_process_when_told_or_when_it_runs_threads(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.delenv("SSD_PROCESSES", raising=False)
    real_count = threading.active_count
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # as in `mkdocs build`, whatever other tests left
    assert processes.build_processes() == 2
    monkeypatch.setenv("SSD_PROCESSES", "1")
    assert processes.build_processes() == 1
    monkeypatch.delenv("SSD_PROCESSES")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert processes.build_processes() == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(processes, "can_share_a_counter", lambda: False)  # as in a container without /dev/shm
    assert processes.build_processes() == 1
    monkeypatch.setattr(processes, "can_share_a_counter", lambda: True)
    monkeypatch.setattr(threading, "active_count", real_count)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert processes.build_processes() == 1
    finally:
        stop.set()
        thread.join()


def test_a_second_process_ends_without_waiting_for_the_first():
    def wait_for_the_second_to_end() -> bool:
        deadline = time.monotonic() + 20
        while multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.05)
        return not multiprocessing.active_children()

    theirs, ended = processes.in_two_processes(lambda: b"x" * 5_000_000, wait_for_the_second_to_end)
    assert ended and theirs == b"x" * 5_000_000  # a result many times what a pipe holds


def test_a_second_process_gives_back_a_large_result():
    theirs, mine = processes.in_two_processes(lambda: {"pages": b"x" * 5_000_000}, lambda: "mine")
    assert theirs == {"pages": b"x" * 5_000_000} and mine == "mine"
    assert multiprocessing.active_children() == []


def test_a_second_process_that_ends_without_a_result_is_an_error():
    with pytest.raises(RuntimeError, match=r"The second process failed \(exit code 3\)"):
        processes.in_two_processes(lambda: os._exit(3), lambda: "mine")


def test_the_archive_is_freed_as_soon_as_the_build_lets_go_of_it(tmp_path):
    # Rendering leaves cycles (Jinja's environments and contexts) that point at the archive. Were they left to
    # the collector, the archive would live on until a full collection walked all of it.
    def build() -> weakref.ref:
        with load.loaded_for_build(DATA) as archive:
            render_site(archive, folder=tmp_path, also=lambda site: add_book(site, archive, DATA, "", make_pdf=False))
            return weakref.ref(archive)

    gc.disable()  # no collection may run on its own and free the archive in the test's place
    try:
        archive = build()
        assert archive() is None
    finally:
        gc.enable()


def test_an_archive_loaded_in_two_processes_is_the_archive_loaded_in_one(tmp_path, monkeypatch):
    monkeypatch.setattr(load, "TEXTS_IN_TWO_FROM", 1)  # the real archive has few texts: two processes even so
    read_here = []  # the records read in this process (the second process's reading is not seen here)
    monkeypatch.setattr(load, "read_yaml", lambda path, shown: read_here.append(shown) or read_yaml(path, shown))
    one = load.load_archive(DATA, processes=1)
    sources = [shown for shown in read_here if shown.startswith("data/sources/")]
    assert len(sources) >= 2
    every_record = list(read_here)
    read_here.clear()
    two = load.load_archive(DATA, processes=2)
    # The second process read the last source records; this one read the others, and every other record.
    split = len(sources) - round(len(sources) * load.HELPER_READS)
    assert 0 < split < len(sources)
    assert [shown for shown in read_here if shown.startswith("data/sources/")] == sources[:split]
    assert sorted(read_here) == sorted(set(every_record) - set(sources[split:]))
    # Here, every text was folded to find the quotes in it; there, the second process found them all, and
    # this one folded none of the texts.
    assert all("_folded" in vars(text) for text in one.texts.values())
    assert not any("_folded" in vars(text) for text in two.texts.values())
    assert len(two.texts) == len(one.texts) > 0
    assert two.meetings == one.meetings and two.people == one.people and two.sources == one.sources
    assert list(two.sources) == list(one.sources)  # in the same order, which the site lists them in
    assert list(two.texts) == list(one.texts)
    assert {source: text.text for source, text in two.texts.items()} == {s: t.text for s, t in one.texts.items()}
    assert {quote: located.match for quote, located in two.quotes.items()} == {
        quote: located.match for quote, located in one.quotes.items()
    }
    assert two.mentions == one.mentions and len(two.quotes) == len(one.quotes) > 0
    assert _saved(render_site(two), tmp_path / "two") == _saved(render_site(one), tmp_path / "one")
    assert multiprocessing.active_children() == []


def test_a_text_changed_after_the_second_process_read_it_is_searched_as_it_is_now(tmp_path, monkeypatch):
    # The second process answers only for the bytes this one checked against the record: a text rewritten in
    # between (here, as the second process is asked) is folded and searched here instead.
    monkeypatch.setattr(load, "TEXTS_IN_TWO_FROM", 1)
    project = copy_project(tmp_path / "project")
    data = project / "data"
    found = load._find_in_folded

    def after_an_edit(folded, wanted):
        path = wanted[sorted(wanted)[0]][0]
        folded[path] = ("not the bytes this process read", folded[path][1])
        return found(folded, wanted)

    monkeypatch.setattr(load, "_find_in_folded", after_an_edit)
    two = load.load_archive(data, processes=2)
    one = load.load_archive(data, processes=1)
    first = sorted(two.texts)[0]
    assert "_folded" in vars(two.texts[first])  # searched here
    assert not any("_folded" in vars(text) for source, text in two.texts.items() if source != first)
    assert {quote: located.match for quote, located in two.quotes.items()} == {
        quote: located.match for quote, located in one.quotes.items()
    }


def test_an_error_in_the_second_process_stops_the_load(monkeypatch):
    monkeypatch.setattr(load, "TEXTS_IN_TWO_FROM", 1)

    def fails(folded, wanted):
        raise ValueError("a bug in the second process")

    monkeypatch.setattr(load, "_find_in_folded", fails)
    with pytest.raises(RuntimeError, match=r"The second process failed \(exit code 1\)"):
        load.load_archive(DATA, processes=2)
    assert multiprocessing.active_children() == []


def _problems_reported(data: Path, processes: int) -> str:
    with pytest.raises(ArchiveProblems) as raised:
        load.load_archive(data, processes=processes)
    return raised.value.report()


def test_a_helper_that_ends_is_an_error_whatever_is_asked_next():
    with processes.helping(lambda: (None, "handed over"), lambda kept, question: os._exit(3)) as helper:
        assert helper.receive() == "handed over"
        helper.ask("where is the quote?")
        with pytest.raises(RuntimeError, match=r"The second process failed \(exit code 3\)"):
            helper.receive()
        with pytest.raises(RuntimeError, match=r"The second process failed \(exit code 3\)"):
            helper.ask("and this one?")
    assert multiprocessing.active_children() == []


def test_a_stored_text_that_links_to_itself_is_reported_alike_in_two_processes(tmp_path, monkeypatch):
    monkeypatch.setattr(load, "TEXTS_IN_TWO_FROM", 1)
    project = copy_project(tmp_path / "project")
    sources = project / "data" / "sources"
    record = sorted(sources.glob("*.yaml"))[0]
    named = re.search(r"^file: (\S+)$", record.read_text(encoding="utf-8"), re.MULTILINE).group(1)
    record.write_text(record.read_text(encoding="utf-8").replace(f"file: {named}", "file: loop.txt"), "utf-8")
    (sources / "loop.txt").symlink_to("loop.txt")  # a link that leads to itself
    reports = [_problems_reported(project / "data", processes=count) for count in (1, 2)]
    assert reports[0] == reports[1]
    assert "'loop.txt', which is a link to loop.txt, not a stored text." in reports[0]


def test_a_bad_stored_text_is_reported_alike_in_two_processes(tmp_path, monkeypatch):
    monkeypatch.setattr(load, "TEXTS_IN_TWO_FROM", 1)
    project = copy_project(tmp_path / "project")
    stored = sorted((project / "data" / "sources").glob("*.txt"))
    stored[0].write_bytes(stored[0].read_bytes() + b"\xff")  # not UTF-8, and no longer its recorded sha256
    # Bad source records, some sorting first, read here, and some last, read by the second process (it reads the
    # last records): one YAML cannot read, one with a field of the wrong kind, one with a character YAML refuses.
    # A folder named like a record sorts among the records read here.
    sources = project / "data" / "sources"
    records = [sources / name for name in ("aa-never-closed.yaml", "zb-wrong-kind.yaml", "zc-control.yaml")]
    records[0].write_text("title: 'never closed\n", encoding="utf-8")
    records[1].write_text("title: A title\nsha256: [1, 2]\n", encoding="utf-8")
    records[2].write_text("title: A bell\x07\n", encoding="utf-8")
    (sources / "ab-folder.yaml").mkdir()
    listed = sorted(sources.glob("*.yaml"))
    read_there = set(listed[len(listed) - round(len(listed) * load.HELPER_READS) :])
    assert set(records) & read_there and set(records) - read_there  # bad records read there, and here
    assert sources / "ab-folder.yaml" not in read_there
    reports = [_problems_reported(project / "data", processes=count) for count in (1, 2)]
    assert reports[0] == reports[1]
    assert stored[0].name in reports[0] and "sha256" in reports[0]
    assert (
        f"{records[0].name}:1:8: YAML cannot read the file here: a quotation mark that is never closed." in reports[0]
    )
    assert f"{records[1].name}:2:1: sha256: a list where text belongs." in reports[0]
    assert f"{records[2].name}:1:14: the character U+0007" in reports[0]
    assert "ab-folder.yaml: a record that cannot be read (Is a directory)." in reports[0]
