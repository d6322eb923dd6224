"""Validator tests: each broken document yields the one problem it was broken for, naming file and item."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from extractor.cli import main
from extractor.format_schema import document_schema, written_fields
from extractor.records import Bound, Condition, Criterion, Document, Entity, Threshold
from extractor.validate import validate
from tests.conftest import ANNOTATIONS

TEXT = "Inclusion Criteria:\n- Age >= 18 years\n- No active HIV infection"
CRIT = TEXT.index("Age")


def good() -> dict[str, Any]:
    return {"id": "d", "text": TEXT,
            "criteria": [{"start": CRIT, "end": CRIT + 15, "kind": "inclusion"},
                         {"start": TEXT.index("No"), "end": len(TEXT), "kind": "inclusion"}],
            "entities": [{"start": CRIT, "end": CRIT + 3, "label": "person", "negated": False},
                         {"start": TEXT.index("HIV"), "end": TEXT.index("HIV") + 13, "label": "condition",
                          "negated": True}],
            "thresholds": [{"start": CRIT, "end": CRIT + 15, "variable": "age", "low": 18, "low_inclusive": True,
                            "high": None, "high_inclusive": None, "unit": "a"}]}


def write(tmp_path: Path, doc: Any, name: str = "d.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_a_clean_document_has_no_problems(tmp_path: Path) -> None:
    assert validate([write(tmp_path, good())]) == []


def broken(layer: str, index: int, **changes: Any) -> dict[str, Any]:
    doc = good()
    doc[layer][index].update(changes)
    return doc


@pytest.mark.parametrize("doc, item, message", [
    (broken("criteria", 0, end=len(TEXT) + 5), "criteria[0]", "outside the text"),
    ({"id": "d", "text": TEXT, "criteria": [{"start": 5, "end": 5, "kind": "inclusion"}]}, "criteria[0]",
     "empty, reversed or outside"),
    (broken("criteria", 0, start=CRIT - 1), "criteria[0] ' Age >= 18 years'", "begins or ends with white space"),
    (broken("criteria", 0, kind="eligibility"), "criteria[0]", "kind 'eligibility' is not one of"),
    (broken("entities", 0, label="age"), "entities[0] 'Age'", "label 'age' is not one of"),
    (broken("entities", 0, text="Ages"), "entities[0]", "'text' 'Ages' differs from text[22:25]"),
    (broken("thresholds", 0, variable="years"), "thresholds[0]", "variable 'years' is not in the catalogue"),
    (broken("thresholds", 0, unit="yr"), "thresholds[0]", "unit 'yr' is not a UCUM code"),
    (broken("thresholds", 0, low_inclusive=None), "thresholds[0]", "'low_inclusive' must be null exactly when"),
    (broken("thresholds", 0, high=10, high_inclusive=True), "thresholds[0]", "low 18 is greater than high 10"),
    (broken("thresholds", 0, low=None, low_inclusive=None), "thresholds[0]", "neither 'low' nor 'high' is set"),
    (broken("entities", 1, start=CRIT + 14), "entities[1]", "not inside any criterion span"),
    (broken("entities", 1, start=CRIT, end=CRIT + 6, label="person"), "entities[1] 'Age >='",
     "overlaps entities[0] of the same label 'person'"),
    (broken("entities", 1, start=CRIT, end=CRIT + 3, label="person", negated=False), "entities[1] 'Age'",
     "duplicate of entities[0]"),
    ({"id": "d", "text": TEXT, "entities": {"start": 0}}, "", "'entities' must be a list"),
])
def test_each_problem_names_the_item(tmp_path: Path, doc: dict[str, Any], item: str, message: str) -> None:
    problems = validate([write(tmp_path, doc)])
    assert len(problems) == 1, problems
    assert problems[0].path.endswith("d.json")
    assert problems[0].item.startswith(item)
    assert message in problems[0].message


def with_logic(criteria: list[dict[str, Any]], thresholds: list[dict[str, Any]]) -> dict[str, Any]:
    """The good document annotated for logic, with these v1.1 keys on its criteria and its threshold."""
    doc = good()
    for c, keys in zip(doc["criteria"], criteria):
        c.update(keys)
    for t, keys in zip(doc["thresholds"], thresholds):
        t.update(keys)
    return doc


AGE = {"variable": "age", "low": None, "low_inclusive": None, "high": 16, "high_inclusive": True, "unit": "a"}


def test_a_clean_logic_annotation_has_no_problems(tmp_path: Path) -> None:
    doc = with_logic([{"any_of": 1, "section": "Inclusion Criteria"}, {"any_of": 1}],
                     [{"group": 0, "condition": {"text": "if ≤ 16 years", "negated": False, "thresholds": [AGE]}}])
    assert validate([write(tmp_path, doc)]) == []


@pytest.mark.parametrize("doc, item, message", [
    (with_logic([{"any_of": 1}, {"any_of": None}], [{"group": 0}]), "any_of 1", "needs two or more criteria"),
    (with_logic([{"any_of": None}], [{}]), "thresholds[0]", "no group in a document annotated for logic"),
    (with_logic([{"any_of": None}], [{"group": 1}]), "criteria[0]", "counted from 0 without gaps"),
    (with_logic([{"any_of": None}], [{"group": 0, "condition": {"text": "if old", "negated": False,
                                                                 "thresholds": [AGE | {"unit": "yr"}]}}]),
     "thresholds[0]", "condition thresholds[0]: unit 'yr' is not a UCUM code"),
    (with_logic([{"any_of": None}], [{"group": 0, "condition": {"text": "if old", "negated": False,
                                                                 "thresholds": [AGE | {"low": 20,
                                                                                       "low_inclusive": True}]}}]),
     "thresholds[0]", "condition thresholds[0]: low 20 is greater than high 16"),
    (with_logic([{"any_of": "one"}], [{"group": 0}]), "", "'any_of' must be int or null"),
])
def test_each_logic_problem_names_the_item(tmp_path: Path, doc: dict[str, Any], item: str, message: str) -> None:
    problems = validate([write(tmp_path, doc)])
    assert len(problems) == 1, problems
    assert problems[0].item.startswith(item)
    assert message in problems[0].message


def test_folder_with_bad_json_and_duplicate_ids(tmp_path: Path) -> None:
    write(tmp_path, good(), "a.json")
    write(tmp_path, good(), "b.json")
    (tmp_path / "c.json").write_text("{", encoding="utf-8")
    messages = [str(p) for p in validate([tmp_path])]
    assert len(messages) == 2
    assert "b.json: document id 'd' also in" in messages[0]
    assert "c.json: not valid JSON" in messages[1]


def test_validate_command_exits_non_zero_on_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = write(tmp_path, good(), "clean.json")
    assert main(["validate", str(clean)]) == 0
    bad = write(tmp_path, broken("entities", 0, label="age"), "bad.json")
    assert main(["validate", str(clean), str(bad)]) == 1
    assert "bad.json: entities[0] 'Age': label 'age' is not one of" in capsys.readouterr().out


def test_the_project_gold_is_valid() -> None:
    assert [str(p) for p in validate([ANNOTATIONS])] == []


SCHEMA_FILE = Path(__file__).resolve().parents[1] / "extractor/schema/document.schema.json"


def test_committed_schema_is_the_generated_one() -> None:
    """The schema file is generated from the typed records (regenerate with tools/schema.py)."""
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == document_schema()


FULL = Document("d", "Age >= 18 years", "d.txt",
                [Criterion(0, 15, "inclusion", "Age >= 18 years", "Age:", "Inclusion", 1, "I1")],
                [Entity(0, 3, "person", False, "Age", 0)],
                [Threshold(0, 15, "age", 18, True, None, None, "a", "Age >= 18 years", 0, "adults", 0,
                           Condition("if adult", False, (Bound("age", 18, True, None, None, "a"),)))],
                {"minimumAge": "18 Years"}, logic=True)


def test_schema_keys_are_exactly_what_the_records_write() -> None:
    """Each definition's properties are the keys ``to_dict`` writes of a record with every field set."""
    schema = document_schema()
    written = {"document": FULL.to_dict(), "criterion": FULL.criteria[0].to_dict(True),
               "entity": FULL.entities[0].to_dict(), "threshold": FULL.thresholds[0].to_dict(True),
               "condition": FULL.thresholds[0].condition.to_dict(),
               "bound": FULL.thresholds[0].condition.thresholds[0].to_dict()}
    for name, keys in written.items():
        definition = schema if name == "document" else schema["$defs"][name]
        assert list(definition["properties"]) == written_fields(name), name
        assert set(definition["properties"]) == set(keys), name
        assert definition["additionalProperties"] is False
    jsonschema.validate(FULL.to_dict(), schema)


