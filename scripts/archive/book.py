"""The briefing book: every meeting in timeline order and the stored sources, as one web page and as a PDF."""

from __future__ import annotations

import argparse
import datetime
import functools
import hashlib
import importlib.metadata
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from markupsafe import Markup

from . import exports
from .escaping import escaped_text
from .load import Archive, as_pathlib, files_under, load_archive
from .pages import NOT_PART_OF_REPORT, RenderedSite, Renderer, ShownParagraph, meeting_uri, page_url
from .problems import ArchiveProblems

TEMPLATES = Path(__file__).parent / "templates"
BOOK_DIR = "book"
PDF_NAME = "ssd-briefing-book.pdf"
TITLE = "Strategic Stability Dialogue Archive: Briefing book"


class BookUnavailable(Exception):
    """The PDF cannot be made on this machine; the message says why and how to fix it."""


@dataclass(frozen=True)
class Edition:
    """What identifies one printing of the book: the data it was made from, and that data's date."""

    version: str
    date: datetime.datetime | None


def data_version(data_dir: Path, known: dict[str, str] | None = None) -> str:
    """A short digest of every file under data/: the same data gives the same version.

    known: the sha256 of some of the files, by their paths in data/ (the stored texts, which the archive checks
    against their records as it loads them): those files are not read again.
    """
    known = known or {}
    digest = hashlib.sha256()
    for parts in sorted(parts for parts, entry in files_under(data_dir, hidden=True) if as_pathlib(entry.is_file)):
        name = "/".join(parts)
        digest.update(name.encode() + b"\0")
        sha256 = known.get(name)
        digest.update(
            bytes.fromhex(sha256) if sha256 else hashlib.sha256(data_dir.joinpath(*parts).read_bytes()).digest()
        )
    return digest.hexdigest()[:12]


def data_date(archive: Archive, data_dir: Path) -> datetime.datetime | None:
    """The data's own date: SOURCE_DATE_EPOCH when set, else the newest changelog entry, else the last commit to data/.

    Never the clock, so that the same data gives the same book; None when nothing tells.
    """
    dated = exports.data_date(archive)
    if dated is not None:
        return dated
    try:
        result = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", "."], cwd=data_dir, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    committed = result.stdout.strip()
    return datetime.datetime.fromtimestamp(int(committed), tz=datetime.UTC) if committed.isdigit() else None


def edition(archive: Archive, data_dir: Path) -> Edition:
    # The stored texts as they were loaded and checked: their records give their sha256.
    data = data_dir.resolve()
    stored = {
        path.relative_to(data).as_posix(): archive.sources[source_id].sha256
        for source_id, path in archive.paths.items()
        if path.is_relative_to(data)
    }
    return Edition(version=data_version(data_dir, stored), date=data_date(archive, data_dir))


def add_book(site: RenderedSite, archive: Archive, data_dir: Path, site_url: str, make_pdf: bool = True) -> str | None:
    """Add the book page, its PDF (unless make_pdf is False) and the home page's links; return why a PDF is missing."""
    site_url = site_url.rstrip("/") + "/" if site_url else ""
    book = edition(archive, data_dir)
    pdf: bytes | None = None
    missing = None
    try:
        cache = data_dir.parent / ".cache" / "ssd-book"
        pdf = cached_pdf(book_html(archive, book, site_url), book, cache) if make_pdf else None
    except BookUnavailable as reason:
        missing = str(reason)
    # Streamed: with every source as an appendix, the page grows with the whole archive.
    site.add_download(f"{BOOK_DIR}/index.html", book_pieces(archive, book, site_url, PDF_NAME if pdf else None))
    if pdf:
        site.add_download(f"{BOOK_DIR}/{PDF_NAME}", pdf)
    site.fragments["briefing-book"] = Renderer(archive).fragment(
        "_briefing_book.html.j2",
        "index.md",
        book_url=f"{BOOK_DIR}/",
        pdf_url=f"{BOOK_DIR}/{PDF_NAME}" if pdf else None,
        pdf_size=len(pdf) if pdf else 0,
        edition=book,
    )
    return missing


def book_html(archive: Archive, edition: Edition, site_url: str = "", pdf_name: str | None = None) -> str:
    """The whole book as one standalone HTML page, its stylesheet inline; pdf_name links the PDF beside it."""
    return "".join(book_pieces(archive, edition, site_url, pdf_name))


