"""The built site as a browser receives it: pages, quote links, downloads, nothing from other hosts."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from archive.passages import normalise
from bs4 import BeautifulSoup
from conftest import DATA
from test_load import BRIEF_MEETINGS

SITE_ROOT = "http://127.0.0.1:8000/"


def page(site: Path, url_path: str) -> BeautifulSoup:
    path = site / url_path.lstrip("/")
    if url_path.endswith("/") or not path.suffix:
        path = path / "index.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@pytest.mark.parametrize("meeting_id", sorted(BRIEF_MEETINGS))
def test_every_meeting_of_the_brief_has_a_page_with_its_facts(site, archive, meeting_id):
    soup = page(site, f"meetings/{meeting_id}/")
    meeting = archive.meetings[meeting_id]
    assert soup.h1.get_text() == meeting.title
    glance = {row.th.get_text(): row.td.get_text(" ", strip=True) for row in soup.select("table.ssd-glance tr")}
    assert list(glance) == ["Date", "Place", "Venue and host", "Format", "Status", "Heads of delegation", "Outcome"]
    assert glance["Status"].startswith(
        {"held": "Held", "agreed": "Agreed", "planned-not-held": "Planned, not held"}[meeting.status]
    )


def quote_links(site: Path):
    for path in html_pages(site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        base = SITE_ROOT + path.relative_to(site).as_posix()
        for link in soup.select("a[href*=':~:text=']"):
            yield base, link


def test_every_quote_link_lands_on_a_paragraph_that_holds_the_quoted_words(site):
    checked = 0
    for base, link in quote_links(site):
        url = urljoin(base, link["href"])
        target_path = urlsplit(url).path
        paragraph_id, _, directive = urlsplit(url).fragment.partition(":~:text=")
        target = page(site, target_path)
        paragraph = target.find(id=paragraph_id)
        assert paragraph is not None, f"{base}: no #{paragraph_id} on {target_path}"
        text = normalise(paragraph.get_text())
        for words in directive.split(","):
            assert normalise(unquote(words)) in text, f"{base}: {unquote(words)!r} not in #{paragraph_id}"
        checked += 1
    assert checked >= 41  # every quote of the archive, at least once


def test_the_quote_on_a_meeting_page_is_the_marked_passage_on_the_source_page(site, archive):
    for quote_id, located in archive.quotes.items():
        meeting_id = archive.quote_meeting[quote_id]
        figure = page(site, f"meetings/{meeting_id}/").find(id=quote_id)
        assert figure is not None and figure.name == "figure"
        shown = figure.blockquote.get_text().strip("“”").replace("\u00a0[sic]", "")
        assert normalise(shown) == normalise(archive.quote(quote_id).text)
        paragraph = page(site, f"sources/{located.source}/").find(
            id=figure.select_one("a.ssd-passage-link")["href"].split("#")[1].split(":~:")[0]
        )
        marked = " ".join(mark.get_text() for mark in paragraph.find_all("mark"))
        assert normalise(located.match.text) in normalise(marked) or located.match.text in paragraph.get_text()


def test_every_stored_source_downloads_byte_for_byte(site, archive):
    for source_id, source in archive.sources.items():
        soup = page(site, f"sources/{source_id}/")
        link = soup.find("a", attrs={"download": source.file})
        assert link is not None
        downloaded = site / "sources" / source_id / link["href"]
        assert downloaded.read_bytes() == (DATA / "sources" / source.file).read_bytes()
        assert downloaded.name == source.file


def test_source_page_shows_metadata_and_every_paragraph_with_its_id_and_number(site, archive):
    source = archive.sources["afp-productive-arms-control-talks"]
    soup = page(site, "sources/afp-productive-arms-control-talks/")
    glance = {row.th.get_text(): row.td.get_text(" ", strip=True) for row in soup.select("table.ssd-glance tr")}
    assert glance["Date as printed"] == "Not printed"
    assert glance["SHA-256"] == source.sha256
    numbers = [a.get_text().replace("\u00a0", " ") for a in soup.select("a.ssd-paragraph-number")]
    assert numbers == [f"¶ {n}" for n in range(1, len(source.paragraphs) + 1)]
    for listed in source.paragraphs:
        assert soup.find(id=listed.id).get_text().startswith(listed.begins)


def test_silence_is_said_plainly(site):
    soup = page(site, "meetings/informal-consultations/")
    glance = {row.th.get_text(): row.td.get_text(" ", strip=True) for row in soup.select("table.ssd-glance tr")}
    assert glance["Date"].startswith("Not stated in the sources.")
    assert glance["Heads of delegation"] == "Not stated in the sources."
    first = page(site, "meetings/first-plenary/")
    assert "Neither stored source gives the exact day of the meeting." in first.select_one("#silences + ul").get_text()


def test_a_statement_both_sources_support_shows_both(site):
    statement = page(site, "meetings/second-plenary/").find(id="second-plenary-as-planned")
    sources = {a["href"].split("/")[3] for a in statement.select("a.ssd-passage-link")}
    assert sources == {"sputnik-professional-and-substantive", "afp-productive-arms-control-talks"}
    assert "Corroborated: 2 stored sources" in statement.get_text()


def test_outside_references_are_marked_not_stored(site):
    soup = page(site, "meetings/third-plenary/")
    items = soup.select("ul.ssd-references li")
    assert {li["id"] for li in items} == {
        "ref-wikipedia-ssd",
        "ref-reuters-devdiscourse-2022-04-30",
        "ref-tass-2021-09-30",
    }
    for item in items:
        assert "Not stored in this archive, and not checked against a stored copy." in item.get_text()


def test_quotes_are_grouped_side_by_side_by_party(site):
    soup = page(site, "meetings/first-plenary/")
    columns = [section.h3.get_text() for section in soup.select(".ssd-parties > section")]
    assert columns == ["United States", "Russia", "United Nations", "The reports themselves"]
    russia = soup.select_one("section[aria-labelledby=party-russia]")
    assert {a.get_text() for a in russia.select("figcaption a[href*='people/']")} == {"Sergey Ryabkov", "Dmitry Peskov"}


def test_two_quotes_from_one_paragraph_never_read_as_one_locator_printed_twice(site):
    """The first plenary's outcome rests on two quotes of Sputnik's paragraph 7: each keeps its own link."""
    outcome = page(site, "meetings/first-plenary/").find("th", string="Outcome").find_next_sibling("td")
    links = [(a.get_text(), a["href"]) for a in outcome.select("a.ssd-locator")]
    assert links == [
        ("Sputnik, ¶\u00a07", "#sputnik-next-steps"),
        ("Sputnik, ¶\u00a07, second quote", "#sputnik-working-groups-discussed"),
    ]
    for path in html_pages(site / "meetings"):
        for evidence in page(site, path.relative_to(site).as_posix()).select(".ssd-evidence"):
            texts = [a.get_text() for a in evidence.select("a.ssd-locator")]
            assert len(texts) == len(set(texts)), (path, texts)


LOADING_RELS = {"stylesheet", "icon", "preload", "modulepreload", "preconnect", "dns-prefetch", "manifest"}


def test_nothing_is_loaded_from_another_host(site):
    loads = {"script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src", "video": "src"}
    for path in html_pages(site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        addresses = [
            (tag, element.get(attribute)) for tag, attribute in loads.items() for element in soup.find_all(tag)
        ]
        addresses += [("link", link.get("href")) for link in soup.find_all("link") if LOADING_RELS & set(link["rel"])]
        for tag, value in addresses:
            assert not re.match(r"^(https?:)?//", value or ""), f"{path}: <{tag}> loads {value}"
    for css in site.rglob("*.css"):
        assert not re.search(r"url\((['\"]?)(https?:)?//", css.read_text(encoding="utf-8")), css


def test_home_page_lists_every_meeting_in_order(site, archive):
    soup = page(site, "/")
    titles = [a.get_text() for a in soup.select("ol.ssd-meeting-list a")]
    assert titles == [archive.meetings[m].title for m in archive.timeline]


def test_about_page_publishes_the_matching_rules(site):
    text = page(site, "about/").get_text()
    for code_point in ("U+2019", "U+201C", "U+2013", "U+2014"):
        assert code_point in text


def test_a_quote_is_shown_in_the_sources_own_characters_whatever_the_record_typed(data_copy):
    """Matching forgives straight for typographic quotes (the About page says so); readers see what is printed."""
    from archive.load import load_archive
    from archive.pages import render_site
    from conftest import replace_once

    path = data_copy / "meetings" / "second-plenary.yaml"
    typed = "US, Russia hold 'productive' arms control talks"
    replace_once(
        path,
        "text: This is slow progress. But this in itself is also good.",
        f'text: "{typed}"\n    sic: [productive\']',
    )
    archive = load_archive(data_copy)
    assert archive.words_of("afp-slow-progress") == "US, Russia hold \u2018productive\u2019 arms control talks"
    markdown = render_site(archive).pages["meetings/second-plenary.md"]
    shown = '“US, Russia hold \u2018productive\u2019\u00a0<span class="ssd-sic">[sic]</span> arms control talks”'
    assert shown in markdown
    assert typed not in markdown


def test_an_agency_that_published_its_own_report_is_named_once(data_copy):
    from archive.load import load_archive
    from archive.pages import render_site
    from conftest import replace_once

    replace_once(
        data_copy / "sources" / "afp-productive-arms-control-talks.yaml",
        "\npublisher: The Straits Times\n",
        "\npublisher: AFP\n",
    )
    pages = render_site(load_archive(data_copy)).pages
    assert not [uri for uri, text in pages.items() if "AFP, AFP" in text or "carried by AFP" in text]
    figures = BeautifulSoup(pages["meetings/second-plenary.md"], "html.parser").select("figcaption .ssd-passage-link")
    afp = [link.get_text() for link in figures if link.get_text().startswith("AFP")]
    assert afp and all(re.fullmatch(r"AFP, ¶\xa0\d+", text) for text in afp)
    assert "AFP report, WASHINGTON dateline:" in pages["sources/afp-productive-arms-control-talks.md"]


REPORTED = {  # a report's own account of what a person said, not the person's words
    "sputnik-ryabkov-satisfied": ("first-plenary", "Sergey Ryabkov", "Sputnik"),
    "sputnik-ryabkov-perspective": ("first-plenary", "Sergey Ryabkov", "Sputnik"),
    "sputnik-peskov-sign": ("first-plenary", "Dmitry Peskov", "Sputnik"),
    "afp-entire-range": ("second-plenary", "Sergey Ryabkov", "AFP"),
    "afp-official-interactive": ("second-plenary", "A senior State Department official (not named)", "AFP"),
    "afp-official-broader": ("second-plenary", "A senior State Department official (not named)", "AFP"),
}


def test_a_reports_account_of_what_someone_said_is_never_credited_as_their_own_words(site, archive):
    import csv
    import json

    for meeting_id in ("first-plenary", "second-plenary"):
        soup = page(site, f"meetings/{meeting_id}/")
        graph = json.loads(soup.find("script", type="application/ld+json").string)["@graph"]
        quotations = {node["@id"].rsplit("#", 1)[1]: node for node in graph if node["@type"] == "Quotation"}
        for figure in soup.select("figure.ssd-quote[id]"):
            caption = " ".join(figure.figcaption.get_text().split())  # as a reader sees it
            node = quotations[figure["id"]]
            if figure["id"] in REPORTED:
                _, person, agency = REPORTED[figure["id"]]
                assert caption.startswith(f"{person}, in {agency}’s words —"), caption
                assert "spokenByCharacter" not in node and node["mentions"]["name"] == person
                assert node["creditText"] == f"{person}, in {agency}’s words"
            elif archive.quote(figure["id"]).speaker:
                assert "’s words" not in caption and "spokenByCharacter" in node
    ryabkov = page(site, "people/sergey-ryabkov/")
    captions = [" ".join(figure.figcaption.get_text().split()) for figure in ryabkov.select("figure.ssd-quote")]
    assert sum(", in Sputnik’s words" in caption for caption in captions) == 2
    assert sum(", in AFP’s words" in caption for caption in captions) == 1
    assert "quoted 3 times (2 in a report’s words)" in ryabkov.get_text(" ")
    with (site / "data" / "csv" / "quotes.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = {row["id"]: row["reported"] for row in csv.DictReader(file)}
    assert {quote_id for quote_id, reported in rows.items() if reported == "true"} == set(REPORTED)
    assert set(rows.values()) == {"true", ""}


def test_each_quote_permalink_is_named_by_its_passage_for_a_screen_reader_not_read_as_a_bare_hash(site):
    for meeting_id in ("first-plenary", "second-plenary"):
        anchors = page(site, f"meetings/{meeting_id}/").select("a.ssd-quote-anchor")
        labels = [anchor["aria-label"] for anchor in anchors]
        assert anchors and all(label.startswith("Permanent link to this quote, ") for label in labels)
        assert all(re.search(r"(Sputnik|AFP) ¶\xa0\d+$", label) for label in labels)


def test_every_page_gives_social_previews_the_same_description_as_search_engines(site):
    compared = []
    for path in html_pages(site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        described = soup.find("meta", attrs={"name": "description"})
        social = soup.find("meta", attrs={"property": "og:description"})
        if described is None or social is None:  # a redirect left by a renaming, or the book's own page
            continue
        assert social["content"] == described["content"], path
        assert "&amp;" not in social["content"] and "&#x27;" not in social["content"], path
        compared.append(path)
    assert len(compared) >= 20
    sputnik = page(site, "sources/sputnik-professional-and-substantive/")
    assert "'Professional And Substantive'" in sputnik.find("meta", attrs={"property": "og:description"})["content"]