def _at(doc: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    for key in path:
        doc = doc[key]
    return doc


@pytest.mark.parametrize("path, change", [
    ((), {"logic": True}),                                             # state, not format
    (("criteria", 0), {"negated": False}),                             # a key of another record
    (("entities", 0), {"lable": "person"}),                            # a misspelt key
    (("thresholds", 0), {"lowinclusive": True}),
    (("thresholds", 0, "condition"), {"group": 0}),
    (("thresholds", 0, "condition", "thresholds", 0), {"start": 0}),
    (("thresholds", 0), {"variable": "no_such_variable"}),             # not in the catalogue
    (("thresholds", 0), {"unit": "furlong"}),                          # not in the unit table
    (("thresholds", 0, "condition", "thresholds", 0), {"unit": "yr"}),
    (("criteria", 0), {"kind": "eligibility"}),
    (("criteria", 0), {"id": "A1"}),
    (("entities", 0), {"start": -1}),
    (("entities", 0), {"negated": "no"}),
    (("thresholds", 0), {"group": -1}),
])
def test_schema_rejects_unknown_keys_variables_units_and_values(path: tuple[Any, ...], change: dict[str, Any]) -> None:
    doc = FULL.to_dict()
    jsonschema.validate(doc, document_schema())
    _at(doc, path).update(change)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, document_schema())


