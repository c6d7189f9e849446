"""The archive's records, as editors write them in data/*.yaml.

Every model forbids unknown keys, so a typo such as `speeker:` is an error
rather than a silently missing field. Records are frozen once loaded.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StringConstraints, model_validator


def _one_line(text: str) -> str:
    # Pages set every field inside raw HTML; a blank line or an indented line could end that block and let
    # Markdown read the rest, so line breaks are folded as YAML's `>` style would fold them.
    return " ".join(text.split())


ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_one_line)]
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


def _mistake(found: str, expected: str, fix: str) -> ValueError:
    """A rule broken across fields; the loader shows the three parts as found, expected and how to fix."""
    return ValueError("\n".join((found, expected, fix)))


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
            raise _mistake(
                "a fact under text with no quotes and no references",
                "every fact backed by at least one quote or outside reference",
                "list the quote ids under quotes or the reference ids under references; "
                "if no source gives the fact, write what they leave unsaid under silent instead",
            )
        if self.text is None and self.silent is None:
            raise _mistake(
                "neither text nor silent",
                "the fact under text (with its evidence), or what the sources do not say under silent",
                "add text: with quotes: or references:, or add silent:",
            )
        return self


# As dates are written in the archive's records and pages, 30 September 2021, whatever the machine's language.
_MONTHS = "January February March April May June July August September October November December".split()  # noqa: SIM905
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()  # noqa: SIM905
# A day as a text names it: "30 September 2021", "Thursday 30 September 2021", "Thu, 30 September 2021", or
# a span, "15 to 16 June 2021", "15–16 June 2021"; in any case of letters.
_NAMED_DAYS = re.compile(
    r"(?:\b(?P<weekday>" + "|".join(day[:3] + f"(?:{day[3:]})?" for day in _WEEKDAYS) + r")\.?,?\s+)?"
    r"\b(?P<first>\d{1,2})(?:\s*(?:-|–|—|to|and)\s*(?P<last>\d{1,2}))?\s+"
    r"(?P<month>" + "|".join(_MONTHS) + r")\s+(?P<year>\d{4})\b",
    re.IGNORECASE,
)
_MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(_MONTHS, start=1)}
_MONTH_OF_ABBREVIATION = {name[:3]: number for number, name in enumerate(_MONTHS, start=1)}  # Sep(t), Jun(e)
_MONTH_WORD = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?(?![A-Za-z])"
)
# One day, or both ends of a span: 30, 30th, 29-30, 29 to 30, 27 and 28.
_DAY_WORD = r"(?P<first>\d{1,2})(?:st|nd|rd|th)?(?:\s*(?:-|–|—|to|and|&)\s*(?P<last>\d{1,2})(?:st|nd|rd|th)?)?"
_YEAR_WORD = r"(?:,?\s+(?P<year>\d{4})\b)?"
_DAY_MONTH = re.compile(rf"\b{_DAY_WORD}\s+{_MONTH_WORD}{_YEAR_WORD}")  # 29th July, 2021; 29-30 Sept
_MONTH_DAY = re.compile(rf"\b{_MONTH_WORD}\s+{_DAY_WORD}\b{_YEAR_WORD}")  # Sept 30, 2021; June 15 and 16


def named_days(text: str) -> list[tuple[str, int, int, int | None]]:
    """Each day a text names by month and number, in either order, both ends of a span, with the year if
    given: (the words, month, day, year or None)."""
    named = []
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for found in pattern.finditer(text):
            month = _MONTH_OF_ABBREVIATION[found["month"][:3]]
            year = int(found["year"]) if found["year"] else None
            for day in filter(None, (found["first"], found["last"])):
                named.append((found.group(), month, int(day), year))
    return named


def _day(year: str, month: str, day: str) -> datetime.date | None:
    try:
        return datetime.date(int(year), _MONTH_NUMBERS[month.lower()], int(day))
    except ValueError:
        return None


class DateFact(Fact):
    iso: datetime.date | None = Field(default=None, description="The day, when the evidence gives it.")

    @model_validator(mode="after")
    def _text_names_the_day(self) -> DateFact:
        """The page shows the text and the downloads carry iso: the text must name iso's day (on its own or as
        one end of a span), and a weekday written before a day must be that day's."""
        if self.iso is None or self.text is None:
            return self
        day = f"{self.iso.day} {_MONTHS[self.iso.month - 1]} {self.iso.year}"
        named: set[datetime.date | None] = set()
        for found in _NAMED_DAYS.finditer(self.text):
            first = _day(found["year"], found["month"], found["first"])
            named |= {first, found["last"] and _day(found["year"], found["month"], found["last"])}
            weekday = found["weekday"]
            if weekday and first and not _WEEKDAYS[first.weekday()].lower().startswith(weekday.lower()):
                raise _mistake(
                    f"a text naming {found.group()}, while {first.day} {_MONTHS[first.month - 1]} {first.year} "
                    f"was a {_WEEKDAYS[first.weekday()]}",
                    f"a weekday before a day that is that day's: {_WEEKDAYS[first.weekday()]} {found.group('first')} "
                    f"{found['month']} {found['year']}",
                    "correct the weekday, or the day, as the source gives it",
                )
        if self.iso not in named:
            raise _mistake(
                f"a text that does not name the day of iso, {self.iso} ({day})",
                f"the text and iso naming the same day: the text with {day}",
                "correct whichever of the two the source does not bear out; if the source gives no day, "
                "remove iso and say so in the text",
            )
        return self


