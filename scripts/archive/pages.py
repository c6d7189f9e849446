"""Render the checked archive to Markdown pages and downloads, in memory."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import html
import itertools
import os
import posixpath
import re
import shutil
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FunctionType, MethodType
from typing import BinaryIO

import orjson
import yaml
from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined
from jinja2.compiler import CodeGenerator
from jinja2.runtime import Context
from jinja2.utils import _PassArg, internalcode
from markupsafe import Markup

from .citation import Citations, PageCitation
from .escaping import escaped_text
from .exports import LICENCE, build_time, dataset_downloads
from .load import Archive
from .passages import EQUIVALENT_CHARACTERS, fold_characters, normalise, text_directive
from .problems import ArchiveProblems, Problem
from .processes import SharedCounter, in_two_processes
from .records import KIND_NAMES, PARTY_NAMES, STATUS_NAMES, Meeting, Quote, SourceParagraph

TEMPLATES = Path(__file__).parent / "templates"
# libyaml writes front matter some 20 times faster than PyYAML's own emitter, byte for byte the same.
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
# Characters a JSON string keeps as they are but YAML reads otherwise: its own line breaks, and characters
# it does not accept unescaped.
NOT_FOR_JSON_QUOTES = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
MARKER = re.compile(r"<!--\s*archive:([a-z-]+)\s*-->")
PARTY_COLUMNS = ("united-states", "russia", "joint", "united-nations", "press")
# mkdocs.yml's default site_url, for the `render` command; the MkDocs hook passes the real one.
LOCAL_SITE_URL = "http://127.0.0.1:8000/"
PACK = "pages.pack"  # the file in a build's folder that holds its pages, one after another
SECOND_PACK = "pages-2.pack"  # the pages a second process renders, until they are added to the pack
# From this many pages on, a build that may use two processors renders pages in a second process as well.
# Forking costs a few hundredths of a second; a page, a few milliseconds.
PARALLEL_FROM = 200
SMALL_DOWNLOAD = 16 * 1024  # bytes: a download this small stays in memory even when pages are written to a folder


class CompiledTemplates(BytecodeCache):
    """Compiled templates kept in memory for the life of the process.

    Each build makes new Jinja environments, which would parse and compile every template again:
    under `mkdocs serve` that is most of a rebuild. Jinja checks each template's source against
    the checksum stored with its code, so an edited template is compiled afresh.
    """

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self._compiled:
            bucket.bytecode_from_string(self._compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


class EscapedTextCode(CodeGenerator):
    """Jinja's code for a template, but each autoescaped {{ value }} is written out by escaped_text.

    Jinja writes it through markupsafe.escape, which wraps every value in a Markup object, only for the
    page to be joined into one string: over a million times at a thousand meetings, a tenth of all the
    rendering. What a {{ value }} writes is always joined, whether into the page or into a macro's or a
    block's output, which Jinja marks safe itself; so the same characters come out, without the wrapping.
    """

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escaped_text(")
        if finalize.src is not None:
            self.write(finalize.src)


class TemplateContext(Context):
    """Jinja's context, but a template's call to a function or a method that takes no context goes straight to it.

    Jinja asks every callable a template calls, twice, whether it wants the context, the environment or the
    evaluation context passed to it (pass_context and the like). At a thousand meetings the templates make
    over a hundred thousand calls, and the asking cost more than most of the functions called. Here each
    function is asked once for each environment, as Jinja asks it; anything else is called as Jinja calls it.
    """

    environment: TemplateEnvironment

    # Jinja's own names: a template may pass a keyword argument named "self" or "obj".
    @internalcode  # left out of the tracebacks of template errors, as Jinja's own call is
    def call(__self, __obj, *args, **kwargs):
        kind = type(__obj)
        function = __obj.__func__ if kind is MethodType else __obj if kind is FunctionType else None
        if function is None:
            return super().call(__obj, *args, **kwargs)
        asked = __self.environment.takes_no_context
        plain = asked.get(function)
        if plain is None:  # the method-wrapper __call__ of a function or a method is never marked
            plain = asked[function] = _PassArg.from_obj(function) is None
        if not plain:
            return super().call(__obj, *args, **kwargs)
        # What Jinja passes to every call in a loop or a block, for a callable that takes the context.
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


class TemplateEnvironment(Environment):
    """The environment of the archive's templates (see EscapedTextCode).

    Their compiled code calls escaped_text, so no other kind of environment may load them from
    COMPILED_TEMPLATES; the theme's environment shares that cache, but never loads these files.
    """

    code_generator_class = EscapedTextCode
    context_class = TemplateContext
    escaped_text = staticmethod(escaped_text)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Function -> whether it takes no context, environment or evaluation context (see TemplateContext). Kept
        # with the environment, which serves one build: its templates' functions, and the few made for it.
        self.takes_no_context: dict[object, bool] = {}


@dataclass
class RenderedSite:
    """Everything the archive adds to the site: Markdown pages, downloads, and marker fragments.

    Pages and downloads are kept in memory, or, given a folder, written there as they are rendered,
    so that a large archive never holds every page at once. The pages go one after another into a
    single file, the pack (`packed` gives where each one lies, `read` gives it back); the large
    downloads are files of their own (`written` lists them in order). Small downloads, such as each
    page's citation files, stay in memory even then. Creating a file costs far more than writing its
    bytes: at a thousand meetings, one file per page was a tenth of the archive's work.
    """

    pages: dict[str, str] = field(default_factory=dict)
    downloads: dict[str, bytes] = field(default_factory=dict)
    fragments: dict[str, str] = field(default_factory=dict)
    # Site-wide values the theme shows on every page (the archive's version, its last change).
    extra: dict[str, str] = field(default_factory=dict)
    folder: Path | None = None
    written: list[str] = field(default_factory=list)
    packed: dict[str, tuple[int, int]] = field(default_factory=dict)  # page -> (offset, length) in the pack
    # Files of the site that are already on disk, given as they are (the stored sources, from data/).
    linked: dict[str, Path] = field(default_factory=dict)
    _made: set[Path] = field(default_factory=set, repr=False)
    pack_name: str = PACK
    _pack: BinaryIO | None = field(default=None, repr=False)
    # For a site that stands in for the archive's pages (see stand_in_site): what every marker shows.
    stand_in: str | None = None

    def add_page(self, uri: str, markdown: str) -> None:
        if self.folder is None:
            self.pages[uri] = markdown
            return
        pack = self._opened_pack()
        content = markdown.encode("utf-8")
        self.packed[uri] = (pack.tell(), len(content))
        pack.write(content)

    @property
    def pack_path(self) -> Path:
        assert self.folder is not None
        return self.folder / self.pack_name

    def _opened_pack(self) -> BinaryIO:
        if self._pack is None:
            self.pack_path.parent.mkdir(parents=True, exist_ok=True)
            self._pack = self.pack_path.open("w+b")
        return self._pack

    def read(self, uri: str) -> bytes:
        """A page from the pack, as UTF-8 bytes."""
        assert self._pack is not None
        offset, length = self.packed[uri]
        self._pack.flush()
        return os.pread(self._pack.fileno(), length, offset)

    def append_pack(self, other: Path, packed: dict[str, tuple[int, int]]) -> None:
        """Add the pages of another pack file, with where each lies in it, to this site's pack; remove the other."""
        pack = self._opened_pack()
        start = pack.seek(0, os.SEEK_END)
        with other.open("rb") as pages:
            shutil.copyfileobj(pages, pack, 1 << 20)
        other.unlink()
        for uri, (offset, length) in packed.items():
            self.packed[uri] = (start + offset, length)

    def close(self) -> None:
        """Let go of the pack; its folder can then be removed."""
        if self._pack is not None:
            self._pack.close()

    def add_download(self, path: str, content: bytes | Iterable[str]) -> None:
        """A file of the site as bytes, or as pieces of UTF-8 text (a template's stream) written as they come."""
        if isinstance(content, bytes) and (self.folder is None or len(content) < SMALL_DOWNLOAD):
            self.downloads[path] = content
        elif self.folder is None:
            self.downloads[path] = "".join(content).encode("utf-8")
        else:
            self._write(path, [content] if isinstance(content, bytes) else content)

    def add_stored(self, path: str, content: bytes, stored: Path) -> None:
        """A download that is a file on disk already: in memory as content, or, given a folder, taken from stored.

        Copying a thousand stored sources into the folder would cost a file each for bytes already on disk.
        """
        if self.folder is None:
            self.downloads[path] = content
        else:
            self.linked[path] = stored

    def _write(self, uri: str, pieces: Iterable[str | bytes]) -> None:
        assert self.folder is not None
        target = self.folder / uri
        if target.parent not in self._made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(target.parent)
        with target.open("wb") as output:
            for chunk in _in_chunks(pieces):
                output.write(chunk)
        self.written.append(uri)

    def save_to(self, folder: Path) -> None:
        """Put every page and download in folder, each a file of its own: those held in memory or in the pack
        written, the others copied there. The folder must not be the site's own folder of pages."""
        if self.folder is not None and folder.resolve() == self.folder.resolve():
            raise ValueError(f"save_to: {folder} holds this site's own pages; give another folder")
        on_disk = {uri: self.folder / uri for uri in self.written} if self.folder is not None else {}
        packed = {uri: self.read(uri) for uri in self.packed}
        for uri, found in {**self.pages, **packed, **self.downloads, **on_disk, **self.linked}.items():
            target = folder / uri
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(found, Path):
                shutil.copyfile(found, target)
            else:
                target.write_bytes(found.encode("utf-8") if isinstance(found, str) else found)

    def uris(self) -> list[str]:
        """Every page and download, in memory or written."""
        return [*self.pages, *self.packed, *self.downloads, *self.written, *self.linked]

    def fill_markers(self, markdown: str, page: str) -> str:
        """Replace each `<!-- archive:NAME -->` marker; an unknown marker stops the build."""
        if self.stand_in is not None:
            return MARKER.sub(lambda match: self.stand_in or "", markdown)
        unknown = sorted({name for name in MARKER.findall(markdown) if name not in self.fragments})
        if unknown:
            known = ", ".join(sorted(self.fragments))
            raise ArchiveProblems(
                [
                    Problem(
                        f"docs/{page}", None, None, "", f"unknown marker 'archive:{name}'.", f"use one of: {known}."
                    )
                    for name in unknown
                ]
            )
        return MARKER.sub(lambda match: self.fragments[match.group(1)], markdown)


