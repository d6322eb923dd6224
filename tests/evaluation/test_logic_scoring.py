"""Scoring of the v1.1 logic keys (extractor/evaluation/logic.py); every count is worked out by hand.

Source of the rules: ../shared/ANNOTATION_FORMAT.md, Scoring, "logic".
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.cli import main
from extractor.evaluation import build_report, score
from extractor.evaluation.logic import same_condition
from extractor.records import Bound, Condition, Criterion, Document, Threshold

TEXT = "x" * 300


def logic_doc(criteria: list[Criterion] | None = None, thresholds: list[Threshold] | None = None,
              logic: bool = True) -> Document:
    return Document("d", TEXT, criteria=criteria, thresholds=thresholds, logic=logic)


def links(report: dict, name: str) -> tuple[int, int, int]:
    row = report["logic"][name]
    return row["tp"], row["fp"], row["fn"]


def crit(start: int, end: int, any_of: int | None = None, section: str | None = None) -> Criterion:
    return Criterion(start, end, "inclusion", section=section, any_of=any_of)


def thr(start: int, end: int, group: int | None, variable: str = "alt",
        condition: Condition | None = None) -> Threshold:
    return Threshold(start, end, variable, 1.0, True, None, None, "{ULN}", group=group, condition=condition)


# (gold any_of values, predicted any_of values, predicted spans shifted, expected tp/fp/fn)
ANY_OF_CASES = [
    # all three matched: (0,1) linked in both; (0,2) and (1,2) linked only in the prediction
    ((1, 1, None), (7, 7, 7), (), (1, 2, 0)),
    # the prediction carries no any_of: the gold link is missed
    ((1, 1, None), (None, None, None), (), (0, 0, 1)),
    # the numbers differ but the partition is the same: links, not values, are compared
    ((1, 1, 2), (5, 5, 9), (), (1, 0, 0)),
    # the second criterion is not matched exactly, so no pair with it is scored
    ((1, 1, 1), (3, 3, 3), (1,), (1, 0, 0)),
    # two separate sets in gold merged into one in the prediction
    ((1, 1, 2, 2), (4, 4, 4, 4), (), (2, 4, 0)),
]


@pytest.mark.parametrize("gold_sets, pred_sets, shifted, expected", ANY_OF_CASES)
def test_any_of_links(gold_sets: tuple, pred_sets: tuple, shifted: tuple, expected: tuple) -> None:
    gold = [crit(20 * k, 20 * k + 10, value) for k, value in enumerate(gold_sets)]
    pred = [crit(20 * k + (1 if k in shifted else 0), 20 * k + 10, value) for k, value in enumerate(pred_sets)]
    report = build_report(score({"d": logic_doc(gold)}, {"d": logic_doc(pred, logic=False)}))
    assert links(report, "any_of") == expected


# Criteria [0, 100) and [100, 200); thresholds at 10, 30, 50 (first criterion) and 110 (second).
# (gold groups, predicted groups, predicted criteria, expected tp/fp/fn)
ALTERNATIVES_CASES = [
    # "AST or ALT" (one group) predicted as two groups: a missed link
    ((0, 0, 1, 0), (0, 1, 2, 0), None, (0, 0, 1)),
    # the same partition under other numbers
    ((0, 0, 1, 0), (3, 3, 0, 0), None, (1, 0, 0)),
    # the prediction links (1, 2) as well: one spurious link
    ((0, 0, 1, 0), (0, 0, 0, 0), None, (1, 2, 0)),
    # the same group number in two gold criteria is no link; a prediction that puts all four in one
    # criterion links the fourth with the first two: two spurious links
    ((0, 0, 1, 0), (0, 0, 1, 0), [Criterion(0, 200, "inclusion")], (1, 2, 0)),
    # null groups link nothing
    ((0, 0, 1, 0), (None, None, None, None), None, (0, 0, 1)),
]


@pytest.mark.parametrize("gold_groups, pred_groups, pred_criteria, expected", ALTERNATIVES_CASES)
def test_alternatives_links(gold_groups: tuple, pred_groups: tuple, pred_criteria: list | None,
                            expected: tuple) -> None:
    criteria = [Criterion(0, 100, "inclusion"), Criterion(100, 200, "inclusion")]
    starts = (10, 30, 50, 110)
    gold = [thr(s, s + 5, g) for s, g in zip(starts, gold_groups)]
    pred = [thr(s, s + 5, g) for s, g in zip(starts, pred_groups)]
    report = build_report(score({"d": logic_doc(criteria, gold)},
                                {"d": logic_doc(pred_criteria or criteria, pred, logic=False)}))
    assert links(report, "alternatives") == expected


def test_alternatives_only_over_thresholds_matched_under_variable() -> None:
    criteria = [Criterion(0, 100, "inclusion")]
    gold = [thr(10, 15, 0, "ast"), thr(30, 35, 0, "alt")]
    pred = [thr(10, 15, 0, "ast"), thr(30, 35, 0, "bilirubin")]  # wrong variable: not matched
    report = build_report(score({"d": logic_doc(criteria, gold)}, {"d": logic_doc(criteria, pred)}))
    assert links(report, "alternatives") == (0, 0, 0)
    assert report["logic"]["condition"]["n"] == 1


@pytest.mark.parametrize("gold_section, pred_section, correct", [
    ("Inclusion Criteria", "Inclusion Criteria", True),
    ("Inclusion  Criteria", "Inclusion\n Criteria", True),   # white space collapsed
    (None, None, True),
    ("Inclusion Criteria", None, False),
    ("Inclusion Criteria", "inclusion criteria", False),     # as written: case counts
    ("Donor Inclusion Criteria", "Inclusion Criteria", False),
])
def test_section_accuracy(gold_section: str | None, pred_section: str | None, correct: bool) -> None:
    gold = [crit(0, 10, section=gold_section), crit(20, 30, section="Exclusion Criteria")]
    pred = [crit(0, 10, section=pred_section), crit(21, 30, section="Exclusion Criteria")]  # 2nd not exact
    report = build_report(score({"d": logic_doc(gold)}, {"d": logic_doc(pred)}))
    assert report["logic"]["section"] == {"accuracy": 1.0 if correct else 0.0, "n": 1}


AGE_16 = Bound("age", None, None, 16, True, "a")
LIVER = Condition("liver metastases", True)
CONDITION_CASES = [
    (None, None, True),
    (LIVER, None, False),
    (None, LIVER, False),
    (LIVER, Condition("if liver metastases are present", True), True),   # text is not compared
    (LIVER, Condition("liver metastases", False), False),                 # negated is
    (Condition("≤ 16 years", False, (AGE_16,)), Condition("≤ 192 months", False,
                                                           (Bound("age", None, None, 192, True, "mo"),)), True),
    (Condition("≤ 16 years", False, (AGE_16,)), Condition("< 16 years", False,
                                                           (Bound("age", None, None, 16, False, "a"),)), False),
    (Condition("≤ 16 years", False, (AGE_16,)), Condition("≤ 16 years", False), False),
    (Condition("1 to < 2 years", False, (Bound("age", 1, True, 2, False, "a"),)),
     Condition("1 to < 2 years", False, (Bound("age", 1, True, 2, False, "a"),)), True),
]


@pytest.mark.parametrize("gold, pred, agree", CONDITION_CASES)
def test_condition_agreement(gold: Condition | None, pred: Condition | None, agree: bool) -> None:
    assert same_condition(gold, pred) is agree
    criteria = [Criterion(0, 100, "inclusion")]
    report = build_report(score({"d": logic_doc(criteria, [thr(10, 15, 0, condition=gold)])},
                                {"d": logic_doc(criteria, [thr(12, 20, 0, condition=pred)])}))
    assert report["logic"]["condition"] == {"accuracy": 1.0 if agree else 0.0, "n": 1}


def test_a_document_without_the_keys_is_not_scored_for_logic() -> None:
    gold = logic_doc([crit(0, 10, 1), crit(20, 30, 1)], logic=False)
    report = build_report(score({"d": gold}, {"d": logic_doc([crit(0, 10, 2), crit(20, 30, 3)])}))
    assert links(report, "any_of") == (0, 0, 0)
    assert report["logic"]["section"] == {"accuracy": None, "n": 0}


@pytest.mark.parametrize("criterion, threshold, annotated", [
    ({"start": 0, "end": 5, "kind": "inclusion"}, {"start": 0, "end": 2, "variable": "age", "low": 1,
                                                   "low_inclusive": True}, False),
    ({"start": 0, "end": 5, "kind": "inclusion", "any_of": None}, None, True),
    ({"start": 0, "end": 5, "kind": "inclusion", "section": "Inclusion Criteria"}, None, False),
    ({"start": 0, "end": 5, "kind": "inclusion"}, {"start": 0, "end": 2, "variable": "age", "low": 1,
                                                   "low_inclusive": True, "group": 0}, True),
])
def test_logic_annotation_is_marked_by_any_of_or_group_keys(criterion: dict, threshold: dict | None,
                                                            annotated: bool) -> None:
    d = {"id": "d", "text": TEXT, "criteria": [criterion], "thresholds": [threshold] if threshold else []}
    doc = Document.from_dict(d)
    assert doc.logic is annotated
    written = doc.to_dict()
    assert ("any_of" in written["criteria"][0]) is annotated
    assert Document.from_dict(written).logic is annotated


def test_condition_round_trips_and_rejects_bad_types() -> None:
    d = {"id": "d", "text": TEXT, "criteria": [{"start": 0, "end": 50, "kind": "inclusion", "any_of": None}],
         "thresholds": [{"start": 0, "end": 9, "variable": "lansky", "low": 50, "low_inclusive": True,
                         "high": None, "high_inclusive": None, "unit": None, "group": 0,
                         "condition": {"text": "for patients ≤ 16 years", "negated": False,
                                       "thresholds": [AGE_16.to_dict()]}}]}
    doc = Document.from_dict(d)
    assert doc.thresholds[0].condition == Condition("for patients ≤ 16 years", False, (AGE_16,))
    assert Document.from_dict(doc.to_dict()).to_dict() == doc.to_dict()
    d["thresholds"][0]["condition"]["negated"] = "no"
    with pytest.raises(ValueError, match="negated"):
        Document.from_dict(d)


def test_extractor_eval_writes_the_logic_object(tmp_path: Path) -> None:
    gold = logic_doc([crit(0, 10, 1, "Inclusion Criteria"), crit(20, 30, 1, "Inclusion Criteria")])
    pred = logic_doc([crit(0, 10, 4, "Inclusion Criteria"), crit(20, 30, None, "Inclusion")])
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "d.json").write_text(json.dumps(gold.to_dict()), encoding="utf-8")
    (tmp_path / "pred.jsonl").write_text(json.dumps(pred.to_dict()) + "\n", encoding="utf-8")
    assert main(["eval", str(tmp_path / "gold"), "--pred", str(tmp_path / "pred.jsonl"),
                 "--json", str(tmp_path / "report.json")]) == 0
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert links(report, "any_of") == (0, 0, 1)
    assert report["logic"]["section"] == {"accuracy": 0.5, "n": 2}
