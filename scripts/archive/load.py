"""Load every record under data/, check it, and return the archive or every problem at once."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import difflib
import errno
import functools
import gc
import hashlib
import operator
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, NamedTuple, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined

from .addresses import (
    ADDRESS,
    ADDRESS_EXPECTED,
    fragment_of,
    page_of,
    published_addresses,
    read_published,
    resolve,
)
from .changes import ChangeLog, Dialogue, check_changes, check_dialogue, renaming_accepted
from .passages import Match, StoredText, normalise
from .problems import ArchiveProblems, Problem
from .processes import helping
from .reader import DATE_EXPECTED, Document, Path_, dotted, line_and_column, read_yaml, why_not_a_date
from .records import ID_PATTERN, Kind, Meeting, Party, Person, Record, Reference, Source, Status, named_days

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


@dataclass(frozen=True, eq=False)  # one archive is one build's: equal to itself only, and so hashable
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
    changes: ChangeLog | None = None
    dialogue: Dialogue | None = None
    # Source id -> its stored file, as read and checked.
    paths: dict[str, Path] = dataclasses.field(default_factory=dict)

    def words_of(self, quote_id: str) -> str:
        """A quote's words as the stored source prints them, white space folded: what readers are shown."""
        return " ".join(self.quotes[quote_id].match.text.split())

    def quote(self, quote_id: str):
        return self._quotes_by_id[quote_id]

    @functools.cached_property
    def _quotes_by_id(self) -> dict[str, Any]:
        """Each quote by its id, as its meeting lists it (the first there with the id): asked for each quote,
        on its source's page and in the downloads, which would otherwise look through its meeting's quotes."""
        found: dict[str, Any] = {}
        for meeting in self.meetings.values():
            firsts: dict[str, Any] = {}
            for quote in meeting.quotes:
                firsts.setdefault(quote.id, quote)
            found.update(firsts)
        return found