def _in_chunks(pieces: Iterable[str | bytes], size: int = 1024) -> Iterator[bytes]:
    """The pieces as UTF-8 bytes, text joined some size pieces at a time: a template streams its page in pieces
    of a few words, and encoding and writing each on its own costs more than the piece (the book has 700,000)."""
    pieces = iter(pieces)
    # Text only, as a template streams it: taken and joined size pieces at a time without a step per piece.
    while taken := list(itertools.islice(pieces, size)):
        try:
            yield "".join(taken).encode("utf-8")
        except TypeError:  # bytes among them: from these on, a piece at a time
            yield from _mixed_in_chunks(itertools.chain(taken, pieces), size)
            return


def _mixed_in_chunks(pieces: Iterator[str | bytes], size: int) -> Iterator[bytes]:
    waiting: list[str] = []
    for piece in pieces:
        if isinstance(piece, bytes):
            if waiting:
                yield "".join(waiting).encode("utf-8")
                waiting.clear()
            yield piece
            continue
        waiting.append(piece)
        if len(waiting) >= size:
            yield "".join(waiting).encode("utf-8")
            waiting.clear()
    if waiting:
        yield "".join(waiting).encode("utf-8")


def yaml_front_matter(meta: dict) -> str:
    """A page's front matter as YAML: mappings, lists and strings, as MkDocs reads them back.

    Each string is written as a JSON string, which is also a YAML double-quoted string. libyaml gives the
    same values, but its Python half builds a node for each one first, which took ten times as long. Any
    value of another kind, or a string YAML would read otherwise, is left to libyaml.
    """
    lines: list[str] = []
    if _front_matter_lines(meta, "", lines):
        return "\n".join(lines) + "\n"
    return yaml.dump(meta, Dumper=SAFE_DUMPER, allow_unicode=True, sort_keys=False, width=10_000)


