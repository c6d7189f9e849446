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
    # Curators may add meetings beyond the brief (docs/curators.md): the brief's seven stay, in their order.
    assert {meeting_id: archive.meetings[meeting_id].status for meeting_id in BRIEF_MEETINGS} == BRIEF_MEETINGS
    assert [meeting_id for meeting_id in archive.timeline if meeting_id in BRIEF_MEETINGS] == list(BRIEF_MEETINGS)


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
    stored = {source.file: archive.files[source_id] for source_id, source in archive.sources.items()}
    seed_files = sorted(seeds.glob("*.txt"))
    assert seed_files
    for seed in seed_files:  # every seed is stored byte for byte; curators may store more sources
        assert stored[seed.name] == seed.read_bytes()


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
        "data/meetings/second-plenary.yaml:149:5: quotes[9].text: "
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


# -- one mistake hides no other, and adds none --------------------------------


def problems_of(data: Path) -> list[str]:
    """Where each problem is and what field it names, as the report lists them."""
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data)
    return [f"{problem.file}:{problem.line} {problem.field}" for problem in raised.value.problems]


def test_a_misnamed_list_of_quotes_makes_no_quote_it_lists_look_unknown(data_copy):
    replace_once(data_copy / "meetings" / "first-plenary.yaml", "\nquotes:\n", "\nquote:\n")
    assert problems_of(data_copy) == ["data/meetings/first-plenary.yaml:82 quote"]


def test_a_slip_of_yaml_in_a_list_of_quotes_makes_no_quote_look_unknown(data_copy):
    replace_once(
        data_copy / "meetings" / "first-plenary.yaml",
        "\n  - id: sputnik-delegations\n",
        "\n    id: sputnik-delegations\n",
    )
    found = problems_of(data_copy)
    assert found and all(".quotes[" not in problem and "statements" not in problem for problem in found), found


def test_a_slip_of_yaml_in_the_paragraphs_of_a_source_is_reported_not_a_crash(data_copy):
    path = data_copy / "sources" / "sputnik-professional-and-substantive.yaml"
    replace_once(path, "\n  - id: haq-quote\n", "\n    id: haq-quote\n")
    assert problems_of(data_copy) == [
        "data/sources/sputnik-professional-and-substantive.yaml:14 paragraphs",
        "data/sources/sputnik-professional-and-substantive.yaml:37 paragraphs[10].id",
        "data/sources/sputnik-professional-and-substantive.yaml:38 paragraphs[10].begins",
    ]


def test_a_bad_field_of_a_quote_hides_no_mistake_in_its_words(data_copy):
    path = data_copy / "meetings" / "second-plenary.yaml"
    replace_once(path, "This is slow progress.", "This is slow progres.")
    text = path.read_text(encoding="utf-8")
    quote = text.index("  - id: afp-slow-progress")
    path.write_text(text[:quote] + text[quote:].replace("speaker: sergey-ryabkov", "speaker: Sergey Ryabkov", 1))
    assert problems_of(data_copy) == [
        "data/meetings/second-plenary.yaml:149 quotes[9].text",
        "data/meetings/second-plenary.yaml:150 quotes[9].speaker",
    ]


def test_a_bad_paragraph_entry_of_a_source_hides_no_misquote_from_it(data_copy):
    replace_once(data_copy / "sources" / "afp-productive-arms-control-talks.yaml", "    begins:", "    begin:")
    replace_once(data_copy / "meetings" / "first-plenary.yaml", "at Russia's UN mission", "at Russias UN mission")
    assert problems_of(data_copy) == [
        "data/meetings/first-plenary.yaml:181 quotes[13].text",
        "data/sources/afp-productive-arms-control-talks.yaml:15 paragraphs[0].begins",
        "data/sources/afp-productive-arms-control-talks.yaml:16 paragraphs[0].begin",
    ]


def test_a_quote_listed_twice_as_evidence_is_a_problem(data_copy):
    replace_once(
        data_copy / "meetings" / "first-plenary.yaml",
        "quotes: [sputnik-next-steps, sputnik-working-groups-discussed]",
        "quotes: [sputnik-next-steps, sputnik-next-steps]",
    )
    assert problems_of(data_copy) == ["data/meetings/first-plenary.yaml:41 outcome.quotes[1]"]