@contextlib.contextmanager
def loaded_for_build(data_dir: Path, processes: int = 1) -> Iterator[Archive]:
    """load_archive for one build: the archive, kept out of Python's cycle collector while the site is made.

    Loading makes hundreds of thousands of objects that all live until the pages are written. The cycle
    collector would walk them again and again for nothing (a sixth of the work on a large archive), so it
    is paused until the block ends, and the archive is told to stay out of its sight (gc.freeze). Work in
    the block that makes many cycles collects them itself, as rendering does after each page.

    Rendering leaves cycles behind (Jinja's environments and contexts) that still point at the archive.
    They are collected as the block ends, once, while the archive is still out of the collector's sight,
    which costs milliseconds; the archive is then freed as soon as the caller lets go of it. Otherwise it
    would wait for a full collection, which walks every object of the archive (at a thousand meetings, 0.4 s).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        archive = load_archive(data_dir, processes)
        gc.freeze()
        try:
            yield archive
        finally:
            gc.collect()  # the cycles that hold on to the archive; the frozen archive itself is not walked
            gc.unfreeze()
    finally:
        if enabled:
            gc.enable()


# From this many stored texts on, a load that may use two processors prepares them in a second process.
TEXTS_IN_TWO_FROM = 100
# The share of the source records the helper reads (the last ones): with the texts to fold, as long as this
# process's reading of the other records and of the stored texts its share of the source records names.
HELPER_READS = 0.55
# What a source record says its stored text prints, checked against the text.
PRINTED_FIELDS = ("title", "wire_tag", "dateline", "date_as_printed")


def load_archive(data_dir: Path, processes: int = 1) -> Archive:
    """The checked archive; raises ArchiveProblems listing every problem found.

    With processes=2 and many stored texts, a second process (a helper) folds the texts for finding quotes in
    them and reads some of the source records (HELPER_READS), while this one reads the other records, and the
    stored texts that its own share of the source records names. Once this one has read every record, it asks
    the helper where each quote is, and whether each text prints what its record says it prints; the helper
    answers while this one makes its other checks. Handing the folded texts over would cost as much as folding
    them here.
    """
    loader = _Loader(data_dir)
    texts = sorted((data_dir / "sources").glob("*.txt")) if processes > 1 and data_dir.is_dir() else []
    if len(texts) < TEXTS_IN_TWO_FROM:
        loader.read_records()
        loader.check()
    else:
        sources = loader.record_files("sources")
        split = len(sources) - round(len(sources) * HELPER_READS)  # the helper reads the last ones
        with helping(functools.partial(_fold_and_read, texts, sources[split:], loader), _find_in_folded) as helper:
            loader.read_records(but_not="sources")
            # This process's share first, while the helper works, then the helper's: the order of one process.
            loader.read_folder("sources", loader.read_yaml_files(sources[:split]), sources[:split])
            # The texts of the valid ones, which come first in the order one process reads the texts in.
            loader.read_texts_of(loader.records["sources"])
            loader.read_folder("sources", helper.receive(), sources[split:])
            wanted = loader.wanted()
            helper.ask(wanted)
            loader.check(texts_searched=lambda: loader.take_found(wanted, helper.receive()))
    if loader.problems:
        raise ArchiveProblems(loader.problems)
    return loader.archive()


class Wanted(NamedTuple):
    """What the main process asks the helper about one stored text (see _find_in_folded)."""

    file: str  # the text's file name in data/sources/
    sha256: str  # of the bytes the answers must be about: the record's, which the main process checks
    quotes: list[str]  # words to find: the source's quotes and mentions, as locate_quotes will ask
    printed: list[str]  # words the text should print, as check_as_printed will ask


def _fold_and_read(
    texts: list[Path], sources: list[Path], loader: _Loader
) -> tuple[dict[str, tuple[str, StoredText]], dict[Path, tuple[Document | None, list[Problem]]]]:
    """In the helper: each stored text that is UTF-8, folded, with the sha256 of its bytes, by its file name
    (kept to answer _find_in_folded); and what read_yaml gives for some source records (handed over)."""
    folded: dict[str, tuple[str, StoredText]] = {}
    for path in texts:
        try:
            raw = path.read_bytes()
            folded[path.name] = (hashlib.sha256(raw).hexdigest(), StoredText(raw.decode("utf-8")).fold_now())
        except (OSError, UnicodeDecodeError):
            continue  # reported by read_texts_of, which reads every text again
    return folded, loader.read_yaml_files(sources)


def _find_in_folded(
    folded: dict[str, tuple[str, StoredText]], wanted: dict[str, Wanted]
) -> dict[str, tuple[list[list[tuple[int, int]]], list[bool]]]:
    """In the helper: for each source of `wanted`, the spans of each of its quotes found in its text, and
    whether the text prints each of its printed words. A text whose bytes are not the ones the record names
    (changed since, or not read) is not answered for: the main process reads only those."""
    found = {}
    for source_id, asked in wanted.items():
        digest, stored = folded.get(asked.file, (None, None))
        if stored is not None and digest == asked.sha256:
            found[source_id] = (
                [stored.spans(quote) for quote in asked.quotes],
                [stored.prints(words) for words in asked.printed],
            )
    return found


# What Path.is_dir and Path.is_file take for "no" rather than an error: a broken link, a link to itself...
_NOT_THERE = frozenset((errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP))


def files_under(
    folder: Path | str, *, hidden: bool, above: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], os.DirEntry]]:
    """Everything under a folder that is not a folder, nor a link to one, as the names that lead to it, with its
    directory entry; hidden files and folders only if asked for. What Path.rglob("*") walks, without a Path and a
    call to the system for each of the thousands of files of a large archive: a folder is looked into, a link to
    one is not, and a folder that may not be read is passed by.
    """
    try:
        entries = list(os.scandir(folder))
    except PermissionError:
        return
    for entry in entries:
        if not hidden and entry.name.startswith("."):
            continue
        parts = (*above, entry.name)
        if entry.is_dir(follow_symlinks=False):
            yield from files_under(entry.path, hidden=hidden, above=parts)
        elif not as_pathlib(entry.is_dir):
            yield parts, entry


def as_pathlib(test: Callable[[], bool]) -> bool:
    """What a directory entry's is_dir or is_file answers, as Path's answers it: no for a broken link, or a link to
    itself, rather than an error."""
    try:
        return test()
    except OSError as error:
        if error.errno not in _NOT_THERE:
            raise
        return False


class _Loader:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.problems: list[Problem] = []
        self.documents: dict[tuple[str, str], Document] = {}
        self.records: dict[str, dict[str, BaseModel]] = {folder: {} for folder in FOLDERS}
        # What validates of the records that do not as a whole (see _salvaged): checked, never published.
        self.salvaged: dict[str, dict[str, BaseModel]] = {folder: {} for folder in FOLDERS}
        self.quote_ids_uncertain: set[str] = set()  # meetings whose list of quotes may not show every quote id
        self.texts: dict[str, StoredText] = {}
        self.stored_twice: list[tuple[str, str]] = []  # (the first source found storing some bytes, another)
        self._stored_as: dict[str, str] = {}  # sha256: the first source found storing those bytes
        self._texts_read: set[str] = set()  # the sources whose stored text has been read (see read_texts_of)
        self.same_sequence: list[tuple[str, str]] = []  # (the first meeting found with a sequence, another)
        self.files: dict[str, bytes] = {}
        self.paths: dict[str, Path] = {}
        self.quotes: dict[str, Located] = {}
        self.mentions: dict[tuple[str, str, int], Located] = {}
        self.named_texts: set[str] = set()
        # Every record file, valid or not: a reference to a record with problems of its own is not a second problem.
        self.present: dict[str, set[str]] = {folder: set() for folder in FOLDERS}
        self.all_sources_read = True
        self._listed: dict[str, list[str] | None] = {}  # source id -> _paragraph_ids of its record

    # -- reading -------------------------------------------------------------

    def read_records(self, but_not: str = "") -> None:
        """Read and validate the records of every folder (but one, read apart with read_folder)."""
        if not self.data_dir.is_dir():
            self.problems.append(
                Problem(
                    str(self.data_dir),
                    None,
                    None,
                    "",
                    "no data folder here.",
                    "run the command from the project folder, or name the data folder with --data.",
                    "a folder holding meetings/, people/, sources/ and references/.",
                )
            )
            return
        self._check_layout()
        for folder in FOLDERS:
            if folder != but_not:
                self.read_folder(folder)

    def check(self, texts_searched: Callable[[], None] = lambda: None) -> None:
        """Every check of the records read, in order; texts_searched is called before the first check that
        searches the stored texts (the ones before it need no folded text)."""
        self.read_stored_texts()
        self.check_ids()
        self.check_references()
        self.read_changes()
        texts_searched()
        self.check_as_printed()
        self.locate_quotes()
        self.report_clashes()

    def read_yaml_files(self, paths: list[Path]) -> dict[Path, tuple[Document | None, list[Problem]]]:
        return {path: read_yaml(path, self.shown(path)) for path in paths}

    def record_files(self, folder: str) -> list[Path]:
        return sorted((self.data_dir / folder).glob("*.yaml"))

    def read_folder(
        self,
        folder: str,
        already_read: dict[Path, tuple[Document | None, list[Problem]]] | None = None,
        paths: list[Path] | None = None,
    ):
        """Read and validate one folder's records, or those of its files given; already_read gives what read_yaml
        gave for some of them."""
        model, already_read = FOLDERS[folder], already_read or {}
        for path in self.record_files(folder) if paths is None else paths:
            shown = self.shown(path)
            self.present[folder].add(path.stem)
            if not re.fullmatch(ID_PATTERN, path.stem):
                self.problems.append(
                    Problem(
                        shown,
                        None,
                        None,
                        "",
                        f"the file name '{path.stem}', which is not an id (the file name is the record's id "
                        "and its address on the site).",
                        "rename the file.",
                        ID_EXPECTED,
                    )
                )
            document, problems = already_read.get(path) or read_yaml(path, shown)
            self.problems += problems
            if document is None:
                self.all_sources_read &= folder != "sources"
                continue
            self.documents[(folder, path.stem)] = document
            # Fields the reader has already reported on are not reported a second time.
            first = len(self.problems)
            record = self._validate(document, model, {problem.field for problem in problems})
            if record is not None and not problems:
                self.records[folder][path.stem] = record
            elif isinstance(document.data, dict):
                self.salvaged[folder][path.stem] = record or _salvaged(document.data, model)
                if folder == "meetings" and _quote_ids_uncertain(problems, self.problems[first:]):
                    self.quote_ids_uncertain.add(path.stem)
            if folder == "sources" and isinstance(document.data, dict):
                self.named_texts.add(str(document.data.get("file")))

    def checked(self, folder: str) -> dict[str, BaseModel]:
        """The records of a folder to check: the valid ones, and what validates of the others, so that one
        mistake in a record hides no other mistake, in it or in the records that rely on it."""
        return {**self.records[folder], **self.salvaged[folder]}

    def shown(self, path: Path) -> str:
        return path.relative_to(self.data_dir.parent).as_posix()

    def _check_layout(self) -> None:
        """Records in a place the archive does not read would be left out without a word."""
        for parts in sorted(parts for parts, _ in files_under(self.data_dir, hidden=False)):
            # Files directly in data/ are other records of the archive (the changelog, the dialogue).
            if len(parts) == 1:
                continue
            folder = parts[0] if len(parts) == 2 else None
            dot = parts[-1].rfind(".")
            suffix = parts[-1][dot:] if 0 < dot < len(parts[-1]) - 1 else ""  # as Path.suffix, without a Path
            if folder in FOLDERS and (suffix == ".yaml" or (folder == "sources" and suffix == ".txt")):
                continue
            path = self.data_dir.joinpath(*parts)
            if folder in FOLDERS and suffix == ".yml":
                found, fix = "a record file ending in .yml.", f"rename it to {path.stem}.yaml."
            elif suffix in (".yaml", ".yml") or folder in FOLDERS:
                found = "a file in a place the archive does not read."
                fix = "move a record into the folder of its kind, and anything else out of data/."
            else:
                continue
            self.problems.append(
                Problem(
                    self.shown(path),
                    None,
                    None,
                    "",
                    found,
                    fix,
                    "records as .yaml files in data/meetings/, data/people/, data/sources/ or data/references/, "
                    "and stored texts as .txt files in data/sources/.",
                )
            )

    def _validate(
        self, document: Document, model: type[BaseModel], reported: frozenset[str] | set[str] = frozenset()
    ) -> BaseModel | None:
        if not isinstance(document.data, dict):
            found = "a list" if isinstance(document.data, list) else _found(document.data)
            self.problems.append(
                document.problem(
                    (),
                    f"{found} where the record's fields belong.",
                    "write one `field: value` per line, starting at the first column.",
                    f"{RECORD_NAMES.get(model.__name__, 'a record')}: fields such as "
                    f"{', '.join(list(model.model_fields)[:3])}.",
                )
            )
            return None
        try:
            return model.model_validate(document.data)
        except ValidationError as error:
            for detail in error.errors():
                if dotted(detail["loc"]) not in reported:
                    written = document.written(detail["loc"])
                    self.problems.append(document.problem(detail["loc"], *_explain(detail, model, written)))
            return None

    def read_stored_texts(self) -> None:
        """The stored text of every source record to check (those not read already, see read_texts_of), then the
        stored texts that no record names."""
        self.read_texts_of(self.checked("sources"))
        if self.all_sources_read:
            folder = (self.data_dir / "sources").resolve()
            for path in sorted(folder.glob("*.txt")):
                if path.name not in self.named_texts:
                    self.problems.append(
                        Problem(
                            self.shown(self.data_dir / "sources" / path.name),
                            None,
                            None,
                            "",
                            "a stored text that no source record names.",
                            "add its record to data/sources/ (with `file: " + path.name + "` and its sha256), "
                            "or take the file out of data/.",
                            "one record in data/sources/ for every stored text.",
                        )
                    )

    def read_texts_of(self, sources: dict[str, BaseModel]) -> None:
        """Each source's stored text, read and checked against its record; a source read already is passed over.

        With a helper, this process reads the texts of its own share of the source records while the helper
        reads the other records (and folds every text); read_stored_texts then reads the rest, in the order one
        process reads them all.
        """
        folder = (self.data_dir / "sources").resolve()
        for source_id, source in sources.items():
            if source_id in self._texts_read:
                continue
            self._texts_read.add(source_id)
            self._check_source_date(source_id, source)
            if not (source.file and source.sha256 and source.paragraphs is not None):
                continue  # a record whose file, sha256 or paragraphs have problems of their own: nothing to check
            document = self.documents[("sources", source_id)]
            path = folder / source.file
            checked = self._checked_text(document, source, path)
            if isinstance(checked, Problem):
                self.problems.append(checked)
                continue
            raw, text = checked
            if source.sha256 in self._stored_as:
                self.stored_twice.append((self._stored_as[source.sha256], source_id))
            else:
                self._stored_as[source.sha256] = source_id
            stored = StoredText(text)
            self._check_paragraphs(source_id, source, stored)
            self.texts[source_id] = stored
            self.files[source_id] = raw
            self.paths[source_id] = path

    def check_published(self, addresses: list[str], log: ChangeLog) -> None:
        """Every address ever published (data/published-addresses.txt) still leads to its record, as it is now
        or through a renaming in the changelog."""
        path = self.data_dir / "published-addresses.txt"
        shown = self.shown(path)
        current = set(addresses)
        listed = self._published_list(path, shown, current)
        if listed is None:
            return

        def broken(address: str) -> bool:  # the record is there, with problems of its own: its addresses are not lost
            folder, record_id = address.split("/")[:2]
            return record_id in self.present.get(folder, ()) and record_id not in self.records.get(folder, {})

        moves = {  # the renamings check_changes accepts (the others are reported there), or to a broken record
            renaming.old: renaming.new
            for renaming in log.renamings()
            if renaming_accepted(renaming, current) or (broken(renaming.new) and renaming.old not in current)
        }
        lost = [
            (line, address)
            for line, address in listed
            if address not in current and (now := resolve(address, moves)) not in current and not broken(now)
        ]
        # A page lost takes its anchors with it: one problem for the page, naming how many anchors went too.
        anchors_of = Counter(page_of(address) for _, address in lost if fragment_of(address))
        pages_lost = {address for _, address in lost if not fragment_of(address)}
        for line, address in lost:
            if fragment_of(address) and page_of(address) in pages_lost:
                continue
            anchors = anchors_of[address] if address in pages_lost else 0
            also = f", with its {anchors} anchors," if anchors > 1 else (", with its anchor," if anchors else "")
            self.problems.append(
                Problem(
                    shown,
                    line,
                    1,
                    "",
                    f"'{address}'{also} was published and leads nowhere now: its record or id is gone.",
                    "restore the record or the id. If it was renamed on purpose, say so in data/changes.yaml, "
                    f"in the entry of the change: `renamed: [{{old: {address}, new: ...}}]` with the address it "
                    "has now.",
                    "every address ever published leading to its record.",
                )
            )

    def _published_list(self, path: Path, shown: str, current: set[str]) -> list[tuple[int, str]] | None:
        """The addresses the file lists, with their lines; None, with a problem, if it cannot be read. A line that
        is no address of the archive is a problem of its own, and is left out."""
        try:
            listed = read_published(path)
        except (OSError, UnicodeDecodeError) as error:
            found = "is not UTF-8 text" if isinstance(error, UnicodeDecodeError) else "does not exist or cannot be read"
            self.problems.append(
                Problem(
                    shown,
                    None,
                    None,
                    "",
                    f"the list of every address ever published {found}.",
                    "restore it from git (a plain UTF-8 text file), then append the addresses of new records.",
                    "one address a line, such as meetings/first-plenary/#sputnik-delegations.",
                )
            )
            return None
        wrong = [(line, address) for line, address in listed if address not in current and not ADDRESS.match(address)]
        for line, address in wrong:
            self.problems.append(
                Problem(
                    shown,
                    line,
                    1,
                    "",
                    f"'{address}', which is not an address of the archive.",
                    "correct the line: write the address relative to the site, as "
                    "`python -m archive.addresses` prints it; lines starting with # are comments.",
                    ADDRESS_EXPECTED,
                )
            )
        return [item for item in listed if item not in wrong] if wrong else listed

    def report_clashes(self) -> None:
        """Two meetings with one sequence, or two sources storing the same bytes: the problem is the newer record's,
        the one the changelog first names the later, or does not name yet (and if it cannot tell, the later in the
        order of the files), as the older one is most likely published already."""
        first_named = self.changes.first_named if self.changes else {}
        newest = (datetime.date.max, 0)  # a record the changelog does not name yet is the newest of all

        def older_first(first: str, second: str) -> tuple[str, str]:
            if first_named.get(first, newest) > first_named.get(second, newest):
                return second, first
            return first, second

        meetings = self.checked("meetings")
        for older, newer in (older_first(*pair) for pair in self.same_sequence):
            self.problems.append(
                self.documents[("meetings", newer)].problem(
                    ("sequence",),
                    f"sequence {meetings[newer].sequence}, which {older} already has.",
                    "give each meeting its own place in the timeline: renumber the meetings that come after it.",
                    "a different sequence number for each meeting.",
                )
            )
        sources = self.checked("sources")
        for older, newer in (older_first(*pair) for pair in self.stored_twice):
            self.problems.append(
                self.documents[("sources", newer)].problem(
                    ("file",),
                    f"'{sources[newer].file}', which has the same bytes as '{sources[older].file}', the stored text "
                    f"of source '{older}'.",
                    f"quote source '{older}' instead, and take this record and its copy of the text out of data/.",
                    "each text stored once, under one source record.",
                )
            )

    @staticmethod
    def _checked_text(document: Document, source: Source, path: Path) -> tuple[bytes, str] | Problem:
        """A stored text's bytes and text, or what keeps it from being quoted: not there, a link, empty, altered
        or not UTF-8."""
        name = source.file
        kept = "the stored text itself, a plain file in data/sources/, byte for byte as recorded."
        if path.is_symlink():
            target = os.readlink(path)
            return document.problem(
                ("file",),
                f"'{name}', which is a link to {target}, not a stored text.",
                "copy the text itself into data/sources/ in place of the link.",
                kept,
            )
        if not path.is_file():
            return document.problem(
                ("file",),
                f"'{name}', which is not in data/sources/.",
                "put the stored text in data/sources/, or correct the file name.",
                kept,
            )
        raw = path.read_bytes()
        if not raw:
            return document.problem(
                ("file",),
                f"'{name}', which is empty.",
                "store the whole text of the source in the file.",
                kept,
            )
        digest = hashlib.sha256(raw).hexdigest()
        if digest != source.sha256:
            return document.problem(
                ("sha256",),
                f"the stored text '{name}' has sha256 {digest}; the record says {source.sha256}.",
                "stored texts are never edited: restore the file byte for byte (from git); if a new text is "
                "meant, store it as a new source with its own record. In a record not yet published, the digest "
                f"may be what is wrong: copy the one `sha256sum data/sources/{name}` prints.",
                "the sha256 of the stored text to match its record.",
            )
        try:
            return raw, raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line, _ = line_and_column(raw, error.start)
            return document.problem(
                ("file",),
                f"'{name}', which is not UTF-8 text (byte {raw[error.start]:#04x} on line {line}).",
                "store the text as UTF-8, and record the sha256 of the new file.",
                "UTF-8 text, the encoding of every file in data/.",
            )

    def _check_source_date(self, source_id: str, source: Source) -> None:
        """date is date_as_printed read: it needs the printed date, and must be a day that names (the month and
        day, and the year if printed). A printed date in numbers only (30/09/2021) is not read: it may be either
        order."""
        if source.date is None:
            return
        document = self.documents[("sources", source_id)]
        if source.date_as_printed is None:
            if "date_as_printed" not in document.data:  # not there at all, rather than there with a problem
                self.problems.append(
                    document.problem(
                        ("date",),
                        f"{source.date}, without date_as_printed.",
                        "add date_as_printed, the date exactly as the text prints it; if the text prints no date, "
                        "remove date.",
                        "date only beside date_as_printed.",
                    )
                )
            return
        named = named_days(source.date_as_printed)
        day = source.date
        if named and not any((m, d) == (day.month, day.day) and y in (None, day.year) for _, m, d, y in named):
            self.problems.append(
                document.problem(
                    ("date",),
                    f"{day}, while date_as_printed is '{source.date_as_printed}'.",
                    "correct date to the day the text prints.",
                    "date and date_as_printed naming the same day.",
                )
            )

    def check_as_printed(self) -> None:
        """What each record says its text prints (headline, tag, dateline, date) must be printed there."""
        sources = self.checked("sources")
        for source_id, stored in self.texts.items():
            source, document = sources[source_id], self.documents[("sources", source_id)]
            for field in PRINTED_FIELDS:
                value = getattr(source, field)
                if value and not stored.prints(value):
                    if_not_shown = "write what it does print." if field in ("title", "dateline") else "leave it out."
                    self.problems.append(
                        document.problem(
                            (field,),
                            f"'{value}', which the stored text '{source.file}' does not print.",
                            "copy it from the stored text, exactly as printed; if the text does not show it, "
                            + if_not_shown,
                            "what the stored text prints (only white space, typographic quotes and dashes may differ).",
                        )
                    )

    def wanted(self) -> dict[str, Wanted]:
        """What to ask the helper about each source record that names its stored text and the text's sha256.

        The quotes and mentions are the ones locate_quotes looks for, and the printed words the ones
        check_as_printed looks for: a text asked about one that these loops miss is folded here instead.
        """
        wanted = {
            source_id: Wanted(
                source.file,
                source.sha256,
                [],
                [value for field in PRINTED_FIELDS if (value := getattr(source, field))],
            )
            for source_id, source in self.checked("sources").items()
            if source.file and source.sha256
        }
        for meeting in self.checked("meetings").values():
            for _, quote in _usable(meeting.quotes, "source", "text"):
                if quote.source in wanted:
                    wanted[quote.source].quotes.append(quote.text)
        for person in self.checked("people").values():
            for field in ("spellings", "roles"):
                for _, mention in _usable(getattr(person, field), "source", "text"):
                    if mention.source in wanted:
                        wanted[mention.source].quotes.append(mention.text)
        return wanted

    def take_found(
        self, wanted: dict[str, Wanted], found: dict[str, tuple[list[list[tuple[int, int]]], list[bool]]]
    ) -> None:
        """What the helper found in the texts (see _find_in_folded), given to each text read here: the helper
        answered only for the bytes the record's sha256 names, as read_texts_of read them. What it did not
        answer for is worked out here when asked."""
        for source_id, (spans, prints) in found.items():
            if source_id in self.texts:
                asked = wanted[source_id]
                self.texts[source_id].known(
                    dict(zip(asked.quotes, spans, strict=True)), dict(zip(asked.printed, prints, strict=True))
                )

    def _check_paragraphs(self, source_id: str, source: Source, stored: StoredText) -> None:
        document = self.documents[("sources", source_id)]
        if len(source.paragraphs) != len(stored.paragraphs):
            self.problems.append(
                document.problem(
                    ("paragraphs",),
                    f"{len(source.paragraphs)} paragraphs listed, while the stored text has "
                    f"{len(stored.paragraphs)} (a blank line separates two paragraphs).",
                    "list one entry per paragraph of the stored text, in order.",
                    "one entry for each paragraph of the stored text.",
                )
            )
            return
        text = stored.text
        for index, (listed, stored_paragraph) in enumerate(zip(source.paragraphs, stored.paragraphs, strict=True)):
            if listed is None or listed.begins is None:
                continue
            # Within the paragraph's bounds: as stored_paragraph.text.startswith, without copying the paragraph out.
            if not text.startswith(listed.begins, stored_paragraph.start, stored_paragraph.end):
                self.problems.append(
                    document.problem(
                        ("paragraphs", index, "begins"),
                        f"'{listed.begins}', while paragraph {index + 1} of the stored text begins "
                        f"'{stored_paragraph.text[:40]}'.",
                        "copy the first words of the paragraph exactly as stored; check that no entry is missing "
                        "or out of order.",
                        "the first words of the paragraph, exactly as stored.",
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
                        path,
                        f"the id '{identifier}', which the pages keep for themselves.",
                        "choose another id.",
                        f"an id other than {', '.join(sorted(RESERVED_IDS))}.",
                    )
                )
            elif identifier in seen:
                self.problems.append(
                    document.problem(
                        path,
                        f"the id '{identifier}', which {seen[identifier]} already uses.",
                        "choose another id (ids are addresses: change the newer one).",
                        "an id used once in the whole archive: records, statements and quotes share one set of ids.",
                    )
                )
            else:
                seen[identifier] = document.file

        for folder in FOLDERS:
            for record_id in self.checked(folder):
                claim(record_id, folder, record_id, ())
        for meeting_id, meeting in self.checked("meetings").items():
            for field in ("statements", "quotes"):
                for index, item in _usable(getattr(meeting, field), "id"):
                    claim(item.id, "meetings", meeting_id, (field, index, "id"))
        for source_id, source in self.checked("sources").items():
            paragraph_ids: dict[str, int] = {}
            for index, paragraph in _usable(source.paragraphs, "id"):
                if paragraph.id in paragraph_ids:
                    self.problems.append(
                        self.documents[("sources", source_id)].problem(
                            ("paragraphs", index, "id"),
                            f"the paragraph id '{paragraph.id}' a second time "
                            f"(paragraph {paragraph_ids[paragraph.id] + 1} has it).",
                            "give each paragraph its own id.",
                            "a different id for each paragraph of the source.",
                        )
                    )
                paragraph_ids.setdefault(paragraph.id, index)

    def _unknown(self, document: Document, path: Path_, what: str, wrong: str, known, where: str) -> None:
        """An id that leads nowhere, with the closest id that exists."""
        guess = difflib.get_close_matches(wrong, sorted(known), n=1, cutoff=0.6)
        fix = f"did you mean '{guess[0]}'? Otherwise {where}" if guess else where[0].upper() + where[1:]
        self.problems.append(
            document.problem(
                path,
                f"'{wrong}', which is not the id of any {what}.",
                fix,
                f"the id of {'an' if what[0] in 'aeiou' else 'a'} {what}.",
            )
        )

    def check_references(self) -> None:
        meetings, sources = self.checked("meetings"), self.checked("sources")
        people, references = self.present["people"], self.present["references"]
        sequences: dict[int, str] = {}
        for meeting_id, meeting in meetings.items():
            document = self.documents[("meetings", meeting_id)]
            if meeting.sequence is not None:  # None: a sequence with a problem of its own (see _salvaged)
                if meeting.sequence in sequences:
                    self.same_sequence.append((sequences[meeting.sequence], meeting_id))
                else:
                    sequences[meeting.sequence] = meeting_id
            own_quotes = {quote.id for _, quote in _usable(meeting.quotes, "id")}
            quotes_sound = meeting_id not in self.quote_ids_uncertain
            for path, evidence in _evidence(meeting):
                for index, quote_id in _usable(evidence.quotes):
                    if quote_id in evidence.quotes[:index]:
                        self.problems.append(
                            document.problem(
                                (*path, "quotes", index),
                                f"the quote '{quote_id}' a second time.",
                                "list each quote once.",
                                "each quote listed once.",
                            )
                        )
                    elif quotes_sound and quote_id not in own_quotes:
                        self._unknown(
                            document,
                            (*path, "quotes", index),
                            "quote in this record",
                            quote_id,
                            own_quotes,
                            "list the quote under `quotes:` in this file.",
                        )
                for index, reference_id in _usable(evidence.references):
                    if reference_id not in references:
                        self._unknown(
                            document,
                            (*path, "references", index),
                            "outside reference",
                            reference_id,
                            references,
                            f"add data/references/{reference_id}.yaml.",
                        )
            for index, delegation in _usable(meeting.delegations):
                if delegation.head is not None and delegation.head not in people:
                    where = f"add data/people/{delegation.head}.yaml."
                    self._unknown(document, ("delegations", index, "head"), "person", delegation.head, people, where)
            for index, quote in _usable(meeting.quotes):
                if quote.speaker is not None and quote.speaker not in people:
                    where = f"add data/people/{quote.speaker}.yaml."
                    self._unknown(document, ("quotes", index, "speaker"), "person", quote.speaker, people, where)
                self._check_source(document, ("quotes", index), quote.source, quote.paragraph, sources)
        for person_id, person in self.checked("people").items():
            document = self.documents[("people", person_id)]
            for field in ("spellings", "roles"):
                for index, mention in _usable(getattr(person, field)):
                    self._check_source(document, (field, index), mention.source, mention.paragraph, sources)

    def _check_source(
        self, document: Document, path: Path_, source_id: str | None, paragraph: str | None, sources: dict[str, Source]
    ) -> None:
        if source_id is None:  # a source id with a problem of its own
            return
        if source_id not in self.present["sources"]:
            where = f"add data/sources/{source_id}.yaml."
            self._unknown(document, (*path, "source"), "source", source_id, self.present["sources"], where)
        elif source_id in sources and paragraph is not None:
            paragraph_ids = self._paragraph_ids(source_id, sources[source_id])
            if paragraph_ids is not None and paragraph not in paragraph_ids:
                where = f"use an id listed under `paragraphs:` in data/sources/{source_id}.yaml."
                self._unknown(
                    document, (*path, "paragraph"), f"paragraph of '{source_id}'", paragraph, paragraph_ids, where
                )

    def _paragraph_ids(self, source_id: str, source: Source) -> list[str] | None:
        """_paragraph_ids of a source's record, found once: every quote and mention of the source asks for them."""
        if source_id not in self._listed:
            self._listed[source_id] = _paragraph_ids(source)
        return self._listed[source_id]

    def locate_quotes(self) -> None:
        for meeting_id, meeting in self.checked("meetings").items():
            document = self.documents[("meetings", meeting_id)]
            for index, quote in _usable(meeting.quotes, "source", "text"):
                located = self._locate(document, ("quotes", index), quote.source, quote.paragraph, quote.text)
                if located is not None and quote.id is not None:
                    self.quotes[quote.id] = located
                if located is not None:
                    self._check_part_of_report(document, ("quotes", index), quote.source, located)
                for sic_index, word in _usable(quote.sic):
                    if normalise(word) not in normalise(quote.text):  # as quotes are matched (passages.py)
                        self.problems.append(
                            document.problem(
                                ("quotes", index, "sic", sic_index),
                                f"'{word}', which is not in the quote.",
                                "copy the misprinted word from the quote itself, exactly as printed.",
                                "words of the quote that the source prints wrongly.",
                            )
                        )
            self._check_date_evidence(document, meeting)
        for person_id, person in self.checked("people").items():
            document = self.documents[("people", person_id)]
            for field in ("spellings", "roles"):
                for index, mention in _usable(getattr(person, field), "source", "text"):
                    located = self._locate(document, (field, index), mention.source, mention.paragraph, mention.text)
                    if located is not None:
                        self.mentions[(person_id, field, index)] = located

    def _check_date_evidence(self, document: Document, meeting: Meeting) -> None:
        """A date's iso must be a day its quotes name, when they name days at all ("Sept 30", "June 16")."""
        date = meeting.date
        if date is None or date.iso is None:
            return
        words = {quote.id: quote.text for _, quote in _usable(meeting.quotes, "id", "text")}
        named = [found for _, quote_id in _usable(date.quotes) for found in named_days(words.get(quote_id, ""))]
        if named and not any(
            (month, day) == (date.iso.month, date.iso.day) and year in (None, date.iso.year)
            for _, month, day, year in named
        ):
            days = ", ".join(dict.fromkeys(f"'{text}'" for text, *_ in named))
            self.problems.append(
                document.problem(
                    ("date", "iso"),
                    f"{date.iso}, while the quotes given for the date name {days}, not that day.",
                    "correct iso and the date's text to the day the quotes name; if the day comes from elsewhere "
                    "(an outside reference), list under the date's quotes only those that give that day.",
                    "the day the date's evidence names.",
                )
            )

    def _source(self, source_id: str) -> Source:
        """A source's record, as it validated or as far as it did (see _salvaged)."""
        return self.records["sources"].get(source_id) or self.salvaged["sources"][source_id]

    def _check_part_of_report(self, document: Document, path: Path_, source_id: str, located: Located) -> None:
        """A quote is evidence only from the report itself, never from a paragraph marked not part of it."""
        source = self._source(source_id)
        number = located.match.paragraph.number
        paragraph = source.paragraphs[number - 1]
        if paragraph is not None and paragraph.not_part_of_report:
            self.problems.append(
                document.problem(
                    (*path, "text"),
                    f"words from paragraph {number} ('{paragraph.id}') of source '{source_id}', which its record marks "
                    "as not part of the report.",
                    "quote the report itself; a line the publisher added (an advertisement, a promotion) backs "
                    "nothing.",
                    "words from a paragraph of the report.",
                )
            )

    def _locate(
        self, document: Document, path: Path_, source_id: str, paragraph_id: str | None, text: str
    ) -> Located | None:
        stored = self.texts.get(source_id)
        if stored is None:
            return None  # the source itself has a problem, reported already
        source = self._source(source_id)
        exactly = (
            "the words exactly as the source prints them (only white space, typographic quotes and dashes may differ)."
        )
        matches = stored.find(text)
        if not matches:
            self.problems.append(
                document.problem(
                    (*path, "text"),
                    f"{_quoted(text)}, which is not in source '{source_id}'. "
                    f"The closest passage there: {_quoted(stored.closest_passage(text))}.",
                    "copy the words from the source page or the stored text, not from memory or another report.",
                    exactly,
                )
            )
            return None
        listed = self._paragraph_ids(source_id, source)
        if listed is None or len(listed) != len(stored.paragraphs):
            return None  # the paragraphs listed have problems of their own, reported already: none can be named
        if paragraph_id is not None and paragraph_id not in listed:
            return None  # reported by the check of references
        ids = [listed[match.paragraph.number - 1] for match in matches]
        if paragraph_id is not None:
            matches = [match for match, pid in zip(matches, ids, strict=True) if pid == paragraph_id]
            if not matches:
                self.problems.append(
                    document.problem(
                        (*path, "paragraph"),
                        f"paragraph '{paragraph_id}', which does not hold the quote; "
                        f"source '{source_id}' has it in {_paragraphs(ids)}.",
                        "name the paragraph that holds it.",
                        "the id of the paragraph the quote is in.",
                    )
                )
                return None
        elif len(matches) > 1:
            self.problems.append(
                document.problem(
                    (*path, "text"),
                    f"words that occur {_times(len(matches))} in source '{source_id}', in {_paragraphs(ids)}.",
                    "add `paragraph:` with the id of the one meant, or quote more words so that they occur once.",
                    "a quote found once, or `paragraph:` naming the paragraph meant.",
                )
            )
            return None
        match = matches[0]
        if not match.within_one_paragraph:
            last = listed[stored.paragraph_at(match.end - 1).number - 1]
            self.problems.append(
                document.problem(
                    (*path, "text"),
                    f"a quote that begins in paragraph '{ids[0]}' of source '{source_id}' and ends in "
                    f"paragraph '{last}'.",
                    "split it into one quote per paragraph.",
                    "a quote inside one paragraph, so that its link leads to one place.",
                )
            )
            return None
        return Located(source_id, match)

    def read_changes(self) -> None:
        """data/changes.yaml (when each record changed) and data/dialogue.yaml (what the dialogue holds)."""
        self.changes: ChangeLog | None = None
        self.dialogue: Dialogue | None = None
        for name, model in (("changes", ChangeLog), ("dialogue", Dialogue)):
            path = self.data_dir / f"{name}.yaml"
            shown = path.relative_to(self.data_dir.parent).as_posix()
            if not path.is_file():
                self.problems.append(Problem(shown, None, None, "", "the file does not exist.", "restore it from git."))
                continue
            document, problems = read_yaml(path, shown)
            self.problems += problems
            record = None if document is None or problems else self._validate(document, model)
            if record is None:
                continue
            if name == "changes":
                record_ids = [
                    rid for records in self.present.values() for rid in records if re.fullmatch(ID_PATTERN, rid)
                ]
                addresses = published_addresses(
                    self.records["meetings"], self.records["people"], self.records["sources"]
                )
                self.problems += check_changes(document, record, [*record_ids, "dialogue"], addresses)
                self.changes = record
                self.check_published(addresses, record)
            else:
                self.problems += check_dialogue(document, record, self.present["meetings"])
                self.dialogue = record

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
            changes=self.changes,
            dialogue=self.dialogue,
            paths=self.paths,
        )


