"""Finding quotes in stored texts: the matching rules, paragraphs and text fragments."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from archive.passages import StoredText, normalise, split_paragraphs, text_directive

TEXT = (
    "US, Russia hold \u2018productive\u2019 arms control talks in Geneva\n\n"
    "Ryabkov said \u201cslow  progress\u201d \u2013 but good.\n"
    "\n"
    "It was slow progress, he said. Slow progress again."
)


def test_paragraphs_are_split_at_blank_lines_and_keep_their_offsets():
    paragraphs = split_paragraphs(TEXT)
    assert [p.number for p in paragraphs] == [1, 2, 3]
    assert [TEXT[p.start : p.end] for p in paragraphs] == [p.text for p in paragraphs]
    assert paragraphs[1].text == "Ryabkov said \u201cslow  progress\u201d \u2013 but good."


def test_typographic_quotes_dashes_and_white_space_match_their_plain_forms():
    stored = StoredText(TEXT)
    [match] = stored.find("hold 'productive' arms")
    assert match.text == "hold \u2018productive\u2019 arms"
    assert match.paragraph.number == 1
    [match] = stored.find('said "slow progress" - but')
    assert match.text == "said \u201cslow  progress\u201d \u2013 but"


def test_nothing_else_is_folded():
    stored = StoredText(TEXT)
    assert stored.find("ryabkov said") == []  # case matters
    assert stored.find("hold productive arms") == []  # punctuation matters


def test_a_quote_found_twice_reports_both_places():
    stored = StoredText(TEXT)
    matches = stored.find("low progress")
    assert [m.paragraph.number for m in matches] == [2, 3, 3]
    assert matches[1].start < matches[2].start


def test_a_quote_across_two_paragraphs_is_told_apart():
    stored = StoredText(TEXT)
    [match] = stored.find("in Geneva Ryabkov said")
    assert not match.within_one_paragraph


def test_the_closest_passage_of_a_misquote_is_the_passage_meant():
    stored = StoredText(TEXT)
    assert stored.closest_passage("It was slow progres, he siad") == "It was slow progress, he said."


def test_normalise_folds_white_space_and_typography_only():
    assert normalise("  \u201cA\u2014b\u2019s\u201d \n c ") == '"A-b\'s" c'


def test_short_passage_directive_is_percent_encoded_per_the_spec():
    directive = text_directive("US, Russia-hold & talk")
    assert directive == "text=US%2C%20Russia%2Dhold%20%26%20talk"


def test_long_passage_directive_uses_start_and_end():
    words = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
    directive = text_directive(" ".join(words))
    start, end = directive.removeprefix("text=").split(",")
    assert unquote(start) == "one two three four"
    assert unquote(end) == "nine ten eleven twelve"


@pytest.mark.parametrize("character", ["-", "&", ","])
def test_directive_never_carries_its_reserved_characters_raw(character):
    assert character not in text_directive(f"a{character}b").removeprefix("text=")


def test_a_text_with_windows_line_ends_has_the_same_paragraphs():
    windows = TEXT.replace("\n", "\r\n")
    assert [p.text.rstrip("\r") for p in split_paragraphs(windows)] == [p.text for p in split_paragraphs(TEXT)]
    assert all(not p.text.endswith("\r") for p in split_paragraphs(windows))
