"""Permanent addresses: every meeting, person, source, paragraph and quote, built from ids in the data."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

# meetings/first-plenary/ or sources/afp-productive-arms-control-talks/#lede
ADDRESS = re.compile(r"^(meetings|people|sources)/([a-z0-9]+(?:-[a-z0-9]+)*)/(?:#([a-z0-9]+(?:-[a-z0-9]+)*))?$")
ADDRESS_EXPECTED = (
    "an address of the archive: meetings/ID/, people/ID/ or sources/ID/, "
    "optionally followed by #ID for a quote or a paragraph, such as meetings/first-plenary/#sputnik-delegations."
)


def published_addresses(meetings: Mapping, people: Mapping, sources: Mapping) -> list[str]:
    """Every address the records give a reader, sorted; pages end in '/', anchors add '#id'."""
    addresses: list[str] = []
    for meeting_id, meeting in meetings.items():
        addresses.append(f"meetings/{meeting_id}/")
        addresses += [f"meetings/{meeting_id}/#{quote.id}" for quote in meeting.quotes]
    addresses += [f"people/{person_id}/" for person_id in people]
    for source_id, source in sources.items():
        addresses.append(f"sources/{source_id}/")
        addresses += [f"sources/{source_id}/#{paragraph.id}" for paragraph in source.paragraphs]
    return sorted(addresses)


def page_of(address: str) -> str:
    """The page part of an address: meetings/first-plenary/#x -> meetings/first-plenary/."""
    return address.partition("#")[0]


def fragment_of(address: str) -> str:
    return address.partition("#")[2]


def resolve(address: str, moves: Mapping[str, str]) -> str:
    """Where an address leads now, following renamings (old -> new; a page renamed carries its anchors along)."""
    for _ in range(len(moves) + 1):
        if address in moves:
            address = moves[address]
            continue
        page, _, fragment = address.partition("#")
        if page in moves:
            address = moves[page] + (f"#{fragment}" if fragment else "")
            continue
        break
    return address


def read_published(path: Path) -> list[tuple[int, str]]:
    """The addresses listed in data/published-addresses.txt, with their line numbers; comments and blanks skipped."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()  # a byte-order mark is not part of the first line
    listed = [(number, line.strip()) for number, line in enumerate(lines, start=1)]
    return [(number, address) for number, address in listed if address and not address.startswith("#")]


def absolute(site_url: str, address: str) -> str:
    """An address as a full URL under the site's own address (SITE_URL)."""
    return site_url.rstrip("/") + "/" + address


def main() -> None:
    """Print the addresses the records give now, one a line, to append new ones to data/published-addresses.txt."""
    import sys

    from .load import load_archive

    archive = load_archive(Path(sys.argv[1] if len(sys.argv) > 1 else "data"))
    print("\n".join(published_addresses(archive.meetings, archive.people, archive.sources)))


if __name__ == "__main__":
    main()