def _times(count: int) -> str:
    return {2: "twice", 3: "three times"}.get(count, f"{count} times")


def _paragraphs(ids: list[str]) -> str:
    """Paragraph ids as a message names them: paragraph 'lede', or paragraphs 'lede' and 'readout'."""
    quoted = [f"'{paragraph_id}'" for paragraph_id in ids]
    if len(quoted) == 1:
        return f"paragraph {quoted[0]}"
    return f"paragraphs {', '.join(quoted[:-1])} and {quoted[-1]}"


def _evidence(meeting: Meeting):
    """Every place in a meeting record that cites quotes or references, with its field path."""
    for field in ("status_evidence", "date", "place", "venue", "format", "outcome"):
        evidence = getattr(meeting, field)
        if evidence is not None:  # None: a field with problems of its own (see _salvaged)
            yield (field,), evidence
    for field in ("delegations", "statements"):
        for index, item in _usable(getattr(meeting, field)):
            yield (field, index), item


def _quoted(words: str) -> str:
    """Words in quotation marks, single ones if the words begin or end with a double one of their own."""
    return f"'{words}'" if words[:1] == '"' or words[-1:] == '"' else f'"{words}"'


def _quote_ids_uncertain(read: list[Problem], validated: list[Problem]) -> bool:
    """Whether a meeting record's problems may hide the id of a quote it lists: a key it does not have (`quote:`
    for `quotes:`), a slip of YAML in its quotes (a `- ` left out merges two), a list of quotes or a quote that
    is not one, or a quote without its id. Then a statement citing the quote is not reported as citing none."""
    for problem in [*read, *validated]:
        top = re.split(r"[.\[]", problem.field, maxsplit=1)[0]
        if top not in Meeting.model_fields or (top == "quotes" and problem in read):
            return True
        if re.fullmatch(r"quotes(\[\d+\](\.id)?)?", problem.field):
            return True
    return False


