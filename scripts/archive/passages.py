"""Stored texts split into paragraphs, and quotes found in them.

Matching is deliberately narrow so that anyone can re-check a quote by hand:
white space is folded and typographic quotes, apostrophes and dashes are read
as their plain forms. Nothing else is changed: not case, not spelling, not
other punctuation.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import re
from array import array
from dataclasses import dataclass, field
from urllib.parse import quote as percent_encode

# What matching treats as the same; published on the "About this archive" page.
EQUIVALENT_CHARACTERS: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
}
_FOLDABLE = re.compile("[" + "".join(EQUIVALENT_CHARACTERS) + "]")
_SPACE = re.compile(r"\s+")
# White space that folding changes: a run of two or more characters, or one that is not a plain space.
_LONG_SPACE = re.compile(r"\s\s+")  # as \s{2,}, which the regular expression engine runs half as fast
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n\s*")  # a blank line, ended by LF or CR LF


@dataclass(frozen=True)
class Paragraph:
    number: int  # as shown to readers, counting from 1
    start: int  # offsets in the stored text, in code points
    end: int
    stored: str = field(repr=False, compare=False)  # the whole stored text, shared: no copy per paragraph

    @property
    def text(self) -> str:
        return self.stored[self.start : self.end]


@dataclass(frozen=True)
class Match:
    paragraph: Paragraph
    start: int
    end: int
    text: str  # the stored text's own characters, which may differ from the record's quote

    @property
    def within_one_paragraph(self) -> bool:
        return self.end <= self.paragraph.end


class NormalisedText:
    """A text folded for matching, with a map back to the stored text's offsets.

    Characters are folded by one regular expression and white space by str.split, and the map
    keeps one entry per run of white space longer than one character, so time and memory stay
    linear and small however long the stored texts grow.
    """

    def __init__(self, text: str):
        translated = fold_characters(text)  # one character for one: offsets are unchanged
        # Every run of white space becomes one space; only runs longer than one character move the offsets
        # after them, so the map keeps one entry for each such run and no work is done for the others.
        # _SPACE.sub(" ", translated), made by str.split, which splits at the same white space five times faster.
        words = translated.split()
        if not words:
            self.text = " " if translated else ""
        else:
            self.text = " ".join(words)
            if translated[0].isspace():
                self.text = " " + self.text
            if translated[-1].isspace():
                self.text += " "
        self._folded_starts = array("q", [0])
        self._original_starts = array("q", [0])
        removed = 0
        for run in _LONG_SPACE.finditer(translated):
            removed += run.end() - run.start() - 1
            self._folded_starts.append(run.end() - removed)
            self._original_starts.append(run.end())
        self.length = len(text)

    def _origin(self, offset: int) -> int:
        segment = bisect.bisect_right(self._folded_starts, offset) - 1
        return self._original_starts[segment] + offset - self._folded_starts[segment]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in the stored text of the folded range [start, end)."""
        stop = self._origin(end - 1) + 1 if end > start else self._origin(start)
        return self._origin(start), stop


def normalise(text: str) -> str:
    """A quote folded as the stored texts are, for finding it."""
    return _SPACE.sub(" ", fold_characters(text)).strip()


def fold_characters(text: str) -> str:
    """Typographic quotes and dashes as their plain forms, one character for one."""
    # A regular expression finds the few such characters far faster than str.translate visits every one.
    return _FOLDABLE.sub(lambda match: EQUIVALENT_CHARACTERS[match.group()], text)


def split_paragraphs(text: str) -> list[Paragraph]:
    """Paragraphs are separated by blank lines in the stored texts."""
    paragraphs: list[Paragraph] = []
    position = 1 if text.startswith("\ufeff") else 0  # a byte-order mark is not part of the first paragraph
    for piece in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = piece.start() if piece else len(text)
        body = text[position:end]
        stripped_start = position + (len(body) - len(body.lstrip()))
        stripped_end = position + len(body.rstrip())
        if stripped_end > stripped_start:
            paragraphs.append(Paragraph(len(paragraphs) + 1, stripped_start, stripped_end, text))
        if piece:
            position = piece.end()
    return paragraphs