class Statement(Evidence):
    id: Id
    text: Text

    @model_validator(mode="after")
    def _backed(self) -> Statement:
        if not (self.quotes or self.references):
            raise _mistake(
                "a statement with no quotes and no references",
                "every statement backed by at least one quote or outside reference",
                "list the quote ids under quotes or the reference ids under references",
            )
        return self


class Delegation(Evidence):
    """One side's delegation at a meeting."""

    party: Party
    head: Id | None = Field(default=None, description="The person id of the head of delegation.")
    silent: Text | None = Field(default=None, description="What the sources do not say about the delegation.")


class Quote(Record):
    """Words copied exactly from a stored source, found there by the checks."""

    id: Id = Field(description="The quote's id, unique across the archive, such as sputnik-delegations.")
    source: Id = Field(description="The id of the stored source: its file name in data/sources/ without .yaml.")
    paragraph: Id | None = Field(default=None, description="Needed when the words occur more than once.")
    text: Text = Field(description="The words exactly as the source prints them.")
    speaker: Id | None = Field(default=None, description="A person id, when a person spoke.")
    reported: StrictBool = Field(
        default=False,
        description="true when the words beside speaker are the report's own account of what the person said "
        "(indirect speech), not the person's words; false, or left out, otherwise.",
    )
    voice: Text | None = Field(default=None, description="Who speaks, when not a person: a body or the report.")
    party: Party | None = None
    sic: tuple[Text, ...] = Field(default=(), description="Words in the quote printed wrongly in the source.")

    @model_validator(mode="after")
    def _someone_speaks(self) -> Quote:
        if (self.speaker is None) == (self.voice is None):
            raise _mistake(
                "a quote with both speaker and voice" if self.speaker else "a quote with neither speaker nor voice",
                "exactly one of them: speaker (a person id) or voice (a body, or the report itself)",
                "keep the one that names who speaks",
            )
        if self.reported and self.speaker is None:
            raise _mistake(
                "reported: true without a speaker",
                "reported: true only beside speaker, for a report's account of what that person said",
                "name the person under speaker:, or leave reported out and say in voice: whose account it is",
            )
        if self.voice is not None and self.party is None:
            raise _mistake(
                "a quote with a voice but no party",
                "party beside voice: one of " + ", ".join(get_args(Party)),
                "add party: with the side the voice speaks for",
            )
        return self


class Meeting(Record):
    """One meeting of the dialogue (data/meetings/ID.yaml): what is known of it, and the quotes that show it."""

    title: Text = Field(description="The meeting's full title, as the page heading shows it.")
    short_title: Text = Field(description="A short title for links and the timeline.")
    kind: Kind
    status: Status
    status_evidence: Evidence = Field(description="The quotes or references that show the status.")
    sequence: Annotated[int, Field(ge=1, description="Place in the timeline of the dialogue, from 1.")]
    date: DateFact
    place: Fact
    venue: Fact
    format: Fact
    delegations: tuple[Delegation, ...] = ()
    outcome: Fact
    statements: tuple[Statement, ...] = Field(description="What the sources say, each backed by evidence.")
    silences: tuple[Text, ...] = Field(default=(), description="What the sources do not say about this meeting.")
    quotes: tuple[Quote, ...] = ()


class Mention(Record):
    """A name or a role exactly as a source prints it."""

    text: Text = Field(description="The words exactly as the source prints them.")
    source: Id = Field(description="The id of the stored source: its file name in data/sources/ without .yaml.")
    paragraph: Id | None = Field(default=None, description="Needed when the words occur more than once.")


class Person(Record):
    """A person named in the stored sources (data/people/ID.yaml)."""

    name: Text = Field(description="The person's name as the archive writes it.")
    party: Party
    spellings: tuple[Mention, ...] = Field(description="Every spelling of the name in the sources.")
    roles: tuple[Mention, ...] = Field(default=(), description="Every role the sources give the person.")
    note: Text | None = None


class SourceParagraph(Record):
    """One paragraph of a stored text, in order."""

    id: Id = Field(description="The paragraph's id, its anchor on the source page.")
    begins: Text = Field(description="The first words of the paragraph, as stored.")
    not_part_of_report: StrictBool = False


class Source(Record):
    """A stored source document (data/sources/ID.yaml) and the text file kept byte for byte beside it."""

    title: Text = Field(description="The headline as the source prints it.")
    wire_tag: Text | None = None
    agency: Text
    publisher: Text
    dateline: Text
    date_as_printed: Text | None = None
    date: datetime.date | None = None
    file: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+\.txt$")] = Field(
        description="The stored text's file name in data/sources/."
    )
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] = Field(
        description="The sha256 of the stored text, as `sha256sum` prints it."
    )
    note: Text | None = None
    paragraphs: tuple[SourceParagraph, ...] = Field(description="One entry per paragraph of the stored text.")

    @property
    def byline(self) -> str:
        """Agency and publisher, as a locator names them: once when the agency published its own report."""
        return self.agency if self.agency == self.publisher else f"{self.agency}, {self.publisher}"


class Reference(Record):
    """A report outside the archive: named, never stored, never checked against a copy."""

    publisher: Text = Field(description="Who published the report.")
    title: Text | None = Field(default=None, description="Only when the reference is known by a title.")
    date: datetime.date | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https://\S+$")] = Field(description="The report's address.")
    note: Text | None = None