def _usable(items: tuple | None, *needed: str) -> list[tuple[int, Any]]:
    """The items of a list field with their places in the file, leaving out those with a problem of their own,
    or (see _salvaged) without a needed field: the checks of what is left report no problem a second time."""
    if not needed:  # most often, and on every item of every valid record: kept quick
        return [(index, item) for index, item in enumerate(items or ()) if item is not None]
    if len(needed) == 1:
        return [
            (index, item)
            for index, item in enumerate(items or ())
            if item is not None and getattr(item, needed[0]) is not None
        ]
    fields = operator.attrgetter(*needed)  # a tuple of the needed fields' values, read without a call per field
    return [(index, item) for index, item in enumerate(items or ()) if item is not None and None not in fields(item)]


def _paragraph_ids(source: Source) -> list[str] | None:
    """The ids a source record lists for its paragraphs, in order; None if an entry has a problem of its own."""
    if source.paragraphs is None or any(entry is None or entry.id is None for entry in source.paragraphs):
        return None
    return [entry.id for entry in source.paragraphs]


class _Validator(NamedTuple):
    """Validates one field's value (or one item of a list) as the record would, and names its record type."""

    adapter: TypeAdapter
    record: type[BaseModel] | None  # the type, when the value is a record of its own (a quote, a date fact)

    def salvaged(self, value: object) -> object:
        """The value validated, or what validates of the record in it, or None."""
        try:
            return self.adapter.validate_python(value)
        except ValidationError:
            return _salvaged(value, self.record) if self.record and isinstance(value, dict) else None


