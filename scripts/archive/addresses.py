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


def main(argv: list[str] | None = None) -> int:
    """`python -m archive.addresses [--data DATA] [--new]`: the addresses the records give now, one a line."""
    import argparse
    import sys

    from .load import load_archive
    from .problems import ArchiveProblems

    parser = argparse.ArgumentParser(
        prog="python -m archive.addresses",
        description="Print the addresses the records give now, one a line, to append the new ones to "
        "data/published-addresses.txt.",
    )
    parser.add_argument("--data", type=Path, default=Path("data"), help="the data folder (default: data)")
    parser.add_argument("--new", action="store_true", help="only the addresses the published list lacks")
    arguments = parser.parse_args(argv)
    try:
        archive = load_archive(arguments.data)
    except ArchiveProblems as problems:
        print(problems.report("no address was listed"), file=sys.stderr)
        return 1
    addresses = published_addresses(archive.meetings, archive.people, archive.sources)
    if arguments.new:
        listed = {address for _, address in read_published(arguments.data / "published-addresses.txt")}
        addresses = [address for address in addresses if address not in listed]
    if addresses:
        print("\n".join(addresses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