def book_pieces(archive: Archive, edition: Edition, site_url: str = "", pdf_name: str | None = None) -> Iterator[str]:
    """book_html, piece by piece as the template renders it."""
    renderer = Renderer(archive)
    uri = f"{BOOK_DIR}/index.md"
    # Namespaces, not dicts, for the same reason as ShownParagraph: the template reads `context.source`.
    meetings = [SimpleNamespace(**renderer.meeting_context(meeting_id, uri)) for meeting_id in archive.timeline]
    sources = [SimpleNamespace(**renderer.source_context(source_id, uri)) for source_id in archive.sources]
    used = {reference_id for context in meetings for reference_id in context.reference_ids}
    template = renderer.env.get_template("book.html.j2")
    return template.generate(
        r=renderer,
        quote_figure=functools.partial(quote_figure, renderer),
        locators=functools.partial(locators, renderer),
        fact=functools.partial(fact, renderer),
        stored_text=functools.partial(stored_text, renderer),
        title=TITLE,
        edition=edition,
        site_url=site_url,
        pdf_name=pdf_name,
        online=lambda meeting_id: site_url + page_url(meeting_uri(meeting_id)) if site_url else "",
        meetings=meetings,
        sources=sources,
        reference_ids=sorted(used, key=lambda reference_id: (archive.references[reference_id].publisher, reference_id)),
        stylesheet=Markup((TEMPLATES / "book.css").read_text(encoding="utf-8")),
    )


def quote_figure(renderer: Renderer, quote) -> Markup:
    """A quote as the book shows it: its words, who speaks, and the locator of the passage in the book's copy of the
    source. Written here rather than as a template macro for the reason given at Renderer.quote_figure."""
    located = renderer.archive.quotes[quote.id]
    source_id, number = located.source, located.match.paragraph.number
    who = renderer.who_speaks(quote)
    return Markup(
        f'<figure class="book-quote">\n<blockquote><p>“{renderer.with_sic(quote)}”</p></blockquote>\n'
        f"<figcaption>{who} — {_locator_link(renderer, source_id, number)}</figcaption>\n</figure>\n"
    )


def _locator_link(renderer: Renderer, source_id: str, number: int) -> str:
    """A link to a paragraph of the book's copy of a source, named by its locator."""
    esc = escaped_text
    anchor = f"{esc(source_id)}--{esc(renderer.paragraph_id(source_id, number))}"
    return f'<a class="book-locator" href="#{anchor}">{esc(renderer.locator(source_id, number))}</a>'


def locators(renderer: Renderer, item) -> Markup:
    """What backs a fact or a statement, as links inside the book: the paragraph of each quote, once, and each
    outside reference, named as one."""
    links = [
        _locator_link(renderer, source_id, number) + "\n"
        for source_id, number in renderer.paragraphs_quoted(item.quotes)
    ]
    return Markup("".join(links + renderer.outside_links(item, "book-locator")))


def fact(renderer: Renderer, item) -> Markup:
    """A fact of a meeting's summary in the book: its text and locators, and what the sources do not say of it."""
    shown = (
        f'{escaped_text(item.text)} <span class="book-evidence">{locators(renderer, item)}</span>' if item.text else ""
    )
    if item.silent:
        shown += f'<span class="book-silent">{escaped_text(item.silent)}</span>'
    return Markup(shown)


def stored_text(renderer: Renderer, source_id: str, agency: str, paragraphs: list[ShownParagraph]) -> Markup:
    """A source's paragraphs as the book prints them, each with its locator and the meetings that quote it.
    Written here for the reason given at Renderer.stored_text."""
    esc, meetings = escaped_text, renderer.archive.meetings
    source_id, agency = esc(source_id), esc(agency)
    printed = []
    for paragraph in paragraphs:
        record = paragraph.record
        extra = record.not_part_of_report
        printed.append(
            f'<li class="book-paragraph{" book-paragraph--extra" if extra else ""}" '
            f'id="{source_id}--{esc(record.id)}">\n'
            f'<span class="book-paragraph-number">{agency}, ¶&nbsp;{paragraph.number}</span>\n'
            f"<p>{paragraph.html}</p>\n"
        )
        if extra:
            printed.append(f'<p class="book-note">{NOT_PART_OF_REPORT}</p>')
        if paragraph.quoted_in:
            links = ", ".join(
                f'<a class="book-xref" href="#{esc(meeting_id)}">{esc(meetings[meeting_id].short_title)}</a>'
                for meeting_id, _ in paragraph.quoted_in
            )
            printed.append(f'<p class="book-note">Quoted in: {links}</p>')
        printed.append("</li>\n")
    return Markup("".join(printed))


