"""Scorer tests: every count below is computed by hand from the spans in the test."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from extractor.cli import main
from extractor.evaluation import EvaluationError, LoadError, build_report, load_documents, score
from extractor.evaluation.matching import entities_lenient, match, same_value
from extractor.evaluation.report import render_errors, render_markdown
from extractor.records import Criterion, Document, Entity, Threshold
from tests.conftest import ANNOTATIONS

TEXT = "x" * 200
COUNT_KEYS = {"precision", "recall", "f1", "tp", "fp", "fn"}


def doc(doc_id: str = "d1", **layers: list) -> Document:
    return Document(doc_id, TEXT, **layers)


def counts(report: dict, layer: str, strategy: str) -> tuple[int, int, int]:
    row = report[layer][strategy]
    return row["tp"], row["fp"], row["fn"]


def test_matching_is_one_to_one_larger_overlap_first() -> None:
    # P0 overlaps A by 2 and B by 8; P1 overlaps only A, by 9. Taking predictions in
    # order would give P0 to A and leave P1 and B unmatched (tp 1, fp 1, fn 1).
    gold = [Entity(0, 10, "condition"), Entity(10, 20, "condition")]
    pred = [Entity(8, 18, "condition"), Entity(0, 9, "condition")]
    assert match(gold, pred, entities_lenient) == [(0, 1), (1, 0)]
    report = build_report(score({"d1": doc(entities=gold)}, {"d1": doc(entities=pred)}))
    assert counts(report, "entities", "lenient") == (2, 0, 0)
    assert counts(report, "entities", "strict") == (0, 2, 2)


def test_a_prediction_matches_at_most_one_gold() -> None:
    gold = [Entity(0, 5, "drug"), Entity(5, 10, "drug")]
    pred = [Entity(0, 10, "drug")]
    report = build_report(score({"d1": doc(entities=gold)}, {"d1": doc(entities=pred)}))
    assert counts(report, "entities", "lenient") == (1, 0, 1)


@pytest.mark.parametrize("pred_end, matches", [(5, True), (4, False), (10, True), (20, True), (21, False)])
def test_criteria_overlap_needs_jaccard_of_one_half(pred_end: int, matches: bool) -> None:
    # gold [0, 10): [0, 5) and [0, 20) have Jaccard 0.5; [0, 4) 0.4; [0, 21) 10/21.
    gold = [Criterion(0, 10, "inclusion")]
    pred = [Criterion(0, pred_end, "inclusion")]
    report = build_report(score({"d1": doc(criteria=gold)}, {"d1": doc(criteria=pred)}))
    assert report["criteria"]["overlap"]["tp"] == int(matches)


CRITERIA_GOLD = [Criterion(0, 10, "inclusion"), Criterion(20, 40, "exclusion"), Criterion(50, 60, "inclusion")]
CRITERIA_PRED = [Criterion(0, 10, "inclusion"),   # exact
                 Criterion(22, 40, "exclusion"),  # Jaccard 18/20
                 Criterion(50, 56, "exclusion"),  # wrong kind
                 Criterion(70, 80, "inclusion")]  # spurious
ENTITY_GOLD = [Entity(0, 5, "condition", negated=False), Entity(10, 20, "drug", negated=True),
               Entity(30, 40, "value"), Entity(60, 70, "person")]
ENTITY_PRED = [Entity(0, 5, "condition"),               # strict; no `negated` counts as not negated
               Entity(12, 20, "drug", negated=False),    # lenient only; negation wrong
               Entity(30, 40, "temporal"),               # wrong label
               Entity(60, 64, "person"), Entity(65, 70, "person"),  # two halves: one lenient match
               Entity(90, 95, "person")]                 # spurious


@pytest.mark.parametrize("layer, strategy, expected", [
    ("criteria", "exact", (1, 3, 2)),
    ("criteria", "overlap", (2, 2, 1)),
    ("entities", "strict", (1, 5, 3)),
    ("entities", "lenient", (3, 3, 1)),
])
def test_counts_of_every_span_strategy(layer: str, strategy: str, expected: tuple[int, int, int]) -> None:
    report = build_report(score({"d1": doc(criteria=CRITERIA_GOLD, entities=ENTITY_GOLD)},
                               {"d1": doc(criteria=CRITERIA_PRED, entities=ENTITY_PRED)}))
    assert counts(report, layer, strategy) == expected


def test_per_label_counts_and_negation_accuracy() -> None:
    report = build_report(score({"d1": doc(entities=ENTITY_GOLD)}, {"d1": doc(entities=ENTITY_PRED)}))
    lenient = report["entities"]["lenient"]["per_label"]
    assert {label: (c["tp"], c["fp"], c["fn"]) for label, c in lenient.items()} == {
        "condition": (1, 0, 0), "drug": (1, 0, 0), "value": (0, 0, 1),
        "temporal": (0, 1, 0), "person": (1, 2, 0)}
    assert report["entities"]["strict"]["per_label"]["drug"]["fn"] == 1
    # Lenient matches whose gold has `negated`: condition (False = None → right), drug (True ≠ False).
    assert report["entities"]["negation_accuracy"] == 0.5
    assert lenient["person"]["precision"] == pytest.approx(1 / 3)
    assert lenient["person"]["f1"] == pytest.approx(0.5)


def thr(start: int, end: int, variable: str, low: float | None = None, low_inc: bool | None = None,
        high: float | None = None, high_inc: bool | None = None, unit: str | None = None) -> Threshold:
    return Threshold(start, end, variable, low, low_inc, high, high_inc, unit)


THRESHOLD_CASES = [  # (gold, pred, full match?)
    (thr(0, 9, "platelets", 100000, True, unit="/uL"), thr(0, 9, "platelets", 100, True, unit="10*9/L"), True),
    (thr(0, 9, "hemoglobin", 9, True, unit="g/dL"), thr(2, 12, "hemoglobin", 90, True, unit="g/L"), True),
    (thr(0, 9, "age", 2, False, unit="a"), thr(0, 9, "age", 24, False, unit="mo"), True),
    (thr(0, 9, "anc", 1500, True, unit="/uL"), thr(0, 9, "anc", 1.505, True, unit="10*9/L"), True),
    (thr(0, 9, "anc", 1500, True, unit="/uL"), thr(0, 9, "anc", 1.51, True, unit="10*9/L"), False),
    (thr(0, 9, "creatinine", 1.5, False, unit="{ULN}"), thr(0, 9, "creatinine", 1.5, False, unit="mg/dL"), False),
    (thr(0, 9, "ecog", None, None, 2, True), thr(0, 9, "ecog", None, None, 2, True, unit="%"), False),
    (thr(0, 9, "age", 18, True, unit="a"), thr(0, 9, "age", 18, False, unit="a"), False),
    (thr(0, 9, "age", None, None, 65, True, unit="a"), thr(0, 9, "age", 65, True, unit="a"), False),
    (thr(0, 9, "age", 1, True, 39, True, "a"), thr(0, 9, "age", 1, True, unit="a"), False),
    (thr(0, 9, "ecog", 0, True, 2, True), thr(0, 9, "ecog", 0, True, 2, True), True),
]


@pytest.mark.parametrize("gold, pred, full", THRESHOLD_CASES)
def test_threshold_strategies(gold: Threshold, pred: Threshold, full: bool) -> None:
    report = build_report(score({"d1": doc(thresholds=[gold])}, {"d1": doc(thresholds=[pred])}))
    assert counts(report, "thresholds", "full") == ((1, 0, 0) if full else (0, 1, 1))
    assert counts(report, "thresholds", "variable") == (1, 0, 0)


@pytest.mark.parametrize("pred", [thr(9, 12, "age", 18, True, unit="a"), thr(0, 9, "weight", 18, True, unit="a")])
def test_thresholds_need_overlap_and_same_variable(pred: Threshold) -> None:
    gold = thr(0, 9, "age", 18, True, unit="a")
    report = build_report(score({"d1": doc(thresholds=[gold])}, {"d1": doc(thresholds=[pred])}))
    assert counts(report, "thresholds", "variable") == (0, 1, 1)
    assert set(report["thresholds"]["variable"]["per_variable"]) == {"age", pred.variable}


@pytest.mark.parametrize("gold_value, gold_unit, pred_value, pred_unit, equal", [
    (1.5, "mg/dL", 15, "mg/L", True),
    (1.5, "mg/dL", 1.5, "umol/L", False),
    (7, "d", 1, "wk", True),
    (200, "10*9/L", 200000, "/uL", True),
    (0, None, 0, None, True),
    (2, None, 2, "%", False),
])
def test_same_value_converts_commensurable_units_only(gold_value: float, gold_unit: str | None,
                                                     pred_value: float, pred_unit: str | None,
                                                     equal: bool) -> None:
    assert same_value(gold_value, gold_unit, pred_value, pred_unit) is equal


def test_absent_layer_is_not_scored_and_empty_layer_makes_false_positives() -> None:
    gold = {"absent": doc("absent", criteria=[]), "empty": doc("empty", entities=[])}
    extra = [Entity(0, 3, "drug"), Entity(5, 9, "drug")]
    pred = {"absent": doc("absent", criteria=[], entities=extra), "empty": doc("empty", entities=extra)}
    report = build_report(score(gold, pred))
    assert counts(report, "entities", "strict") == (0, 2, 0)
    assert report["entities"]["strict"]["precision"] == 0.0
    assert report["entities"]["strict"]["recall"] is None
    assert counts(report, "criteria", "exact") == (0, 0, 0)


def test_missing_prediction_counts_gold_as_missed_and_extra_predictions_are_ignored() -> None:
    gold = {"a": doc("a", entities=[Entity(0, 3, "drug")]),
            "b": doc("b", entities=[Entity(0, 3, "drug"), Entity(4, 6, "value")])}
    pred = {"a": doc("a", entities=[Entity(0, 3, "drug")]),
            "c": doc("c", entities=[Entity(0, 3, "drug")])}
    report = build_report(score(gold, pred))
    assert report["documents"] == 2
    assert counts(report, "entities", "strict") == (1, 0, 2)
    assert report["entities"]["strict"]["recall"] == pytest.approx(1 / 3)


def test_report_has_exactly_the_keys_of_the_format_and_null_scores_for_unannotated_layers() -> None:
    report = build_report(score({"d1": doc(entities=[Entity(0, 3, "drug")])},
                                {"d1": doc(entities=[Entity(0, 3, "drug")])}))
    assert set(report) == {"documents", "criteria", "entities", "thresholds", "logic"}
    assert set(report["criteria"]) == {"exact", "overlap"}
    assert set(report["entities"]) == {"strict", "lenient", "negation_accuracy"}
    assert set(report["thresholds"]) == {"full", "variable"}
    for layer, strategy, extra in [("criteria", "exact", set()), ("criteria", "overlap", set()),
                                   ("entities", "strict", {"per_label"}), ("entities", "lenient", {"per_label"}),
                                   ("thresholds", "full", {"per_variable"}),
                                   ("thresholds", "variable", {"per_variable"})]:
        assert set(report[layer][strategy]) == COUNT_KEYS | extra
    assert set(report["entities"]["strict"]["per_label"]["drug"]) == COUNT_KEYS
    assert report["criteria"]["exact"] == {"precision": None, "recall": None, "f1": None, "tp": 0, "fp": 0, "fn": 0}
    assert report["thresholds"]["full"]["per_variable"] == {}
    assert report["entities"]["negation_accuracy"] is None
    assert report["entities"]["strict"]["f1"] == 1.0
    assert report["logic"] == {"any_of": dict.fromkeys(("precision", "recall", "f1")) | {"tp": 0, "fp": 0, "fn": 0},
                               "alternatives": dict.fromkeys(("precision", "recall", "f1")) | {"tp": 0, "fp": 0, "fn": 0},
                               "section": {"accuracy": None, "n": 0}, "condition": {"accuracy": None, "n": 0}}
    json.dumps(report)


def test_predicted_text_must_equal_gold_text() -> None:
    with pytest.raises(EvaluationError, match="'d1'"):
        score({"d1": doc()}, {"d1": Document("d1", "other text")})


def test_error_listing_shows_text_and_lenient_partner() -> None:
    text = "Age 18 or older and no HIV"
    gold = Document("d", text, entities=[Entity(0, 3, "person"), Entity(23, 26, "condition", negated=True)])
    pred = Document("d", text, entities=[Entity(0, 6, "person")])
    listing = render_errors(score({"d": gold}, {"d": pred}).errors, 10)
    assert "missed   d [0, 3) person 'Age'  ~ predicted [0, 6) person" in listing
    assert "missed   d [23, 26) condition (negated) 'HIV'" in listing
    assert "spurious d [0, 6) person 'Age 18'  ~ gold [0, 3) person" in listing


def test_markdown_has_per_label_and_per_variable_tables() -> None:
    gold = doc(entities=[Entity(0, 3, "drug")], thresholds=[thr(0, 9, "age", 18, True, unit="a")])
    pred = doc(entities=[Entity(0, 4, "drug")], thresholds=[thr(0, 9, "age", 18, False, unit="a")])
    table = render_markdown(build_report(score({"d1": gold}, {"d1": pred})))
    assert "| drug | 0.000 | 0.000 | 0.000 | 1.000 | 1.000 | 1.000 | 1 | 1 |" in table
    assert "| age | 0.000 | 0.000 | 0.000 | 1.000 | 1.000 | 1.000 | 1 | 1 |" in table
    assert "| thresholds | full | 0.000 | 0.000 | 0.000 | 0 | 1 | 1 |" in table


def write_json(path: Path, obj: object) -> Path:
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


@pytest.mark.parametrize("content, message", [
    ("{not json", "gold.json: not valid JSON"),
    (json.dumps({"id": "a"}), "gold.json: document 'a': missing required key 'text'"),
    (json.dumps({"id": "a", "text": "t", "entities": [{"start": 0, "end": 1}]}),
     "gold.json: document 'a' entities[0]: missing required key 'label'"),
])
def test_loader_errors_name_file_and_record(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "gold.json").write_text(content, encoding="utf-8")
    with pytest.raises(LoadError, match=re.escape(message)):
        load_documents(tmp_path)


def test_loader_reads_jsonl_and_rejects_duplicate_ids(tmp_path: Path) -> None:
    lines = [json.dumps({"id": "a", "text": "t"}), "", json.dumps({"id": "b", "text": "u", "criteria": []})]
    (tmp_path / "pred.jsonl").write_text("\n".join(lines), encoding="utf-8")
    docs = load_documents(tmp_path / "pred.jsonl")
    assert list(docs) == ["a", "b"] and docs["a"].criteria is None and docs["b"].criteria == []
    (tmp_path / "dup.jsonl").write_text(lines[0] + "\n" + lines[0], encoding="utf-8")
    with pytest.raises(LoadError, match=r"dup.jsonl:2: document id 'a' already read from .*dup.jsonl:1"):
        load_documents(tmp_path / "dup.jsonl")


def test_eval_command_prints_table_and_writes_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    write_json(gold_dir / "a.json", doc("a", entities=[Entity(0, 3, "drug")]).to_dict())
    pred = write_json(tmp_path / "pred.json", [doc("a", entities=[Entity(0, 3, "drug"), Entity(5, 7, "drug")]).to_dict()])
    out = tmp_path / "report.json"
    assert main(["eval", str(gold_dir), "--pred", str(pred), "--json", str(out), "--errors", "5"]) == 0
    printed = capsys.readouterr().out
    assert "| entities | strict | 0.500 | 1.000 | 0.667 | 1 | 1 | 0 |" in printed
    assert "spurious a [5, 7) drug" in printed
    assert json.loads(out.read_text(encoding="utf-8"))["entities"]["strict"]["tp"] == 1


def test_eval_command_scores_only_the_chosen_layers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = write_json(tmp_path / "gold.json", doc("a", criteria=[Criterion(0, 9, "inclusion")],
                                                  entities=[Entity(0, 3, "drug")]).to_dict())
    pred = write_json(tmp_path / "pred.json", doc("a", criteria=[Criterion(0, 9, "inclusion")]).to_dict())
    assert main(["eval", str(gold), "--pred", str(pred), "--layers", "criteria"]) == 0
    printed = capsys.readouterr().out
    assert "| criteria | exact | 1.000 | 1.000 | 1.000 | 1 | 0 | 0 |" in printed
    assert "| entities | strict | – | – | – | 0 | 0 | 0 |" in printed


def test_eval_runs_the_pipeline_on_the_project_gold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.json"
    assert main(["eval", str(ANNOTATIONS), "--json", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["criteria"]["exact"]["f1"] == 1.0 and report["thresholds"]["full"]["f1"] == 1.0
    assert report["entities"]["lenient"]["tp"] > 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"Documents scored: {len(list(ANNOTATIONS.glob('*.json')))}")
    assert all(f"| {layer} | {strategy} |" in printed for layer, strategy in
               [("criteria", "exact"), ("entities", "lenient"), ("thresholds", "full")])


def test_eval_command_reports_bad_input_without_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(tmp_path / "missing")]) == 2
    assert "missing: no such file or folder" in capsys.readouterr().err
