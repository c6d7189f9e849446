"""Every kind of editor mistake, and the message the editor reads, word for word.

Each file in tests/cases/ is one case: the files it writes over a small test archive
(tests/cases/base/ plus one stored source), and the report `make check` must print.
When a message is changed on purpose, `UPDATE_CASES=1 make test-fast` rewrites the
`problems:` block that ends each case; read the diff before committing it.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from archive.load import load_archive
from archive.problems import ArchiveProblems
from archive.reader import read_yaml
from archive.records import ID_PATTERN

CASES = Path(__file__).parent / "cases"
STORED_TEXT = Path(__file__).parent.parent / "data" / "sources" / "000_bdd13f7e3e6110b0.txt"


def make_archive(case: dict, root: Path) -> Path:
    """The base test archive with the case's files written, linked and deleted."""
    shutil.copytree(CASES / "base", root, dirs_exist_ok=True)
    shutil.copy(STORED_TEXT, root / "data" / "sources")
    for name, content in case.get("files", {}).items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict):  # text in another encoding, to write bytes that are not UTF-8
            target.write_bytes(content["text"].encode(content["encoding"]))
        else:
            target.write_bytes(content.encode("utf-8"))
    for name, points_to in case.get("links", {}).items():
        (root / name).unlink(missing_ok=True)
        os.symlink(points_to, root / name)
    for name in case.get("delete", []):
        (root / name).unlink()
    if not (root / "data" / "changes.yaml").exists():
        # The changelog names every record of the case, unless the case is about the changelog.
        folders = ("meetings", "people", "sources", "references")
        ids = sorted(path.stem for folder in folders for path in (root / "data" / folder).glob("*.yaml"))
        ids = [record_id for record_id in ids if re.fullmatch(ID_PATTERN, record_id)]
        changes = {"changes": [{"date": "2026-11-22", "summary": "The test archive.", "records": [*ids, "dialogue"]}]}
        (root / "data" / "changes.yaml").write_text(yaml.safe_dump(changes), encoding="utf-8")
    return root / "data"


def report(data: Path) -> str:
    try:
        load_archive(data)
    except ArchiveProblems as problems:
        return problems.report()
    return "none"


@pytest.mark.parametrize("path", sorted(CASES.glob("*.yaml")), ids=lambda path: path.stem)
def test_case(path: Path, tmp_path: Path):
    text = path.read_text(encoding="utf-8")
    case = yaml.safe_load(text)
    found = report(make_archive(case, tmp_path))
    if os.environ.get("UPDATE_CASES") == "1":
        head = text[: text.index("\nproblems: |\n") + 1]
        path.write_text(head + "problems: |\n" + "".join(f"  {line}\n" for line in found.split("\n")), "utf-8")
    assert found == case["problems"].rstrip("\n")


def test_the_base_archive_of_the_cases_has_no_problem(tmp_path: Path):
    assert report(make_archive({}, tmp_path)) == "none"


def test_the_real_archive_has_no_problem():
    assert report(Path(__file__).parent.parent / "data") == "none"


@pytest.mark.parametrize("line_break", ["\u2028", "\u2029", "\u0085", "\r"], ids=["LS", "PS", "NEL", "CR"])
def test_a_comment_left_as_a_value_is_found_after_any_kind_of_line_break(tmp_path: Path, line_break: str):
    # YAML counts these as line breaks where Python's split("\n") would not: the text after a key is found
    # by the parser's index into the text, not by its line number.
    path = tmp_path / "tass.yaml"
    path.write_bytes(f'title: "first{line_break}second"\npublisher:\nnote: #1 priority\nurl: x\n'.encode())
    document, problems = read_yaml(path, "data/references/tass.yaml")
    assert document is not None
    assert {key: document.data[key] for key in ("publisher", "note", "url")} == {
        "publisher": None,
        "note": None,
        "url": "x",
    }
    assert [(problem.field, problem.message.split(",")[0]) for problem in problems] == [
        ("note", "a value after `note:` that begins with #")
    ]
