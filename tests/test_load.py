"""Loading the real archive, and the messages an editor sees when a quote is wrong."""

from __future__ import annotations

import json
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
        "'\"This is slow progress. But this in itself is also good.\"'.\n"
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


# Values of every type YAML 1.1's safe loader knows, and text that looks like them, plain and quoted.
LOOKALIKES = [
    "", "~", "null", "Null", "NULL", "nil", "true", "True", "TRUE", "yes", "Yes", "no", "No", "on", "On", "off",
    "OFF", "y", "n", "0", "-1", "+1", "1_000", "0x1F", "0o17", "017", "0b101", "1:30", "190:20:30", "1.5", "-.5",
    ".5", "1e3", "6.8523015e+5", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "2021-07-28", "2021-7-28",
    "2021-07-28T12:00:00Z", "2021-07-28 12:00:00.5 +2", "<<", "=", "Geneva", "a: b", "Sherman", "Ryabkov",
    "- item", "#x", "!x", "&x", "*x", "@x", "`x", "%x", "|", ">", "'", '"', "é", "\u2028", "nope", "offline",
    "yesterday", "Truely", "1st", "0.1.0", "0xZZ", "-", ".", "+", "2021", "sic",
]  # fmt: skip


def test_values_are_read_as_the_safe_loader_reads_them():
    import yaml
    from archive.reader import compose

    lines = []
    for value in LOOKALIKES:
        lines += ["'" + value.replace("'", "''") + "'", json.dumps(value)]
        try:  # plain too, where YAML reads the value as it is written
            plain = yaml.compose(f"v: {value}\n", Loader=yaml.SafeLoader).value[0][1]
        except yaml.YAMLError:
            continue
        if isinstance(plain, yaml.ScalarNode) and plain.value == value and not plain.style:
            lines.append(value)
    text = "".join(f"v{index}: {line}\n" for index, line in enumerate(lines))
    text += "empty:\nlist: [1, a, true, '2', ~]\nnested: {a: 1.5, b: no}\n"

    def tags(node):
        if isinstance(node, yaml.ScalarNode):
            return [(node.value, node.tag)]
        children = node.value if isinstance(node, yaml.SequenceNode) else [part for pair in node.value for part in pair]
        return [(type(node).__name__, node.tag)] + [tag for child in children for tag in tags(child)]

    ours, theirs = tags(compose(text)), tags(yaml.compose(text, Loader=yaml.SafeLoader))
    assert ours == theirs
    assert len(ours) > 2 * len(LOOKALIKES)
    # Both kinds are there: text, and values of other types.
    assert {tag for _, tag in ours} >= {
        "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:merge", "tag:yaml.org,2002:value",
    }  # fmt: skip
