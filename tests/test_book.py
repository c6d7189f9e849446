"""The briefing book as a reader gets it from the built site: its web page and its PDF."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from archive import book
from archive.pages import RenderedSite
from bs4 import BeautifulSoup
from conftest import DATA, ROOT
from pypdf import PdfReader

SITE_ROOT = "http://127.0.0.1:8000/"  # mkdocs.yml's default site_url, which the `site` fixture builds with
LOCATOR = re.compile(r"(AFP|Sputnik), ¶ (\d+), p\. (\d+)")


def _pango_missing() -> str | None:
    try:
        import weasyprint  # noqa: F401  (importing it loads Pango)
    except OSError as error:
        return str(error)
    return None


@pytest.fixture(scope="module")
def pdf_path(site: Path) -> Path:
    path = site / "book" / book.PDF_NAME
    if not path.exists():
        reason = _pango_missing()
        if reason and os.environ.get("CI") != "true":
            pytest.skip(f"WeasyPrint cannot load Pango here ({reason}); `make test` installs it as root")
    assert path.exists(), "the built site has no briefing book PDF"
    return path


@pytest.fixture(scope="module")
def pdf(pdf_path: Path) -> PdfReader:
    return PdfReader(pdf_path)


@pytest.fixture(scope="module")
def texts(pdf: PdfReader) -> list[str]:
    """Each page's text, with no-break spaces as plain spaces."""
    return [page.extract_text().replace("\u00a0", " ") for page in pdf.pages]


def _outline(pdf: PdfReader) -> list[tuple[int, str, int]]:
    """(level, title, page number from 1) for every bookmark, in order."""
    found: list[tuple[int, str, int]] = []

    def walk(items, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, item.title, pdf.get_destination_page_number(item) + 1))

    walk(pdf.outline, 1)
    return found


def test_the_home_page_offers_the_book_page_and_the_pdf(site, pdf_path):
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = {a["href"]: a for a in home.select("p.ssd-book a")}
    assert "book/" in links
    assert links[f"book/{book.PDF_NAME}"].has_attr("download")
    assert (site / "book" / "index.html").is_file()


def test_the_book_has_a_bookmark_and_a_section_per_meeting_in_timeline_order(archive, pdf, texts):
    chapters = [(title, page) for level, title, page in _outline(pdf) if level == 1]
    titles = [title for title, _ in chapters]
    meeting_titles = [archive.meetings[meeting_id].title for meeting_id in archive.timeline]
    assert titles == [
        "Contents",
        *meeting_titles,
        "Appendix A: The stored sources",
        "Appendix B: Outside references, not stored",
    ]
    for title, page in chapters[1:]:
        assert " ".join(texts[page - 1].split()).startswith(title), f"page {page} does not open with {title!r}"
    appendix = [title for level, title, _ in _outline(pdf) if level == 2 and ":" in title and "“" in title]
    assert [title.split(":")[0] for title in appendix] == sorted(source.agency for source in archive.sources.values())


def test_the_table_of_contents_gives_the_page_of_every_chapter(pdf, texts):
    contents = next(index for index, text in enumerate(texts) if text.startswith("Contents"))
    toc = {
        " ".join(title.split()): int(page)
        for title, page in re.findall(r"(.+?)\s*\.{3,}\s*(\d+)\n", texts[contents].removeprefix("Contents\n"), re.S)
    }
    for level, title, page in _outline(pdf):
        if level == 1 and title != "Contents":
            assert toc.get(title) == page, (
                f"the contents give {title!r} page {toc.get(title)}, the book has it on {page}"
            )


def test_every_page_after_the_cover_has_a_running_head_and_its_number(pdf, texts):
    total = len(pdf.pages)
    chapter_pages = {page: title for level, title, page in _outline(pdf) if level == 1}
    chapter = None
    for number, text in enumerate(texts[1:], start=2):
        chapter = chapter_pages.get(number, chapter)
        assert f"Page {number} of {total}" in text
        assert "SSD Archive: Briefing book" in text
        if chapter != "Contents":
            # The head is one line of its own, the chapter's title, before the page number.
            assert f"\n{chapter} SSD Archive: Briefing book\nPage {number} of" in text, (
                f"page {number}: no head {chapter!r}"
            )
    assert "Page 1 of" not in texts[0], "the cover carries no page number"


def test_every_locator_in_the_book_resolves_to_its_paragraph_inside_the_book(archive, texts):
    agencies = {source.agency for source in archive.sources.values()}
    found = 0
    for page_text in texts:
        for agency, paragraph, page in LOCATOR.findall(page_text):
            assert agency in agencies
            target = texts[int(page) - 1]
            assert re.search(rf"^{agency}, ¶ {paragraph}$", target, re.M), (
                f"{agency}, ¶ {paragraph} is said to be on page {page}, which does not print it"
            )
            found += 1
    quotes = sum(len(meeting.quotes) for meeting in archive.meetings.values())
    assert found >= quotes, f"only {found} locators with a page found for {quotes} quotes"