@pytest.mark.parametrize("path, key", [
    (("thresholds", 0), "low_inclusive"), (("thresholds", 0), "unit"), (("criteria", 0), "kind"),
    (("entities", 0), "label"), (("thresholds", 0, "condition"), "negated"), ((), "text"),
])
def test_schema_requires_the_format_keys(path: tuple[Any, ...], key: str) -> None:
    doc = FULL.to_dict()
    del _at(doc, path)[key]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, document_schema())


def test_the_project_gold_follows_the_schema() -> None:
    for path in sorted(ANNOTATIONS.glob("*.json")):
        jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), document_schema())


def test_schema_fields_table_names_only_fields(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import extractor.format_schema as module
    from extractor.resources import DataFileError

    table = json.loads((Path(module.__file__).parent / "data/schema_fields.json").read_text(encoding="utf-8"))
    table["records"][1]["fields"]["lenght"] = {"minimum": 0}
    (tmp_path / "schema_fields.json").write_text(json.dumps(table), encoding="utf-8")
    monkeypatch.setattr(module, "data_path", lambda name: tmp_path / name)
    with pytest.raises(DataFileError, match="'lenght' is not a field of Criterion"):
        module.document_schema()


@pytest.mark.parametrize("layer, item, message", [
    ("entities", {"start": 0, "end": 5, "label": "condition", "criterion": 3},
     "criterion index 3 is out of range (2 criteria)"),
    ("entities", {"start": 5, "end": 0, "label": "condition"}, "empty, reversed or outside the text"),  # end < start
    ("entities", {"start": 0, "end": 5, "label": "condition", "criterion": 1}, "not inside its criterion 1 [12, 22)"),
    ("thresholds", {"start": 12, "end": 22, "variable": "age", "low": 18, "low_inclusive": True, "high": None,
                    "high_inclusive": None, "unit": "a", "criterion": 0}, "not inside its criterion 0 [0, 11)"),
    ("criteria", {"start": 0, "end": 5, "kind": "exclusion", "id": "E2"}, "id 'E2' is not its kind's initial"),
])
def test_what_the_schema_cannot_say(tmp_path: Path, layer: str, item: dict, message: str) -> None:
    text = "Fever today\nAge 18 yrs"
    doc: dict[str, Any] = {"id": "d", "text": text, "criteria": [{"start": 0, "end": 11, "kind": "inclusion"},
                                                                 {"start": 12, "end": 22, "kind": "inclusion"}]}
    doc.setdefault(layer, []).append(item)
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert any(message in str(p) for p in validate([path])), validate([path])
