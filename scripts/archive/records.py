"""The archive's records, as editors write them in data/*.yaml.

Every model forbids unknown keys, so a typo such as `speeker:` is an error
rather than a silently missing field. Records are frozen once loaded.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Party = Literal["united-states", "russia", "joint", "united-nations", "press"]
Status = Literal["held", "agreed", "planned-not-held"]
Kind = Literal["summit", "plenary", "consultations", "working-group"]

PARTY_NAMES: dict[str, str] = {
    "united-states": "United States",
    "russia": "Russia",
    "joint": "Both sides jointly",
    "united-nations": "United Nations",
    "press": "The reports themselves",
}
STATUS_NAMES: dict[str, str] = {"held": "Held", "agreed": "Agreed", "planned-not-held": "Planned, not held"}
KIND_NAMES: dict[str, str] = {
    "summit": "Summit of presidents",
    "plenary": "Plenary meeting",
    "consultations": "Informal consultations",
    "working-group": "Expert working group",
}


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Evidence(Record):
    """What backs a statement: quotes from stored sources and/or outside references."""

    quotes: tuple[Id, ...] = ()
    references: tuple[Id, ...] = ()


class Fact(Evidence):
    """One at-a-glance fact, or a plain statement that the sources are silent on it."""

    text: Text | None = None
    silent: Text | None = Field(default=None, description="What the sources do not say, in plain words.")

    @model_validator(mode="after")
    def _backed_or_silent(self) -> Fact:
        if self.text is not None and not (self.quotes or self.references):
            raise ValueError(
                "a fact needs evidence: list at least one quote id under quotes or one "
                "reference id under references, or replace text with silent"
            )
        if self.text is None and self.silent is None:
            raise ValueError(
                "write the fact under text (with its evidence) or what the sources do not say under silent"
            )
        return self


class DateFact(Fact):
    iso: datetime.date | None = Field(default=None, description="The day, when the evidence gives it.")


class Statement(Evidence):
    id: Id
    text: Text

    @model_validator(mode="after")
    def _backed(self) -> Statement:
        if not (self.quotes or self.references):
            raise ValueError(
                "a statement needs evidence: list at least one quote id under quotes or one "
                "reference id under references"
            )
        return self


class Delegation(Evidence):
    party: Party
    head: Id | None = None
    silent: Text | None = None


class Quote(Record):
    id: Id
    source: Id
    paragraph: Id | None = Field(default=None, description="Needed when the words occur more than once.")
    text: Text
    speaker: Id | None = Field(default=None, description="A person id, when a person spoke.")
    voice: Text | None = Field(default=None, description="Who speaks, when not a person: a body or the report.")
    party: Party | None = None
    sic: tuple[Text, ...] = Field(default=(), description="Words in the quote printed wrongly in the source.")

    @model_validator(mode="after")
    def _someone_speaks(self) -> Quote:
        if (self.speaker is None) == (self.voice is None):
            raise ValueError("name who speaks: either speaker (a person id) or voice (a body or the report), not both")
        if self.voice is not None and self.party is None:
            raise ValueError("a quote with a voice needs its party")
        return self


class Meeting(Record):
    title: Text
    short_title: Text
    kind: Kind
    status: Status
    status_evidence: Evidence
    sequence: Annotated[int, Field(ge=1, description="Place in the timeline of the dialogue, from 1.")]
    date: DateFact
    place: Fact
    venue: Fact
    format: Fact
    delegations: tuple[Delegation, ...] = ()
    outcome: Fact
    statements: tuple[Statement, ...]
    silences: tuple[Text, ...] = Field(default=(), description="What the sources do not say about this meeting.")
    quotes: tuple[Quote, ...] = ()


class Mention(Record):
    """A name or a role exactly as a source prints it."""

    text: Text
    source: Id
    paragraph: Id | None = None


class Person(Record):
    name: Text
    party: Party
    spellings: tuple[Mention, ...]
    roles: tuple[Mention, ...] = ()
    note: Text | None = None


class SourceParagraph(Record):
    id: Id
    begins: Text = Field(description="The first words of the paragraph, as stored.")
    not_part_of_report: bool = False


class Source(Record):
    title: Text
    wire_tag: Text | None = None
    agency: Text
    publisher: Text
    dateline: Text
    date_as_printed: Text | None = None
    date: datetime.date | None = None
    file: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+\.txt$")]
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    note: Text | None = None
    paragraphs: tuple[SourceParagraph, ...]


class Reference(Record):
    """A report outside the archive: named, never stored, never checked against a copy."""

    publisher: Text
    title: Text | None = Field(default=None, description="Only when the reference is known by a title.")
    date: datetime.date | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https://\S+$")]
    note: Text | None = None