def test_a_paragraph_that_backs_a_fact_twice_is_named_once_in_the_book(site):
    """In print, a locator names a paragraph: two quotes from one paragraph give one locator, not the same twice."""
    soup = BeautifulSoup((site / "book" / "index.html").read_text(encoding="utf-8"), "html.parser")
    evidence = soup.select(".book-evidence")
    assert any("Sputnik, ¶\u00a07" in span.get_text() for span in evidence)
    for span in evidence:
        texts = [a.get_text() for a in span.select("a.book-locator")]
        assert len(texts) == len(set(texts)), texts


def test_every_link_in_the_book_lands_inside_it_except_the_outside_references(site, archive):
    soup = BeautifulSoup((site / "book" / "index.html").read_text(encoding="utf-8"), "html.parser")
    ids = {element["id"] for element in soup.select("[id]")}
    outside = {reference.url for reference in archive.references.values()}
    for link in soup.select("main a[href], nav a[href]"):
        href = link["href"]
        assert (href.startswith("#") and href[1:] in ids) or href in outside, f"{href} does not resolve in the book"
    assert not soup.select("script, link[rel=stylesheet], img, iframe"), "the book page loads nothing"


def test_the_pdf_carries_title_date_and_version(pdf):
    info = pdf.metadata
    assert info.title == book.TITLE
    assert info["/Version"] == book.data_version(DATA)
    assert info["/Version"] in info["/Keywords"]
    assert info["/CreationDate"] == info["/ModDate"]
    assert re.fullmatch(r"D:\d{14}Z", info["/CreationDate"])


def test_the_same_data_gives_the_same_pdf_bytes(pdf_path, tmp_path):
    """A second, separate build of the book from the same data is byte for byte the one in the site."""
    # Printed afresh, not taken from the cache of PDFs that the build just filled.
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "scripts"), "SITE_URL": SITE_ROOT, "SSD_BOOK_CACHE": "0"}
    run = subprocess.run(
        [sys.executable, "-m", "archive.book", "--data", str(DATA), str(tmp_path)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / book.PDF_NAME).read_bytes() == pdf_path.read_bytes()


def test_source_date_epoch_sets_the_date_and_nothing_else_does(archive, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1633046400")
    assert book.data_date(archive, DATA) == datetime.datetime(2021, 10, 1, tzinfo=datetime.UTC)


def test_without_the_pdf_the_site_offers_the_page_and_no_broken_link(archive, monkeypatch):
    def no_pango(html, edition):
        raise book.BookUnavailable("WeasyPrint cannot load Pango (test).")

    monkeypatch.setattr(book, "book_pdf", no_pango)
    monkeypatch.setenv("SSD_BOOK_CACHE", "0")  # and no edition printed earlier to fall back on
    site = RenderedSite()
    missing = book.add_book(site, archive, DATA, SITE_ROOT)
    assert missing == "WeasyPrint cannot load Pango (test)."
    assert list(site.downloads) == ["book/index.html"]
    assert book.PDF_NAME not in site.downloads["book/index.html"].decode()
    fragment = site.fragments["briefing-book"]
    assert book.PDF_NAME not in fragment
    assert "The PDF edition of the book was not made for this copy of the site." in fragment
    assert "<code>make build</code> or <code>make book</code> makes it." in fragment


def test_the_books_version_is_the_digest_of_the_data_without_reading_the_stored_texts_again(
    archive, tmp_path, monkeypatch
):
    # The stored texts were checked against their records' sha256 as the archive loaded: the digest uses those.
    read = []
    read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: read.append(path.name) or read_bytes(path))
    edition = book.edition(archive, DATA)
    stored = {path.name for path in archive.paths.values()}
    assert stored and read  # the other files of data/ were read
    assert not stored & set(read)
    assert edition.version == book.data_version(DATA)  # reading every file gives the same version
    assert stored <= set(read)
    # Another byte in any file of data/ is another version.
    project = tmp_path / "data"
    shutil.copytree(DATA, project)
    (project / "sources" / sorted(stored)[0]).write_bytes(b"another text")
    assert book.data_version(project) != edition.version


def test_a_rebuild_with_the_same_data_takes_the_pdf_from_the_cache_and_new_data_prints_again(
    archive, pdf_path, tmp_path, monkeypatch
):
    edition = book.edition(archive, DATA)
    html = book.book_html(archive, edition, SITE_ROOT)
    cache = tmp_path / "cache"
    printed = book.cached_pdf(html, edition, cache)
    assert printed == pdf_path.read_bytes()  # what the site's build printed
    assert len(list(cache.glob("*.pdf"))) == 1

    def no_printing(html, edition):
        raise AssertionError("the book was printed again")

    monkeypatch.setattr(book, "book_pdf", no_printing)
    assert book.cached_pdf(html, edition, cache) == printed
    with pytest.raises(AssertionError, match="printed again"):
        book.cached_pdf(html.replace("Briefing book", "Briefing book, edited", 1), edition, cache)
    with pytest.raises(AssertionError, match="printed again"):
        book.cached_pdf(html, book.Edition(version="0" * 12, date=edition.date), cache)
    monkeypatch.setenv("SSD_BOOK_CACHE", "0")
    with pytest.raises(AssertionError, match="printed again"):
        book.cached_pdf(html, edition, cache)
