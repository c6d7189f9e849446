"""Read one YAML record, remembering the line and column of every field."""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .problems import Problem

Path_ = tuple[str | int, ...]


@dataclass
class Document:
    """A YAML file's plain data plus where each field stands in the file."""

    file: str
    data: object
    text: str = field(default="", repr=False)  # what the file says, from which positions are found

    @functools.cached_property
    def _places(self) -> tuple[dict[Path_, tuple[int, int]], dict[Path_, str]]:
        """Line and column of every field, and each plain value as the file writes it, found when a problem first
        asks for one.

        Most records have no problem: reading the file's nodes again for the few that do costs less than
        noting the place of each of the hundreds of thousands of values of a large archive as it is read.
        """
        positions: dict[Path_, tuple[int, int]] = {}
        written: dict[Path_, str] = {}
        root = compose(self.text) if self.text else None
        if root is not None:
            _positions(root, (), positions, written)
        return positions, written

    @property
    def positions(self) -> dict[Path_, tuple[int, int]]:
        """Line and column of every field (see _places)."""
        return self._places[0]

    def written(self, path: Path_) -> str | None:
        """A value as the file writes it (`No`, which YAML reads as false), if the value is a plain one."""
        return self._places[1].get(tuple(path))

    def where(self, path: Path_) -> tuple[int | None, int | None]:
        """Line and column of a field, or of its nearest parent that the file has."""
        path = tuple(path)
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (None, None))

    def problem(self, path: Path_, message: str, fix: str = "", expected: str = "") -> Problem:
        line, column = self.where(path)
        return Problem(self.file, line, column, dotted(path), message, fix, expected)


def dotted(path: Path_) -> str:
    """A field path as an editor reads it: quotes[2].text."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def line_and_column(text: str | bytes, index: int) -> tuple[int, int]:
    """The line and column, counting from 1, of a position in a file's text or bytes (after a decoding error)."""
    newline = "\n" if isinstance(text, str) else b"\n"
    return text.count(newline, 0, index) + 1, index - (text.rfind(newline, 0, index) + 1) + 1


