"""The archive as open data: JSON, CSV, JSON Schema, Web Annotations and iCalendar, in memory.

Every file is built from the checked archive, so a download never says more
than the pages do. Offsets count Unicode code points of the stored text, from
0, end exclusive: the same unit Python, JavaScript's `Array.from` and the Web
Annotation model's TextPositionSelector use.
"""

from __future__ import annotations

import csv
import datetime
import io
import operator
import os
from dataclasses import dataclass
from pathlib import Path

import orjson

from .load import Archive
from .records import STATUS_NAMES, Evidence, Meeting

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"
FOLDER = "data"
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_NOTE = (
    "The archive's own records (meetings, people, sources' descriptions, quotes' places, outside references) "
    "are offered under CC BY 4.0. The stored source texts, and the words quoted from them, belong to their "
    "publishers: they are not licensed by the archive."
)
OFFSETS_NOTE = (
    "start and end count Unicode code points of the stored text (not bytes, not UTF-16 units), "
    "from 0; end is exclusive."
)
ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# Enough context for a reader to see where a passage stands, and to tell repeated words apart.
CONTEXT_CHARACTERS = 32
# How several values share one CSV cell.
ID_SEPARATOR = " "
TEXT_SEPARATOR = "\n"
TABLE_LABELS = {
    "meetings": "Meetings, one row each, in timeline order",
    "statements": "The statements of every meeting record, with their evidence",
    "people": "People named in the stored sources",
    "sources": "Stored sources: descriptions, files and SHA-256 digests",
    "quotes": "Every quote, with its place in the stored text",
    "references": "Outside references (not stored in the archive)",
}


@dataclass(frozen=True)
class Download:
    """One file of the data page: its address in the site, what it holds, and its bytes."""

    path: str
    label: str
    media_type: str
    content: bytes


def dataset_downloads(archive: Archive, site_url: str) -> list[Download]:
    """Every data file, in the order the data page lists them."""
    base = site_url if site_url.endswith("/") else site_url + "/"
    downloads = [
        Download(
            f"{FOLDER}/ssd-archive.json",
            "The whole archive in one file: meetings, people, sources, quotes and outside references",
            "application/json",
            _json(dataset(archive, base)),
        ),
    ]
    for name, rows in tables(archive, base).items():
        downloads.append(Download(f"{FOLDER}/csv/{name}.csv", TABLE_LABELS[name], "text/csv", _csv(rows)))
    for schema in sorted(SCHEMA_DIR.glob("*.schema.json")):
        record = schema.name.removesuffix(".schema.json")
        downloads.append(
            Download(
                f"{FOLDER}/schema/{schema.name}",
                f"JSON Schema of a {record} record, as written in data/",
                "application/schema+json",
                schema.read_bytes(),
            )
        )
    downloads.append(
        Download(
            f"{FOLDER}/annotations.jsonld",
            "Every quote as a W3C Web Annotation on its stored source",
            "application/ld+json",
            _json(annotation_collection(archive, base)),
        )
    )
    downloads.append(
        Download(
            f"{FOLDER}/meetings.ics",
            "The meetings whose day the records give, as all-day events",
            "text/calendar",
            calendar(archive, base),
        )
    )
    return downloads


# -- JSON -------------------------------------------------------------------


def dataset(archive: Archive, base: str) -> dict:
    """The whole archive as one JSON document: each record with its id, quotes with their places."""
    return {
        "title": "Strategic Stability Dialogue Archive: the data",
        "address": f"{base}{FOLDER}/",
        # The version a citation of the data names ("Version of 22 November 2026"): the data's own date.
        "version": build_time(archive).date().isoformat(),
        "licence": {"name": LICENCE, "url": LICENCE_URL, "note": LICENCE_NOTE},
        "offsets": OFFSETS_NOTE,
        "meetings": [
            {
                "id": meeting_id,
                **archive.meetings[meeting_id].model_dump(mode="json", exclude={"quotes"}),
                "quotes": [quote.id for quote in archive.meetings[meeting_id].quotes],
                "address": meeting_url(base, meeting_id),
            }
            for meeting_id in archive.timeline
        ],
        "people": [
            {"id": person_id, **person.model_dump(mode="json"), "address": f"{base}people/{person_id}/"}
            for person_id, person in archive.people.items()
        ],
        "sources": [
            {
                "id": source_id,
                **source.model_dump(mode="json"),
                **source_addresses(archive, base, source_id),
            }
            for source_id, source in archive.sources.items()
        ],
        "quotes": [quote_row(archive, base, quote_id, lists=True) for quote_id in quote_ids(archive)],
        "references": reference_rows(archive),
    }