@functools.cache
def _validators(model: type[BaseModel]) -> dict[str, tuple[_Validator, _Validator | None]]:
    """For each field of a record: a validator of its value, and for a list, of one item."""
    validators: dict[str, tuple[_Validator, _Validator | None]] = {}
    for name, field in model.model_fields.items():
        annotation = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
        items = get_args(field.annotation)
        is_list = get_origin(field.annotation) is tuple and len(items) == 2 and items[1] is ...
        validators[name] = (_validator(annotation), _validator(items[0]) if is_list else None)
    return validators


def _validator(annotation: object) -> _Validator:
    either = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ()  # a record or None
    record = next(
        (found for found in (annotation, *either) if isinstance(found, type) and issubclass(found, BaseModel)), None
    )
    # A record type keeps its own settings; any other value is read with the records' (white space stripped).
    return _Validator(
        TypeAdapter(annotation) if record else TypeAdapter(annotation, config=Record.model_config), record
    )


def _salvaged(data: dict, model: type[BaseModel]) -> BaseModel:
    """What validates of a record that does not as a whole: each field on its own, and each item of a list,
    down to the fields of a record within it (a quote of a meeting, a paragraph entry of a source).

    A field that does not validate is None; a list keeps its length and places, so that they still name lines
    of the file. Their problems are reported already: this is so that the rest is still checked (quotes found
    in their sources, ids that lead somewhere), and every problem shown at once. It is never published.
    """
    fields: dict[str, object] = {}
    for name, (whole, item) in _validators(model).items():
        if name not in data:
            default = model.model_fields[name].get_default(call_default_factory=True)
            fields[name] = None if default is PydanticUndefined else default
        elif item is not None and isinstance(data[name], list):
            fields[name] = tuple(item.salvaged(value) for value in data[name])
        else:
            fields[name] = whole.salvaged(data[name])
    return model.model_construct(**fields)


