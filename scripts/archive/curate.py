"""The curator's commands: add a stored source, or start a meeting record from one quote.

Both write files that claim no more than the curator gave them: a source's
text, digest and paragraphs (its description is left blank for the curator),
and a meeting whose only fact is its status, backed by a quote found in a
stored source. Every other fact starts as `silent:`.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import itertools
import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import get_args

from pydantic import TypeAdapter, ValidationError

from .load import Archive, load_archive
from .passages import StoredText, split_paragraphs
from .problems import ArchiveProblems
from .records import Id, Kind, Status

FILE_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.txt$")
BEGINS_WORDS = 5
SILENT = "Not stated in the sources."


class CuratorError(Exception):
    """A mistake in what the curator asked for: what was wrong and how to fix it."""


def add_commands(commands: argparse._SubParsersAction) -> None:
    meeting = commands.add_parser(
        "new-meeting", help="start a meeting record from one quote that shows its status; asks for what is missing"
    )
    meeting.add_argument("--id", help="the record id and file name, such as extraordinary-session")
    meeting.add_argument("--title", help="the full title of the meeting record")
    meeting.add_argument("--short-title", help="a short title for lists and links")
    meeting.add_argument("--kind", choices=get_args(Kind))
    meeting.add_argument("--status", choices=get_args(Status))
    meeting.add_argument("--sequence", type=int, help="place in the timeline (default: after the last meeting)")
    meeting.add_argument("--source", help="the id of the stored source that shows the status")
    meeting.add_argument("--quote", help="the words of that source that show the status, exactly as printed")
    meeting.add_argument("--paragraph", help="the paragraph id, when the words occur more than once")
    source = commands.add_parser("new-source", help="store a source text byte for byte and start its record")
    source.add_argument("file", type=Path, help="the text file to store (UTF-8)")
    source.add_argument("--id", help="the source record's id, such as reuters-talks-frozen")


def run(arguments: argparse.Namespace) -> int:
    """Run a curator's command; a mistake is reported in one message, without a traceback."""
    try:
        if arguments.command == "new-meeting":
            written = new_meeting(arguments.data, _ask_for_missing(arguments, MEETING_QUESTIONS))
        else:
            written = new_source(arguments.data, arguments.file, _ask_for_missing(arguments, SOURCE_QUESTIONS)["id"])
    except ArchiveProblems as problems:
        print(problems.report("nothing was written"), file=sys.stderr)
        print("Fix these first: new records are added to sound data only.", file=sys.stderr)
        return 1
    except CuratorError as error:
        print(f"Nothing was written: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"Wrote {path}")
    record_id = written[-1].stem
    kind = "meeting" if arguments.command == "new-meeting" else "source"
    changes = record_change(arguments.data, record_id, f"A new {kind} record: {record_id}.")
    if changes is not None:
        print(
            f"Named '{record_id}' in a new entry, dated today, at the top of {changes}; edit its summary as you like."
        )
    elif (arguments.data / "changes.yaml").exists():
        print(f"Name '{record_id}' under `records:` of a new dated entry in {arguments.data / 'changes.yaml'}.")
    print("Next: fill in the record as the curator's guide (docs/curators.md) says, then run `make check`.")
    return 0


def record_change(data: Path, record_id: str, summary: str) -> Path | None:
    """Name a new record in a new entry of data/changes.yaml, dated today, above the others (the newest first).

    The file is edited as text, so that its comments stay; None if it has no entry to put the new one above.
    """
    path = data / "changes.yaml"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    first = re.search(r"(?m)^changes:[ \t]*\n(?:[ \t]*(?:#.*)?\n)*(?P<indent>[ \t]*)- ", text)
    if first is None:
        return None
    indent = first["indent"]
    entry = (
        f"{indent}- date: {datetime.date.today().isoformat()}\n"
        f"{indent}  summary: {_scalar(summary)}\n"
        f"{indent}  records:\n"
        f"{indent}    - {record_id}\n"
    )
    path.write_text(text[: first.start("indent")] + entry + text[first.start("indent") :], encoding="utf-8")
    return path


MEETING_QUESTIONS = {
    "id": "Record id (lower-case words joined by hyphens, such as extraordinary-session)",
    "title": "Full title",
    "short_title": "Short title",
    "kind": f"Kind ({', '.join(get_args(Kind))})",
    "status": f"Status ({', '.join(get_args(Status))})",
    "source": "Id of the stored source that shows the status",
    "quote": "The words of that source that show the status, exactly as printed",
}
SOURCE_QUESTIONS = {"id": "Source record id (such as reuters-talks-frozen)"}
CHOICES = {"kind": get_args(Kind), "status": get_args(Status)}


def _ask_for_missing(arguments: argparse.Namespace, questions: dict[str, str]) -> dict:
    """The command's options, asking on the terminal for each one not given."""
    answers = vars(arguments).copy()
    missing = [name for name in questions if not answers.get(name)]
    if missing and not sys.stdin.isatty():
        raise CuratorError(_how_to_give(missing))
    for name in missing:
        answer = input(f"{questions[name]}: ").strip()
        # A typo in a fixed choice is asked again rather than failing after every other question.
        while name in CHOICES and answer not in CHOICES[name]:
            answer = input(f"  '{answer}' is not one of: {', '.join(CHOICES[name])}. {questions[name]}: ").strip()
        answers[name] = answer
    return answers


def _how_to_give(missing: list[str]) -> str:
    """What is missing, named as the command was run: by `make` (which sets ARCHIVE_MAKE_TARGET) or directly."""
    options = ", ".join("--" + name.replace("_", "-") for name in missing)
    target = os.environ.get("ARCHIVE_MAKE_TARGET")
    if target == "new-source":
        return (
            "missing the id. Give it as ID=, as in make new-source FILE=report.txt ID=source-id, "
            "or run make in a terminal to be asked."
        )
    if target == "new-meeting":
        example = " ".join(f"--{name.replace('_', '-')} ..." for name in missing)
        return (
            f'missing {options}. Give them in ARGS, as in make new-meeting ARGS="{example}", '
            "or run make in a terminal to be asked."
        )
    return f"missing {options}. Give them as options, or run the command in a terminal to be asked."


# -- new meeting ---------------------------------------------------------------


def new_meeting(data: Path, answers: dict) -> list[Path]:
    """Write data/meetings/ID.yaml: the status backed by one located quote, every other fact silent."""
    archive = load_archive(data)
    meeting_id = _valid_id(answers["id"], "--id")
    quote_id = f"{meeting_id}-status"
    taken = _ids(archive)
    for identifier, option in ((meeting_id, "--id"), (quote_id, "--id")):
        if identifier in taken:
            raise CuratorError(f"the id '{identifier}' is already used in the archive ({option}); choose another.")
    target = data / "meetings" / f"{meeting_id}.yaml"
    if target.exists():
        raise CuratorError(f"{target} already exists.")
    for name, allowed in (("kind", get_args(Kind)), ("status", get_args(Status))):
        if answers[name] not in allowed:
            raise CuratorError(f"--{name} '{answers[name]}' is not one of: {', '.join(allowed)}.")
    for name in ("title", "short_title"):
        if not (answers.get(name) or "").strip():
            raise CuratorError(f"--{name.replace('_', '-')} is empty.")
    sequences = {meeting.sequence: meeting_id for meeting_id, meeting in archive.meetings.items()}
    sequence = answers.get("sequence") or max(sequences, default=0) + 1
    if sequence < 1 or sequence in sequences:
        raise CuratorError(
            f"--sequence {sequence} is taken by {sequences.get(sequence, 'nothing: it must be 1 or more')}; "
            f"leave it out to place the meeting after the last one ({max(sequences, default=0) + 1}), or first "
            "move that meeting and the later ones up by one (their sequence)."
        )
    source_id = answers["source"]
    if source_id not in archive.sources:
        raise CuratorError(
            f"no stored source '{source_id}' (--source); the sources are: {', '.join(sorted(archive.sources))}. "
            "Add a new one with `make new-source FILE=...`."
        )
    paragraph = _locate(archive, source_id, answers["quote"], answers.get("paragraph"))
    target.write_text(
        MEETING_SKELETON.format(
            title=_scalar(answers["title"]),
            short_title=_scalar(answers["short_title"]),
            kind=answers["kind"],
            status=answers["status"],
            sequence=sequence,
            kinds=", ".join(get_args(Kind)),
            statuses=", ".join(get_args(Status)),
            quote_id=quote_id,
            source=source_id,
            paragraph=f"\n    paragraph: {paragraph}" if paragraph else "",
            text=_scalar(" ".join(answers["quote"].split())),
            voice=_scalar(f"{archive.sources[source_id].agency} report"),
            silent=SILENT,
        ),
        encoding="utf-8",
    )
    return [target]


MEETING_SKELETON = """\
# yaml-language-server: $schema=../../schema/meeting.schema.json
# A new meeting record, written by `make new-meeting`. It claims one fact only,
# its status, backed by the quote at the end. Fill in the rest from the stored
# sources as the curator's guide says (docs/curators.md): a fact under `text:`
# needs `quotes:` (ids of the quotes listed at the end) or `references:` (ids
# of data/references/*.yaml); until a source gives it, keep `silent:` and say
# what the sources leave unsaid. Run `make check` after each change.
title: {title}
short_title: {short_title}
kind: {kind}  # one of: {kinds}
status: {status}  # one of: {statuses}
sequence: {sequence}  # place in the timeline of the dialogue; each meeting has its own
status_evidence:
  quotes: [{quote_id}]
date:
  # When a source gives the day: `text: 30 September 2021`, `iso: 2021-09-30` and `quotes: [...]`.
  silent: {silent}
place:
  silent: {silent}
venue:
  # The building and host, when a source names them.
  silent: {silent}
format:
  silent: {silent}
# One entry per delegation the sources name: `party:`, `head:` (a person id) and the `quotes:` that name the head.
delegations: []
outcome:
  silent: {silent}
# One entry per statement: `id:`, `text:` in the archive's own words, and the `quotes:` or `references:` behind it.
statements: []
# What the sources do not say about this meeting, one plain sentence each.
silences: []
quotes:
  - id: {quote_id}
    source: {source}{paragraph}
    text: {text}
    # When a person speaks, write `speaker:` with their person id instead of `voice:` and `party:`.
    voice: {voice}
    party: press
"""


def _locate(archive: Archive, source_id: str, quote: str, paragraph: str | None) -> str | None:
    """The paragraph id to record with the quote: needed only when the words occur more than once."""
    stored: StoredText = archive.texts[source_id]
    paragraph_ids = [p.id for p in archive.sources[source_id].paragraphs]
    matches = stored.find(quote)
    if not matches:
        raise CuratorError(
            f"the quote is not in source '{source_id}' (--quote). "
            f'Closest passage: "{stored.closest_passage(quote)}". Copy the words exactly as printed.'
        )
    found_in = [paragraph_ids[match.paragraph.number - 1] for match in matches]
    if any(not match.within_one_paragraph for match in matches):
        raise CuratorError("the quote runs across paragraphs; quote words from one paragraph only.")
    if paragraph is not None and paragraph not in found_in:
        raise CuratorError(f"the quote is not in paragraph '{paragraph}'; it is in: {', '.join(found_in)}.")
    if paragraph is None and len(matches) > 1:
        raise CuratorError(
            f"the quote occurs {len(matches)} times (paragraphs {', '.join(found_in)}); "
            "name the one meant with --paragraph."
        )
    chosen = matches[found_in.index(paragraph)] if paragraph else matches[0]
    if archive.sources[source_id].paragraphs[chosen.paragraph.number - 1].not_part_of_report:
        raise CuratorError(
            f"the quote is in paragraph '{paragraph or found_in[0]}', which the source's record marks as not part "
            "of the report (a publisher's line backs nothing); quote the report itself."
        )
    return paragraph


def _ids(archive: Archive) -> set[str]:
    taken = {*archive.meetings, *archive.people, *archive.sources, *archive.references}
    for meeting in archive.meetings.values():
        taken.update(statement.id for statement in meeting.statements)
        taken.update(quote.id for quote in meeting.quotes)
    return taken


# -- new source ----------------------------------------------------------------


def new_source(data: Path, file: Path, source_id: str) -> list[Path]:
    """Copy the file into data/sources/ byte for byte and write its record, description left blank."""
    source_id = _valid_id(source_id, "--id")
    folder = data / "sources"
    record = folder / f"{source_id}.yaml"
    if not file.is_file():
        raise CuratorError(f"no file {file}.")
    if not FILE_NAME.match(file.name):
        raise CuratorError(
            f"the file name '{file.name}' cannot be stored: use letters, digits, '.', '_' and '-', ending in .txt."
        )
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CuratorError(f"{file} is not UTF-8 text (byte {error.start}); save it as UTF-8 first.") from None
    if not text.strip():
        raise CuratorError(f"{file} is empty.")
    stored = folder / file.name
    if record.exists() or any(folder.glob(f"{source_id}.y*ml")):
        raise CuratorError(f"{record} already exists; choose another --id.")
    if stored.exists():
        same = stored.read_bytes() == raw
        raise CuratorError(
            f"{stored} already exists" + (" with the same bytes: the text is stored already." if same else ".")
        )
    for other in sorted(folder.glob("*.txt")):
        if other.read_bytes() == raw:
            records = [path.stem for path in sorted(folder.glob("*.yaml")) if _names_file(path, other.name)]
            raise CuratorError(
                f"the same bytes are stored already as {other}"
                + (f", the text of source '{records[0]}'" if records else "")
                + ": a text is stored once, and its record quoted by every meeting that uses it."
            )
    shutil.copyfile(file, stored)
    digest = hashlib.sha256(stored.read_bytes()).hexdigest()
    record.write_text(
        SOURCE_SKELETON.format(file=_scalar(file.name), sha256=digest, paragraphs=_paragraph_list(text)),
        encoding="utf-8",
    )
    return [stored, record]


def _names_file(record: Path, name: str) -> bool:
    """Whether a source record stores the named file (read as text: the record may have problems of its own)."""
    return re.search(rf"(?m)^file:\s*[\"']?{re.escape(name)}[\"']?\s*$", record.read_text(encoding="utf-8")) is not None


SOURCE_SKELETON = """\
# yaml-language-server: $schema=../../schema/source.schema.json
# A new source record, written by `make new-source`. The text is stored beside
# this file byte for byte, with its SHA-256 digest: never edit the stored text.
# Describe the source from what the text itself prints (docs/curators.md) and
# write nothing it does not show. `make check` fails until title, agency,
# publisher and dateline are filled in.
#
# The headline, as printed:
title:
# The agency or author that wrote the report, such as AFP:
agency:
# The paper or site that carried it, such as The Straits Times:
publisher:
# The dateline, as printed, such as WASHINGTON:
dateline:
# Add these only when the text shows them:
#   wire_tag: a wire-service tag printed before the headline, such as "RPT: REVIEW"
#   date_as_printed: the publication date exactly as printed, such as 29th July, 2021
#   date: the same date as YYYY-MM-DD
#   note: what a reader should know about the text, such as lines that are not part of the report
file: {file}
sha256: {sha256}
# One entry per paragraph (paragraphs are separated by blank lines), in order.
# Each id is the paragraph's permanent address once the source is published:
# rename any of them now to a short name of what the paragraph says. Mark a
# paragraph that is not part of the report with `not_part_of_report: true`.
paragraphs:
{paragraphs}"""


def _paragraph_list(text: str) -> str:
    lines, used = [], set()
    for paragraph in split_paragraphs(text):
        begins = _first_words(paragraph.text)
        identifier = _slug(begins) or f"paragraph-{paragraph.number}"
        base, count = identifier, 1
        while identifier in used:
            count += 1
            identifier = f"{base}-{count}"
        used.add(identifier)
        lines.append(f"  - id: {identifier}\n    begins: {_scalar(begins)}\n")
    return "".join(lines)


def _first_words(text: str) -> str:
    """The paragraph's first few words exactly as stored, up to the first gap that is not a single space."""
    words = list(re.finditer(r"\S+", text))[:BEGINS_WORDS]
    end = words[0].end()
    for previous, word in itertools.pairwise(words):
        if text[previous.end() : word.start()] != " ":
            break
        end = word.end()
    return text[:end]


def _slug(words: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", words.lower())[:3])[:40].strip("-")


def _valid_id(identifier: str, option: str) -> str:
    try:
        return TypeAdapter(Id).validate_python(identifier)
    except ValidationError:
        raise CuratorError(
            f"'{identifier}' is not a valid id ({option}): use lower-case letters, digits and single hyphens, "
            "such as first-plenary."
        ) from None


def _scalar(text: str) -> str:
    """A YAML scalar that reads back as exactly this text (JSON strings are YAML)."""
    return json.dumps(text, ensure_ascii=False)
