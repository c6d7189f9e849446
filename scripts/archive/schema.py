"""JSON Schema of each kind of record, generated from the models, for editors' YAML tools."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from .records import Meeting, Person, Reference, Source

# schema/<kind>.schema.json, named in the first line of every record of that kind.
KINDS: dict[str, tuple[str, type[BaseModel]]] = {
    "meetings": ("meeting", Meeting),
    "people": ("person", Person),
    "sources": ("source", Source),
    "references": ("reference", Reference),
}
SCHEMA_FOLDER = Path(__file__).resolve().parent.parent.parent / "schema"


def schema_line(folder: str) -> str:
    """The first line of a record file, which points YAML tools at its schema."""
    return f"# yaml-language-server: $schema=../../schema/{KINDS[folder][0]}.schema.json"


def schema_text(model: type[BaseModel], kind: str) -> str:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{kind}.schema.json",
        **model.model_json_schema(),
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def schemas() -> dict[str, str]:
    """File name → JSON text, for every kind of record."""
    return {f"{kind}.schema.json": schema_text(model, kind) for kind, model in KINDS.values()}


def write_schemas(folder: Path = SCHEMA_FOLDER) -> list[Path]:
    folder.mkdir(exist_ok=True)
    written = []
    for name, text in schemas().items():
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    return written
