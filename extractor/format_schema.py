"""The JSON Schema of the output, generated from the typed records so that the two cannot drift.

Each record of :mod:`extractor.records` becomes one definition whose properties are exactly its
fields (``additionalProperties: false``), typed from its annotations (``float | None`` is
``["number", "null"]``, ``tuple[Bound, ...]`` an array of bounds); what the types cannot say
(descriptions, minimums, the id pattern, the keys the format requires, enumerations) comes from
``data/schema_fields.json``; variables and units are the catalogue's and the unit table's. What
JSON Schema cannot say at all (``end`` after ``start``, criterion indices in range, thresholds inside
their criterion) :mod:`extractor.validate` checks. ``tools/schema.py`` writes the file;
``tests/test_validate.py`` fails when the committed file differs from this.
"""
from __future__ import annotations

import dataclasses
import types
from typing import Any, Union, get_args, get_origin, get_type_hints

from extractor import records
from extractor.catalogue import load_catalogue
from extractor.records import Bound, Condition, Criterion, Document, Entity, Threshold
from extractor.resources import DataFile, DataFileError, data_path
from extractor.units import load_units

SCHEMA_ID = "https://github.com/extractor/extractor/schema/document.schema.json"
RECORDS: dict[str, type] = {"document": Document, "criterion": Criterion, "entity": Entity,
                            "threshold": Threshold, "bound": Bound, "condition": Condition}
#: Fields that are state, not format: ``Document.logic`` is read off the items' keys, never written.
NOT_WRITTEN: frozenset[tuple[str, str]] = frozenset({("document", "logic")})
FIELDS_FILE = DataFile(frozenset({"record", "description", "required", "fields"}))
_CONSTRAINTS = frozenset({"description", "minimum", "pattern", "enum", "ref"})
_SCALARS: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean", dict: "object"}


def written_fields(name: str) -> list[str]:
    """The keys a record can have in JSON: its fields, in order, less its state."""
    return [f.name for f in dataclasses.fields(RECORDS[name]) if (name, f.name) not in NOT_WRITTEN]


def json_type(hint: Any) -> dict[str, Any]:
    """The JSON Schema of one field's annotation."""
    if get_origin(hint) in (Union, types.UnionType):
        members = [a for a in get_args(hint) if a is not type(None)]
        if len(members) != 1:
            raise TypeError(f"{hint}: only X | None unions are written")
        inner = json_type(members[0])
        if "type" in inner:
            return inner | {"type": [inner["type"], "null"]}
        return {"oneOf": [{"type": "null"}, inner]}
    origin = get_origin(hint) or hint
    if origin in (list, tuple):
        return {"type": "array", "items": json_type(get_args(hint)[0])}
    if origin in _SCALARS:
        return {"type": _SCALARS[origin]}
    name = next((key for key, cls in RECORDS.items() if cls is hint), None)
    if name is None:
        raise TypeError(f"{hint}: no JSON Schema type")
    return {"$ref": f"#/$defs/{name}"}


def _with(schema: dict[str, Any], constraints: dict[str, Any]) -> dict[str, Any]:
    """A field's generated schema with its table constraints; a reference or enumeration replaces the type."""
    if "ref" in constraints:
        schema = {"$ref": f"#/$defs/{constraints['ref']}"}
    elif "enum" in constraints:
        schema = {"enum": list(getattr(records, constraints["enum"]))}
    return schema | {k: v for k, v in constraints.items() if k in ("minimum", "pattern", "description")}


def record_schema(name: str, row: dict[str, Any]) -> dict[str, Any]:
    """One record's definition: exactly its written fields, the format's required keys."""
    cls = RECORDS[name]
    hints = get_type_hints(cls)
    fields = written_fields(name)
    where = f"{data_path('schema_fields.json')}, record {name!r}"
    for field, constraints in row["fields"].items():
        if field not in fields:
            raise DataFileError(f"{where}: {field!r} is not a field of {cls.__name__}")
        if set(constraints) - _CONSTRAINTS:
            raise DataFileError(f"{where}: {field!r} has unknown constraint(s) {sorted(set(constraints) - _CONSTRAINTS)}")
    no_default = [f.name for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING
                  and f.default_factory is dataclasses.MISSING]
    return {"type": "object", "description": row["description"],
            "required": [f for f in fields if f in no_default or f in row["required"]],
            "properties": {f: _with(json_type(hints[f]), row["fields"].get(f, {})) for f in fields},
            "additionalProperties": False}


def document_schema() -> dict[str, Any]:
    """The whole schema: the document at the top, the other records, the variable and unit enumerations."""
    rows = {row["record"]: row for row in FIELDS_FILE.read_json(data_path("schema_fields.json"), "records")}
    if set(rows) != set(RECORDS):
        raise DataFileError(f"{data_path('schema_fields.json')}: records must be exactly {sorted(RECORDS)}")
    document = record_schema("document", rows["document"])
    defs = {name: record_schema(name, rows[name]) for name in RECORDS if name != "document"}
    defs["variable"] = {"enum": sorted(load_catalogue().variables),
                        "description": "catalogue id (extractor/data/variables.csv)"}
    defs["unit"] = {"enum": [*sorted(load_units().units), None],
                    "description": "UCUM code of the unit table (extractor/data/units.csv), null for unitless"}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "Eligibility document (annotation format v1.1 plus extractor extras)", **document,
            "$defs": defs}