def read_yaml(path: Path, shown_as: str) -> tuple[Document | None, list[Problem]]:
    """Parse a YAML file; return the document or the problems that stop it being read."""
    try:
        raw = path.read_bytes()
    except OSError as error:  # a folder named like a record, or a file this user may not read
        return None, [
            Problem(
                shown_as,
                None,
                None,
                "",
                f"a record that cannot be read ({error.strerror or error}).",
                "make it a plain .yaml file that can be read, or move it out of data/.",
                "one record per .yaml file.",
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = line_and_column(raw, error.start)
        return None, [
            Problem(
                shown_as,
                line,
                column,
                "",
                f"the file is not UTF-8 text: byte {raw[error.start]:#04x} cannot be read.",
                'save the file as UTF-8 (most editors offer it under "Save with encoding").',
                "UTF-8 text, the encoding of every file in data/.",
            )
        ]
    # A byte-order mark and Windows line endings are accepted by design: they carry no meaning.
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    try:
        root = compose(text)
    except yaml.MarkedYAMLError as error:
        return None, [_syntax_problem(shown_as, error, text)]
    except yaml.YAMLError:  # the reader's own error, which has no line: a character YAML does not allow
        return None, [_character_problem(shown_as, text)]
    if root is None:
        return None, [
            Problem(
                shown_as,
                1,
                None,
                "",
                "the file is empty (it holds no field, at most comments).",
                "write the record's fields, or delete the file.",
                "one record: lines of `field: value`.",
            )
        ]
    document = Document(shown_as, None, text)
    problems: list[Problem] = []
    document.data = _plain(root, (), document, yaml.constructor.SafeConstructor(), problems, text)
    return document, problems


def compose(text: str) -> yaml.Node | None:
    """The YAML node tree, read by libyaml, which is about 25 times faster than PyYAML's own parser.

    PyYAML's parser reads the file again when libyaml cannot: its error messages are the ones the
    syntax checks are written for.
    """
    if _FAST_LOADER is None:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.MarkedYAMLError:
        return yaml.compose(text, Loader=yaml.SafeLoader)  # raises its own error, in its own words
    return root


_TEXT_TAG = "tag:yaml.org,2002:str"
_SCALAR, _MAPPING, _SEQUENCE = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode


_SAFE_LOADER = getattr(yaml, "CSafeLoader", None)  # libyaml's; PyYAML may be installed without it
# The first characters (and "" for an empty value) of the values the safe loader reads as other than text.
_TYPED_FIRST = frozenset((_SAFE_LOADER or yaml.SafeLoader).yaml_implicit_resolvers)
assert None not in _TYPED_FIRST, "a resolver for values with any first character: every value must be resolved"


class _LibyamlLoader(_SAFE_LOADER or yaml.SafeLoader):
    """libyaml's safe loader, which asks Python for the type of each of a file's hundreds of values.

    Most are text: quoted, or plain with a first character that begins no number, date, true or null.
    Those are answered at once, the others as the safe loader answers them.
    """

    def resolve(self, kind, value, implicit):
        if not self.yaml_path_resolvers:
            if kind is _SCALAR:
                if not (implicit[0] and value[:1] in _TYPED_FIRST):
                    return _TEXT_TAG
            elif kind is _MAPPING:  # what the safe loader answers for every mapping and list, without asking it
                return self.DEFAULT_MAPPING_TAG
            elif kind is _SEQUENCE:
                return self.DEFAULT_SEQUENCE_TAG
        return super().resolve(kind, value, implicit)


_FAST_LOADER = _LibyamlLoader if _SAFE_LOADER else None


# What YAML reads: tab, line breaks and printable characters (YAML 1.1, as PyYAML's reader checks it).
_NOT_ALLOWED = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _character_problem(shown_as: str, text: str) -> Problem:
    """A character that YAML refuses anywhere in a file, such as a control character pasted with some text."""
    found = _NOT_ALLOWED.search(text)
    if found is None:  # not expected: the reader refuses nothing else
        return Problem(shown_as, None, None, "", "text YAML cannot read.", "check the file's characters.", "")
    line, column = line_and_column(text, found.start())
    return Problem(
        shown_as,
        line,
        column,
        "",
        f"the character U+{ord(found.group()):04X}, a control character that YAML does not allow in a file.",
        "delete it: most editors show it as nothing, or as a box.",
        "printable text; of the control characters, YAML allows only the tab and line breaks.",
    )


def _syntax_problem(shown_as: str, error: yaml.MarkedYAMLError, text: str) -> Problem:
    """A YAML syntax error in an editor's words, at the place the parser stopped."""
    mark = error.problem_mark or error.context_mark
    problem, context = error.problem or "", error.context or ""
    opened = error.context_mark.line + 1 if error.context_mark else None
    if "'\\t'" in problem:
        found, expected, fix = (
            "a tab character.",
            "spaces: YAML allows no tabs outside quotes, neither for indentation nor between words.",
            "replace the tab with spaces.",
        )
    elif "mapping values are not allowed" in problem:
        found, expected, fix = (
            "a colon and a space (': ') where no new field can start.",
            "each field on a line of its own, lined up with the fields around it; "
            "a value that contains ': ' must be in quotes.",
            "line the field up with its neighbours, or put the value in double quotes.",
        )
    elif "quoted scalar" in context:
        mark = error.context_mark  # where the quotation opens, which is where the editor must look
        found, expected, fix = (
            "a quotation mark that is never closed.",
            "text in quotes to end with the same quotation mark.",
            'close the quotation; inside double quotes write a double quote as \\".',
        )
    elif "single document" in context:
        found, expected, fix = (
            "a second YAML document (a line '---').",
            "one record per file.",
            "remove the '---' line; put a second record in a file of its own.",
        )
    elif "expected <block end>" in problem:
        found, expected, fix = (
            "a line that does not line up with the lines above it.",
            "the fields of one record, and the items of one list, to start in the same column.",
            "indent this line like its neighbours.",
        )
    elif "alias" in problem or "alias" in context or "anchor" in context or "cannot start any token" in problem:
        character = mark.buffer[mark.pointer] if mark and mark.buffer else "?"
        found, expected, fix = (
            f"a value that begins with '{character}', a character YAML reserves.",
            "text that begins with @, `, %, * or & to be in quotes.",
            "put the value in double quotes.",
        )
    elif "flow sequence" in context or "flow mapping" in context:
        bracket = "[ ]" if "sequence" in context else "{ }"
        found, expected, fix = (
            f"a list or mapping in {bracket} opened on line {opened} that is not closed properly.",
            "items separated by commas and a closing bracket; items that contain commas or colons in quotes.",
            "close the bracket, or write the list one '- ' item per line.",
        )
    else:
        found, expected, fix = (
            f"text YAML cannot read ({problem or context}).",
            "lines of `field: value`, and lists with one '- ' item per line.",
            "check the indentation and the quoting near this line.",
        )
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    # A quotation slip above makes the parser stop lines later, where nothing is wrong: name the slip instead.
    slip = _quote_slip(text, error.problem_mark) if error.problem_mark and "quoted scalar" not in context else None
    if slip:
        line, column, found, expected, fix = slip
    return Problem(shown_as, line, column, "", f"YAML cannot read the file here: {found}", fix, expected)


def _quote_slip(text: str, stopped: yaml.Mark) -> tuple[int, int, str, str, str] | None:
    """The quoted value that made the parser stop where it did, as YAML's own scanner reads the file: one that
    began lines above and was closed only on the line where the parser stopped (a quotation mark left open),
    or one closed on that line just before the words it stopped at ('Russia's mission'). (line, column, found,
    expected, fix), or None when no quoted value ends where the parser stopped."""
    last = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.line > stopped.line or (
                token.start_mark.line == stopped.line and token.start_mark.column >= stopped.column
            ):
                break
            last = token
    except yaml.YAMLError:
        pass  # the scanner stopped too: the tokens read so far are the ones that count
    if not isinstance(last, yaml.ScalarToken) or last.style not in ('"', "'") or last.end_mark.line != stopped.line:
        return None
    quote, start, end = last.style, last.start_mark, last.end_mark
    if start.line < end.line:
        return (
            start.line + 1,
            start.column + 1,
            f"a quotation mark ({quote}) that opens the value and is not closed on its line; the next {quote}, on "
            f"line {end.line + 1}, closes it.",
            "a value in quotes to end, on the line where it begins, with the same quotation mark.",
            "close the quotation at the end of the value, or write a long value as a block (>-) without quotes.",
        )
    after = text.split("\n")[end.line][end.column :].strip()
    name = "single" if quote == "'" else "double"
    inner = "an apostrophe as two ('')" if quote == "'" else 'a double quote as \\"'
    return (
        end.line + 1,
        end.column,
        f"a value in {name} quotes that ends early, at the quotation mark before '{after[:20]}'.",
        f"inside {name} quotes, {inner}.",
        (
            "write the apostrophe twice (Russia''s), or put the whole value in double quotes."
            if quote == "'"
            else 'write each inner double quote as \\", or put the whole value in single quotes.'
        ),
    )


def _plain(
    node: yaml.Node,
    path: Path_,
    document: Document,
    scalars: yaml.constructor.SafeConstructor,
    problems: list[Problem],
    text: str,
) -> object:
    """Plain Python data from a node, refusing duplicate keys (PyYAML would keep the last).

    Text, most of the values, is taken as it is where it stands, without a call of its own.
    """
    if isinstance(node, _MAPPING):
        result: dict[object, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, _SCALAR):
                problems.append(
                    document.problem(
                        path,
                        "a field name that is a list or a mapping.",
                        "write the field name as a word followed by a colon.",
                        "a field name such as `title:`.",
                    )
                )
                continue
            key = str(key_node.value)
            if key in result:
                key_path = (*path, key)
                first_line = document.positions[key_path][0]
                problems.append(
                    Problem(
                        document.file,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        dotted(key_path),
                        f"the field '{key}' appears a second time in the same place (first on line {first_line}).",
                        "keep one of the two and delete the other (YAML would silently keep only the last).",
                        "each field once.",
                    )
                )
                continue
            if isinstance(value_node, _SCALAR):
                if value_node.value == "" and _comment_instead_of_value(key_node, value_node, text):
                    problems.append(
                        document.problem(
                            (*path, key),
                            f"a value after `{key}:` that begins with #, which YAML reads as a comment, "
                            "leaving the field empty.",
                            "put the value in double quotes.",
                            "text that begins with # to be in quotes.",
                        )
                    )
                if value_node.tag == _TEXT_TAG:
                    result[key] = value_node.value
                    continue
            result[key] = _plain(value_node, (*path, key), document, scalars, problems, text)
        return result
    if isinstance(node, _SEQUENCE):
        return [
            item.value
            if isinstance(item, _SCALAR) and item.tag == _TEXT_TAG
            else _plain(item, (*path, index), document, scalars, problems, text)
            for index, item in enumerate(node.value)
        ]
    if node.tag == _TEXT_TAG:
        return node.value  # what the constructor gives for text, without its bookkeeping: most scalars are text
    try:
        return scalars.construct_object(node, deep=True)
    except (ValueError, yaml.constructor.ConstructorError) as error:
        line, column = document.positions[path]
        if node.tag == "tag:yaml.org,2002:timestamp":
            message, expected = f"'{node.value}', {why_not_a_date(node.value)}.", DATE_EXPECTED
            fix = "write a date that exists."
        else:
            message, expected = f"'{node.value}', which cannot be read ({error}).", "plain text, a number or a date."
            fix = "put the value in double quotes if it is meant as text."
        problems.append(Problem(document.file, line, column, dotted(path), message, fix, expected))
        return None


def _positions(
    node: yaml.Node, path: Path_, positions: dict[Path_, tuple[int, int]], written: dict[Path_, str]
) -> None:
    """The line and column of each field under a node, as _plain reads them: a field's is that of its name,
    an item's its own; a field given a second time, or named by a list or a mapping, is not one. And each
    plain value, as written."""
    positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, _SCALAR):
        written.setdefault(path, node.value)
    if isinstance(node, _MAPPING):
        for key_node, value_node in node.value:
            if not isinstance(key_node, _SCALAR):
                continue
            key_path = (*path, str(key_node.value))
            if key_path in positions:  # a duplicate: the first is the field
                continue
            positions[key_path] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _positions(value_node, key_path, positions, written)
    elif isinstance(node, _SEQUENCE):
        for index, item in enumerate(node.value):
            _positions(item, (*path, index), positions, written)


def _comment_instead_of_value(key_node: yaml.Node, value_node: yaml.Node, text: str) -> bool:
    """`note: #1 priority` is an empty field followed by a comment, not the text the editor meant.

    What follows the key is read from the text at the key's end: libyaml's marks, unlike PyYAML's, do not
    keep the text, but both count their index in characters of it, as Python does.
    """
    if not (isinstance(value_node, yaml.ScalarNode) and value_node.value == "" and not value_node.style):
        return False  # libyaml gives an empty plain value the style "", PyYAML gives it None
    return _COLON_THEN_COMMENT.match(text, key_node.end_mark.index) is not None


_COLON_THEN_COMMENT = re.compile(r"[ \t]*:[ \t]+#")


DATE_EXPECTED = "a real calendar date written YYYY-MM-DD, such as 2021-07-28."


def why_not_a_date(value: str) -> str:
    """Why a YYYY-MM-DD value is not a day of the calendar, in plain words."""
    match = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if not match:
        return "which is not a date written YYYY-MM-DD"
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        return f"which is not a date: there is no month {month}"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"which is not a date: {calendar.month_name[month]} {year} has {days} days"
    return "which is not a date"