def quote_ids(archive: Archive) -> list[str]:
    """Quotes in timeline order, then in the order their meeting record lists them."""
    return [quote.id for meeting_id in archive.timeline for quote in archive.meetings[meeting_id].quotes]


def quote_row(archive: Archive, base: str, quote_id: str, *, lists: bool) -> dict:
    quote = archive.quote(quote_id)
    located = archive.quotes[quote_id]
    source = archive.sources[located.source]
    number = located.match.paragraph.number
    return {
        "id": quote_id,
        "meeting": archive.quote_meeting[quote_id],
        "source": located.source,
        "paragraph": source.paragraphs[number - 1].id,
        "paragraph_number": number,
        "start": located.match.start,
        "end": located.match.end,
        "exact": located.match.text,
        "text": quote.text,
        "speaker": quote.speaker,
        "reported": quote.reported if lists else ("true" if quote.reported else ""),
        "voice": quote.voice,
        "party": quote.party or archive.people[quote.speaker].party,
        "sic": list(quote.sic) if lists else TEXT_SEPARATOR.join(quote.sic),
        "address": meeting_url(base, archive.quote_meeting[quote_id], quote_id),
    }


def reference_rows(archive: Archive) -> list[dict]:
    """The outside references, one row each, the same in the JSON and the CSV."""
    return [
        {"id": reference_id, **reference.model_dump(mode="json")}
        for reference_id, reference in archive.references.items()
    ]


def source_addresses(archive: Archive, base: str, source_id: str) -> dict[str, str]:
    """Where a source's stored text and its page are published."""
    return {"stored_text": base + stored_text_path(archive, source_id), "address": f"{base}sources/{source_id}/"}


def stored_text_path(archive: Archive, source_id: str) -> str:
    """Where the site serves a stored text, byte for byte (the same address pages.py gives it)."""
    return f"sources/{source_id}/{archive.sources[source_id].file}"


def meeting_url(base: str, meeting_id: str, fragment: str = "") -> str:
    return f"{base}meetings/{meeting_id}/" + (f"#{fragment}" if fragment else "")


def _json(document: dict) -> bytes:
    # The same bytes as json.dumps(document, ensure_ascii=False, indent=2) and a newline, some ten times faster:
    # the standard library indents in pure Python, and the files hold every record of the archive.
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


# -- CSV --------------------------------------------------------------------


def tables(archive: Archive, base: str) -> dict[str, list[dict]]:
    """One table per kind of record; several ids share a cell separated by spaces, several texts by line breaks."""
    return {
        "meetings": [_meeting_row(meeting_id, archive.meetings[meeting_id], base) for meeting_id in archive.timeline],
        "statements": [
            {"id": statement.id, "meeting": meeting_id, "text": statement.text, **_evidence_cells(statement)}
            for meeting_id in archive.timeline
            for statement in archive.meetings[meeting_id].statements
        ],
        "people": [
            {
                "id": person_id,
                "name": person.name,
                "party": person.party,
                "spellings": TEXT_SEPARATOR.join(dict.fromkeys(mention.text for mention in person.spellings)),
                "roles": TEXT_SEPARATOR.join(dict.fromkeys(mention.text for mention in person.roles)),
                "note": person.note,
                "address": f"{base}people/{person_id}/",
            }
            for person_id, person in archive.people.items()
        ],
        "sources": [
            {
                "id": source_id,
                **source.model_dump(mode="json", exclude={"paragraphs"}),
                "paragraphs": ID_SEPARATOR.join(paragraph.id for paragraph in source.paragraphs),
                **source_addresses(archive, base, source_id),
            }
            for source_id, source in archive.sources.items()
        ],
        "quotes": [quote_row(archive, base, quote_id, lists=False) for quote_id in quote_ids(archive)],
        "references": reference_rows(archive),
    }


def _evidence_cells(evidence: Evidence) -> dict[str, str]:
    return {"quotes": ID_SEPARATOR.join(evidence.quotes), "references": ID_SEPARATOR.join(evidence.references)}


