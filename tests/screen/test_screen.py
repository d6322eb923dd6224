"""Screening: three-valued semantics of ANNOTATION_FORMAT.md "Structure and logic", units, registry fields, CLI.

Each case names its source: the format's own examples ("format"), or the issue's (issue 20).
"""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import extractor
from extractor.cli import main
from extractor.records import Bound, Condition, Criterion, Document, Threshold
from extractor.screen import Patient, PatientError, patient_from_dict, screen
from extractor.screen.tri import and3, not3, or3

SCHEMA = json.loads((Path(extractor.__file__).parent / "schema" / "screening.schema.json").read_text())
AGE_16 = Condition("for patients ≤ 16 years", False, (Bound("age", high=16, high_inclusive=True, unit="a"),))
LIVER = "liver metastases"


def t(variable: str, low=None, high=None, unit=None, group=None, condition=None, at: int = 0) -> Threshold:
    """A threshold inside the criterion at position ``at`` (criteria are 10 characters apart)."""
    return Threshold(at * 10, at * 10 + 5, variable, low, None if low is None else True, high,
                     None if high is None else True, unit, group=group, condition=condition)


def doc(*criteria: tuple[str, list[Threshold]] | tuple[str, list[Threshold], int]) -> Document:
    crits, records = [], []
    for k, (kind, thresholds, *any_of) in enumerate(criteria):
        crits.append(Criterion(k * 10, k * 10 + 9, kind, any_of=any_of[0] if any_of else None))
        records += [Threshold(**{**_fields(x), "start": k * 10, "end": k * 10 + 5}) for x in thresholds]
    return Document("T", " " * (len(criteria) * 10), criteria=crits, thresholds=records)


def _fields(x: Threshold) -> dict:
    return {name: getattr(x, name) for name in x.__slots__}


def p(answers: dict | None = None, **facts: tuple) -> Patient:
    raw = {v: dict(zip(("value", "unit", "uln"), f)) for v, f in facts.items()}
    return patient_from_dict({"id": "P", "facts": raw, "answers": answers or {}}, "test")


CRITERION_CASES = [
    # (source, criterion kind, thresholds, patient, holds, applicable)
    ("format: age 18–65, one record", "inclusion", [t("age", 18, 65, "a")], p(age=(40, "a")), True, True),
    ("format: outside the range", "inclusion", [t("age", 18, 65, "a")], p(age=(70, "a")), False, True),
    ("missing fact is unknown", "inclusion", [t("age", 18, 65, "a")], p(), None, True),
    ("format: SF ≥ 28% or EF ≥ 50% (one group), one holds", "inclusion",
     [t("shortening_fraction", 28, unit="%", group=0), t("lvef", 50, unit="%", group=0)],
     p(lvef=(55, "%")), True, True),
    ("one group, neither holds", "inclusion",
     [t("shortening_fraction", 28, unit="%", group=0), t("lvef", 50, unit="%", group=0)],
     p(lvef=(40, "%"), shortening_fraction=(20, "%")), False, True),
    ("one group, one fails, other unknown", "inclusion",
     [t("shortening_fraction", 28, unit="%", group=0), t("lvef", 50, unit="%", group=0)],
     p(lvef=(40, "%")), None, True),
    ("format: AST and ALT ≤ 3 × ULN (two groups), one fails", "inclusion",
     [t("ast", high=3, unit="{ULN}", group=0), t("alt", high=3, unit="{ULN}", group=1)],
     p(ast=(1, "{ULN}"), alt=(200, "U/L", 40)), False, True),
    ("two groups, one unknown (ULN not given)", "inclusion",
     [t("ast", high=3, unit="{ULN}", group=0), t("alt", high=3, unit="{ULN}", group=1)],
     p(ast=(1, "{ULN}"), alt=(100, "U/L")), None, True),
    ("ULN given: 100 U/L with ULN 40 is 2.5 × ULN", "inclusion",
     [t("alt", high=3, unit="{ULN}")], p(alt=(100, "U/L", 40)), True, True),
    ("format: Lansky ≥ 50 for patients ≤ 16 years, adult: says nothing", "inclusion",
     [t("lansky", 50, condition=AGE_16)], p(age=(30, "a")), None, False),
    ("condition applies to a child", "inclusion",
     [t("lansky", 50, condition=AGE_16)], p(age=(10, "a"), lansky=(40, None)), False, True),
    ("condition unknown (no age), fact holds: holds, applicability unknown", "inclusion",
     [t("lansky", 50, condition=AGE_16)], p(lansky=(60, None)), True, None),
    ("condition unknown, fact fails: fails where it applies, applicability unknown", "inclusion",
     [t("lansky", 50, condition=AGE_16)], p(lansky=(40, None)), False, None),
    ("format: ALT ≤ 2.5 × ULN (≤ 5 if liver metastases), mets answered yes", "inclusion",
     [t("alt", high=2.5, unit="{ULN}", group=0, condition=Condition(LIVER, True)),
      t("alt", high=5, unit="{ULN}", group=0, condition=Condition(LIVER, False))],
     p({LIVER: True}, alt=(4, "{ULN}")), True, True),
    ("negated condition: no mets, 4 × ULN fails the general bound", "inclusion",
     [t("alt", high=2.5, unit="{ULN}", group=0, condition=Condition(LIVER, True)),
      t("alt", high=5, unit="{ULN}", group=0, condition=Condition(LIVER, False))],
     p({LIVER: False}, alt=(4, "{ULN}")), False, True),
    ("mets not answered, 4 × ULN: unknown", "inclusion",
     [t("alt", high=2.5, unit="{ULN}", group=0, condition=Condition(LIVER, True)),
      t("alt", high=5, unit="{ULN}", group=0, condition=Condition(LIVER, False))],
     p(alt=(4, "{ULN}")), None, True),
    ("mets not answered, 2 × ULN holds under either", "inclusion",
     [t("alt", high=2.5, unit="{ULN}", group=0, condition=Condition(LIVER, True)),
      t("alt", high=5, unit="{ULN}", group=0, condition=Condition(LIVER, False))],
     p(alt=(2, "{ULN}")), True, True),
    ("units: 200 months is 16.7 years", "inclusion", [t("age", 18, unit="a")], p(age=(200, "mo")), False, True),
    ("units: 80,000/µL is 80 × 10^9/L", "inclusion",
     [t("platelets", 75, unit="10*9/L")], p(platelets=(80000, "/uL")), True, True),
    ("units: g/L to g/dL", "inclusion", [t("hemoglobin", 9, unit="g/dL")], p(hemoglobin=(85, "g/L")), False, True),
    ("molar to mass through the catalogue's molar mass: 90 umol/L creatinine is 1.02 mg/dL", "inclusion",
     [t("creatinine", high=1.5, unit="mg/dL")], p(creatinine=(90, "umol/L")), True, True),
    ("molar to mass without a molar mass (ALT has none): unknown", "inclusion",
     [t("alt", high=1.5, unit="mg/dL")], p(alt=(90, "umol/L")), None, True),
    ("no thresholds, not answered: unknown", "inclusion", [], p(), None, True),
]