# What each kind of record is called in a message.
RECORD_NAMES: dict[str, str] = {
    "Meeting": "a meeting record",
    "Person": "a person record",
    "Source": "a source record",
    "Reference": "a reference record",
    "Evidence": "evidence",
    "Fact": "a fact",
    "DateFact": "a date",
    "Statement": "a statement",
    "Delegation": "a delegation",
    "Quote": "a quote",
    "Mention": "a spelling or role",
    "SourceParagraph": "a paragraph entry",
}
ID_EXPECTED = "an id: lower-case letters, digits and single hyphens, such as first-plenary."
# For each pattern a field must match: what it expects, and how to fix a value that does not match.
PATTERN_EXPECTED: dict[str, tuple[str, str]] = {
    ID_PATTERN: (ID_EXPECTED, "write it in lower case, with hyphens between the words."),
    r"^[A-Za-z0-9_.-]+\.txt$": (
        "the name of a file in data/sources/ ending in .txt, such as 000_bdd13f7e3e6110b0.txt (no folder, no '/').",
        "write only the file name, and keep the stored text in data/sources/ itself.",
    ),
    "^[0-9a-f]{64}$": (
        "the sha256 of the stored text: 64 characters, digits and the letters a to f.",
        "copy the sha256 that `sha256sum data/sources/FILE` prints.",
    ),
    r"^https://\S+$": (
        "a web address that starts with https:// and has no spaces.",
        "write the full address, as the browser shows it.",
    ),
}
ALLOWED_VALUES: dict[str, tuple[str, ...]] = {
    "party": get_args(Party),
    "status": get_args(Status),
    "kind": get_args(Kind),
}


