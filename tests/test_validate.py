"""Validator tests: each broken document yields the one problem it was broken for, naming file and item."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from extractor.cli import main
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


def test_schema_enums_equal_the_tables() -> None:
    """The schema's variable and unit lists are the tables' (regenerate with tools/schema_enums.py)."""
    import sys

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "tools"))
    from schema_enums import SCHEMA, with_enums

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema == with_enums(json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_schema_rejects_unknown_variables_and_units() -> None:
    import jsonschema

    schema = json.loads((Path(__file__).resolve().parents[1] / "extractor/schema/document.schema.json").read_text())
    good = {"start": 0, "end": 3, "variable": "age", "low": 18, "low_inclusive": True, "high": None,
            "high_inclusive": None, "unit": "a"}
    doc = {"id": "d", "text": "Age", "thresholds": [good]}
    jsonschema.validate(doc, schema)
    for bad in ({"variable": "no_such_variable"}, {"unit": "furlong"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**doc, "thresholds": [{**good, **bad}]}, schema)


@pytest.mark.parametrize("entity, message", [
    ({"start": 0, "end": 5, "label": "condition", "criterion": 3}, "criterion index 3 is out of range (1 criteria)"),
    ({"start": 5, "end": 0, "label": "condition"}, "empty, reversed or outside the text"),  # end < start
])
def test_criterion_index_and_reversed_span(tmp_path: Path, entity: dict, message: str) -> None:
    doc = {"id": "d", "text": "Fever today", "criteria": [{"start": 0, "end": 11, "kind": "inclusion"}],
           "entities": [entity]}
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert any(message in str(p) for p in validate([path])), validate([path])