@pytest.mark.parametrize("source, kind, thresholds, patient, holds, applicable", CRITERION_CASES,
                         ids=[c[0] for c in CRITERION_CASES])
def test_criterion_semantics(source, kind, thresholds, patient, holds, applicable) -> None:
    verdict = screen(doc((kind, thresholds)), patient).criteria[0]
    assert (verdict.holds, verdict.applicable) == (holds, applicable), verdict.reason


AGE = [t("age", 18, unit="a")]
HIV = []  # an exclusion without thresholds: decided by answers only
TRIAL_CASES = [
    # (source, criteria, patient, verdict, deciding)
    ("inclusion holds", [("inclusion", AGE)], p(age=(30, "a")), "eligible", ()),
    ("inclusion fails", [("inclusion", AGE)], p(age=(10, "a")), "ineligible", ("I1",)),
    ("inclusion unknown", [("inclusion", AGE)], p(), "undetermined", ("I1",)),
    ("exclusion polarity: exclusion holds excludes",
     [("inclusion", AGE), ("exclusion", [t("alt", 3, unit="{ULN}", at=1)])],
     p(age=(30, "a"), alt=(4, "{ULN}")), "ineligible", ("E1",)),
    ("exclusion that fails does not exclude",
     [("inclusion", AGE), ("exclusion", [t("alt", 3, unit="{ULN}", at=1)])],
     p(age=(30, "a"), alt=(1, "{ULN}")), "eligible", ()),
    ("answers decide a criterion without thresholds", [("inclusion", AGE), ("exclusion", HIV)],
     p({"E1": False}, age=(30, "a")), "eligible", ()),
    ("answered true exclusion excludes", [("inclusion", AGE), ("exclusion", HIV)],
     p({"E1": True}, age=(30, "a")), "ineligible", ("E1",)),
    ("unanswered exclusion leaves it undetermined", [("inclusion", AGE), ("exclusion", HIV)],
     p(age=(30, "a")), "undetermined", ("E1",)),
    ("format: inclusion any_of set fails only when every member fails",
     [("inclusion", [t("lvef", 50, unit="%")], 1), ("inclusion", [t("shortening_fraction", 28, unit="%", at=1)], 1)],
     p(lvef=(40, "%"), shortening_fraction=(30, "%")), "eligible", ()),
    ("inclusion any_of set, all fail",
     [("inclusion", [t("lvef", 50, unit="%")], 1), ("inclusion", [t("shortening_fraction", 28, unit="%", at=1)], 1)],
     p(lvef=(40, "%"), shortening_fraction=(20, "%")), "ineligible", ("I1", "I2")),
    ("inclusion any_of set, one fails one unknown",
     [("inclusion", [t("lvef", 50, unit="%")], 1), ("inclusion", [t("shortening_fraction", 28, unit="%", at=1)], 1)],
     p(lvef=(40, "%")), "undetermined", ("I1", "I2")),
    ("exclusion any_of set: one member holding excludes",
     [("exclusion", [t("alt", 3, unit="{ULN}")], 2), ("exclusion", [t("ast", 3, unit="{ULN}", at=1)], 2)],
     p(alt=(1, "{ULN}"), ast=(4, "{ULN}")), "ineligible", ("E2",)),
    ("fails only if the unknown condition applies: undetermined",
     [("inclusion", AGE), ("inclusion", [t("lansky", 50, condition=AGE_16, at=1)])],
     p(lansky=(40, None)), "undetermined", ("I1", "I2")),
    ("inapplicable criterion does not block eligibility",
     [("inclusion", AGE), ("inclusion", [t("lansky", 50, condition=AGE_16, at=1)])],
     p(age=(30, "a")), "eligible", ()),
]