def _explain(detail: dict, model: type[BaseModel], written: str | None = None) -> tuple[str, str, str]:
    """A pydantic error in an editor's words: what was found (as written, when the file gives it), how to fix it,
    what was expected."""
    kind, found, loc = detail["type"], detail.get("input"), detail["loc"]
    named = _found(found, written)
    field = loc[-1] if loc else ""
    name = field if isinstance(field, str) else "item"
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        allowed = list(owner.model_fields)
        guess = difflib.get_close_matches(str(field), allowed, n=1, cutoff=0.75)
        fix = f"did you mean '{guess[0]}'? Correct the spelling." if guess else "remove the field or correct its name."
        return (
            f"an unknown field '{field}' in {RECORD_NAMES.get(owner.__name__, 'this record')}.",
            fix,
            f"only these fields: {', '.join(allowed)}.",
        )
    if kind == "missing":
        owner = _model_at(model, loc[:-1])
        return (
            f"no field '{field}', which {RECORD_NAMES.get(owner.__name__, 'this record')} must have.",
            f"add `{field}:` with its value.",
            _expected_for(owner, str(field)),
        )
    if found is None:
        return (
            f"the field '{name}' is empty.",
            "write its value; a value that begins with # must be in quotes (# starts a comment).",
            _expected_for(_model_at(model, loc[:-1]), str(field)),
        )
    if kind == "literal_error":
        allowed = ALLOWED_VALUES.get(str(field)) or detail["ctx"]["expected"]
        typed = written if isinstance(found, bool) and written else str(found)  # `No` as written, not 'false'
        guess = difflib.get_close_matches(typed.lower(), allowed, n=1)
        fix = f"did you mean '{guess[0]}'?" if guess else "use one of the allowed values, spelled exactly."
        return f"{named}, which is not allowed here.", fix, f"one of: {', '.join(allowed)}."
    if kind == "string_pattern_mismatch":
        pattern = detail["ctx"]["pattern"]
        expected, fix = PATTERN_EXPECTED.get(pattern, (f"text matching {pattern}.", "correct the value."))
        return f"{named}, which is not of the right form.", fix, expected
    if kind == "string_too_short":
        return f"the field '{name}' is empty.", "write its value, or remove the field if it is optional.", "text."
    if kind == "string_too_long":
        limit = detail["ctx"]["max_length"]
        return f"{named}, which is too long.", f"shorten it to {limit} characters at most.", ID_EXPECTED
    if kind == "string_type":
        return (
            f"{named} where text belongs.",
            "write text; put it in double quotes when YAML would read it as a number, a date or yes/no.",
            "text.",
        )
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{named} where a number belongs.", "write a whole number.", "a whole number such as 3."
    if kind == "greater_than_equal":
        limit = detail["ctx"]["ge"]
        return f"{named}, which is too small.", f"use {limit} or more.", f"a whole number from {limit}."
    if kind in ("bool_type", "bool_parsing"):
        return f"{named} where true or false belongs.", "write true or false.", "true or false."
    if kind.startswith("date_"):
        if isinstance(found, str) and re.match(r"^\d{4}-\d{1,2}-\d{1,2}$", found):
            return f"'{found}', {why_not_a_date(found)}.", "write a date that exists.", DATE_EXPECTED
        return f"{named} where a date belongs.", "write the date as YYYY-MM-DD.", DATE_EXPECTED
    if kind == "too_short":
        return "an empty list.", "list at least one item, or remove the field if it is optional.", "at least one item."
    if kind in ("tuple_type", "list_type"):
        return (
            f"{named} where a list belongs.",
            "write one '- ' item per line under the field, or [first, second] on the same line.",
            "a list.",
        )
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        owner = _model_at(model, loc)
        return (
            f"{named} where {RECORD_NAMES.get(owner.__name__, 'a group of fields')} belongs.",
            "write its fields indented on the lines below, as `field: value`.",
            f"fields such as {', '.join(list(owner.model_fields)[:3])}.",
        )
    if kind == "value_error":
        found_words, expected, fix = detail["msg"].removeprefix("Value error, ").split("\n")
        return f"{found_words}.", f"{fix}.", f"{expected}."
    return f"{named}, which cannot be used here ({detail['msg']}).", "correct the value.", ""


