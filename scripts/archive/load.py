"""Load every record under data/, check it, and return the archive or every problem at once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .passages import Match, StoredText
from .problems import ArchiveProblems, Problem
from .reader import Document, Path_, read_yaml
from .records import Meeting, Person, Reference, Source

FOLDERS: dict[str, type[BaseModel]] = {
    "meetings": Meeting,
    "people": Person,
    "sources": Source,
    "references": Reference,
}
# Anchors the page templates use themselves; a record id must not take them.
RESERVED_IDS = frozenset({"at-a-glance", "statements", "by-party", "silences", "references", "sources", "people"})


@dataclass(frozen=True)
class Located:
    """A quote or a mention found at exactly one place in its source."""

    source: str
    match: Match


@dataclass(frozen=True)
class Archive:
    meetings: dict[str, Meeting]
    people: dict[str, Person]
    sources: dict[str, Source]
    references: dict[str, Reference]
    texts: dict[str, StoredText]
    files: dict[str, bytes]
    quotes: dict[str, Located]
    quote_meeting: dict[str, str]
    mentions: dict[tuple[str, str, int], Located]
    timeline: tuple[str, ...]

    def quote(self, quote_id: str):
        meeting = self.meetings[self.quote_meeting[quote_id]]
        return next(quote for quote in meeting.quotes if quote.id == quote_id)


def load_archive(data_dir: Path) -> Archive:
    """The checked archive; raises ArchiveProblems listing every problem found."""
    loader = _Loader(data_dir)
    loader.read_records()
    loader.read_stored_texts()
    loader.check_ids()
    loader.check_references()
    loader.locate_quotes()
    if loader.problems:
        raise ArchiveProblems(loader.problems)
    return loader.archive()


class _Loader:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.problems: list[Problem] = []
        self.documents: dict[tuple[str, str], Document] = {}
        self.records: dict[str, dict[str, BaseModel]] = {folder: {} for folder in FOLDERS}
        self.texts: dict[str, StoredText] = {}
        self.files: dict[str, bytes] = {}
        self.quotes: dict[str, Located] = {}
        self.mentions: dict[tuple[str, str, int], Located] = {}

    # -- reading -------------------------------------------------------------

    def read_records(self) -> None:
        if not self.data_dir.is_dir():
            self.problems.append(Problem(str(self.data_dir), None, None, "", "the data folder does not exist."))
            return
        for folder, model in FOLDERS.items():
            for path in sorted((self.data_dir / folder).glob("*.y*ml")):
                shown = path.relative_to(self.data_dir.parent).as_posix()
                if path.suffix != ".yaml":
                    self.problems.append(
                        Problem(shown, None, None, "", "record files end in .yaml.", f"rename it to {path.stem}.yaml.")
                    )
                    continue
                document, problems = read_yaml(path, shown)
                self.problems += problems
                if document is None or problems:
                    continue
                self.documents[(folder, path.stem)] = document
                record = self._validate(document, model)
                if record is not None:
                    self.records[folder][path.stem] = record

    def _validate(self, document: Document, model: type[BaseModel]) -> BaseModel | None:
        if not isinstance(document.data, dict):
            self.problems.append(
                document.problem(
                    (),
                    "a record is a mapping of field names to values.",
                    "start the file with `title:` or another field of the record.",
                )
            )
            return None
        try:
            return model.model_validate(document.data)
        except ValidationError as error:
            for detail in error.errors():
                self.problems.append(document.problem(detail["loc"], *_explain(detail)))
            return None

    def read_stored_texts(self) -> None:
        folder = (self.data_dir / "sources").resolve()
        for source_id, source in self.records["sources"].items():
            document = self.documents[("sources", source_id)]
            path = folder / source.file
            if path.is_symlink() or path.resolve().parent != folder:
                self.problems.append(
                    document.problem(
                        ("file",),
                        f"'{source.file}' is not a file in data/sources/.",
                        "store the text itself in data/sources/, not a link.",
                    )
                )
                continue
            if not path.is_file():
                self.problems.append(
                    document.problem(
                        ("file",),
                        f"the stored text '{source.file}' does not exist.",
                        "put the file in data/sources/ or correct the name.",
                    )
                )
                continue
            raw = path.read_bytes()
            digest = hashlib.sha256(raw).hexdigest()
            if not raw:
                self.problems.append(document.problem(("file",), f"the stored text '{source.file}' is empty."))
                continue
            if digest != source.sha256:
                self.problems.append(
                    document.problem(
                        ("sha256",),
                        f"the stored text '{source.file}' has sha256 {digest}, not the one recorded.",
                        "restore the stored text byte for byte; if a new text is meant, record its sha256.",
                    )
                )
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                self.problems.append(document.problem(("file",), f"the stored text '{source.file}' is not UTF-8."))
                continue
            stored = StoredText(text)
            self._check_paragraphs(source_id, source, stored)
            self.texts[source_id] = stored
            self.files[source_id] = raw

    def _check_paragraphs(self, source_id: str, source: Source, stored: StoredText) -> None:
        document = self.documents[("sources", source_id)]
        if len(source.paragraphs) != len(stored.paragraphs):
            self.problems.append(
                document.problem(
                    ("paragraphs",),
                    f"the record lists {len(source.paragraphs)} paragraphs; "
                    f"the stored text has {len(stored.paragraphs)} (paragraphs are separated by blank lines).",
                    "list one entry per paragraph, in order.",
                )
            )
            return
        for index, (listed, stored_paragraph) in enumerate(zip(source.paragraphs, stored.paragraphs, strict=True)):
            if not stored_paragraph.text.startswith(listed.begins):
                self.problems.append(
                    document.problem(
                        ("paragraphs", index, "begins"),
                        f"paragraph {index + 1} begins '{stored_paragraph.text[:40]}', not '{listed.begins}'.",
                        "copy the first words of the paragraph exactly as stored.",
                    )
                )

    # -- checking ------------------------------------------------------------

    def check_ids(self) -> None:
        seen: dict[str, str] = {}

        def claim(identifier: str, folder: str, record_id: str, path: Path_) -> None:
            document = self.documents[(folder, record_id)]
            if identifier in RESERVED_IDS:
                self.problems.append(
                    document.problem(
                        path, f"the id '{identifier}' is reserved for the page layout.", "choose another id."
                    )
                )
            elif identifier in seen:
                other_file = seen[identifier]
                self.problems.append(
                    document.problem(
                        path,
                        f"the id '{identifier}' is already used in {other_file}.",
                        "ids are unique across the archive: choose another id.",
                    )
                )
            else:
                seen[identifier] = document.file

        for folder, records in self.records.items():
            for record_id in records:
                claim(record_id, folder, record_id, ())
        for meeting_id, meeting in self.records["meetings"].items():
            for field in ("statements", "quotes"):
                for index, item in enumerate(getattr(meeting, field)):
                    claim(item.id, "meetings", meeting_id, (field, index, "id"))
        for source_id, source in self.records["sources"].items():
            paragraph_ids: set[str] = set()
            for index, paragraph in enumerate(source.paragraphs):
                if paragraph.id in paragraph_ids:
                    self.problems.append(
                        self.documents[("sources", source_id)].problem(
                            ("paragraphs", index, "id"),
                            f"the paragraph id '{paragraph.id}' is used twice.",
                            "give each paragraph its own id.",
                        )
                    )
                paragraph_ids.add(paragraph.id)

    def check_references(self) -> None:
        meetings, people = self.records["meetings"], self.records["people"]
        sources, references = self.records["sources"], self.records["references"]
        sequences: dict[int, str] = {}
        for meeting_id, meeting in meetings.items():
            document = self.documents[("meetings", meeting_id)]
            if meeting.sequence in sequences:
                self.problems.append(
                    document.problem(
                        ("sequence",),
                        f"sequence {meeting.sequence} is already taken by {sequences[meeting.sequence]}.",
                        "give each meeting its own place in the timeline.",
                    )
                )
            sequences[meeting.sequence] = meeting_id
            own_quotes = {quote.id for quote in meeting.quotes}
            for path, evidence in _evidence(meeting):
                for index, quote_id in enumerate(evidence.quotes):
                    if quote_id not in own_quotes:
                        self.problems.append(
                            document.problem(
                                (*path, "quotes", index),
                                f"no quote '{quote_id}' in this record.",
                                "list the quote under quotes: in this file, or correct the id.",
                            )
                        )
                for index, reference_id in enumerate(evidence.references):
                    if reference_id not in references:
                        self.problems.append(
                            document.problem(
                                (*path, "references", index),
                                f"no outside reference '{reference_id}'.",
                                f"add data/references/{reference_id}.yaml or correct the id.",
                            )
                        )
            for index, delegation in enumerate(meeting.delegations):
                if delegation.head is not None and delegation.head not in people:
                    self.problems.append(
                        document.problem(
                            ("delegations", index, "head"),
                            f"no person '{delegation.head}'.",
                            f"add data/people/{delegation.head}.yaml or correct the id.",
                        )
                    )
            for index, quote in enumerate(meeting.quotes):
                if quote.speaker is not None and quote.speaker not in people:
                    self.problems.append(
                        document.problem(
                            ("quotes", index, "speaker"),
                            f"no person '{quote.speaker}'.",
                            f"add data/people/{quote.speaker}.yaml or correct the id.",
                        )
                    )
                self._check_source(document, ("quotes", index), quote.source, quote.paragraph, sources)
        for person_id, person in people.items():
            document = self.documents[("people", person_id)]
            for field in ("spellings", "roles"):
                for index, mention in enumerate(getattr(person, field)):
                    self._check_source(document, (field, index), mention.source, mention.paragraph, sources)

    def _check_source(
        self, document: Document, path: Path_, source_id: str, paragraph: str | None, sources: dict[str, Source]
    ) -> None:
        if source_id not in sources:
            self.problems.append(
                document.problem(
                    (*path, "source"),
                    f"no source '{source_id}'.",
                    f"add data/sources/{source_id}.yaml or correct the id.",
                )
            )
        elif paragraph is not None and paragraph not in {p.id for p in sources[source_id].paragraphs}:
            self.problems.append(
                document.problem(
                    (*path, "paragraph"),
                    f"source '{source_id}' has no paragraph '{paragraph}'.",
                    "use one of the paragraph ids listed in its record.",
                )
            )

    def locate_quotes(self) -> None:
        for meeting_id, meeting in self.records["meetings"].items():
            document = self.documents[("meetings", meeting_id)]
            for index, quote in enumerate(meeting.quotes):
                located = self._locate(document, ("quotes", index), quote.source, quote.paragraph, quote.text)
                if located is not None:
                    self.quotes[quote.id] = located
                for sic_index, word in enumerate(quote.sic):
                    if word not in quote.text:
                        self.problems.append(
                            document.problem(
                                ("quotes", index, "sic", sic_index),
                                f"'{word}' is not in the quote.",
                                "copy the misprinted words from the quote itself.",
                            )
                        )
        for person_id, person in self.records["people"].items():
            document = self.documents[("people", person_id)]
            for field in ("spellings", "roles"):
                for index, mention in enumerate(getattr(person, field)):
                    located = self._locate(document, (field, index), mention.source, mention.paragraph, mention.text)
                    if located is not None:
                        self.mentions[(person_id, field, index)] = located

    def _locate(
        self, document: Document, path: Path_, source_id: str, paragraph_id: str | None, text: str
    ) -> Located | None:
        stored = self.texts.get(source_id)
        if stored is None:
            return None  # the source itself has a problem, reported already
        source: Source = self.records["sources"][source_id]
        matches = stored.find(text)
        if not matches:
            self.problems.append(
                document.problem(
                    (*path, "text"),
                    f"the quote is not in source '{source_id}': \"{text}\". "
                    f'Closest passage: "{stored.closest_passage(text)}".',
                    "copy the words exactly as the source prints them (white space, typographic quotes "
                    "and dashes may differ; nothing else).",
                )
            )
            return None
        paragraph_ids = [source.paragraphs[match.paragraph.number - 1].id for match in matches]
        if paragraph_id is not None:
            matches = [match for match, pid in zip(matches, paragraph_ids, strict=True) if pid == paragraph_id]
            if not matches:
                self.problems.append(
                    document.problem(
                        (*path, "paragraph"),
                        f"the quote is not in paragraph '{paragraph_id}' of source "
                        f"'{source_id}'; it is in: {', '.join(paragraph_ids)}.",
                        "name the paragraph that holds it.",
                    )
                )
                return None
        elif len(matches) > 1:
            self.problems.append(
                document.problem(
                    (*path, "text"),
                    f"the quote occurs {len(matches)} times in source '{source_id}' "
                    f"(paragraphs {', '.join(paragraph_ids)}).",
                    "add `paragraph:` with the id of the one meant.",
                )
            )
            return None
        match = matches[0]
        if not match.within_one_paragraph:
            self.problems.append(
                document.problem(
                    (*path, "text"),
                    f"the quote runs across paragraphs of source '{source_id}' from paragraph '{paragraph_ids[0]}'.",
                    "split it into one quote per paragraph.",
                )
            )
            return None
        return Located(source_id, match)

    def archive(self) -> Archive:
        meetings: dict[str, Meeting] = self.records["meetings"]  # type: ignore[assignment]
        quote_meeting = {quote.id: meeting_id for meeting_id, meeting in meetings.items() for quote in meeting.quotes}
        timeline = tuple(sorted(meetings, key=lambda meeting_id: meetings[meeting_id].sequence))
        return Archive(
            meetings=meetings,
            people=self.records["people"],  # type: ignore[arg-type]
            sources=self.records["sources"],  # type: ignore[arg-type]
            references=self.records["references"],  # type: ignore[arg-type]
            texts=self.texts,
            files=self.files,
            quotes=self.quotes,
            quote_meeting=quote_meeting,
            mentions=self.mentions,
            timeline=timeline,
        )


def _evidence(meeting: Meeting):
    """Every place in a meeting record that cites quotes or references, with its field path."""
    yield ("status_evidence",), meeting.status_evidence
    for field in ("date", "place", "venue", "format", "outcome"):
        yield (field,), getattr(meeting, field)
    for index, delegation in enumerate(meeting.delegations):
        yield ("delegations", index), delegation
    for index, statement in enumerate(meeting.statements):
        yield ("statements", index), statement


def _explain(detail: dict) -> tuple[str, str]:
    """A pydantic error in an editor's words: what was found, what was expected, how to fix it."""
    kind, found = detail["type"], detail.get("input")
    field = detail["loc"][-1] if detail["loc"] else ""
    if kind == "extra_forbidden":
        return f"unknown field '{field}'.", "check the spelling against the curator's guide, or remove the field."
    if kind == "missing":
        return f"the field '{field}' is missing.", f"add `{field}:` with a value."
    if kind == "literal_error":
        expected = detail["ctx"]["expected"]
        return f"'{found}' is not allowed here; expected {expected}.", "use one of the allowed values."
    if (kind == "string_pattern_mismatch" and field in ("id", "source", "paragraph", "speaker", "head")) or (
        kind == "string_pattern_mismatch" and isinstance(field, int)
    ):
        return (
            f"'{found}' is not a valid id.",
            "ids use lower-case letters, digits and single hyphens, such as first-plenary.",
        )
    message = detail["msg"]
    if message.startswith("Value error, "):
        return message.removeprefix("Value error, ") + ".", ""
    return f"{message} (found {found!r}).", "correct the value."