def _front_matter_lines(mapping: dict, indent: str, lines: list[str]) -> bool:
    """Add a mapping's lines; False if something in it is not a plain key, a string, a list or a mapping."""
    for key, value in mapping.items():
        if not (isinstance(key, str) and PLAIN_KEY.fullmatch(key)):
            return False
        if isinstance(value, dict) and value:
            lines.append(f"{indent}{key}:")
            if not _front_matter_lines(value, indent + "  ", lines):
                return False
            continue
        if isinstance(value, list) and value:
            lines.append(f"{indent}{key}:")
            for item in value:
                quoted = [_json_string(part) for part in item] if isinstance(item, list) and item else None
                written = f"[{', '.join(quoted)}]" if quoted and None not in quoted else _json_string(item)
                if written is None:
                    return False
                lines.append(f"{indent}- {written}")
            continue
        written = _json_string(value)
        if written is None:
            return False
        lines.append(f"{indent}{key}: {written}")
    return True


def _json_string(value) -> str | None:
    """A string as JSON, which YAML reads as the same string; None if it is not a string YAML reads alike."""
    if not isinstance(value, str) or NOT_FOR_JSON_QUOTES.search(value):
        return None
    return orjson.dumps(value).decode("utf-8")


def meeting_uri(meeting_id: str) -> str:
    return f"meetings/{meeting_id}.md"


def person_uri(person_id: str) -> str:
    return f"people/{person_id}.md"


def source_uri(source_id: str) -> str:
    return f"sources/{source_id}.md"


def page_url(uri: str) -> str:
    """The directory URL MkDocs gives a Markdown page (use_directory_urls)."""
    stem = uri.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


def relative(from_uri: str, to_url: str) -> str:
    """A link from one page to a site URL, relative so the site works under any base address."""
    base = page_url(from_uri)
    target, _, fragment = to_url.partition("#")
    path = _relpath(target or base, base or ".")
    if target.endswith("/") and not path.endswith("/"):
        path += "/"
    if path == "./":
        path = ""
    return path + (f"#{fragment}" if fragment else "") if path or fragment else "./"


def meeting_link(from_uri: str, meeting_id: str, fragment: str = "") -> str:
    """A relative link from one page to a meeting page, or to a place on it."""
    return relative(from_uri, page_url(meeting_uri(meeting_id)) + (f"#{fragment}" if fragment else ""))


def person_link(from_uri: str, person_id: str) -> str:
    return relative(from_uri, page_url(person_uri(person_id)))


def source_link(from_uri: str, source_id: str) -> str:
    return relative(from_uri, page_url(source_uri(source_id)))


def _relpath(path: str, start: str) -> str:
    """posixpath.relpath for site-relative paths, without asking the system for the working directory.

    It is called for every link on every page: relpath's two calls to os.getcwd() were a tenth of rendering.
    """
    to_parts, from_parts = _parts(path), _parts(start)
    common = 0
    for to_part, from_part in zip(to_parts, from_parts, strict=False):
        if to_part != from_part:
            break
        common += 1
    return "/".join(("..",) * (len(from_parts) - common) + to_parts[common:]) or "."


@functools.lru_cache(maxsize=1 << 14)
def _parts(path: str) -> tuple[str, ...]:
    """A site path's segments, normalised; each page and each link target recurs on page after page."""
    return tuple(part for part in posixpath.normpath(path).split("/") if part != ".")


# The pages that list records, which the navigation and the hand-written pages link to: title and description.
LIST_PAGES: dict[str, tuple[str, str]] = {
    "meetings/index.md": ("Meetings", "Every meeting record of the 2021 Strategic Stability Dialogue."),
    "people/index.md": ("People", "Every person named in the stored sources, with each spelling used."),
    "sources/index.md": ("Sources", "The stored source documents, kept byte for byte."),
    "timeline.md": (
        "Timeline",
        "The Strategic Stability Dialogue of 2021, from the Geneva summit to the third plenary that was never held.",
    ),
    "changes.md": ("Changes", "What changed in the archive's records, newest first, with the date of each change."),
}
NOT_SHOWN = "Not shown until the problems of the archive's data, listed above, are fixed."


def stand_in_site() -> RenderedSite:
    """What a preview shows when it starts on data with problems, before it has ever had good pages to show:
    each list page the navigation and the hand-written pages link to, saying why it is empty, and a note in
    place of each of the archive's parts of the hand-written pages."""
    site = RenderedSite(stand_in=f'<p class="ssd-silent">{html.escape(NOT_SHOWN)}</p>')
    for uri, (title, description) in LIST_PAGES.items():
        meta = {"title": html.escape(title), "description": html.escape(description)}
        site.add_page(uri, f"---\n{yaml_front_matter(meta)}---\n\n# {title}\n\n{site.stand_in}\n")
    return site


def _ordinal(number: int) -> str:
    words = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
    if number <= len(words):
        return words[number - 1]
    suffix = "th" if number % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def long_date(day) -> str:
    """A date as the archive writes it: 30 September 2021."""
    return f"{day.day} {day:%B %Y}"


