"""The published JSON Schema: up to date with the models, named by every record, and agreeing with the checks."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from archive.schema import KINDS, SCHEMA_FOLDER, schema_line, schemas

DATA = Path(__file__).resolve().parent.parent / "data"


def test_the_committed_schema_is_the_one_the_models_generate():
    committed = {path.name: path.read_text(encoding="utf-8") for path in SCHEMA_FOLDER.glob("*.schema.json")}
    assert committed == schemas(), "schema/ is stale: run `PYTHONPATH=scripts python -m archive schema` and commit it"


@pytest.mark.parametrize("folder", KINDS)
def test_every_record_names_its_schema_in_its_first_line(folder):
    for path in sorted((DATA / folder).glob("*.yaml")):
        first_line = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert first_line == schema_line(folder), path
        named = (path.parent / first_line.split("$schema=")[1]).resolve()
        assert named.is_file(), named


def _as_editors_tools_read_it(path: Path) -> object:
    """YAML as a JSON Schema validator sees it: dates are text in YAML 1.2."""

    def plain(value):
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value.isoformat() if isinstance(value, datetime.date) else value

    return plain(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("folder", KINDS)
def test_the_schema_accepts_every_real_record(folder):
    schema = json.loads((SCHEMA_FOLDER / f"{KINDS[folder][0]}.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for path in sorted((DATA / folder).glob("*.yaml")):
        assert [error.message for error in validator.iter_errors(_as_editors_tools_read_it(path))] == [], path


def test_the_schema_refuses_a_misspelt_field_and_a_value_not_allowed():
    schema = json.loads((SCHEMA_FOLDER / "person.schema.json").read_text(encoding="utf-8"))
    person = _as_editors_tools_read_it(DATA / "people" / "sergey-ryabkov.yaml")
    person["spellings"][0]["speeker"] = person["spellings"][0].pop("source")
    person["party"] = "Russia"
    messages = sorted(error.message for error in jsonschema.Draft202012Validator(schema).iter_errors(person))
    assert messages == [
        "'Russia' is not one of ['united-states', 'russia', 'joint', 'united-nations', 'press']",
        "'source' is a required property",
        "Additional properties are not allowed ('speeker' was unexpected)",
    ]