@pytest.mark.parametrize(
    ("text", "iso", "agrees"),
    [
        ("Thursday 30 September 2021", "2021-09-30", True),
        ("thursday, 30 september 2021", "2021-09-30", True),
        ("Thu. 30 September 2021", "2021-09-30", True),
        ("01 June 2021", "2021-06-01", True),
        ("the night of 15 to 16 June 2021", "2021-06-15", True),
        ("15–16 June 2021", "2021-06-16", True),
        ("30 September 2021 (announced on 28 September 2021)", "2021-09-30", True),
        ("30 September 2021, postponed from Monday", "2021-09-30", True),
        ("Wednesday 30 September 2021", "2021-09-30", False),
        ("Wed 30 September 2021", "2021-09-30", False),
        ("1 June 2021", "2021-06-11", False),
        ("11 June 2021", "2021-06-01", False),
        ("31 September 2021", "2021-09-30", False),
        ("Late in the summer", "2021-08-30", False),
        ("30 September 2022", "2021-09-30", False),
    ],
)
def test_a_dates_text_names_the_day_of_its_iso(text, iso, agrees):
    from archive.records import DateFact
    from pydantic import ValidationError

    try:
        DateFact(text=text, iso=iso, quotes=("a-quote",))
    except ValidationError:
        assert not agrees
    else:
        assert agrees


def test_the_same_text_stored_twice_is_a_problem_of_the_newer_record(data_copy):
    sources = data_copy / "sources"
    (sources / "sputnik-copy.txt").write_bytes((sources / "000_bdd13f7e3e6110b0.txt").read_bytes())
    record = (sources / "sputnik-professional-and-substantive.yaml").read_text(encoding="utf-8")
    (sources / "sputnik-copy.yaml").write_text(
        record.replace("file: 000_bdd13f7e3e6110b0.txt", "file: sputnik-copy.txt"), encoding="utf-8"
    )
    changes = data_copy / "changes.yaml"
    entry = "changes:\n  - date: 2026-11-22\n    summary: A copy.\n    records: [sputnik-copy]\n"
    replace_once(changes, "changes:\n", entry)
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    # The copy sorts before the original, and is named later in the changelog: the problem is the copy's.
    assert [str(problem) for problem in raised.value.problems] == [
        "data/sources/sputnik-copy.yaml:9:1: file: 'sputnik-copy.txt', which has the same bytes as "
        "'000_bdd13f7e3e6110b0.txt', the stored text of source 'sputnik-professional-and-substantive'.\n"
        "    Expected: each text stored once, under one source record.\n"
        "    How to fix: quote source 'sputnik-professional-and-substantive' instead, and take this record and its "
        "copy of the text out of data/."
    ]


def test_reported_without_a_speaker_is_a_problem(data_copy):
    replace_once(
        data_copy / "meetings" / "geneva-summit.yaml",
        "    voice: Sputnik report\n",
        "    voice: Sputnik report\n    reported: true\n",
    )
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    [problem] = raised.value.problems
    assert (problem.file, problem.message) == (
        "data/meetings/geneva-summit.yaml",
        "reported: true without a speaker.",
    )
    assert problem.fix.startswith("name the person under speaker:")


def test_a_quote_from_a_paragraph_not_part_of_the_report_backs_nothing(data_copy):
    meeting = data_copy / "meetings" / "second-plenary.yaml"
    replace_once(meeting, "quotes: [afp-entire-range, afp-differences, afp-slow-progress]", "quotes: [afp-promo]")
    text = meeting.read_text(encoding="utf-8")
    text += "  - id: afp-promo\n    source: afp-productive-arms-control-talks\n"
    text += "    text: get the latest breaking news delivered to you\n    voice: AFP report\n    party: press\n"
    meeting.write_text(text, encoding="utf-8")
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    messages = [problem.message for problem in raised.value.problems if problem.field.endswith("].text")]
    assert messages == [
        "words from paragraph 21 ('newspaper-promotion') of source 'afp-productive-arms-control-talks', which its "
        "record marks as not part of the report."
    ]


