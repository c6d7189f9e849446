"""Loading the real archive, and the messages an editor sees when a quote is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from archive.load import load_archive
from archive.problems import ArchiveProblems
from conftest import replace_once

BRIEF_MEETINGS = {
    "geneva-summit": "held",
    "first-plenary": "held",
    "informal-consultations": "agreed",
    "second-plenary": "held",
    "wg-principles-objectives": "agreed",
    "wg-capabilities-actions": "agreed",
    "third-plenary": "planned-not-held",
}


def test_the_real_archive_holds_the_seven_records_of_the_brief(archive):
    assert {meeting_id: m.status for meeting_id, m in archive.meetings.items()} == BRIEF_MEETINGS
    assert archive.timeline[0] == "geneva-summit"
    assert archive.timeline[-1] == "third-plenary"


def test_every_quote_of_the_real_archive_is_found_in_its_stored_source(archive):
    for meeting in archive.meetings.values():
        for quote in meeting.quotes:
            located = archive.quotes[quote.id]
            assert located.source == quote.source
            assert located.match.within_one_paragraph


def test_stored_sources_are_the_seed_files_byte_for_byte(archive):
    seeds = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("the shared seeds are not beside this checkout")
    for source in archive.sources.values():
        assert (seeds / source.file).read_bytes() == archive.files[
            next(source_id for source_id, s in archive.sources.items() if s is source)
        ]


def test_both_spellings_of_ryabkov_are_kept(archive):
    spellings = {mention.text for mention in archive.people["sergey-ryabkov"].spellings}
    assert spellings == {"Sergey Ryabkov", "Sergei Ryabkov"}


def test_the_anonymous_official_stays_anonymous(archive):
    official = archive.people["senior-state-department-official"]
    assert official.name == "A senior State Department official (not named)"


def test_a_quote_not_found_names_file_line_quote_and_closest_passage(data_copy):
    replace_once(data_copy / "meetings" / "second-plenary.yaml", "This is slow progress.", "This is a slow progress.")
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    assert raised.value.report() == (
        "The archive data has 1 problem; nothing was built.\n"
        "data/meetings/second-plenary.yaml:148:5: quotes[9].text: "
        '"This is a slow progress. But this in itself is also good.", which is not in source '
        "'afp-productive-arms-control-talks'. The closest passage there: "
        '""This is slow progress. But this in itself is also good."".\n'
        "    Expected: the words exactly as the source prints them (only white space, typographic quotes and "
        "dashes may differ).\n"
        "    How to fix: copy the words from the source page or the stored text, not from memory or another report."
    )


def test_a_quote_found_twice_must_name_its_paragraph(data_copy):
    replace_once(
        data_copy / "meetings" / "first-plenary.yaml",
        "text: The delegations also discussed the creation of strategic stability working groups.",
        "text: Ryabkov",
    )
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    [problem] = raised.value.problems
    assert problem.file == "data/meetings/first-plenary.yaml"
    assert problem.field == "quotes[12].text"
    assert problem.message == (
        "words that occur 4 times in source 'sputnik-professional-and-substantive', in paragraphs "
        "'delegations', 'readout', 'ryabkov-criteria' and 'ryabkov-perspective'."
    )
    assert problem.fix == "add `paragraph:` with the id of the one meant, or quote more words so that they occur once."