def _meeting_row(meeting_id: str, meeting: Meeting, base: str) -> dict:
    row: dict = {
        "id": meeting_id,
        "sequence": meeting.sequence,
        "title": meeting.title,
        "short_title": meeting.short_title,
        "kind": meeting.kind,
        "status": meeting.status,
        "status_quotes": ID_SEPARATOR.join(meeting.status_evidence.quotes),
        "status_references": ID_SEPARATOR.join(meeting.status_evidence.references),
        "date_iso": meeting.date.iso.isoformat() if meeting.date.iso else None,
    }
    for field in ("date", "place", "venue", "format", "outcome"):
        fact = getattr(meeting, field)
        row[field] = fact.text
        row[f"{field}_silent"] = fact.silent
        row[f"{field}_quotes"] = ID_SEPARATOR.join(fact.quotes)
        row[f"{field}_references"] = ID_SEPARATOR.join(fact.references)
    row["heads_of_delegation"] = ID_SEPARATOR.join(
        f"{delegation.party}:{delegation.head}" for delegation in meeting.delegations if delegation.head
    )
    row["silences"] = TEXT_SEPARATOR.join(meeting.silences)
    row["address"] = meeting_url(base, meeting_id)
    return row


def _csv(rows: list[dict]) -> bytes:
    """Rows that all have the first row's fields, in its order, as CSV (a row read by field, as csv.DictWriter
    would, but without its checks of each row, which took as long as the writing at 1,000 meetings)."""
    fields = list(rows[0])
    assert all(row.keys() == rows[0].keys() for row in rows), "every row of a table has the same fields"
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(fields)
    writer.writerows(map(operator.itemgetter(*fields), rows))
    # A byte-order mark lets spreadsheet programs read the file as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


# -- Web Annotations ----------------------------------------------------------


