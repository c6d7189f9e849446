"""The data page and its downloads, read back from the built site with real parsers."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import json
from pathlib import Path

import icalendar
import pytest
from archive.exports import ANNOTATION_CONTEXT, calendar, text_context
from archive.load import load_archive
from archive.pages import render_site
from conftest import DATA, ROOT, build_site
from pyld import jsonld
from pyld.documentloader.frozen import FrozenDocumentLoader
from test_site import page

OA = "http://www.w3.org/ns/oa#"
AS = "http://www.w3.org/ns/activitystreams#"
# The terms of the W3C anno.jsonld context that the annotations use, written from the Web Annotation
# Vocabulary: the loader serves only this, so no context is ever fetched from the network.
OFFLINE = FrozenDocumentLoader(documents={ANNOTATION_CONTEXT: Path(__file__).parent / "contexts" / "anno.jsonld"})
TABLES = ("meetings", "statements", "people", "sources", "quotes", "references")
# The meetings whose day the brief's sources give, in timeline order; curators may add more.
BRIEF_DATED = ["geneva-summit", "first-plenary", "second-plenary"]


def download(site: Path, path: str) -> bytes:
    return (site / path).read_bytes()


def stored_text(site: Path, address: str, base: str) -> str:
    """A stored source as a reader gets it from the site: the served bytes, decoded from UTF-8."""
    assert address.startswith(base), address
    return download(site, address.removeprefix(base)).decode("utf-8")


@pytest.fixture(scope="module")
def dataset(site):
    return json.loads(download(site, "data/ssd-archive.json"))


@pytest.fixture(scope="module")
def base(dataset):
    return dataset["address"].removesuffix("data/")


def test_the_data_page_links_every_download_and_states_licence_and_offsets(site):
    soup = page(site, "data/")
    links = {a.get_text(): a["href"] for a in soup.select("article table a[download]")}
    schemas = sorted(path.name for path in (ROOT / "schema").glob("*.schema.json"))
    expected = ["ssd-archive.json", *(f"{name}.csv" for name in TABLES), *schemas, "annotations.jsonld"]
    assert list(links) == [*expected, "meetings.ics"]
    for href in links.values():
        assert (site / "data" / href).is_file(), href
    text = " ".join(soup.article.get_text(" ").split())
    assert "CC BY 4.0" in text
    assert "The stored source texts are not the archive's." in text
    assert "The archive grants no licence for them" in text
    assert "start and end count Unicode code points of the stored text" in text
    assert "[data set]" in soup.select_one("blockquote.ssd-dataset-citation").get_text()


def test_the_json_holds_every_record_and_every_quote_in_place(site, archive, dataset, base):
    assert [m["id"] for m in dataset["meetings"]] == list(archive.timeline)
    assert {p["id"] for p in dataset["people"]} == set(archive.people)
    assert {s["id"] for s in dataset["sources"]} == set(archive.sources)
    assert {r["id"] for r in dataset["references"]} == set(archive.references)
    assert {q["id"] for q in dataset["quotes"]} == set(archive.quotes)
    assert dataset["licence"]["name"] == "CC BY 4.0"
    texts = {s["id"]: stored_text(site, s["stored_text"], base) for s in dataset["sources"]}
    for quote in dataset["quotes"]:
        assert texts[quote["source"]][quote["start"] : quote["end"]] == quote["exact"], quote["id"]
    second = next(m for m in dataset["meetings"] if m["id"] == "second-plenary")
    assert second["date"]["iso"] == "2021-09-30"
    assert second["quotes"] == [quote.id for quote in archive.meetings["second-plenary"].quotes]


def test_each_csv_table_reads_back_with_one_row_per_record(site, archive, dataset, base):
    rows = {}
    for name in TABLES:
        raw = download(site, f"data/csv/{name}.csv")
        assert raw.startswith(b"\xef\xbb\xbf"), "a byte-order mark, for spreadsheet programs"
        rows[name] = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [row["id"] for row in rows["meetings"]] == list(archive.timeline)
    assert len(rows["statements"]) == sum(len(m.statements) for m in archive.meetings.values())
    assert len(rows["people"]) == len(archive.people)
    assert len(rows["sources"]) == len(archive.sources)
    assert len(rows["references"]) == len(archive.references)
    assert len(rows["quotes"]) == len(archive.quotes)
    texts = {row["id"]: stored_text(site, row["stored_text"], base) for row in rows["sources"]}
    for row in rows["quotes"]:
        assert texts[row["source"]][int(row["start"]) : int(row["end"])] == row["exact"], row["id"]
    sergey = next(row for row in rows["people"] if row["id"] == "sergey-ryabkov")
    assert sergey["spellings"].split("\n") == ["Sergey Ryabkov", "Sergei Ryabkov"]
    first = next(row for row in rows["meetings"] if row["id"] == "first-plenary")
    assert first["date_iso"] == "2021-07-28"
    assert first["date_references"] == "tass-2021-09-30"
    assert first["heads_of_delegation"] == "united-states:wendy-sherman russia:sergey-ryabkov"


def test_the_json_schema_of_the_records_is_published_unchanged(site):
    schemas = sorted((ROOT / "schema").glob("*.schema.json"))
    if not schemas:
        pytest.skip("schema/ holds no *.schema.json yet")
    for schema in schemas:
        published = download(site, f"data/schema/{schema.name}")
        assert published == schema.read_bytes()
        assert json.loads(published)["type"] == "object"


def annotations(site: Path) -> tuple[dict, list[dict]]:
    """The collection as published, and its annotations expanded by a JSON-LD processor, offline."""
    collection = json.loads(download(site, "data/annotations.jsonld"))
    assert collection["@context"] == ANNOTATION_CONTEXT
    [expanded] = jsonld.expand(collection, {"documentLoader": OFFLINE})
    assert expanded["@type"] == [AS + "OrderedCollection"]
    [first] = expanded[AS + "first"]
    assert first["@type"] == [AS + "OrderedCollectionPage"]
    [items] = first[AS + "items"]
    return collection, items["@list"]


def value(node: dict, term: str):
    [item] = node[OA + term]
    return item["@value"]


def test_every_annotation_re_finds_its_quote_from_its_selectors_alone(site, archive):
    collection, items = annotations(site)
    base = collection["id"].removesuffix("data/annotations.jsonld")
    assert collection["total"] == len(items) == len(archive.quotes)
    found = set()
    for item in items:
        assert item["@type"] == [OA + "Annotation"]
        assert item[OA + "motivatedBy"] == [{"@id": OA + "linking"}]
        [target] = item[OA + "hasTarget"]
        [source] = target[OA + "hasSource"]
        text = stored_text(site, source["@id"], base)
        selectors = {selector["@type"][0].removeprefix(OA): selector for selector in target[OA + "hasSelector"]}
        assert set(selectors) == {"TextQuoteSelector", "TextPositionSelector"}
        quote, position = selectors["TextQuoteSelector"], selectors["TextPositionSelector"]
        exact, prefix, suffix = value(quote, "exact"), value(quote, "prefix"), value(quote, "suffix")
        start, end = value(position, "start"), value(position, "end")
        assert text[start:end] == exact
        passage = prefix + exact + suffix
        assert text.count(passage) == 1, f"{item['@id']}: the quote selector matches more than once"
        assert text.index(passage) + len(prefix) == start
        [body] = item[OA + "hasBody"]
        quote_id = body["@id"].rsplit("#", 1)[1]
        assert archive.quotes[quote_id].source in source["@id"]
        assert (archive.quotes[quote_id].match.start, archive.quotes[quote_id].match.end) == (start, end)
        found.add(quote_id)
    assert found == set(archive.quotes)


def test_no_context_but_the_local_one_can_be_loaded():
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand({"@context": "http://example.org/other.jsonld", "a": 1}, {"documentLoader": OFFLINE})


def test_a_repeated_passage_gets_a_prefix_and_suffix_that_tell_it_apart():
    filler = "x" * 100
    text = f"{filler} Alpha said yes. {filler} Beta said yes. {filler} Alpha said yes. {filler}"
    start = text.index("said yes", text.index("Beta"))
    prefix, suffix = text_context(text, start, start + len("said yes"))
    assert text.count(prefix + "said yes" + suffix) == 1
    assert prefix.endswith("Beta ")


def test_the_calendar_has_an_all_day_event_for_each_dated_meeting(site, archive):
    calendar = icalendar.Calendar.from_ical(download(site, "data/meetings.ics"))
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    dated = [meeting_id for meeting_id in archive.timeline if archive.meetings[meeting_id].date.iso]
    assert list(events) == [f"{meeting_id}@ssd-archive" for meeting_id in dated]
    assert [meeting_id for meeting_id in dated if meeting_id in BRIEF_DATED] == BRIEF_DATED
    for meeting_id in dated:
        meeting, event = archive.meetings[meeting_id], events[f"{meeting_id}@ssd-archive"]
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert type(start) is datetime.date, "an all-day event: the records give no time"
        assert (start, end) == (meeting.date.iso, meeting.date.iso + datetime.timedelta(days=1))
        assert str(event["summary"]) == meeting.title
        assert str(event["status"]) == "CONFIRMED"
        assert str(event["url"]).endswith(f"meetings/{meeting_id}/")
    assert "tass.com/politics/1344519" in str(events["first-plenary@ssd-archive"]["description"])


def test_the_calendar_is_written_to_rfc_5545_whatever_the_text(archive):
    # Escaped characters, text outside ASCII and lines longer than 75 octets, read back by the icalendar library.
    first = archive.timeline[0]
    meeting = archive.meetings[first]
    title = "Talks; “Geneva”, part 1 \\ Genève — " + "Женева " * 12
    place = meeting.place.model_copy(update={"text": "Genève,\r\nPalais; des\rNations"})
    changed = dataclasses.replace(
        archive, meetings={**archive.meetings, first: meeting.model_copy(update={"title": title, "place": place})}
    )
    written = calendar(changed, "https://example.org/ssd/")
    lines = written.split(b"\r\n")
    # Every line ended by CRLF, and no other line break, in the values either.
    assert (
        lines[-1] == b"" and b"\n" not in written.replace(b"\r\n", b"") and b"\r" not in written.replace(b"\r\n", b"")
    )
    assert max(len(line) for line in lines) <= 75
    assert any(len(line) == 75 for line in lines)
    for line in lines:
        line.decode("utf-8")  # no character split between two lines
    parsed = icalendar.Calendar.from_ical(written)
    event = next(event for event in parsed.walk("VEVENT") if str(event["uid"]) == f"{first}@ssd-archive")
    assert str(event["summary"]) == title
    assert str(event["location"]) == "Genève,\nPalais; des\nNations"
    assert str(event["description"]).splitlines()[-1] == f"Record: https://example.org/ssd/meetings/{first}/"
    assert (
        b"\r\nNAME:Strategic Stability Dialogue 2021\r\nX-WR-CALNAME:Strategic Stability Dialogue 2021\r\n" in written
    )
    assert str(parsed["prodid"]) == "-//Strategic Stability Dialogue Archive//meetings//EN"
    assert len(parsed.walk("VEVENT")) == sum(1 for m in archive.meetings.values() if m.date.iso)


def test_the_site_address_set_at_build_time_names_every_data_file(tmp_path):
    result = build_site(tmp_path / "site", SITE_URL="https://example.org/ssd/")
    assert result.returncode == 0, result.stderr
    built = tmp_path / "site"
    collection = json.loads(download(built, "data/annotations.jsonld"))
    assert collection["id"] == "https://example.org/ssd/data/annotations.jsonld"
    target = collection["first"]["items"][0]["target"]["source"]["id"]
    assert target.startswith("https://example.org/ssd/sources/")
    assert json.loads(download(built, "data/ssd-archive.json"))["address"] == "https://example.org/ssd/data/"
    calendar = icalendar.Calendar.from_ical(download(built, "data/meetings.ics"))
    dated = [meeting_id for meeting_id, meeting in load_archive(DATA).meetings.items() if meeting.date.iso]
    assert {str(event["url"]) for event in calendar.walk("VEVENT")} == {
        f"https://example.org/ssd/meetings/{meeting_id}/" for meeting_id in dated
    }


def test_the_data_files_are_dated_by_the_changelog_not_by_the_clock(data_copy, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    changelog = data_copy / "changes.yaml"
    changelog.write_text(changelog.read_text(encoding="utf-8").replace("date: 2026-11-22", "date: 2025-01-02"), "utf-8")
    archive = load_archive(data_copy)
    site = render_site(archive)
    event = icalendar.Calendar.from_ical(site.downloads["data/meetings.ics"]).walk("VEVENT")[0]
    assert event["DTSTAMP"].dt == datetime.datetime(2025, 1, 2, tzinfo=datetime.UTC)
    assert "Version of 2 January 2025." in site.fragments["data-citation"]
    # A researcher holding only a file can tell which version it is: the one the citation names.
    assert json.loads(site.downloads["data/ssd-archive.json"])["version"] == "2025-01-02"
    assert json.loads(site.downloads["data/annotations.jsonld"])["modified"] == "2025-01-02T00:00:00Z"