class StoredText:
    """One stored source text, ready for finding quotes in it.

    The text is folded for matching when first searched. Where quotes are in it, and whether it prints some
    words, may instead be given as found by another process that holds the same text folded (see `known`).
    """

    def __init__(self, text: str):
        self.text = text
        self.paragraphs = split_paragraphs(text)
        self._paragraph_starts = [paragraph.start for paragraph in self.paragraphs]
        self._known_spans: dict[str, list[tuple[int, int]]] = {}
        self._known_prints: dict[str, bool] = {}

    @functools.cached_property
    def _folded(self) -> NormalisedText:
        return NormalisedText(self.text)

    def fold_now(self) -> StoredText:
        """Fold the text for matching now, rather than when first searched; return this StoredText."""
        self._folded  # noqa: B018 (made and kept by the property)
        return self

    def known(self, spans: dict[str, list[tuple[int, int]]], prints: dict[str, bool]) -> None:
        """What spans() and prints() give for some words, worked out elsewhere from this same text."""
        self._known_spans.update(spans)
        self._known_prints.update(prints)

    def spans(self, quote: str) -> list[tuple[int, int]]:
        """The offsets in the stored text of every place the quote occurs."""
        needle = normalise(quote)
        found: list[tuple[int, int]] = []
        if not needle:
            return found
        haystack = self._folded.text
        position = haystack.find(needle)
        while position != -1:
            found.append(self._folded.original_span(position, position + len(needle)))
            position = haystack.find(needle, position + 1)
        return found

    def find(self, quote: str) -> list[Match]:
        """Every place the quote occurs, each inside one paragraph or spanning several."""
        spans = self._known_spans.get(quote)
        return [
            Match(self.paragraph_at(start), start, end, self.text[start:end])
            for start, end in (self.spans(quote) if spans is None else spans)
        ]

    def prints(self, words: str) -> bool:
        """Whether the text prints these words anywhere, by the rules quotes are found by."""
        known = self._known_prints.get(words)
        if known is not None:
            return known
        needle = normalise(words)
        return bool(needle) and needle in self._folded.text

    def paragraph_at(self, offset: int) -> Paragraph:
        low, high = 0, len(self._paragraph_starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self._paragraph_starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return self.paragraphs[low]

    def closest_passage(self, quote: str) -> str:
        """The stretch of the text most like a quote that was not found, to show the editor."""
        needle = normalise(quote)
        words = needle.split(" ")
        best, best_ratio = "", -1.0
        for paragraph in self.paragraphs:
            candidate_words = normalise(paragraph.text).split(" ")
            width = min(len(words), len(candidate_words))
            for first in range(0, len(candidate_words) - width + 1):
                window = " ".join(candidate_words[first : first + width])
                matcher = difflib.SequenceMatcher(None, needle, window, autojunk=False)
                if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
                    continue
                ratio = matcher.ratio()
                if ratio > best_ratio:
                    best, best_ratio = window, ratio
        found = self.find(best)
        return found[0].text if found else best


# Characters a text directive must percent-encode besides those a URL fragment cannot carry.
_DIRECTIVE_SAFE = "!$'()*+.:;=/?@_~"
FRAGMENT_WORDS = 4
SHORT_QUOTE_WORDS = 10


def text_directive(passage: str) -> str:
    """The `:~:text=` directive that makes a browser scroll to and highlight the passage.

    Long passages use start,end so that the address stays short. `-`, `&` and `,`
    are percent-encoded as the Text Fragments specification requires.
    """
    words = passage.split()
    if len(words) <= SHORT_QUOTE_WORDS:
        return "text=" + _encode(" ".join(words))
    start = " ".join(words[:FRAGMENT_WORDS])
    end = " ".join(words[-FRAGMENT_WORDS:])
    return f"text={_encode(start)},{_encode(end)}"


def _encode(words: str) -> str:
    # urllib never encodes "-", but in a text directive it marks a prefix or suffix.
    return percent_encode(words, safe=_DIRECTIVE_SAFE).replace("-", "%2D")
