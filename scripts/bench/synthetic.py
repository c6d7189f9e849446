"""Synthetic archives of any size in the real schema, for the benchmark.

Everything is drawn from one seeded random generator, so the same size always
gives the same files. The records are plainly synthetic ("Synthetic meeting
0042", invented names and words): they exist to be measured, never published.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import hashlib
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from archive.passages import normalise

ROOT = Path(__file__).resolve().parent.parent.parent
# What a synthetic project folder borrows from the real one, besides its own data/.
PROJECT_FILES = ("mkdocs.yml",)
PROJECT_FOLDERS = ("docs", "overrides")

QUOTES_PER_MEETING = 10
STATEMENTS_PER_MEETING = 5
WORDS_PER_SOURCE = (2000, 4000)
WORDS_PER_PARAGRAPH = (40, 120)

FIRST_NAMES = (  # noqa: SIM905 -- word lists read best as prose
    "Anna Boris Clara Dmitri Elena Frank Galina Henry Irina James Karen Leonid Maria Nikolai Olga Peter "
    "Rachel Sergei Tamara Victor Wanda Yuri Zoe Arthur Beatrice Conrad"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Abbott Belov Carver Dunin Ellery Fomin Garner Hollis Ivanko Jessup Kasatkin Lowell Markov Norcross "
    "Orlov Pellham Quill Rostov Sutter Tarasov Upton Volkov Whitlock Yashin Zorin"
).split()
VOCABULARY = (  # noqa: SIM905
    "the delegation said that talks on strategic stability would continue in Geneva and both sides agreed "
    "to consider new proposals for arms control verification of nuclear forces missile defence space "
    "capabilities cyber risks transparency measures confidence building a further round of consultations "
    "was expected next month officials described the meeting as useful frank substantive and businesslike "
    "while noting serious differences over the scope of any future treaty including non-strategic weapons "
    "hypersonic systems and the modernisation of existing arsenals the working group reviewed data "
    "exchanges notifications inspections and limits on launchers warheads and delivery vehicles diplomats "
    "stressed that dialogue reduced the risk of miscalculation in a period of tension among the powers"
).split()
PARTIES = ("united-states", "russia")
ROLES = {
    "united-states": ("Deputy Secretary of State", "Assistant Secretary for Arms Control", "US negotiator"),
    "russia": ("Deputy Foreign Minister", "Director of the Arms Control Department", "Russian negotiator"),
}
KINDS = ("plenary", "working-group", "working-group", "consultations")


@dataclass
class SyntheticPerson:
    person_id: str
    name: str
    party: str
    role: str
    mentions: list[tuple[str, str]] = field(default_factory=list)  # (source id, paragraph id)


@dataclass
class SyntheticSource:
    source_id: str
    paragraphs: list[tuple[str, str]]  # (paragraph id, text)
    people: list[SyntheticPerson]

    @property
    def text(self) -> str:
        return "\n\n".join(text for _, text in self.paragraphs) + "\n"

    @functools.cached_property
    def folded(self) -> str:
        return normalise(self.text)


def generate(target: Path, meetings: int, seed: int = 7) -> Path:
    """Write a project folder with `meetings` synthetic meetings into target; return target."""
    chance = random.Random(f"{seed}-{meetings}")
    data = target / "data"
    if target.exists():
        shutil.rmtree(target)
    for folder in ("meetings", "people", "sources", "references"):
        (data / folder).mkdir(parents=True)
    copy_project(target)

    people = _people(chance, max(3, meetings // 5))
    references = [f"reference-{number:04d}" for number in range(1, max(5, meetings // 10) + 1)]
    for number, reference_id in enumerate(references, start=1):
        _write(
            data / "references" / f"{reference_id}.yaml",
            "reference",
            {
                "publisher": f"Synthetic Gazette {number % 7 + 1}",
                "title": f"Synthetic outside report {number}",
                "date": datetime.date(2021, number % 12 + 1, number % 28 + 1),
                "url": f"https://example.org/synthetic/{reference_id}",
            },
        )
    # One source per meeting; each meeting quotes its own source and the one before, as reports overlap.
    sources = [_source(chance, number, people) for number in range(1, meetings + 1)]
    for source in sources:
        _write_source(data / "sources", source)
    published: list[str] = []  # every address, as if all were published: the check reads them all
    for index in range(meetings):
        own = sources[index]
        quoted = [own] if index == 0 else [own, sources[index - 1]]
        record = _meeting(chance, index, meetings, quoted, references)
        _write(data / "meetings" / f"meeting-{index + 1:04d}.yaml", "meeting", record)
        page = f"meetings/meeting-{index + 1:04d}/"
        published += [page, *(f"{page}#{quote['id']}" for quote in record["quotes"])]
    for person in people:
        _write(data / "people" / f"{person.person_id}.yaml", "person", _person_record(person))
    meeting_ids = [f"meeting-{number:04d}" for number in range(1, meetings + 1)]
    # The first meeting is a summit that launches the dialogue, as in the real archive: not one of its parts.
    _write_plain(data / "dialogue.yaml", {"title": "Synthetic dialogue", "parts": meeting_ids[1:]})
    every_record = [
        *meeting_ids,
        *(person.person_id for person in people),
        *(source.source_id for source in sources),
        *references,
        "dialogue",
    ]
    first = {"date": datetime.date(2026, 1, 1), "summary": "Synthetic records, generated.", "records": every_record}
    _write_plain(data / "changes.yaml", {"changes": [first]})
    published += [f"people/{person.person_id}/" for person in people]
    for source in sources:
        published += [
            f"sources/{source.source_id}/",
            *(f"sources/{source.source_id}/#{pid}" for pid, _ in source.paragraphs),
        ]
    (data / "published-addresses.txt").write_text("".join(f"{address}\n" for address in published), encoding="utf-8")
    return target


def copy_project(target: Path) -> None:
    """The configuration, hand-written pages and theme overrides of the real site, and its code by a link."""
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, target / name)
    for name in PROJECT_FOLDERS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, target / name)
    # The real hook and archive package, so the synthetic site is built exactly as the real one.
    (target / "scripts").symlink_to(ROOT / "scripts", target_is_directory=True)


def _people(chance: random.Random, count: int) -> list[SyntheticPerson]:
    people: list[SyntheticPerson] = []
    names: set[str] = set()
    while len(people) < count:
        name = f"{chance.choice(FIRST_NAMES)} {chance.choice(LAST_NAMES)}"
        if name in names:
            name = f"{name} {chance.choice(LAST_NAMES)}"
            if name in names:
                continue
        names.add(name)
        party = PARTIES[len(people) % 2]
        people.append(SyntheticPerson(f"person-{len(people) + 1:04d}", name, party, chance.choice(ROLES[party])))
    return people


def _sentence(chance: random.Random, words: int) -> str:
    text = " ".join(chance.choice(VOCABULARY) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _source(chance: random.Random, number: int, people: list[SyntheticPerson]) -> SyntheticSource:
    # Speakers in rotation, so that every person is named somewhere and both sides speak in each source.
    speakers = [people[(3 * number + offset) % len(people)] for offset in range(3)]
    paragraphs: list[tuple[str, str]] = [("headline", f"Synthetic report {number} on the talks")]
    total = chance.randint(*WORDS_PER_SOURCE)
    written = 0
    while written < total:
        length = chance.randint(*WORDS_PER_PARAGRAPH)
        sentences: list[str] = []
        while sum(len(sentence.split()) for sentence in sentences) < length:
            sentences.append(_sentence(chance, chance.randint(8, 20)))
        if len(paragraphs) % 4 == 1:
            # Some paragraphs name a person with their role, and use typographic quotes, as wire reports do.
            person = speakers[len(paragraphs) % 3]
            sentences.insert(0, f"{person.name}, {person.role}, told reporters: \u201c{sentences.pop(0)}\u201d")
        if len(paragraphs) == 1:  # the lede opens with the dateline and the agency, which the record names
            sentences.insert(0, f"{_dateline(number)} ({_agency(number)}) -")
        text = " ".join(sentences)
        # Stored texts wrap their lines, as the real ones do.
        words = text.split(" ")
        lines = [" ".join(words[start : start + 12]) for start in range(0, len(words), 12)]
        paragraphs.append((f"p{len(paragraphs):03d}", "\n".join(lines)))
        written += len(words)
    return SyntheticSource(f"source-{number:04d}", paragraphs, speakers)


def _agency(number: int) -> str:
    return ("AFP", "Reuters", "TASS", "Sputnik")[number % 4]


def _dateline(number: int) -> str:
    return ("GENEVA", "MOSCOW", "WASHINGTON")[number % 3]


def _write_source(folder: Path, source: SyntheticSource) -> None:
    raw = source.text.encode("utf-8")
    file = f"{source.source_id}.txt"
    (folder / file).write_bytes(raw)
    number = int(source.source_id.split("-")[1])
    _write(
        folder / f"{source.source_id}.yaml",
        "source",
        {
            "title": f"Synthetic report {number} on the talks",
            "agency": _agency(number),
            "publisher": f"Synthetic Times {number % 5 + 1}",
            "dateline": _dateline(number),
            "date_as_printed": None,
            "date": None,
            "file": file,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "paragraphs": [
                {"id": paragraph_id, "begins": " ".join(text.split()[:4])} for paragraph_id, text in source.paragraphs
            ],
        },
    )
    for person in source.people:
        for paragraph_id, text in source.paragraphs:
            if person.name in text:
                person.mentions.append((source.source_id, paragraph_id))
                break


def _quotes(chance: random.Random, meeting_number: int, sources: list[SyntheticSource]) -> list[dict]:
    quotes: list[dict] = []
    while len(quotes) < QUOTES_PER_MEETING:
        source = sources[len(quotes) % len(sources)]
        paragraph_id, text = chance.choice(source.paragraphs[1:])
        words = text.split()
        length = chance.randint(10, 30)
        if len(words) <= length:
            continue
        first = chance.randrange(0, len(words) - length)
        # Quotes are written on one line with plain quotation marks; matching folds both back.
        passage = " ".join(words[first : first + length]).replace("\u201c", '"').replace("\u201d", '"')
        quote = {"id": f"meeting-{meeting_number:04d}-quote-{len(quotes) + 1:02d}", "source": source.source_id}
        if source.folded.count(normalise(passage)) > 1:
            quote["paragraph"] = paragraph_id  # as an editor must when the words occur more than once
        quote["text"] = passage
        if len(quotes) % 3 == 0:
            quote["speaker"] = source.people[len(quotes) % 3].person_id
        else:
            quote["voice"] = "Synthetic wire report"
            quote["party"] = "press"
        quotes.append(quote)
    return quotes


def _meeting(
    chance: random.Random, index: int, count: int, sources: list[SyntheticSource], references: list[str]
) -> dict:
    number = index + 1
    quotes = _quotes(chance, number, sources)
    ids = [quote["id"] for quote in quotes]
    heads = {person.party: person for person in sources[0].people}
    kind = "summit" if index == 0 else KINDS[index % len(KINDS)]
    day = datetime.date(2021, index % 12 + 1, index % 28 + 1)
    statements = [
        {
            "id": f"meeting-{number:04d}-statement-{position + 1}",
            "text": f"Synthetic statement {position + 1} about meeting {number}, backed by two quotes.",
            "quotes": ids[2 * position : 2 * position + 2],
        }
        for position in range(STATEMENTS_PER_MEETING)
    ]
    statements[-1]["references"] = [references[index % len(references)]]
    return {
        "title": f"Synthetic meeting {number:04d} of the dialogue",
        "short_title": f"Meeting {number:04d}",
        "kind": kind,
        "status": "planned-not-held" if number == count else "held",
        "sequence": number,
        "status_evidence": {"quotes": ids[:1]},
        "date": {
            "text": f"{day.day} {day:%B %Y}, day {number} of the synthetic dialogue",
            "iso": day,
            "quotes": ids[1:2],
        },
        "place": {"text": "Geneva", "quotes": ids[2:3]},
        "venue": {"silent": "The synthetic sources do not name the building."},
        "format": {"text": "Two delegations of senior officials", "quotes": ids[3:5]},
        "delegations": [
            {"party": party, "head": heads[party].person_id, "quotes": ids[5:6]}
            if party in heads
            # A source may name speakers of one side only: then the delegation's head is silent.
            else {"party": party, "silent": "The synthetic sources do not name the head."}
            for party in PARTIES
        ],
        "outcome": {"text": "The sides agreed to meet again.", "quotes": ids[6:8]},
        "statements": statements,
        "silences": ["The synthetic sources do not give the names of other delegates."],
        "quotes": quotes,
    }


def _person_record(person: SyntheticPerson) -> dict:
    return {
        "name": person.name,
        "party": person.party,
        "spellings": [
            {"text": person.name, "source": source_id, "paragraph": paragraph_id}
            for source_id, paragraph_id in person.mentions[:3]
        ],
        "roles": [
            {"text": person.role, "source": source_id, "paragraph": paragraph_id}
            for source_id, paragraph_id in person.mentions[:1]
        ],
    }


def _write(path: Path, schema: str, record: dict) -> None:
    text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(f"# yaml-language-server: $schema=../../schema/{schema}.schema.json\n{text}", encoding="utf-8")


def _write_plain(path: Path, record: dict) -> None:
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.synthetic", description=__doc__)
    parser.add_argument("meetings", type=int)
    parser.add_argument("target", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args(argv)
    generate(arguments.target, arguments.meetings, arguments.seed)
    print(f"Wrote a synthetic archive of {arguments.meetings} meetings to {arguments.target}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