def annotation_collection(archive: Archive, base: str) -> dict:
    """Every quote as a W3C Web Annotation on its stored source, in one AnnotationCollection."""
    address = f"{base}{FOLDER}/annotations.jsonld"
    items = [annotation(archive, base, address, quote_id) for quote_id in quote_ids(archive)]
    return {
        "@context": ANNOTATION_CONTEXT,
        "id": address,
        "type": "AnnotationCollection",
        "label": "Strategic Stability Dialogue Archive: every quote, anchored in its stored source",
        "modified": build_time(archive).isoformat().replace("+00:00", "Z"),  # the data's date, as the version
        "total": len(items),
        "first": {"id": f"{address}#page-1", "type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def annotation(archive: Archive, base: str, address: str, quote_id: str) -> dict:
    located = archive.quotes[quote_id]
    text = archive.texts[located.source].text
    prefix, suffix = text_context(text, located.match.start, located.match.end)
    meeting_id = archive.quote_meeting[quote_id]
    return {
        "id": f"{address}#{quote_id}",
        "type": "Annotation",
        "motivation": "linking",
        "body": {
            "id": meeting_url(base, meeting_id, quote_id),
            "type": "Text",
            "format": "text/html",
            "language": "en",
        },
        "target": {
            "source": {
                "id": base + stored_text_path(archive, located.source),
                "type": "Text",
                "format": "text/plain",
                "language": "en",
            },
            "selector": [
                {"type": "TextQuoteSelector", "exact": located.match.text, "prefix": prefix, "suffix": suffix},
                {"type": "TextPositionSelector", "start": located.match.start, "end": located.match.end},
            ],
        },
    }


def text_context(text: str, start: int, end: int) -> tuple[str, str]:
    """Prefix and suffix around [start, end), widened until prefix + exact + suffix occurs once in the text."""
    exact = text[start:end]
    width = CONTEXT_CHARACTERS
    while True:
        prefix, suffix = text[max(0, start - width) : start], text[end : end + width]
        if _occurrences(text, prefix + exact + suffix) == 1 or (len(prefix) == start and end + width >= len(text)):
            return prefix, suffix
        width *= 2


def _occurrences(text: str, passage: str) -> int:
    count, position = 0, text.find(passage)
    while position != -1:
        count += 1
        position = text.find(passage, position + 1)
    return count


# -- iCalendar ---------------------------------------------------------------

EVENT_STATUS = {"held": "CONFIRMED", "agreed": "TENTATIVE", "planned-not-held": "CANCELLED"}


def calendar(archive: Archive, base: str) -> bytes:
    """The meetings whose day the records give, as all-day events (the sources give no times), in iCalendar.

    Written here, to RFC 5545, rather than with a library: the file is a few fixed properties per meeting,
    and building it with one took a tenth of all the rendering at a thousand meetings. The tests read it back
    with the icalendar library.
    """
    stamp = build_time(archive).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Strategic Stability Dialogue Archive//meetings//EN",
        "CALSCALE:GREGORIAN",
        f"NAME:{_ical_text(CALENDAR_NAME)}",
        f"X-WR-CALNAME:{_ical_text(CALENDAR_NAME)}",
    ]
    for meeting_id in archive.timeline:
        meeting = archive.meetings[meeting_id]
        if meeting.date.iso is None:
            continue
        address = meeting_url(base, meeting_id)
        lines += [
            "BEGIN:VEVENT",
            f"SUMMARY:{_ical_text(meeting.title)}",
            f"DTSTART;VALUE=DATE:{meeting.date.iso:%Y%m%d}",
            f"DTEND;VALUE=DATE:{meeting.date.iso + datetime.timedelta(days=1):%Y%m%d}",
            f"DTSTAMP:{stamp}",
            # The record id is permanent, so a calendar that imported the file updates rather than duplicates.
            f"UID:{_ical_text(meeting_id)}@ssd-archive",
            f"DESCRIPTION:{_ical_text(_event_description(archive, meeting, address))}",
            *([f"LOCATION:{_ical_text(meeting.place.text)}"] if meeting.place.text else []),
            f"STATUS:{EVENT_STATUS[meeting.status]}",
            "TRANSP:TRANSPARENT",
            f"URL:{address}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return b"".join(_folded_line(line) for line in lines)


# Without a comma or a semicolon: calendar programs read NAME and X-WR-CALNAME with or without TEXT escapes.
CALENDAR_NAME = "Strategic Stability Dialogue 2021"
_ICAL_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"})


def _ical_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line break escaped (RFC 5545, 3.3.11)."""
    return value.replace("\r\n", "\n").replace("\r", "\n").translate(_ICAL_ESCAPES)


def _folded_line(line: str) -> bytes:
    """A content line in UTF-8, ended by CRLF and folded into pieces of at most 75 octets, each after the first
    begun by a space; a character is never split across two pieces (RFC 5545, 3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return encoded + b"\r\n"
    pieces, start, width = [], 0, 75
    while start < len(encoded):
        end = min(start + width, len(encoded))
        while end < len(encoded) and encoded[end] & 0xC0 == 0x80:  # inside a character: end before it
            end -= 1
        pieces.append(encoded[start:end])
        start, width = end, 74  # a continuation's space counts toward its 75
    return b"\r\n ".join(pieces) + b"\r\n"


def _event_description(archive: Archive, meeting: Meeting, address: str) -> str:
    lines = [f"{STATUS_NAMES[meeting.status]}. Date: {meeting.date.text or meeting.date.iso.isoformat()}."]
    if meeting.date.quotes:
        lines.append("The date is backed by quotes from the stored sources.")
    for reference_id in meeting.date.references:
        reference = archive.references[reference_id]
        lines.append(f"Outside report for the date (not stored in the archive): {reference.publisher}, {reference.url}")
    lines.append("No time of day is given in the records.")
    lines.append(f"Record: {address}")
    return "\n".join(lines)


def data_date(archive: Archive) -> datetime.datetime | None:
    """The data's own date: SOURCE_DATE_EPOCH when set (as MkDocs reads it), else the newest changelog entry.

    Never the clock, so that the same data gives the same files on any day; None when nothing tells.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
    if archive.changes is not None:
        newest = archive.changes.latest
        return datetime.datetime(newest.year, newest.month, newest.day, tzinfo=datetime.UTC)
    return None


def build_time(archive: Archive) -> datetime.datetime:
    """The data's date, or today at midnight UTC for an archive without a changelog."""
    today = datetime.datetime.now(tz=datetime.UTC).date()
    return data_date(archive) or datetime.datetime(today.year, today.month, today.day, tzinfo=datetime.UTC)