class Renderer:
    def __init__(self, archive: Archive, site_url: str = ""):
        self.archive = archive
        self.site_url = site_url
        self.cite = Citations(archive, site_url or LOCAL_SITE_URL)
        self.cite_downloads: dict[str, dict[str, bytes]] = {}  # page -> its citation files
        self._quote_targets: dict[str, str] = {}
        self._shown_quotes: dict[str, Markup] = {}
        # The parts of the figures of the page being rendered (see quote_figure), by quote id.
        self._figures_on: str | None = None
        self._figures: dict[str, tuple[str, str, str, str, int]] = {}
        self.env = TemplateEnvironment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=COMPILED_TEMPLATES,
            # A renderer serves one build: its templates are not looked at on disk again for every page.
            auto_reload=False,
        )
        self.env.globals.update(
            archive=archive,
            PARTY_NAMES=PARTY_NAMES,
            STATUS_NAMES=STATUS_NAMES,
            KIND_NAMES=KIND_NAMES,
            relative=relative,
            meeting_link=meeting_link,
            person_link=person_link,
            source_link=source_link,
            source_uri=source_uri,
            long_date=long_date,
        )
        self.env.filters.update(sic=self.with_sic, ord=ord)

    # -- addresses -----------------------------------------------------------

    def passage_link(self, from_uri: str, source_id: str, paragraph_id: str, passage: str | None = None) -> str:
        """Link to a paragraph of a source page; with a passage, a text fragment highlights it."""
        fragment = paragraph_id + (f":~:{text_directive(passage)}" if passage else "")
        return relative(from_uri, f"{page_url(source_uri(source_id))}#{fragment}")

    def quote_link(self, from_uri: str, quote: Quote) -> str:
        target = self._quote_targets.get(quote.id)
        if target is None:  # a quote is shown several times on a page and on several pages: encode it once
            located = self.archive.quotes[quote.id]
            paragraph = self.paragraph_id(located.source, located.match.paragraph.number)
            fragment = f"{paragraph}:~:{text_directive(located.match.text)}"
            target = self._quote_targets[quote.id] = f"{page_url(source_uri(located.source))}#{fragment}"
        return relative(from_uri, target)

    def record_link(self, from_uri: str, record_id: str) -> Markup:
        """A record named in the changelog, linked to the page that shows it."""
        archive = self.archive
        for records, uri_of, name in (
            (archive.meetings, meeting_uri, lambda record: record.title),
            (archive.people, person_uri, lambda record: record.name),
            (archive.sources, source_uri, lambda record: f"“{record.title}”"),
        ):
            if record_id in records:
                target = relative(from_uri, page_url(uri_of(record_id)))
                return Markup('<a href="{}">{}</a>').format(target, name(records[record_id]))
        if record_id == "dialogue":
            return Markup('<a href="{}">the dialogue as a whole (timeline)</a>').format(relative(from_uri, "timeline/"))
        return Markup("{} (outside reference)").format(archive.references[record_id].publisher)

    def paragraph_id(self, source_id: str, number: int) -> str:
        return self.archive.sources[source_id].paragraphs[number - 1].id

    def permanent_address(self, uri: str) -> str:
        """A page's address in full, as printed on paper: the site's address and the page's URL."""
        return self.site_url.rstrip("/") + "/" + page_url(uri)

    def locator(self, source_id: str, number: int) -> str:
        """A short locator readers can carry into print: agency and paragraph number."""
        return f"{self.archive.sources[source_id].agency}, ¶\u00a0{number}"

    def quote_locators(self, quote_ids: Iterable[str]) -> list[tuple[str, str]]:
        """Each quote's id and locator. A further quote from a paragraph already named is called so ("Sputnik,
        ¶ 7, second quote"): two links reading the same side by side look like one printed twice."""
        named: dict[str, int] = {}
        locators = []
        for quote_id in quote_ids:
            located = self.archive.quotes[quote_id]
            locator = self.locator(located.source, located.match.paragraph.number)
            named[locator] = times = named.get(locator, 0) + 1
            locators.append((quote_id, locator if times == 1 else f"{locator}, {_ordinal(times)} quote"))
        return locators

    def paragraphs_quoted(self, quote_ids: Iterable[str]) -> list[tuple[str, int]]:
        """The source and paragraph number of each quote, each paragraph once, in the order first quoted."""
        located = (self.archive.quotes[quote_id] for quote_id in quote_ids)
        return list(dict.fromkeys((quote.source, quote.match.paragraph.number) for quote in located))

    # -- text ----------------------------------------------------------------

    def with_sic(self, quote: Quote) -> Markup:
        """The quote as the stored source prints it, escaped, with [sic] after each word the source misprints.

        The record's words may differ from the source's in typographic quotes and dashes (the matching rules,
        published on the About page); readers are shown the source's own characters, white space folded.
        A quote is shown on several pages and several times on a page: it is made once.
        """
        shown = self._shown_quotes.get(quote.id)
        if shown is None:
            shown = self._shown_quotes[quote.id] = self._with_sic(quote)
        return shown

    def _with_sic(self, quote: Quote) -> Markup:
        shown = self.archive.words_of(quote.id)
        if not quote.sic:
            return Markup(html.escape(shown, quote=False))
        folded = fold_characters(shown)  # one character for one: offsets stay those of shown
        ends = sorted({folded.find(word) + len(word) for word in map(normalise, quote.sic) if word and word in folded})
        pieces, done = [], 0
        for end in ends:
            pieces += [html.escape(shown[done:end], quote=False), '\u00a0<span class="ssd-sic">[sic]</span>']
            done = end
        return Markup("".join([*pieces, html.escape(shown[done:], quote=False)]))

    # -- quotes as shown -------------------------------------------------------

    def quote_figure(
        self, quote: Quote, uri: str, anchor: bool = False, citation: PageCitation | None = None
    ) -> Markup:
        """A quote as the pages show it: the words as the source prints them, who speaks (a person, "in the
        agency's words" where a report tells what they said, or the voice of the report), and a link to the
        passage in the stored source. With anchor, the figure also carries the quote's id and its earlier ids,
        a permanent link to itself, and, given the page's citation, the citation of the quote.

        Written here rather than as a template macro: the pages of a thousand meetings show over thirty
        thousand figures, and calling a Jinja macro costs twice what writing the figure does.
        """
        if self._figures_on != uri:  # the figures of the page before: a page shows each of its quotes up to thrice
            self._figures_on, self._figures = uri, {}
        parts = self._figures.get(quote.id)
        if parts is None:
            parts = self._figures[quote.id] = self._figure_parts(quote, uri)
        opening, words, passage, agency, number = parts
        if not anchor:
            return Markup(f"{opening}>\n{words}<figcaption>{passage}</figcaption>\n</figure>\n")
        esc = escaped_text
        quote_id = esc(quote.id)
        earlier = "".join(f'<span id="{esc(alias)}"></span>' for alias in self.cite.aliases_of(uri, quote.id))
        permanent = (
            f' <a class="ssd-quote-anchor" href="#{quote_id}" title="Permanent link to this quote" '
            f'aria-label="Permanent link to this quote, {agency} ¶&nbsp;{number}">#</a>'
        )
        figure = (
            f'{opening} id="{quote_id}">\n{earlier}{words}<figcaption>{passage}{permanent}</figcaption>\n</figure>\n'
        )
        if citation:
            figure += (
                '<details class="ssd-cite-quote">\n<summary>Cite this quote</summary>\n'
                f'<p class="ssd-citation" id="cite-{quote_id}">{esc(self.cite.quote(citation, quote))}</p>\n'
                '<p class="ssd-cite-actions"><button type="button" class="ssd-copy md-button" '
                f'data-copy="cite-{quote_id}" hidden>Copy<span class="ssd-visually-hidden"> the citation of this quote'
                "</span></button></p>\n"
                "</details>\n"
            )
        return Markup(figure)

    def _figure_parts(self, quote: Quote, uri: str) -> tuple[str, str, str, str, int]:
        """What a quote's figure on a page shows whether anchored or not: its opening tag, its words, who speaks and
        the link to the passage; and the source's agency, escaped, and the paragraph's number."""
        esc = escaped_text  # every value escaped, as a template's {{ value }} is
        archive = self.archive
        located = archive.quotes[quote.id]
        source = archive.sources[located.source]
        number = located.match.paragraph.number
        who = self.who_speaks(quote, uri)
        opening = f'<figure class="ssd-quote ssd-quote--{esc(self.party_of(quote))}"'
        words = f"<blockquote><p>“{self.with_sic(quote)}”</p></blockquote>\n"
        passage = (
            f'{who} — <a class="ssd-passage-link" href="{esc(self.quote_link(uri, quote))}">{esc(source.byline)}, '
            f"¶&nbsp;{number}</a>"
        )
        return opening, words, passage, esc(source.agency), number

    def who_speaks(self, quote: Quote, uri: str | None = None) -> str:
        """Who speaks a quote, escaped: a person (linked to their page from the page uri, if given), "in the agency's
        words" where a report tells what they said, or else the voice of the report."""
        esc, archive = escaped_text, self.archive
        if not quote.speaker:
            return esc(quote.voice)
        who = esc(archive.people[quote.speaker].name)
        if uri is not None:
            who = f'<a href="{esc(person_link(uri, quote.speaker))}">{who}</a>'
        if quote.reported:
            who += f", in {esc(archive.sources[archive.quotes[quote.id].source].agency)}’s words"
        return who

    def evidence(self, item) -> Markup:
        """What backs a fact or a statement, as links on its page: a locator for each quote, and each outside
        reference, named as one. Written here for the reason given at quote_figure (each meeting page has a
        dozen)."""
        esc = escaped_text
        links = [
            f'<a class="ssd-locator" href="#{esc(quote_id)}">{esc(locator)}</a>\n'
            for quote_id, locator in self.quote_locators(item.quotes)
        ]
        return Markup("".join(links + self.outside_links(item, "ssd-locator")))

    def outside_links(self, item, css_class: str) -> list[str]:
        """A link to each outside reference of a fact or a statement, named as outside and not stored."""
        esc, references = escaped_text, self.archive.references
        return [
            f'<a class="{css_class} {css_class}--outside" href="#ref-{esc(reference_id)}">'
            f"{esc(references[reference_id].publisher)} (outside, not stored)</a>\n"
            for reference_id in item.references
        ]

    def fact(self, item) -> Markup:
        """A fact of the glance table: its text and its evidence, and what the sources do not say of it."""
        esc = escaped_text
        shown = ""
        if item.text:
            evidence = self.evidence(item)
            shown = f'<span class="ssd-fact">{esc(item.text)}</span> <span class="ssd-evidence">{evidence}</span>'
        if item.silent:
            shown += f'<span class="ssd-silent">{esc(item.silent)}</span>'
        return Markup(shown)

    def stored_text(self, uri: str, paragraphs: list[ShownParagraph]) -> Markup:
        """A source's paragraphs as its page shows them: each with its number, a permanent link to itself, the
        earlier ids that still lead to it, and the meetings that quote it. Written here for the reason given at
        quote_figure: a thousand sources have tens of thousands of paragraphs, each several values to write."""
        esc, meetings = escaped_text, self.archive.meetings
        shown = []
        for paragraph in paragraphs:
            record = paragraph.record
            paragraph_id = esc(record.id)
            extra = record.not_part_of_report
            shown.append(
                f'<div class="ssd-passage{" ssd-passage--extra" if extra else ""}">\n'
                f'<a class="ssd-paragraph-number" href="#{paragraph_id}" title="Permanent link to paragraph '
                f'{paragraph.number}">¶&nbsp;{paragraph.number}</a>\n'
                + "".join(f'<span id="{esc(alias)}"></span>' for alias in paragraph.aliases)
                + f'<p id="{paragraph_id}">{paragraph.html}</p>\n'
            )
            if extra:
                shown.append(f'<p class="ssd-passage-note">{NOT_PART_OF_REPORT}</p>\n')
            if paragraph.quoted_in:
                links = ", ".join(
                    f'<a href="{esc(meeting_link(uri, meeting_id, quote.id))}">'
                    f"{esc(meetings[meeting_id].short_title)}</a>"
                    for meeting_id, quote in paragraph.quoted_in
                )
                shown.append(f'<p class="ssd-quoted-in">Quoted in: {links}</p>\n')
            shown.append("</div>\n")
        return Markup("".join(shown))

    # -- pages ---------------------------------------------------------------

    def render(
        self,
        folder: Path | None = None,
        processes: int = 1,
        meanwhile: Callable[[RenderedSite], None] | None = None,
    ) -> RenderedSite:
        """Every page; meanwhile, the caller's own work on the site, done while a second process renders pages."""
        site = RenderedSite(folder=folder)
        archive = self.archive
        jobs = self.page_jobs()
        site_wide: list[tuple[dict[str, str], dict[str, bytes]]] = []

        def also(site: RenderedSite) -> None:
            if meanwhile:
                meanwhile(site)
            site_wide.append(self.site_wide())

        with _young_objects_collected():
            if processes > 1 and folder is not None and len(jobs) >= PARALLEL_FROM:
                self._render_in_two_processes(site, jobs, also)
            else:
                for job in jobs:
                    self._render_page(site, job)
                also(site)
        # The pages and the work done meanwhile (such as the book) are made: the paragraphs shown are let go of now,
        # while the archive is still kept from the cycle collector's sight (see load.loaded_for_build), which would
        # otherwise walk their tens of thousands of objects once more before freeing the archive.
        _SHOWN_PARAGRAPHS.pop(archive, None)
        for source_id, source in archive.sources.items():
            site.add_stored(f"sources/{source_id}/{source.file}", archive.files[source_id], archive.paths[source_id])
        fragments, redirects = site_wide[0]
        site.fragments.update(fragments)
        self.add_citing(site, redirects)
        return site

    def site_wide(self) -> tuple[dict[str, str], dict[str, bytes]]:
        """The archive's fragments of the hand-written pages (the home page's list of meetings, About's matching
        rules, How to cite's addresses), and the pages that send the old address of a renamed id on."""
        fragments = {
            "meeting-list": self.fragment("_meeting_list.html.j2", "index.md"),
            "matching-rules": self.fragment("_matching_rules.html.j2", "about.md", equivalents=_equivalent_groups()),
            "cite-addresses": self.fragment("_cite_addresses.html.j2", "how-to-cite.md"),
        }
        redirects = {
            old + "index.html": self.fragment(
                "redirect.html.j2", old, target=posixpath.relpath(new, old) + "/", address=self.cite.site_url + new
            ).encode("utf-8")
            for old, new in self.cite.redirects().items()
        }
        return fragments, redirects

    def page_jobs(self) -> list[PageJob]:
        """Every page the archive renders, in the order the site lists them."""
        archive = self.archive
        jobs = [
            PageJob(uri, "meeting.md.j2", functools.partial(self.meeting_context, meeting_id, uri))
            for meeting_id in archive.timeline
            for uri in [meeting_uri(meeting_id)]
        ]
        jobs += [
            PageJob(person_uri(person_id), "person.md.j2", functools.partial(self.person_context, person_id))
            for person_id in archive.people
        ]
        jobs += [
            PageJob(uri, "source.md.j2", functools.partial(self.source_context, source_id, uri))
            for source_id in archive.sources
            for uri in [source_uri(source_id)]
        ]
        for uri, (title, description) in LIST_PAGES.items():
            context = {"title": title, "description": description}
            if uri == "changes.md":
                jobs.append(PageJob(uri, "changes.md.j2", {**context, "changes": archive.changes.newest_first()}.copy))
            else:
                template = "timeline.md.j2" if uri == "timeline.md" else "list.md.j2"
                jobs.append(PageJob(uri, template, {**context, "kind": uri.split("/")[0]}.copy))
        return jobs

    def person_context(self, person_id: str) -> dict:
        person = self.archive.people[person_id]
        return {
            "person_id": person_id,
            "person": person,
            "appearances": self.appearances.get(person_id, []),
            "title": person.name,
            "description": self.person_description(person_id),
        }

    def _render_page(self, site: RenderedSite, job: PageJob) -> None:
        site.add_page(job.uri, self.page(job.template, job.uri, **job.context()))
        gc.collect(0)  # the cycles the page left behind, while they are young (see _young_objects_collected)

    def _render_in_two_processes(
        self, site: RenderedSite, jobs: list[PageJob], meanwhile: Callable[[RenderedSite], None]
    ) -> None:
        """Render the pages in two processes: a second one, forked with the loaded archive, into a pack of its own,
        and this one, once it has done the caller's other work (meanwhile). Each takes the next page not yet
        taken whenever it is free, so that neither waits for the other however long each part takes.

        Once both are done, the second pack is added to the first and the pages and citation files are put back
        in the order one process gives them, so the site is the same byte for byte.
        """
        assert site.folder is not None
        counter = SharedCounter()

        def render_taken(into: RenderedSite) -> None:
            while (position := counter.take()) < len(jobs):
                self._render_page(into, jobs[position])

        def theirs() -> tuple[dict[str, tuple[int, int]], dict[str, dict[str, bytes]]]:
            assert site.folder is not None
            their_site = RenderedSite(folder=site.folder, pack_name=SECOND_PACK)
            render_taken(their_site)
            their_site.close()
            return their_site.packed, self.cite_downloads

        def mine() -> None:
            meanwhile(site)
            render_taken(site)

        (their_packed, their_downloads), _ = in_two_processes(theirs, mine)
        site.append_pack(site.folder / SECOND_PACK, their_packed)
        site.packed = {job.uri: site.packed[job.uri] for job in jobs}
        downloads = {**self.cite_downloads, **their_downloads}
        self.cite_downloads = {job.uri: downloads[job.uri] for job in jobs if job.uri in downloads}

    def add_citing(self, site: RenderedSite, redirects: dict[str, bytes]) -> None:
        """The citation downloads of every page, the redirects from renamed ids, and the archive's version."""
        changes = self.archive.changes
        for downloads in self.cite_downloads.values():
            for path, content in downloads.items():
                site.add_download(path, content)
        for path, content in redirects.items():
            site.add_download(path, content)
        site.extra.update(
            version=self.cite.edition.label,
            changed=changes.latest.isoformat(),
            changed_text=long_date(changes.latest),
        )

    def page(self, template: str, uri: str, *, title: str, description: str, **context) -> str:
        meta = {"title": html.escape(title), "description": html.escape(description)}
        citation = None
        if self.cite.record(uri):
            citation = self.cite.page(uri, title, description)
            meta["ssd"] = self.cite.front_matter(uri, citation)
            self.cite_downloads[uri] = {
                path: content.encode("utf-8") for path, content in self.cite.downloads(uri, citation).items()
            }
        context.setdefault("citation", citation)
        front_matter = yaml_front_matter(meta)
        body = self.env.get_template(template).render(uri=uri, r=self, title=title, **context)
        return f"---\n{front_matter}---\n\n{body}"

    def fragment(self, template: str, uri: str, **context) -> str:
        return self.env.get_template(template).render(uri=uri, r=self, **context)

    def meeting_context(self, meeting_id: str, uri: str) -> dict:
        archive = self.archive
        meeting = archive.meetings[meeting_id]
        position = self.timeline_position[meeting_id]
        neighbours = {
            "previous": archive.timeline[position - 1] if position > 0 else None,
            "next": archive.timeline[position + 1] if position + 1 < len(archive.timeline) else None,
        }
        quotes = {quote.id: quote for quote in meeting.quotes}
        by_party = {party: [q for q in meeting.quotes if self.party_of(q) == party] for party in PARTY_COLUMNS}
        columns = [p for p in PARTY_COLUMNS if by_party[p] or p in ("united-states", "russia")]
        return {
            "meeting_id": meeting_id,
            "meeting": meeting,
            "title": meeting.title,
            "description": self.meeting_description(meeting),
            "neighbours": neighbours,
            "quotes": quotes,
            "by_party": by_party,
            "columns": columns,
            "reference_ids": _reference_ids(meeting),
            "source_ids": sorted({quote.source for quote in meeting.quotes}),
        }

    @staticmethod
    def key_quotes(meeting: Meeting) -> list[Quote]:
        """The quotes a printed summary leads with: those backing the outcome and the status, then any other
        at-a-glance quote that no statement prints (a printout omits the side-by-side view)."""
        quotes = {quote.id: quote for quote in meeting.quotes}
        under_statements = {quote_id for statement in meeting.statements for quote_id in statement.quotes}
        glance = (meeting.date, meeting.place, meeting.venue, meeting.format, *meeting.delegations)
        unprinted = [quote_id for fact in glance for quote_id in fact.quotes if quote_id not in under_statements]
        key_ids = dict.fromkeys((*meeting.outcome.quotes, *meeting.status_evidence.quotes, *unprinted))
        return [quotes[quote_id] for quote_id in key_ids]

    # -- indexes, built once: a page must not scan every record, or builds grow as the square of the archive

    @functools.cached_property
    def timeline_position(self) -> dict[str, int]:
        return {meeting_id: position for position, meeting_id in enumerate(self.archive.timeline)}

    @functools.cached_property
    def quotes_by_source(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for quote_id, located in self.archive.quotes.items():
            index.setdefault(located.source, []).append(quote_id)
        return index

    @functools.cached_property
    def appearances(self) -> dict[str, list[dict]]:
        """Person -> the meetings, in timeline order, where they head a delegation or are quoted."""
        index: dict[str, list[dict]] = {}
        for meeting_id in self.archive.timeline:
            meeting = self.archive.meetings[meeting_id]
            heads = {delegation.head for delegation in meeting.delegations if delegation.head}
            spoke: dict[str, list[Quote]] = {}
            for quote in meeting.quotes:
                if quote.speaker:
                    spoke.setdefault(quote.speaker, []).append(quote)
            for person_id in dict.fromkeys([*sorted(heads), *spoke]):
                index.setdefault(person_id, []).append(
                    {
                        "meeting_id": meeting_id,
                        "meeting": meeting,
                        "head": person_id in heads,
                        "quotes": spoke.get(person_id, []),
                    }
                )
        return index

    @staticmethod
    def times_quoted(quotes: list[Quote]) -> str:
        """ "quoted 3 times (2 in a report's words)": how many of the quotes are a report's account of what the
        person said rather than their own words."""
        count, reported = len(quotes), sum(quote.reported for quote in quotes)
        quoted = f"quoted {count} {'time' if count == 1 else 'times'}"
        return f"{quoted} ({'all' if reported == count > 1 else reported} in a report’s words)" if reported else quoted

    def party_of(self, quote: Quote) -> str:
        return quote.party or self.archive.people[quote.speaker].party

    def sources_backing(self, meeting: Meeting, quote_ids) -> list[str]:
        quotes = {quote.id: quote for quote in meeting.quotes}
        return sorted({quotes[quote_id].source for quote_id in quote_ids})

    @staticmethod
    def meeting_description(meeting: Meeting) -> str:
        when = meeting.date.text or "date not stated in the sources"
        return f"{meeting.title}: {STATUS_NAMES[meeting.status].lower()}, {when}. Records backed by verbatim quotes."

    def person_description(self, person_id: str) -> str:
        person = self.archive.people[person_id]
        roles = "; ".join(dict.fromkeys(role.text for role in person.roles)) or "role not stated in the sources"
        return f"{person.name} ({roles}), as named in the stored sources of the Strategic Stability Dialogue."

    def source_context(self, source_id: str, uri: str) -> dict:
        archive = self.archive
        source = archive.sources[source_id]
        paragraphs = self.shown_paragraphs(source_id)
        aliases = self.cite.aliases_on(uri)
        if aliases:  # few pages have any
            paragraphs = [
                dataclasses.replace(paragraph, aliases=tuple(aliases[paragraph.record.id]))
                if paragraph.record.id in aliases
                else paragraph
                for paragraph in paragraphs
            ]
        description = (
            f"{source.agency} report"
            + ("" if source.publisher == source.agency else f" carried by {source.publisher}")
            + f", {source.dateline} dateline: "
            f'"{source.title}". Full stored text with numbered paragraphs.'
        )
        return {
            "source_id": source_id,
            "source": source,
            "title": source.title,
            "description": description,
            "paragraphs": paragraphs,
            "size": len(archive.files[source_id]),
        }

    def shown_paragraphs(self, source_id: str) -> list[ShownParagraph]:
        """A source's paragraphs as its page and the book show them, without the earlier ids of its page.

        Made once for each source of an archive while its site is rendered (see render): the briefing book prints
        every source again, with the same marks and the same meetings, and makes its own renderer to do so.
        """
        shared = _SHOWN_PARAGRAPHS.setdefault(self.archive, {})
        shown = shared.get(source_id)
        if shown is None:
            shown = shared[source_id] = self._shown_paragraphs(source_id)
        return shown

    def _shown_paragraphs(self, source_id: str) -> list[ShownParagraph]:
        archive = self.archive
        source = archive.sources[source_id]
        stored = archive.texts[source_id]
        quoting: dict[int, dict[str, Quote]] = {}  # paragraph -> meeting -> its first quote there
        spans: dict[int, list[tuple[int, int]]] = {}
        for quote_id in self.quotes_by_source.get(source_id, ()):
            located = archive.quotes[quote_id]
            number = located.match.paragraph.number
            meeting_id = archive.quote_meeting[quote_id]
            first_quotes = quoting.setdefault(number, {})
            if meeting_id not in first_quotes:
                first_quotes[meeting_id] = archive.quote(quote_id)
            spans.setdefault(number, []).append((located.match.start, located.match.end))
        meetings = archive.meetings
        paragraphs = []
        # A plain loop: a large archive has tens of thousands of paragraphs, most neither quoted nor renamed.
        for record, paragraph in zip(source.paragraphs, stored.paragraphs, strict=True):
            number = paragraph.number
            quoted = quoting.get(number)
            if quoted:
                shown = _marked(paragraph.text, paragraph.start, spans[number])
                quoted_in = tuple(sorted(quoted.items(), key=lambda item: (meetings[item[0]].sequence, item[1].id)))
            else:
                shown, quoted_in = html.escape(paragraph.text, quote=False), ()
            paragraphs.append(ShownParagraph(record, number, shown, quoted_in))
        return paragraphs


@contextlib.contextmanager
def _young_objects_collected() -> Iterator[None]:
    """Python's cycle collector kept to the objects each page has just made, while the pages are made.

    Rendering keeps more and more for the pages still to come (their links, each source's paragraphs as
    shown, the citation files, the downloads): on its own, the collector would walk all of it again and
    again for nothing, a sixth of the rendering at a thousand meetings. It is paused instead, and each
    page's cycles (Jinja's contexts) collected as it is written, with the youngest objects only. What
    the other work here leaves behind is collected once the collector runs again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class PageJob:
    """A page to render: its address, its template, and what gives the template its values."""

    uri: str
    template: str
    context: Callable[[], dict]


@dataclass(frozen=True, slots=True)
class ShownParagraph:
    """One paragraph of a stored source as its page and the book show it.

    A large archive keeps tens of thousands of them until its last page is made; tuples and plain text rather than
    lists and Markup leave Python's cycle collector fewer objects to walk (Markup objects are tracked, text is not).
    """

    record: SourceParagraph
    number: int
    html: str  # the paragraph's text, escaped, with its quoted stretches marked
    quoted_in: tuple[tuple[str, Quote], ...]
    aliases: tuple[str, ...] = ()  # earlier ids of the paragraph, whose addresses must still lead to it


# What a source's page and the book say of a paragraph its record marks as not part of the report.
NOT_PART_OF_REPORT = "Not part of the report: a promotional line of the newspaper."
# Archive -> source id -> its paragraphs as shown (see Renderer.shown_paragraphs), while its site is rendered.
_SHOWN_PARAGRAPHS: weakref.WeakKeyDictionary[Archive, dict[str, list[ShownParagraph]]] = weakref.WeakKeyDictionary()


def _marked(text: str, offset: int, spans: list[tuple[int, int]]) -> str:
    """A paragraph's text, escaped, with each quoted stretch inside <mark>; overlapping or touching quotes share one."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start - offset <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end - offset)
        else:
            merged.append([start - offset, end - offset])
    pieces: list[str] = []
    position = 0
    for start, end in merged:
        pieces.append(html.escape(text[position:start], quote=False))
        pieces.append(f"<mark>{html.escape(text[start:end], quote=False)}</mark>")
        position = end
    pieces.append(html.escape(text[position:], quote=False))
    return "".join(pieces)


def _reference_ids(meeting: Meeting) -> list[str]:
    seen: dict[str, None] = {}
    evidence = [
        meeting.status_evidence,
        meeting.date,
        meeting.place,
        meeting.venue,
        meeting.format,
        meeting.outcome,
        *meeting.delegations,
        *meeting.statements,
    ]
    for item in evidence:
        seen.update(dict.fromkeys(item.references))
    return list(seen)


def _equivalent_groups() -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for character, plain in EQUIVALENT_CHARACTERS.items():
        groups.setdefault(plain, []).append(character)
    return sorted(groups.items())


def render_site(
    archive: Archive,
    site_url: str = LOCAL_SITE_URL,
    folder: Path | None = None,
    processes: int = 1,
    also: Callable[[RenderedSite], None] | None = None,
) -> RenderedSite:
    """Render every page and download: in memory, or written into folder (see RenderedSite).

    With a folder and processes=2, a large archive's pages are rendered in two processes at once.
    `also` is more work on the site, such as the briefing book, done in the meantime.
    """
    site_url = (site_url or LOCAL_SITE_URL).rstrip("/") + "/"
    renderer = Renderer(archive, site_url)

    def meanwhile(site: RenderedSite) -> None:
        downloads = dataset_downloads(archive, site_url)
        site.fragments["data-downloads"] = renderer.fragment("_downloads.html.j2", "data.md", downloads=downloads)
        site.fragments["data-citation"] = renderer.fragment(
            "_dataset_citation.html.j2",
            "data.md",
            version=build_time(archive),
            licence=LICENCE,
            address=f"{site_url}data/",
        )
        if also:
            also(site)
        for download in downloads:  # written while a second process renders pages, if there is one
            site.add_download(download.path, download.content)

    return renderer.render(folder, processes, meanwhile)
