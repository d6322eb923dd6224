"""FHIR R5 export: one EvidenceVariable per document, every resource checked with fhir.resources."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from extractor.cli import main
from extractor.export.fhir import CATALOGUE_SYSTEM, LOINC, UCUM, evidence_variable, resource_id, validate_resource
from extractor.records import Bound, Condition, Criterion, Document, Threshold

pytest.importorskip("fhir.resources")


def doc(criteria: list[Criterion], thresholds: list[Threshold]) -> Document:
    return Document("NCT00000001", "text", criteria=criteria, thresholds=thresholds)


def exported(d: Document) -> dict[str, Any]:
    resource = evidence_variable(d)
    validate_resource(resource)
    return resource


def crit(kind: str = "inclusion", any_of: int | None = None, cid: str = "I1") -> Criterion:
    return Criterion(0, 10, kind, "criterion text", any_of=any_of, id=cid)


def thr(variable: str = "creatinine", low: float | None = None, low_inc: bool | None = None,
        high: float | None = None, high_inc: bool | None = None, unit: str | None = "mg/dL",
        group: int | None = None, condition: Condition | None = None, criterion: int = 0) -> Threshold:
    return Threshold(0, 5, variable, low, low_inc, high, high_inc, unit, "t", criterion, None, group, condition)


def value_of(characteristic: dict[str, Any]) -> dict[str, Any]:
    return characteristic["definitionByTypeAndValue"]


# Bounds as the annotation format writes them (ANNOTATION_FORMAT.md layer 3) and their FHIR value.
@pytest.mark.parametrize("threshold, key, expected", [
    (thr(high=1.5, high_inc=True), "valueQuantity",
     {"value": 1.5, "comparator": "<=", "unit": "mg/dL", "system": UCUM, "code": "mg/dL"}),
    (thr(high=1.5, high_inc=False), "valueQuantity",
     {"value": 1.5, "comparator": "<", "unit": "mg/dL", "system": UCUM, "code": "mg/dL"}),
    (thr(low=2, low_inc=True), "valueQuantity",
     {"value": 2, "comparator": ">=", "unit": "mg/dL", "system": UCUM, "code": "mg/dL"}),
    (thr(low=2, low_inc=False), "valueQuantity",
     {"value": 2, "comparator": ">", "unit": "mg/dL", "system": UCUM, "code": "mg/dL"}),
    (thr("ecog", high=2, high_inc=True, unit=None), "valueQuantity", {"value": 2, "comparator": "<="}),
    (thr("age", low=18, low_inc=True, high=65, high_inc=True, unit="a"), "valueRange",
     {"low": {"value": 18, "unit": "a", "system": UCUM, "code": "a"},
      "high": {"value": 65, "unit": "a", "system": UCUM, "code": "a"}}),
])
def test_bounds_become_quantity_or_range(threshold: Threshold, key: str, expected: dict[str, Any]) -> None:
    char = exported(doc([crit()], [threshold]))["characteristic"][0]
    assert value_of(char)[key] == expected


def test_mixed_inclusivity_is_all_of_two_comparators() -> None:
    """A Range is inclusive at both ends, so 18 <= age < 65 is two Quantities (exact)."""
    char = exported(doc([crit()], [thr("age", 18, True, 65, False, "a")]))["characteristic"][0]
    combo = char["definitionByCombination"]
    assert combo["code"] == "all-of"
    assert [value_of(c)["valueQuantity"]["comparator"] for c in combo["characteristic"]] == [">=", "<"]


@pytest.mark.parametrize("variable, system, code", [
    ("creatinine", LOINC, "2160-0"), ("ecog", LOINC, "89262-0"),
    ("ctcae_grade", CATALOGUE_SYSTEM, "ctcae_grade"), ("unknown_variable", CATALOGUE_SYSTEM, "unknown_variable"),
])
def test_type_is_loinc_or_catalogue_id(variable: str, system: str, code: str) -> None:
    char = exported(doc([crit()], [thr(variable, high=3, high_inc=True, unit=None)]))["characteristic"][0]
    coding = value_of(char)["type"]["coding"][0]
    assert (coding["system"], coding["code"]) == (system, code)


@pytest.mark.parametrize("kind, exclude", [("inclusion", False), ("exclusion", True)])
def test_exclude_follows_the_kind_and_description_is_the_text(kind: str, exclude: bool) -> None:
    char = exported(doc([crit(kind)], []))["characteristic"][0]
    assert (char["exclude"], char["description"], char["linkId"]) == (exclude, "criterion text", "I1")


def test_groups_are_all_of_and_alternatives_any_of() -> None:
    """"(SF >= 28% or LVEF >= 50%) and creatinine <= 1.5": two groups, the first with two alternatives."""
    ts = [thr("shortening_fraction", 28, True, unit="%", group=0), thr("lvef", 50, True, unit="%", group=0),
          thr(high=1.5, high_inc=True, group=1)]
    combo = exported(doc([crit()], ts))["characteristic"][0]["definitionByCombination"]
    assert combo["code"] == "all-of"
    first, second = combo["characteristic"]
    assert first["definitionByCombination"]["code"] == "any-of"
    assert len(first["definitionByCombination"]["characteristic"]) == 2
    assert value_of(second)["valueQuantity"]["value"] == 1.5


def test_any_of_set_is_one_any_of_characteristic() -> None:
    criteria = [crit(any_of=0, cid="I1"), crit(any_of=0, cid="I2"), crit(cid="I3")]
    chars = exported(doc(criteria, []))["characteristic"]
    assert len(chars) == 2
    assert chars[0]["definitionByCombination"]["code"] == "any-of"
    assert [c["linkId"] for c in chars[0]["definitionByCombination"]["characteristic"]] == ["I1", "I2"]


@pytest.mark.parametrize("negated, case_excluded", [(False, True), (True, False)])
def test_condition_is_an_implication(negated: bool, case_excluded: bool) -> None:
    """platelets >= 50 if age <= 16 is "not (age <= 16) or platelets >= 50"; negated: "case or bound"."""
    condition = Condition("for patients <= 16 years", negated, (Bound("age", None, None, 16, True, "a"),))
    char = exported(doc([crit()], [thr("platelets", 50, True, unit="10*9/L", condition=condition)]))
    combo = char["characteristic"][0]["definitionByCombination"]
    case, bound = combo["characteristic"]
    assert combo["code"] == "any-of"
    assert case.get("exclude", False) is case_excluded
    assert value_of(case)["valueQuantity"]["comparator"] == "<="
    assert value_of(bound)["valueQuantity"]["value"] == 50


def test_resource_id_is_a_fhir_id() -> None:
    assert resource_id("NCT01234567") == "NCT01234567"
    assert resource_id("trial 12/a_b") == "trial-12-a-b"


def test_cli_writes_one_resource_per_line(tmp_path: Path) -> None:
    docs = [doc([crit()], [thr(high=2, high_inc=True)]), Document("NCT2", "x", criteria=[], thresholds=[])]
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(d.to_dict()) + "\n" for d in docs) + '{"id": 3}\n', encoding="utf-8")
    assert main(["export", "--format", "fhir", str(src), "-o", str(out), "--validate"]) == 1  # the bad record
    resources = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in resources] == ["NCT00000001", "NCT2"]
    for r in resources:
        validate_resource(r)
