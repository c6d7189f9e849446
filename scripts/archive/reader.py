"""Read one YAML record, remembering the line and column of every field."""

from __future__ import annotations

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
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path_) -> tuple[int | None, int | None]:
        """Line and column of a field, or of its nearest parent that the file has."""
        path = tuple(path)
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (None, None))

    def problem(self, path: Path_, message: str, fix: str = "") -> Problem:
        line, column = self.where(path)
        return Problem(self.file, line, column, dotted(path), message, fix)


def dotted(path: Path_) -> str:
    """A field path as an editor reads it: quotes[2].text."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def read_yaml(path: Path, shown_as: str) -> tuple[Document | None, list[Problem]]:
    """Parse a YAML file; return the document or the problems that stop it being read."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [
            Problem(
                shown_as,
                line,
                None,
                "",
                f"the file is not UTF-8 text (byte {raw[error.start]:#04x}).",
                "save the file as UTF-8 in your editor.",
            )
        ]
    # A byte-order mark and Windows line endings are accepted by design: they carry no meaning.
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.strip():
        return None, [Problem(shown_as, 1, None, "", "the file is empty.", "write the record, or delete the file.")]
    try:
        root = compose(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = error.problem or error.context or "not valid YAML"
        if "\t" in text and "tab" in str(reason):
            reason = "a tab character is used for indentation"
            fix = "indent with spaces only."
        else:
            fix = "check the indentation and quoting near this line."
        return None, [
            Problem(
                shown_as,
                mark.line + 1 if mark else None,
                mark.column + 1 if mark else None,
                "",
                f"the file is not valid YAML: {reason}.",
                fix,
            )
        ]
    document = Document(shown_as, None)
    problems: list[Problem] = []
    document.data = _plain(root, (), document, yaml.constructor.SafeConstructor(), problems)
    return document, problems


def compose(text: str) -> yaml.Node | None:
    """The YAML node tree, read by libyaml, which is about 25 times faster than PyYAML's own parser.

    PyYAML's parser reads the file again whenever an editor's mistake must be explained: its error
    messages, and its marks that keep the text around a field, are the ones the checks are written for.
    """
    if _FAST_LOADER is None:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.MarkedYAMLError:
        return yaml.compose(text, Loader=yaml.SafeLoader)  # raises its own error, in its own words
    if _has_empty_value(root):
        return yaml.compose(text, Loader=yaml.SafeLoader)
    return root


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _has_empty_value(node: yaml.Node | None) -> bool:
    """Whether a field is left empty: then the text after its colon is looked at, which libyaml does not keep."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack.extend(value for _, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.ScalarNode) and node.value == "" and not node.style:  # libyaml says ""
            return True
    return False


def _plain(
    node: yaml.Node, path: Path_, document: Document, scalars: yaml.constructor.SafeConstructor, problems: list[Problem]
) -> object:
    """Plain Python data from a node, refusing duplicate keys (PyYAML would keep the last)."""
    document.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        result: dict[object, object] = {}
        for key_node, value_node in node.value:
            key = scalars.construct_object(key_node, deep=True)
            key_path = (*path, str(key))
            if key in result:
                first_line = document.positions[key_path][0]
                problems.append(
                    Problem(
                        document.file,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        dotted(key_path),
                        f"the key '{key}' appears twice in one mapping (first on line {first_line}).",
                        "keep one of them and delete the other.",
                    )
                )
                continue
            document.positions[key_path] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _plain(value_node, key_path, document, scalars, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, (*path, index), document, scalars, problems) for index, item in enumerate(node.value)]
    try:
        return scalars.construct_object(node, deep=True)
    except (ValueError, yaml.constructor.ConstructorError) as error:
        line, column = document.positions[path]
        if node.tag == "tag:yaml.org,2002:timestamp":
            message = f"'{node.value}' is not a real calendar date ({error})."
            fix = "write a date that exists, as YYYY-MM-DD."
        else:
            message = f"'{node.value}' cannot be read ({error})."
            fix = "put the value in quotes if it is meant as text."
        problems.append(Problem(document.file, line, column, dotted(path), message, fix))
        return None
