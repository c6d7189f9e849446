"""A meeting page printed from a real browser: a summary of at most two pages, on A4 and on US Letter."""

from __future__ import annotations

import io
import re

import pytest
from archive.pages import Renderer
from pypdf import PdfReader
from test_load import BRIEF_MEETINGS

pytestmark = pytest.mark.browser
SITE_ROOT = "http://127.0.0.1:8000/"  # mkdocs.yml's default site_url, which the `site` fixture builds with
PAPER = ("A4", "Letter")


def flat(text: str) -> str:
    """Text as a reader compares it: one space between words, whatever the line breaks; no [sic] marks."""
    text = text.replace("\u00a0", " ").replace("-\n", "-").replace(" [sic]", "")
    return " ".join(text.split())


@pytest.fixture(scope="module")
def print_page(browser, site_url):
    """Open a page as the printer sees it; yield a function printing it to a paper size."""
    page = browser.new_page()
    page.emulate_media(media="print")

    def printed(path: str, paper: str) -> list[str]:
        page.goto(site_url + path)
        reader = PdfReader(io.BytesIO(page.pdf(format=paper, print_background=True)))
        return [page_.extract_text() for page_ in reader.pages]

    printed.page = page
    yield printed
    page.close()


@pytest.mark.parametrize("paper", PAPER)
@pytest.mark.parametrize("meeting_id", sorted(BRIEF_MEETINGS))
def test_a_meeting_prints_in_at_most_two_pages_with_its_summary_on_the_first(print_page, archive, meeting_id, paper):
    pages = print_page(f"meetings/{meeting_id}/", paper)
    assert len(pages) <= 2, f"{meeting_id} prints on {len(pages)} {paper} pages"
    first = flat(pages[0])
    meeting = archive.meetings[meeting_id]
    assert first.startswith(flat(meeting.title))
    assert "At a glance" in first and "Outcome" in first
    assert flat(meeting.outcome.text or meeting.outcome.silent) in first
    assert f"Permanent address: {SITE_ROOT}meetings/{meeting_id}/" in first
    keys = [quote.id for quote in Renderer.key_quotes(meeting)]
    assert set(meeting.outcome.quotes) | set(meeting.status_evidence.quotes) <= set(keys)
    if keys:
        assert "Key quotes" in first
    for quote_id in keys:
        located = archive.quotes[quote_id]
        quote = archive.quote(quote_id)
        source = archive.sources[located.source]
        assert flat(quote.text)[:60] in first, f"key quote {quote_id} is not on the first page"
        assert f"{source.agency}, {source.publisher}, ¶ {located.match.paragraph.number}" in first


@pytest.mark.parametrize("paper", PAPER)
def test_the_recommended_citation_is_on_the_first_printed_page(print_page, paper):
    pages = print_page("meetings/second-plenary/", paper)
    # The recommended citation is the Chicago bibliography entry of the page's "Cite this page" block.
    recommended = print_page.page.locator("#cite #cite-chicago-2")
    assert recommended.count() == 1
    citation = flat(recommended.inner_text())
    assert citation.startswith("Strategic Stability Dialogue Archive.")
    assert f"Recommended citation: {citation}" in flat(pages[0])


def test_the_printout_has_no_theme_chrome_and_no_repeated_quotes(print_page, archive):
    pages = print_page("meetings/first-plenary/", "A4")
    text = flat(" ".join(pages))
    for chrome in ("Skip to content", "Search", "Switch to", "Before:", "After:", "Quotes side by side", "Back to top"):
        assert chrome not in text, f"{chrome!r} is printed"
    assert "Timeline" not in text.split("Key quotes")[0], "the sequence navigation is printed"


def test_every_quote_is_printed_whole_on_one_page(print_page, archive):
    for meeting_id in ("first-plenary", "second-plenary"):
        for paper in PAPER:
            pages = [flat(text) for text in print_page(f"meetings/{meeting_id}/", paper)]
            for quote in archive.meetings[meeting_id].quotes:
                words = flat(quote.text)
                assert any(words in page for page in pages), f"{quote.id} is split across pages ({paper})"


def test_no_heading_is_left_at_the_foot_of_a_page(print_page):
    headings = ("At a glance", "Key quotes", "What the sources say", "Where the sources are silent")
    headings += ("Outside references", "Stored sources quoted")
    for meeting_id in ("first-plenary", "second-plenary", "geneva-summit", "third-plenary"):
        for paper in PAPER:
            pages = print_page(f"meetings/{meeting_id}/", paper)
            for text in pages[:-1]:
                last = [line for line in text.splitlines() if line.strip()][-1].strip()
                assert last not in headings, f"{meeting_id} ({paper}): '{last}' ends a page"


def test_sources_are_resolved_by_a_printed_key_with_full_addresses(print_page, archive):
    text = flat(" ".join(print_page("meetings/second-plenary/", "Letter")))
    for source_id in ("afp-productive-arms-control-talks", "sputnik-professional-and-substantive"):
        agency = archive.sources[source_id].agency
        assert f"“{agency}, ¶ n” is paragraph n of the stored text at {SITE_ROOT}sources/{source_id}/" in text
    for url in re.findall(r"https://\S+", text):
        assert url.rstrip(".") in {reference.url for reference in archive.references.values()}


def test_the_print_is_black_on_white_in_a_readable_size(print_page):
    print_page("meetings/second-plenary/", "A4")
    page = print_page.page
    page.emulate_media(media="print", color_scheme="dark")
    page.reload()
    styles = page.evaluate(
        """() => [...document.querySelectorAll('article p, article td, article th, article blockquote, article a')]
            .filter(e => e.offsetParent !== null)
            .map(e => { const s = getComputedStyle(e); return [s.color, parseFloat(s.fontSize)]; })"""
    )
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    page.emulate_media(media="print", color_scheme="light")
    assert background in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    assert styles
    assert {color for color, _ in styles} <= {"rgb(0, 0, 0)"}
    assert min(size for _, size in styles) >= 10.6, "print type below 8pt"


@pytest.mark.parametrize("path", ["sources/sputnik-professional-and-substantive/", "people/sergey-ryabkov/"])
def test_a_printed_source_or_person_page_carries_its_address_and_citation_on_the_first_page(print_page, path):
    pages = print_page(path, "A4")
    recommended = flat(print_page.page.locator("#cite #cite-chicago-2").inner_text())
    first = flat(pages[0])
    assert f"Permanent address: {SITE_ROOT}{path}" in first
    assert f"Recommended citation: {recommended}" in first
