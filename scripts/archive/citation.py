"""Citing the archive: recommended citations, reference-manager downloads, head metadata and JSON-LD.

Every value comes from the records, the changelog and the site's address, never from the clock:
a page cited today and rebuilt tomorrow carries the same citation until its record changes.
"""

from __future__ import annotations

import datetime
import functools
import html
import re
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

import orjson
from markupsafe import Markup

from .addresses import absolute, resolve
from .escaping import escaped_text
from .records import KIND_NAMES, STATUS_NAMES

ARCHIVE_TITLE = "Strategic Stability Dialogue Archive"  # mkdocs.yml site_name; a test keeps them equal
ROOT = Path(__file__).resolve().parents[2]
MLA_MONTHS = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")
DOWNLOADS = {"bib": "cite.bib", "ris": "cite.ris", "csl": "cite.json"}


@dataclass(frozen=True)
class Edition:
    """Which version of the archive a page belongs to: the release, and the git commit when built from one."""

    release: str
    commit: str | None = None
    modified: bool = False

    @property
    def label(self) -> str:
        if self.commit is None:
            return self.release
        # A semantic-version build suffix: no spaces or commas to trip a citation style's punctuation.
        return f"{self.release}+{self.commit}{'.modified' if self.modified else ''}"


@functools.cache
def edition(root: Path = ROOT) -> Edition:
    """The release from pyproject.toml and, in a git checkout, the commit: the same for every build of one tree."""
    release = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    try:
        commit = _git(root, "rev-parse", "--short=10", "HEAD")
        modified = bool(_git(root, "status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.CalledProcessError):
        return Edition(release)
    return Edition(release, commit, modified)


def _git(root: Path, *arguments: str) -> str:
    run = subprocess.run(["git", "-C", str(root), *arguments], capture_output=True, text=True, check=True)
    return run.stdout.strip()


@functools.lru_cache(maxsize=4096)
def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _html(template: str, *values: object) -> Markup:
    """Markup(template).format(*values) for plain `{}` fields, a few times faster: each value escaped unless Markup.

    Every citation on every page is made this way, thousands of them in a large archive.
    """
    return Markup(template.format(*map(escaped_text, values)))


def without_scheme(url: str) -> str:
    """MLA 9 prints web addresses without http:// or https://."""
    return re.sub(r"^https?://", "", url)


def _apa_date(day: datetime.date) -> str:
    return f"{day.year}, {day:%B} {day.day}"


def _mla_date(day: datetime.date) -> str:
    return f"{day.day} {MLA_MONTHS[day.month - 1]} {day.year}"


def _access(style: str) -> Markup:
    """A slot for the reader's access date; cite.js writes today's date into it, in the style's form."""
    return _html('<span class="ssd-access-date" data-style="{}">[date of access]</span>', style)


@dataclass(frozen=True)
class PageCitation:
    """How to cite one page of the archive."""

    key: str
    title: str
    url: str
    changed: datetime.date
    edition: Edition
    description: str

    # -- styles, as HTML (escaped) -----------------------------------------------

    def chicago_note(self) -> Markup:
        return _html(
            "1. “{},” {}, last modified {}, archive version {}, {}.",
            self.title,
            ARCHIVE_TITLE,
            long_date(self.changed),
            self.edition.label,
            self.url,
        )

    def chicago_bibliography(self) -> Markup:
        return _html(
            "{}. “{}.” Last modified {}. Archive version {}. {}.",
            ARCHIVE_TITLE,
            self.title,
            long_date(self.changed),
            self.edition.label,
            self.url,
        )

    def apa(self) -> Markup:
        return _html(
            "{}. ({}). <i>{}</i> (Version {}). {}",
            ARCHIVE_TITLE,
            _apa_date(self.changed),
            self.title,
            self.edition.label,
            self.url,
        )

    def mla(self) -> Markup:
        return _html("“{}.” {}", self.title, self._mla_container())

    def _mla_container(self) -> Markup:
        """The archive as MLA's container: its name, version, date of change, address, and the access date."""
        return _html(
            "<i>{}</i>, version {}, {}, {}. Accessed {}.",
            ARCHIVE_TITLE,
            self.edition.label,
            _mla_date(self.changed),
            without_scheme(self.url),
            _access("mla"),
        )

    def styles(self) -> list[tuple[str, str, list[tuple[str, Markup]]]]:
        """(id, name, [(label, citation)]) for the page's "Cite this page" section."""
        return [
            (
                "chicago",
                "Chicago (notes and bibliography)",
                [("Note", self.chicago_note()), ("Bibliography", self.chicago_bibliography())],
            ),
            ("apa", "APA (7th edition)", [("Reference", self.apa())]),
            ("mla", "MLA (9th edition)", [("Works cited", self.mla())]),
        ]

    # -- downloads -----------------------------------------------------------------

    def bibtex(self) -> str:
        fields = {
            "title": self.title,
            "organization": ARCHIVE_TITLE,
            "date": self.changed.isoformat(),
            "version": self.edition.label,
            "url": self.url,
            "langid": "english",
            "note": f"Record last changed {self.changed.isoformat()}",
        }
        lines = [f"@online{{{self.key},"]
        lines += [
            f"  {name} = {{{_bibtex_text(value) if name != 'url' else value}}}," for name, value in fields.items()
        ]
        return "\n".join([*lines, "}", ""])

    def ris(self) -> str:
        tags = [
            ("TY", "ELEC"),
            ("TI", self.title),
            ("T2", ARCHIVE_TITLE),
            ("PB", ARCHIVE_TITLE),
            ("PY", str(self.changed.year)),
            ("DA", self.changed.strftime("%Y/%m/%d")),
            ("ET", self.edition.label),
            ("UR", self.url),
            ("LA", "en"),
            ("AB", self.description),
            ("N1", f"Record last changed {self.changed.isoformat()}."),
            ("ER", ""),
        ]
        # RIS lines end in CR LF; a tag is two characters, two spaces, a hyphen and a space.
        return "".join(f"{tag}  - {value}".rstrip() + "\r\n" for tag, value in tags)

    def csl(self) -> dict:
        return {
            "id": self.key,
            "type": "webpage",
            "title": self.title,
            "container-title": ARCHIVE_TITLE,
            "issued": {"date-parts": [[self.changed.year, self.changed.month, self.changed.day]]},
            "version": self.edition.label,
            "URL": self.url,
            "language": "en",
            "abstract": self.description,
        }

    def csl_json(self) -> str:
        # The bytes json.dumps([...], ensure_ascii=False, indent=2) gives, several times faster.
        return orjson.dumps([self.csl()], option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode("utf-8")

    def downloads(self) -> dict[str, str]:
        return {"bib": self.bibtex(), "ris": self.ris(), "csl": self.csl_json()}

    # -- head metadata -------------------------------------------------------------

    def head_meta(self) -> list[list[str]]:
        """Highwire Press and Dublin Core <meta name> pairs.

        No citation_journal_title: Zotero would then save a journal article; DC.type webpage makes it a web page.
        """
        return [
            ["citation_title", self.title],
            ["citation_publisher", ARCHIVE_TITLE],
            ["citation_date", self.changed.strftime("%Y/%m/%d")],
            ["citation_public_url", self.url],
            ["citation_language", "en"],
            ["DC.title", self.title],
            ["DC.type", "webpage"],
            ["DC.publisher", ARCHIVE_TITLE],
            ["DC.date", self.changed.isoformat()],
            ["DC.identifier", self.url],
            ["DC.format", "text/html"],
            ["DC.language", "en"],
            ["DC.description", self.description],
            ["DC.relation.isPartOf", ARCHIVE_TITLE],
        ]


@dataclass(frozen=True)
class StoredCopyCitation(PageCitation):
    """How to cite a source page: the report itself (agency, headline, publisher, the date it prints), then the
    archive's stored copy. The archive did not write the report, and the date it changed its copy is not the
    report's date."""

    agency: str = ""
    publisher: str = ""
    printed: str | None = None  # the date as the report prints it
    date: datetime.date | None = None

    def _chicago(self, template: str) -> Markup:
        """Chicago's note and bibliography name the same things: the report, then the stored copy."""
        copy = (ARCHIVE_TITLE, long_date(self.changed), self.edition.label, self.url)
        return _html(template, self.agency, self.title, self.publisher, report_date(self.date, self.printed), *copy)

    def chicago_note(self) -> Markup:
        return self._chicago("1. {}, “{},” <i>{}</i>, {}; stored copy in {}, last modified {}, archive version {}, {}.")

    def chicago_bibliography(self) -> Markup:
        return self._chicago("{}. “{}.” <i>{}</i>, {}. Stored copy in {}, last modified {}. Archive version {}. {}.")

    def apa(self) -> Markup:
        return _html(
            "{}. ({}). {}. <i>{}</i>. Stored copy in {} (Version {}, last modified {}). {}",
            self.agency,
            _apa_date(self.date) if self.date else (self.printed or "n.d."),
            self.title,
            self.publisher,
            ARCHIVE_TITLE,
            self.edition.label,
            _apa_date(self.changed),
            self.url,
        )

    def mla(self) -> Markup:
        return _html(
            "{}. “{}.” <i>{}</i>{}. Stored copy in {}",
            self.agency,
            self.title,
            self.publisher,
            f", {_mla_date(self.date)}" if self.date else "",
            self._mla_container(),
        )

    def _note(self) -> str:
        return (
            f"Stored copy in {ARCHIVE_TITLE}, archive version {self.edition.label}, "
            f"record last changed {self.changed.isoformat()}"
        )

    def bibtex(self) -> str:
        fields = {
            "entrysubtype": "newspaper",
            "author": "{" + _bibtex_text(self.agency) + "}",  # an organisation: braces keep it one name
            "title": _bibtex_text(self.title),
            "journaltitle": _bibtex_text(self.publisher),
            **({"date": self.date.isoformat()} if self.date else {}),
            "url": self.url,
            "langid": "english",
            "note": _bibtex_text(self._note()),
        }
        lines = [f"@article{{{self.key},", *(f"  {name} = {{{value}}}," for name, value in fields.items())]
        return "\n".join([*lines, "}", ""])

    def ris(self) -> str:
        tags = [
            ("TY", "NEWS"),
            ("AU", self.agency),
            ("TI", self.title),
            ("T2", self.publisher),
            *((("PY", str(self.date.year)), ("DA", self.date.strftime("%Y/%m/%d"))) if self.date else ()),
            ("UR", self.url),
            ("DB", ARCHIVE_TITLE),
            ("LA", "en"),
            ("AB", self.description),
            ("N1", self._note() + "."),
            ("ER", ""),
        ]
        return "".join(f"{tag}  - {value}".rstrip() + "\r\n" for tag, value in tags)

    def csl(self) -> dict:
        item = {
            "id": self.key,
            "type": "article-newspaper",
            "author": [{"literal": self.agency}],
            "title": self.title,
            "container-title": self.publisher,
            "URL": self.url,
            "archive": ARCHIVE_TITLE,
            "note": self._note(),  # the archive's version is its copy's, not an edition of the report
            "language": "en",
            "abstract": self.description,
        }
        if self.date:
            item["issued"] = {"date-parts": [[self.date.year, self.date.month, self.date.day]]}
        return item

    def head_meta(self) -> list[list[str]]:
        """The report's own author, publisher and date (none when it prints none), and the archive as its host."""
        dated = self.date is not None
        return [
            ["citation_title", self.title],
            ["citation_author", self.agency],
            ["citation_publisher", self.publisher],
            *([["citation_date", self.date.strftime("%Y/%m/%d")]] if dated else []),
            ["citation_public_url", self.url],
            ["citation_language", "en"],
            ["DC.title", self.title],
            ["DC.type", "webpage"],
            ["DC.creator", self.agency],
            ["DC.publisher", self.publisher],
            *([["DC.date", self.date.isoformat()]] if dated else []),
            ["DC.identifier", self.url],
            ["DC.format", "text/html"],
            ["DC.language", "en"],
            ["DC.description", self.description],
            ["DC.relation.isPartOf", ARCHIVE_TITLE],
        ]


def _address_of(uri: str) -> str:
    """meetings/first-plenary.md -> meetings/first-plenary/."""
    return "timeline/" if uri == "timeline.md" else uri.removesuffix(".md") + "/"


def _bibtex_text(value: str) -> str:
    """Escape the characters BibTeX and LaTeX treat specially in a field's text."""
    for character, escaped in (("\\", r"\textbackslash{}"), ("{", r"\{"), ("}", r"\}")):
        value = value.replace(character, escaped)
    return re.sub(r"([&%$#_])", r"\\\1", value).replace("~", r"\textasciitilde{}").replace("^", r"\^{}")


def report_date(date: datetime.date | None, printed: str | None) -> str:
    """A report's date in a citation: the day it prints, read (a printed "Nov 18" gives no year), or as printed
    when it cannot be read, or that it prints none."""
    return long_date(date) if date else printed or "no date printed"


def quote_citation(
    *,
    agency: str,
    publisher: str,
    title: str,
    date: datetime.date | None,
    date_as_printed: str | None,
    paragraph: int,
    page: PageCitation,
    url: str,
) -> Markup:
    """A Chicago-style note for one quote: the original report, its paragraph, and where the archive shows it.

    The agency leads as the report's author; an agency's report on its own wire, where the agency is also the
    publisher, is named by its title and the agency once, as Chicago names a news item without a byline.
    """
    author = () if agency == publisher else (agency,)
    return _html(
        "{}, " * len(author)
        + "“{},” <i>{}</i>, {}, ¶\u00a0{}, quoted in “{},” {}, last modified {}, archive version {}, {}.",
        *author,
        title,
        publisher,
        report_date(date, date_as_printed),
        paragraph,
        page.title,
        ARCHIVE_TITLE,
        long_date(page.changed),
        page.edition.label,
        url,
    )


def json_ld(graph: list[dict]) -> str:
    """A JSON-LD document for a <script> element: '<', '>' and '&' are escaped so no text can end the script."""
    document = {"@context": "https://schema.org", "@graph": graph}
    text = orjson.dumps(document, option=orjson.OPT_SORT_KEYS).decode("utf-8")  # json.dumps is several times slower
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def web_page(citation: PageCitation, site_url: str, about: str | None = None) -> dict:
    node = {
        "@type": "WebPage",
        "@id": citation.url,
        "url": citation.url,
        "name": citation.title,
        "description": citation.description,
        "dateModified": citation.changed.isoformat(),
        "version": citation.edition.label,
        "inLanguage": "en",
        "isPartOf": {"@type": "WebSite", "@id": absolute(site_url, ""), "name": ARCHIVE_TITLE},
    }
    if about:
        node["about"] = {"@id": about}
    return node


def plain(markup: Markup) -> str:
    """A citation's text without its HTML, as a clipboard or a test reads it."""
    return html.unescape(re.sub(r"<[^>]+>", "", str(markup)))


class Citations:
    """The citation, metadata, downloads and moved addresses of every page, from the archive and its changelog."""

    def __init__(self, archive, site_url: str):
        self.archive = archive
        self.site_url = site_url
        self.edition = edition()
        self.moves = {renaming.old: renaming.new for renaming in archive.changes.renamings()}
        self.dialogue_id = absolute(site_url, "timeline/") + "#dialogue"
        # The citations of the quotes of the page last cited (see quote), by quote id.
        self._quotes_of: PageCitation | None = None
        self._quote_citations: dict[str, Markup] = {}

    # -- records and their pages -------------------------------------------------------

    def record(self, uri: str) -> str | None:
        """The id of the record a generated page shows: meetings/first-plenary.md -> first-plenary."""
        if uri == "timeline.md":
            return "dialogue"
        folder, _, name = uri.removesuffix(".md").partition("/")
        if folder in ("meetings", "people", "sources") and name != "index" and "/" not in name:
            return name
        return None

    def page(self, uri: str, title: str, description: str) -> PageCitation:
        address = _address_of(uri)
        record_id = self.record(uri)
        common = {
            "key": f"ssd-{record_id}",
            "title": title,
            "url": absolute(self.site_url, address),
            "changed": self.archive.changes.last_changed(record_id),
            "edition": self.edition,
            "description": description,
        }
        if uri.startswith("sources/"):
            source = self.archive.sources[record_id]
            return StoredCopyCitation(
                **common,
                agency=source.agency,
                publisher=source.publisher,
                printed=source.date_as_printed,
                date=source.date,
            )
        return PageCitation(**common)

    def front_matter(self, uri: str, citation: PageCitation) -> dict:
        """What overrides/main.html puts in <head> and under the page: read by the theme, escaped there."""
        return {
            "changed": citation.changed.isoformat(),
            "changed_text": long_date(citation.changed),
            "version": self.edition.label,
            "meta": citation.head_meta(),
            "jsonld": json_ld(self.graph(uri, citation)),
        }

    def downloads(self, uri: str, citation: PageCitation) -> dict[str, str]:
        folder = uri.removesuffix(".md") + "/"
        return {folder + DOWNLOADS[kind]: content for kind, content in citation.downloads().items()}

    def quote(self, citation: PageCitation, quote) -> Markup:
        """The citation of a quote shown on a cited page. A page asks twice for each of its quotes (its figure and
        its structured data): each is made once."""
        if self._quotes_of is not citation:
            self._quotes_of, self._quote_citations = citation, {}
        made = self._quote_citations.get(quote.id)
        if made is None:
            made = self._quote_citations[quote.id] = self._quote(citation, quote)
        return made

    def _quote(self, citation: PageCitation, quote) -> Markup:
        located = self.archive.quotes[quote.id]
        source = self.archive.sources[located.source]
        return quote_citation(
            agency=source.agency,
            publisher=source.publisher,
            title=source.title,
            date=source.date,
            date_as_printed=source.date_as_printed,
            paragraph=located.match.paragraph.number,
            page=citation,
            url=f"{citation.url}#{quote.id}",
        )

    # -- moved addresses -----------------------------------------------------------

    def resolve(self, address: str) -> str:
        """Where an address leads now, following renamings (a page renamed carries its anchors along)."""
        return resolve(address, self.moves)

    def redirects(self) -> dict[str, str]:
        """Old page -> new page, for every page address that no longer exists."""
        current = {
            f"{folder}/{record_id}/"
            for folder in ("meetings", "people", "sources")
            for record_id in getattr(self.archive, folder)
        }
        pages = {old.partition("#")[0] for old in self.moves}
        return {old: self.resolve(old).partition("#")[0] for old in sorted(pages - current)}

    def anchors(self) -> tuple[dict[str, dict[str, list[str]]], dict[str, list[tuple[str, str]]]]:
        """Old anchors kept alive: as a second id beside their quote or paragraph when it stayed on the
        page the old address now opens, else as a note on that page linking to where it went."""
        aliases: dict[str, dict[str, list[str]]] = {}
        moved: dict[str, list[tuple[str, str]]] = {}
        for old in sorted(self.moves):
            page, _, fragment = old.partition("#")
            if not fragment:
                continue
            new = self.resolve(old)
            new_page, _, new_fragment = new.partition("#")
            opened = self.resolve(page)
            if opened == new_page:
                if new_fragment != fragment:
                    aliases.setdefault(new_page, {}).setdefault(new_fragment, []).append(fragment)
            else:
                moved.setdefault(opened, []).append((fragment, new))
        return aliases, moved

    @functools.cached_property
    def _anchors(self) -> tuple[dict[str, dict[str, list[str]]], dict[str, list[tuple[str, str]]]]:
        return self.anchors()  # asked once for every quote and paragraph of a large archive

    def aliases_of(self, uri: str, anchor: str) -> list[str]:
        return self.aliases_on(uri).get(anchor, [])

    def aliases_on(self, uri: str) -> dict[str, list[str]]:
        """Anchor -> its earlier ids, for the anchors of one page that have any."""
        return self._anchors[0].get(_address_of(uri), {})

    def moved_from(self, uri: str) -> list[tuple[str, str]]:
        return self._anchors[1].get(_address_of(uri), [])

    # -- JSON-LD -------------------------------------------------------------------

    def graph(self, uri: str, citation: PageCitation) -> list[dict]:
        record_id = self.record(uri)
        if uri == "timeline.md":
            return self.dialogue_graph(citation)
        if uri.startswith("meetings/"):
            return self.meeting_graph(record_id, citation)
        if uri.startswith("people/"):
            node = self.person_node(record_id)
            return [web_page(citation, self.site_url, about=node["@id"]), node]
        node = self.source_node(record_id)
        return [web_page(citation, self.site_url, about=node["@id"]), node]

    def event_id(self, meeting_id: str) -> str:
        return absolute(self.site_url, f"meetings/{meeting_id}/") + "#event"

    def dialogue_graph(self, citation: PageCitation) -> list[dict]:
        dialogue = self.archive.dialogue
        event = {
            "@type": "Event",
            "@id": self.dialogue_id,
            "name": dialogue.title,
            "url": citation.url,
            "subEvent": [
                {"@type": "Event", "@id": self.event_id(part), "name": self.archive.meetings[part].title}
                for part in dialogue.parts
            ],
        }
        return [web_page(citation, self.site_url, about=self.dialogue_id), event]

    def meeting_graph(self, meeting_id: str, citation: PageCitation) -> list[dict]:
        archive = self.archive
        meeting = archive.meetings[meeting_id]
        event: dict = {
            "@type": "Event",
            "@id": self.event_id(meeting_id),
            "name": meeting.title,
            "url": citation.url,
            "description": f"{KIND_NAMES[meeting.kind]}. Status: {STATUS_NAMES[meeting.status].lower()}.",
        }
        if meeting.date.iso:
            event["startDate"] = meeting.date.iso.isoformat()
        if meeting.place.text:
            event["location"] = {"@type": "Place", "name": meeting.place.text}
        if meeting_id in archive.dialogue.parts:
            event["superEvent"] = {"@type": "Event", "@id": self.dialogue_id, "name": archive.dialogue.title}
        heads = [delegation.head for delegation in meeting.delegations if delegation.head]
        if meeting.status == "held" and heads:
            event["attendee"] = [self.person_ref(head) for head in heads]
        quotes = [self.quotation(citation, quote) for quote in meeting.quotes]
        sources = sorted({quote.source for quote in meeting.quotes})
        return [
            web_page(citation, self.site_url, about=event["@id"]),
            event,
            *quotes,
            *(self.source_node(source_id) for source_id in sources),
        ]

    def quotation(self, citation: PageCitation, quote) -> dict:
        source_id = self.archive.quotes[quote.id].source
        node = {
            "@type": "Quotation",
            "@id": f"{citation.url}#{quote.id}",
            "url": f"{citation.url}#{quote.id}",
            "text": self.archive.words_of(quote.id),
            "about": {"@id": citation.url + "#event"},
            "isBasedOn": {"@id": self.source_id(source_id)},
            "citation": plain(self.quote(citation, quote)),
        }
        if quote.speaker and quote.reported:  # the report's words about what the person said
            agency = self.archive.sources[source_id].agency
            node["creditText"] = f"{self.archive.people[quote.speaker].name}, in {agency}’s words"
            node["mentions"] = self.person_ref(quote.speaker)
        elif quote.speaker:
            node["spokenByCharacter"] = self.person_ref(quote.speaker)
        else:
            node["creditText"] = quote.voice
        return node

    def person_ref(self, person_id: str) -> dict:
        return {
            "@type": "Person",
            "@id": absolute(self.site_url, f"people/{person_id}/") + "#person",
            "name": self.archive.people[person_id].name,
        }

    def person_node(self, person_id: str) -> dict:
        person = self.archive.people[person_id]
        node = self.person_ref(person_id)
        spellings = sorted({mention.text for mention in person.spellings} - {person.name})
        if spellings:
            node["alternateName"] = spellings
        return node

    def source_id(self, source_id: str) -> str:
        return absolute(self.site_url, f"sources/{source_id}/") + "#report"

    def source_node(self, source_id: str) -> dict:
        source = self.archive.sources[source_id]
        node = {
            "@type": "NewsArticle",
            "@id": self.source_id(source_id),
            "url": absolute(self.site_url, f"sources/{source_id}/"),
            "headline": source.title,
            "author": {"@type": "Organization", "name": source.agency},
            "publisher": {"@type": "Organization", "name": source.publisher},
        }
        if source.date:
            node["datePublished"] = source.date.isoformat()
        return node
