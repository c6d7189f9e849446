"""Every field of every kind of record, broken in every common way: the editor gets a report, never a crash.

The checks go on past a field with a problem (what validates of the record is still checked), so this walks
each field of a meeting, a person, a source and a reference through the mistakes editors make: the field
left out, a mapping or a list where it does not belong, plain text, and a bad item in a list.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from archive.load import FOLDERS, load_archive
from archive.problems import ArchiveProblems
from conftest import DATA

RECORDS = {
    "meetings": "second-plenary",
    "people": "sergey-ryabkov",
    "sources": "afp-productive-arms-control-talks",
    "references": "tass-2021-09-30",
}
MISTAKES = {
    "left out": lambda value: None,
    "a mapping": lambda value: {"x": 1},
    "a list": lambda value: [1, "x"],
    "text": lambda value: "x",
    "a bad first item": lambda value: ["x", *value[1:]] if isinstance(value, list) and value else None,
}


def cases() -> list:
    return list(_cases())


def _cases():
    for folder, record_id in RECORDS.items():
        data = yaml.safe_load((DATA / folder / f"{record_id}.yaml").read_text(encoding="utf-8"))
        for field in FOLDERS[folder].model_fields:
            for mistake in MISTAKES:
                if mistake == "a bad first item" and not isinstance(data.get(field), list):
                    continue
                if mistake != "left out" and field not in data:
                    continue
                if mistake == "text" and (data[field] is None or isinstance(data[field], str)):
                    continue  # text where text belongs (or may be) is no mistake
                yield pytest.param(folder, record_id, field, mistake, id=f"{folder}-{field}-{mistake}")


@pytest.mark.parametrize(("folder", "record_id", "field", "mistake"), cases())
def test_a_broken_field_is_reported_never_a_crash(tmp_path: Path, folder, record_id, field, mistake):
    data_dir = tmp_path / "data"
    shutil.copytree(DATA, data_dir)
    path = data_dir / folder / f"{record_id}.yaml"
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    wrong = MISTAKES[mistake](record.get(field))
    if wrong is None:
        record.pop(field, None)
    else:
        record[field] = wrong
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        load_archive(data_dir)
    except ArchiveProblems as problems:
        files = {problem.file for problem in problems.problems}
        assert all(file.startswith("data/") for file in files)
        assert all(str(problem).count("None") == 0 for problem in problems.problems), problems.report()
        return
    # Only an optional field may be left out, or emptied, without a problem.
    assert FOLDERS[folder].model_fields[field].is_required() is False and mistake in ("left out", "a bad first item")