@pytest.mark.parametrize("source, criteria, patient, verdict, deciding", TRIAL_CASES, ids=[c[0] for c in TRIAL_CASES])
def test_trial_semantics(source, criteria, patient, verdict, deciding) -> None:
    result = screen(doc(*criteria), patient)
    assert (result.verdict, result.deciding) == (verdict, deciding)
    jsonschema.validate(result.to_dict(), SCHEMA)


REGISTRY_CASES = [
    # (source, meta, patient, verdict): readers.py keeps these names (API JSON, legacy XML, AACT CSV)
    ("API minimumAge", {"minimumAge": "18 Years"}, p(age=(17, "a")), "ineligible"),
    ("API maximumAge in months", {"maximumAge": "6 Months"}, p(age=(20, "wk")), "eligible"),
    ("API sex", {"sex": "FEMALE"}, p(sex=("male",)), "ineligible"),
    ("API sex ALL", {"sex": "ALL"}, p(), "eligible"),
    ("XML gender, no fact", {"gender": "Female"}, p(), "undetermined"),
    ("XML N/A is no constraint", {"minimum_age": "N/A"}, p(), "eligible"),
    ("CSV bare number is years", {"maximum_age": "21"}, p(age=(22, "a")), "ineligible"),
]


@pytest.mark.parametrize("source, meta, patient, verdict", REGISTRY_CASES, ids=[c[0] for c in REGISTRY_CASES])
def test_registry_constraints(source, meta, patient, verdict) -> None:
    record = Document("T", "", criteria=[], thresholds=[], meta=meta)
    assert screen(record, patient).verdict == verdict


def test_kleene_tables() -> None:
    assert [and3([True, None]), and3([False, None]), or3([True, None]), or3([False, None]), not3(None)] == \
        [None, False, True, None, None]


@pytest.mark.parametrize("raw, message", [
    ({"id": "x", "facts": {"agee": {"value": 1}}}, "not a catalogue variable"),
    ({"id": "x", "facts": {"age": {"value": "old", "unit": "a"}}}, "must be a number"),
    ({"id": "x", "facts": {"age": {"value": 3, "unit": "years"}}}, "not a UCUM code"),
    ({"id": "x", "facts": {"alt": {"value": 3, "unit": "U/L", "uln": 0}}}, "positive number"),
    ({"id": "x", "answers": {"I1": "yes"}}, "true or false"),
    ({"facts": {}}, "'id'"),
    ({"id": "x", "age": 3}, "unknown key"),
])
def test_patient_validation(raw, message) -> None:
    with pytest.raises(PatientError, match=message) as err:
        patient_from_dict(raw, "patients.jsonl line 3")
    assert "patients.jsonl line 3" in str(err.value)


def test_cli_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "NCT00000001.txt"
    text.write_text("Inclusion Criteria:\n- Age >= 18 years\n- Platelets >= 75 x 10^9/L\n"
                    "Exclusion Criteria:\n- ALT > 3 x ULN\n", encoding="utf-8")
    trials = tmp_path / "trials.jsonl"
    assert main(["extract", str(text), "--layers", "criteria,thresholds", "-o", str(trials), "--no-progress"]) == 0
    trials.write_text(trials.read_text() + "{not json\n")
    patients = tmp_path / "patients.jsonl"
    patients.write_text("\n".join(json.dumps(x) for x in [
        {"id": "ok", "facts": {"age": {"value": 30, "unit": "a"}, "platelets": {"value": 80000, "unit": "/uL"},
                               "alt": {"value": 50, "unit": "U/L", "uln": 40}}},
        {"id": "child", "facts": {"age": {"value": 120, "unit": "mo"}}},
        {"id": "bad", "facts": {"age": {"value": 1, "unit": "yrs"}}}]) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["screen", str(trials), str(patients), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "patients.jsonl line 3" in err and "trials.jsonl line 2" in err and "2 record(s) failed" in err
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["patient"], r["verdict"], r["deciding"]) for r in results] == \
        [("ok", "eligible", []), ("child", "ineligible", ["I1"])]
    for result in results:
        jsonschema.validate(result, SCHEMA)
    assert main(["screen", str(trials), str(patients), "-o", str(out)]) == 2  # exists, no --force