def test_what_a_source_record_says_the_text_prints_must_be_printed_there(data_copy):
    record = data_copy / "sources" / "sputnik-professional-and-substantive.yaml"
    replace_once(record, "\ndateline: MOSCOW\n", "\ndateline: GENEVA\n")
    replace_once(record, "\ndate_as_printed: 29th July, 2021\n", "\ndate_as_printed: 30th July, 2021\n")
    replace_once(record, "\ndate: 2021-07-29\n", "\ndate: 2021-07-30\n")
    replace_once(record, "Russia, US Hold Promising", "Russia, US Hold Hopeful")
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    found = [(problem.field, problem.message) for problem in raised.value.problems]
    assert found == [
        (
            "title",
            f"'{chr(39)}Professional And Substantive{chr(39)}: Russia, US Hold Hopeful Strategic Stability "
            "Talks', which the stored text '000_bdd13f7e3e6110b0.txt' does not print.",
        ),
        ("dateline", "'GENEVA', which the stored text '000_bdd13f7e3e6110b0.txt' does not print."),
        ("date_as_printed", "'30th July, 2021', which the stored text '000_bdd13f7e3e6110b0.txt' does not print."),
    ]


@pytest.mark.parametrize(
    ("printed", "date", "message"),
    [
        ("29th July, 2021", "2021-07-30", "2021-07-30, while date_as_printed is '29th July, 2021'."),
        ("July 29", "2021-07-30", "2021-07-30, while date_as_printed is 'July 29'."),
        ("29th July, 2021", "2020-07-29", "2020-07-29, while date_as_printed is '29th July, 2021'."),
        (None, "2021-07-29", "2021-07-29, without date_as_printed."),
    ],
)
def test_a_source_date_must_be_the_day_it_prints(data_copy, printed, date, message):
    record = data_copy / "sources" / "sputnik-professional-and-substantive.yaml"
    replace_once(record, "\ndate_as_printed: 29th July, 2021\n", f"\ndate_as_printed: {printed}\n" if printed else "\n")
    replace_once(record, "\ndate: 2021-07-29\n", f"\ndate: {date}\n")
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    date_problems = [problem for problem in raised.value.problems if problem.field == "date"]
    assert [problem.message for problem in date_problems] == [message]
    assert date_problems[0].line == 8 - (printed is None)  # the line of date:, not the record's first line


def test_a_dates_day_must_be_a_day_its_quotes_name(data_copy):
    meeting = data_copy / "meetings" / "second-plenary.yaml"
    replace_once(meeting, "text: Thursday 30 September 2021", "text: Friday 1 October 2021")
    replace_once(meeting, "iso: 2021-09-30", "iso: 2021-10-01")
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    assert [(problem.field, problem.message) for problem in raised.value.problems] == [
        ("date.iso", "2021-10-01, while the quotes given for the date name 'Sept 30', 'Sept 30, 2021', not that day.")
    ]


def test_a_text_stored_twice_by_a_record_the_changelog_does_not_name_yet_is_that_records_problem(data_copy):
    """The new record sorts first and is not in the changelog yet: the published source is not the one blamed."""
    sources = data_copy / "sources"
    (sources / "zz-copy.txt").write_bytes((sources / "002_fbcdd8b57675e584.txt").read_bytes())
    record = (sources / "afp-productive-arms-control-talks.yaml").read_text(encoding="utf-8")
    (sources / "aaa-copy.yaml").write_text(record.replace("file: 002_fbcdd8b57675e584.txt", "file: zz-copy.txt"))
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    stored_twice = [problem.file for problem in raised.value.problems if "same bytes" in problem.message]
    assert stored_twice == ["data/sources/aaa-copy.yaml"]


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("on Thursday (Sept 30) which", [(9, 30, None)]),
        ("29th July, 2021", [(7, 29, 2021)]),
        ("pictured on Sept 29-30, 2021.", [(9, 29, 2021), (9, 30, 2021)]),
        ("held on 28–29 July 2021", [(7, 28, 2021), (7, 29, 2021)]),
        ("from 15 to 16 June", [(6, 15, None), (6, 16, None)]),
        ("on 27 and 28 July", [(7, 27, None), (7, 28, None)]),
        ("in May 2021, a junk 5 and 30/09/2021", []),
    ],
)
def test_the_days_a_text_names_by_month_and_number_both_ends_of_a_span(text, days):
    from archive.records import named_days

    assert [(month, day, year) for _, month, day, year in named_days(text)] == days


def test_reported_takes_true_or_false_not_text(data_copy):
    replace_once(data_copy / "meetings" / "first-plenary.yaml", "    reported: true\n", '    reported: "true"\n')
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    [problem] = raised.value.problems
    assert (problem.field.endswith(".reported"), problem.message, problem.expected) == (
        True,
        "'true' where true or false belongs.",
        "true or false.",
    )
