"""The logic stage (extractor.logic): groups and conditions of one criterion's thresholds.

Cases are criteria copied from registry gold **dev** trials (annotations/registry, split dev) and
the guidelines' own examples (annotations/GUIDELINES.md, "Structure and logic"), each with its source.
Expected: per record, in text order, (variable, group, condition) with condition as
(negated, bounds as (variable, low, high, unit)) or None.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from extractor.logic import LogicRules, apply_logic
from extractor.logic.conditions import case_text
from extractor.resources import DataFileError
from extractor.thresholds import condition_bounds, criterion_thresholds

CASES = [
    ("GUIDELINES group rule 1", "inclusion", "Shortening fraction ≥ 28% or ejection fraction ≥ 50%",
     [("shortening_fraction", 0, None), ("lvef", 0, None)]),
    ("GUIDELINES group rule 2", "inclusion", "AST and ALT ≤ 3 × ULN",
     [("ast", 0, None), ("alt", 1, None)]),
    ("GUIDELINES group rule 3, inclusion", "inclusion", "ANC ≥ 1500/µL, platelets ≥ 100,000/µL",
     [("anc", 0, None), ("platelets", 1, None)]),
    ("GUIDELINES group rule 3, exclusion", "exclusion", "ANC < 1000/µL, platelets < 50,000/µL",
     [("anc", 0, None), ("platelets", 0, None)]),
    ("GUIDELINES group rule 1", "inclusion",
     "serum creatinine ≤ 1.5 × ULN or creatinine clearance ≥ 60 mL/min",
     [("creatinine", 0, None), ("creatinine_clearance", 0, None)]),
    ("registry dev NCT02115295", "inclusion",
     "Aspartate aminotransferase (AST) and/or alanine aminotransferase (ALT) =< 3 x upper limit of normal "
     "(ULN) or < 5 x ULN if related to leukemic involvement",
     [("ast", 0, (True, ())), ("alt", 0, (True, ())), ("alt", 0, (False, ())), ("ast", 0, (False, ()))]),
    ("registry dev NCT03506802", "inclusion",
     "Aspartate and alanine aminotransferases (AST, ALT) =< 2.5 x upper limit of normal (ULN) (=< 5 x ULN, "
     "if documented liver metastases are present)",
     [("alt", 0, (True, ())), ("ast", 1, (True, ())), ("alt", 0, (False, ())), ("ast", 1, (False, ()))]),
    ("registry dev NCT04203316", "inclusion",
     "Karnofsky >= 50% for patients > 16 years of age and Lansky >= 50 for patients =< 16 years of age",
     [("karnofsky", 0, (False, (("age", 16.0, None, "a"),))),
      ("lansky", 0, (False, (("age", None, 16.0, "a"),)))]),
    ("registry dev NCT02722668", "inclusion", "Karnofsky score ≥ 70% (≥ 16 years) or Lansky score ≥ 50 (< 16 years)",
     [("karnofsky", 0, (False, (("age", 16.0, None, "a"),))),
      ("lansky", 0, (False, (("age", None, 16.0, "a"),)))]),
    ("registry dev NCT04582864", "inclusion",
     "Total bilirubin level ≤1.5 times the ULN (unless the patient has a history of Gilbert's Syndrome, in which "
     "case, total bilirubin must be ≤2.5 times the ULN),",
     [("bilirubin", 0, (True, ())), ("bilirubin", 0, (False, ()))]),
    ("registry dev NCT02722668", "inclusion",
     "Transaminases ≤ 5 x upper limit of normal (ULN) and total bilirubin ≤ 2.5 mg/dL except for patients with "
     "Gilbert's syndrome or hemolysis",
     [("alt", 0, None), ("ast", 1, None), ("bilirubin", 2, (True, ()))]),
    ("registry dev NCT04150029 (comma series closed by 'or')", "inclusion",
     "not suitable for intensive chemotherapy defined as: age ≥75, ECOG performance Status 2 or 3, or LVEF ≤ 50%",
     [("age", 0, None), ("ecog", 0, None), ("lvef", 0, None)]),
    ("registry dev NCT03661307 (an exception before the thresholds it qualifies)", "inclusion",
     "Serum biochemical values with the following limits unless considered due to leukemia, hemolysis or "
     "congenital disorder (creatinine < 1.8 mg/dl, total bilirubin < 1.8 mg/dL, [serum glutamate pyruvate "
     "transaminase (SGPT)] < 2.5 x upper limit of normal).",
     [("creatinine", 0, (True, ())), ("bilirubin", 1, (True, ())), ("alt", 2, (True, ()))]),
]


def _as_expected(records):
    out = []
    for t in records:
        c = t.condition
        cond = None if c is None else (c.negated, tuple((b.variable, b.low, b.high, b.unit) for b in c.thresholds))
        out.append((t.variable, t.group, cond))
    return out


@pytest.mark.parametrize("source, kind, text, expected", CASES, ids=[f"{c[0]}: {c[2][:40]}" for c in CASES])
def test_groups_and_conditions(source: str, kind: str, text: str, expected: list) -> None:
    records = apply_logic(text, kind, criterion_thresholds(text), condition_bounds)
    assert _as_expected(records) == expected


def test_unless_otherwise_stated_is_no_exception() -> None:
    # registry dev4 NCT03728335: "... within 7 days of enrollment unless otherwise stated: ANC > 1000"
    text = "Adequate organ function unless otherwise stated: Absolute neutrophil count (ANC) > 1000"
    records = apply_logic(text, "inclusion", criterion_thresholds(text), condition_bounds)
    assert [(t.variable, t.condition) for t in records] == [("anc", None)]


def test_a_record_inside_a_condition_is_its_bound_not_a_record() -> None:
    # registry dev NCT02722668: "(≥ 16 years)" is Karnofsky's case, no age threshold of its own.
    text = "Karnofsky score ≥ 70% (≥ 16 years)"
    records = apply_logic(text, "inclusion", criterion_thresholds(text), condition_bounds)
    assert [t.variable for t in records] == ["karnofsky"]


@pytest.mark.parametrize("text, start, limit, expected", [
    ("≤ 5 × ULN if liver metastases are present)", 13, None, "liver metastases are present"),
    ("x (if a (b) c) d", 6, None, "a (b) c"),
    ("unless Gilbert's syndrome, in which case ≤ 3", 7, None, "Gilbert's syndrome"),
    ("unless due to leukemia; creatinine < 2", 7, None, "due to leukemia"),
    ("if marrow involvement or else", 3, 10, "marrow"),
])
def test_case_text_ends_at_its_bracket_clause_or_limit(text: str, start: int, limit: int | None,
                                                        expected: str) -> None:
    s, e = case_text(text, start, limit)
    assert text[s:e] == expected


def test_rules_file_names_its_errors(tmp_path: Path) -> None:
    bad = tmp_path / "logic.json"
    bad.write_text('{"patterns": [{"name": "or_word", "regex": "or"}, {"name": "nonsense", "regex": "x"}]}')
    with pytest.raises(DataFileError, match=r"logic\.json.*name 'nonsense' is not one of"):
        LogicRules.load(bad)
    bad.write_text('{"patterns": [{"name": "or_word", "regex": "or"}]}')
    with pytest.raises(DataFileError, match=r"logic\.json: missing pattern"):
        LogicRules.load(bad)
    bad.write_text('{"patterns": [{"name": "or_word", "regex": "("}]}')
    with pytest.raises(DataFileError, match=r"or_word.*bad regex"):
        LogicRules.load(bad)
