"""The changelog (data/changes.yaml) and the dialogue record (data/dialogue.yaml), and their checks.

A record's "last changed" date is the newest change that names it, so pages carry a date
that comes from the data and is the same on every build.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable

from pydantic import Field, field_validator

from .addresses import ADDRESS, ADDRESS_EXPECTED, fragment_of, page_of
from .problems import Problem
from .reader import Document
from .records import Id, Record, Text


class Renaming(Record):
    """An id that changed: the old address keeps leading to the new one."""

    old: str = Field(description="The address before the change, such as meetings/old-id/.")
    new: str = Field(description="The address now, such as meetings/new-id/.")

    @field_validator("old", "new")
    @classmethod
    def _an_address(cls, value: str) -> str:
        if not ADDRESS.match(value):
            raise ValueError(f"'{value}' is not an address\n{ADDRESS_EXPECTED}\nwrite it as in the example")
        return value


class Change(Record):
    date: datetime.date
    summary: Text
    records: tuple[Id, ...] = Field(min_length=1, description="The ids of the records this change touched.")
    renamed: tuple[Renaming, ...] = ()


class ChangeLog(Record):
    changes: tuple[Change, ...] = Field(min_length=1)

    def newest_first(self) -> list[Change]:
        """Entries from the newest date to the oldest; entries of one day keep the file's order."""
        return sorted(self.changes, key=lambda change: change.date, reverse=True)

    def last_changed(self, record_id: str) -> datetime.date:
        return self._last_changed[record_id]

    @functools.cached_property
    def _last_changed(self) -> dict[str, datetime.date]:
        """Each record's newest date, found in one pass: every page asks for its own."""
        newest: dict[str, datetime.date] = {}
        for change in self.changes:
            for record_id in change.records:
                if record_id not in newest or change.date > newest[record_id]:
                    newest[record_id] = change.date
        return newest

    @functools.cached_property
    def first_named(self) -> dict[str, tuple[datetime.date, int]]:
        """When each record was first named, as a key that sorts the older first: its oldest entry's date, and
        among entries of one day, the lower one in the file (the newest entries come first)."""
        first: dict[str, tuple[datetime.date, int]] = {}
        for place, change in enumerate(self.changes):
            for record_id in change.records:
                first[record_id] = min((change.date, -place), first.get(record_id, (change.date, -place)))
        return first

    @property
    def latest(self) -> datetime.date:
        return max(change.date for change in self.changes)

    def renamings(self) -> list[Renaming]:
        return [renaming for change in self.changes for renaming in change.renamed]


class Dialogue(Record):
    """The dialogue as a whole, and which meeting records are parts of it."""

    title: Text
    parts: tuple[Id, ...] = Field(min_length=1, description="Ids of the meetings that belong to the dialogue.")


def _still_an_address(address: str, current: set[str]) -> bool:
    return address in current or (not fragment_of(address) and address in map(page_of, current))


def renaming_accepted(renaming: Renaming, current: set[str]) -> bool:
    """A renaming check_changes accepts: from an address the archive no longer has to one it has."""
    return renaming.new in current and not _still_an_address(renaming.old, current)


def check_changes(
    document: Document, log: ChangeLog, record_ids: Iterable[str], addresses: Iterable[str]
) -> list[Problem]:
    """Every record appears in the changelog, every id named exists, every renaming leads somewhere."""
    problems: list[Problem] = []
    # An older entry keeps naming a record by the id it had then, if a renaming says where its page went.
    renamed_from = {page_of(renaming.old).split("/")[1] for renaming in log.renamings() if page_of(renaming.old)}
    current_ids = set(record_ids)
    known = current_ids | renamed_from
    current = set(addresses)
    named = {record_id for change in log.changes for record_id in change.records}
    for index, change in enumerate(log.changes):
        for record_index, record_id in enumerate(change.records):
            if record_id not in known:
                problems.append(
                    document.problem(
                        ("changes", index, "records", record_index),
                        f"no record has the id '{record_id}'.",
                        "name the id of a meeting, person, source or reference (its file name), or 'dialogue'.",
                    )
                )
        for renaming_index, renaming in enumerate(change.renamed):
            path = ("changes", index, "renamed", renaming_index)
            if renaming.new not in current:
                problems.append(
                    document.problem(
                        (*path, "new"),
                        f"'{renaming.new}' is not an address of the archive as it is now.",
                        "write the address the record has now, such as meetings/first-plenary/.",
                    )
                )
            if _still_an_address(renaming.old, current):
                problems.append(
                    document.problem(
                        (*path, "old"),
                        f"'{renaming.old}' is still an address of the archive, so it cannot lead elsewhere.",
                        "write the address as it was before the change.",
                    )
                )
    for record_id in sorted(current_ids - named):
        problems.append(
            document.problem(
                ("changes",),
                f"the record '{record_id}' is named in no change, so its pages would have no date of last change.",
                f"add '{record_id}' under `records:` of the change that wrote it (or a new dated entry).",
            )
        )
    return problems


def check_dialogue(document: Document, dialogue: Dialogue, meeting_ids: Iterable[str]) -> list[Problem]:
    meetings = set(meeting_ids)
    return [
        document.problem(
            ("parts", index),
            f"no meeting has the id '{part}'.",
            "name a meeting by its file name in data/meetings/, without .yaml.",
        )
        for index, part in enumerate(dialogue.parts)
        if part not in meetings
    ]