def _found(value: object, written: str | None = None) -> str:
    """A value as the editor wrote it, named by its kind; written: the value as the file writes it, if known."""
    if isinstance(value, bool):  # `No`, as the file writes it, rather than 'false'
        return f"'{written or str(value).lower()}' (read as yes/no)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, datetime.datetime):
        return f"the date and time {value.isoformat(sep=' ')}"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    text = str(value)
    return f"'{text[:77]}...'" if len(text) > 80 else f"'{text}'"


def _expected_for(model: type[BaseModel], field: str) -> str:
    """What a field holds, for a message about a missing or empty field."""
    info = model.model_fields.get(field)
    if field in ALLOWED_VALUES:
        return f"one of: {', '.join(ALLOWED_VALUES[field])}."
    if info is None:
        return ""
    if info.description:
        return info.description.rstrip(".") + "."
    inner = _inner_model(info.annotation)
    if inner is not None:
        return f"{RECORD_NAMES.get(inner.__name__, 'a group of fields')}, with fields such as " + (
            ", ".join(list(inner.model_fields)[:3]) + "."
        )
    return "text."


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel]:
    """The record model that a location inside a record falls in."""
    for part in loc:
        if isinstance(part, str) and part in model.model_fields:
            inner = _inner_model(model.model_fields[part].annotation)
            if inner is None:
                break
            model = inner
    return model


def _inner_model(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _inner_model(argument)
        if found is not None:
            return found
    return None