def cached_pdf(html: str, edition: Edition, cache: Path) -> bytes:
    """book_pdf, kept in cache by everything that makes it, so a rebuild with unchanged data does not print again.

    The key is the page (which holds every record and the archive's version), the print stylesheet,
    the edition, and the versions of WeasyPrint and pydyf; the same key gives the same bytes.
    SSD_BOOK_CACHE=0 prints afresh. A project that cannot be written to prints every time.
    """
    if os.environ.get("SSD_BOOK_CACHE") == "0":
        return book_pdf(html, edition)
    key = hashlib.sha256()
    for part in (
        html,
        (TEMPLATES / "book-pdf.css").read_text(encoding="utf-8"),
        edition.version,
        edition.date.isoformat() if edition.date else "",
        importlib.metadata.version("weasyprint"),
        importlib.metadata.version("pydyf"),
    ):
        key.update(part.encode("utf-8") + b"\0")
    path = cache / f"{key.hexdigest()[:32]}.pdf"
    if path.is_file():
        return path.read_bytes()
    pdf = book_pdf(html, edition)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        for old in sorted(cache.glob("*.pdf"), key=lambda found: found.stat().st_mtime)[:-2]:
            old.unlink(missing_ok=True)  # the last few editions are kept
        written = path.with_name(f"{path.name}.{os.getpid()}.part")
        written.write_bytes(pdf)
        os.replace(written, path)  # whole or not at all, even with two builds at once
    except OSError:
        pass
    return pdf


def book_pdf(html: str, edition: Edition) -> bytes:
    """Print the book with WeasyPrint; the same HTML and edition give the same bytes."""
    try:
        import pydyf
        from weasyprint import CSS, HTML
    except OSError as error:  # WeasyPrint loads Pango when imported
        raise BookUnavailable(
            f"WeasyPrint cannot load Pango ({error}). Install it with "
            "`apt-get install libpango-1.0-0 libpangoft2-1.0-0` (make book does this as root)."
        ) from None

    def finish(document, pdf) -> None:
        # The date is the data's, never the clock's, so that a rebuild gives the same bytes.
        if edition.date is not None:
            stamp = edition.date.strftime("D:%Y%m%d%H%M%SZ")
            pdf.info["CreationDate"] = pydyf.String(stamp)
            pdf.info["ModDate"] = pydyf.String(stamp)
        pdf.info["Version"] = pydyf.String(edition.version)

    return HTML(string=html).write_pdf(
        stylesheets=[CSS(string=(TEMPLATES / "book-pdf.css").read_text(encoding="utf-8"))],
        pdf_identifier=f"ssd-briefing-book-{edition.version}".encode(),
        finisher=finish,
        uncompressed_pdf=False,
    )


def main(argv: list[str] | None = None) -> int:
    """`python -m archive.book OUTPUT/`: write the book page and its PDF to a folder, as `make book` does."""
    parser = argparse.ArgumentParser(prog="python -m archive.book", description=main.__doc__)
    parser.add_argument("--data", type=Path, default=Path("data"), help="the data folder (default: data)")
    parser.add_argument("--site-url", default=os.environ.get("SITE_URL", ""), help="the site's address (SITE_URL)")
    parser.add_argument("output", type=Path)
    arguments = parser.parse_args(argv)
    try:
        archive = load_archive(arguments.data)
    except ArchiveProblems as problems:
        print(problems.report("no book was made"), file=sys.stderr)
        return 1
    site = RenderedSite()
    missing = add_book(site, archive, arguments.data, arguments.site_url)
    for path, content in site.downloads.items():
        target = arguments.output / Path(path).relative_to(BOOK_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        print(f"Wrote {target} ({len(content):,} bytes).")
    if missing:
        print(f"The PDF was not made: {missing}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
