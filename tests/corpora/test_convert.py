"""BRAT → gold conversion on small fixtures written here, plus one run over the real corpora."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from extractor.cli import main
from extractor.corpora.convert import ConversionError, convert_brat, split_of
from extractor.validate import validate

CHIA_TEXT = "Age >= 18 years\r\nNo breast or ovarian cancer\r\n1. history of HIV\r\n"
LCT_TEXT = ("Inclusion Criteria:\n\n  -  Age ≥ 18 years\n  -  Platelet count > 100,000/mm3\n\n"
            "Exclusion Criteria:\n\n  -  No prior stroke\n")


def span(text: str, surface: str, occurrence: int = 0) -> str:
    """``start end`` of a surface form, computed rather than hand-counted (\\r\\n included)."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(surface, start + 1)
    return f"{start} {start + len(surface)}"


def chia_ann() -> str:
    t = CHIA_TEXT
    lines = [f"T1\tPerson {span(t, 'Age')}\tAge",
             f"T2\tValue {span(t, '>= 18 years')}\t>= 18 years",
             f"T3\tNegation {span(t, 'No')}\tNo",
             # "breast … cancer": its covering span would nest "ovarian cancer" → dropped
             f"T4\tCondition {span(t, 'breast')};{span(t, 'cancer')}\tbreast cancer",
             f"T5\tCondition {span(t, 'ovarian cancer')}\tovarian cancer",
             f"T6\tCondition {span(t, 'HIV')}\tHIV",
             f"T7\tQualifier {span(t, 'history')}\thistory",
             # "history … of": nothing of its label inside → kept as the covering span
             f"T8\tObservation {span(t, 'history')};{span(t, 'of')}\thistory of",
             "T9\tCondition 49 x56\thistory",
             "patients with cancer pasted into the annotation file",
             "R1\tHas_negation Arg1:T5 Arg2:T3\t"]
    return "\r\n".join(lines) + "\r\n"


def lct_ann() -> str:
    t = LCT_TEXT
    return "\n".join([
        f"T1\tAge {span(t, 'Age')}\tAge", f"T2\tEq-Comparison {span(t, '≥ 18 years')}\t≥ 18 years",
        f"T3\tEq-Operator {span(t, '≥')}\t≥", f"T4\tEq-Value {span(t, '18')}\t18",
        f"T5\tEq-Temporal-Unit {span(t, 'years')}\tyears",
        "E1\tAge:T1 Numeric-Filter:E2", "E2\tEq-Comparison:T2 Operator:T3 Value:T4 Temporal-Unit:T5",
        "A1\tEq-Operator-Value T3 GTEQ", "A2\tEq-Temporal-Unit-Value T5 year",
        f"T6\tObservation {span(t, 'Platelet count')}\tPlatelet count",
        f"T7\tObservation-Name {span(t, 'Platelet count')}\tPlatelet count",
        f"T8\tEq-Comparison {span(t, '> 100,000/mm3')}\t> 100,000/mm3", f"T9\tEq-Operator {span(t, '>')}\t>",
        f"T10\tEq-Value {span(t, '100,000')}\t100,000", f"T11\tEq-Unit {span(t, '/mm3')}\t/mm3",
        "E3\tObservation:T6 Name:T7 Numeric-Filter:E4", "E4\tEq-Comparison:T8 Operator:T9 Value:T10 Unit:T11",
        "A3\tEq-Operator-Value T9 GT", "A4\tObservation-Type-Value E3 lab",
        f"T12\tNegation {span(t, 'No')}\tNo", f"T13\tCondition {span(t, 'stroke')}\tstroke",
        "E5\tNegation:T12 Negates:E6", "E6\tCondition:T13",
    ]) + "\n"


def write_brat(folder: Path, name: str, text: str, ann: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_bytes(text.encode("utf-8"))
    (folder / f"{name}.ann").write_bytes(ann.encode("utf-8"))


def read_gold(folder: Path, doc_id: str) -> dict[str, Any]:
    return json.loads((folder / f"{doc_id}.json").read_text(encoding="utf-8"))


def surfaces(doc: dict[str, Any], layer: str, *fields: str) -> list[tuple[Any, ...]]:
    return [(doc["text"][i["start"]:i["end"]], *(i.get(f) for f in fields)) for i in doc[layer]]


@pytest.fixture
def chia_dir(tmp_path: Path) -> Path:
    write_brat(tmp_path / "chia", "NCT00000005_inc", CHIA_TEXT, chia_ann())
    write_brat(tmp_path / "chia", "NCT00000001_exc", "Pregnant women\n", "T1\tPerson 9 14\twomen\n")
    return tmp_path / "chia"


def test_chia_document(chia_dir: Path, tmp_path: Path) -> None:
    report = convert_brat(chia_dir, tmp_path / "out", "chia", "test")
    assert report.documents == 1 and report.other_split == 1
    doc = read_gold(tmp_path / "out", "NCT00000005_inc")
    assert doc["meta"] == {"section": "inclusion"} and "thresholds" not in doc
    assert surfaces(doc, "criteria", "kind") == [("Age >= 18 years", "inclusion"),
                                                 ("No breast or ovarian cancer", "inclusion"),
                                                 ("history of HIV", "inclusion")]
    assert surfaces(doc, "entities", "label", "negated") == [
        ("Age", "person", False), (">= 18 years", "value", None), ("No", "negation", None),
        ("ovarian cancer", "condition", True), ("history of", "observation", False), ("HIV", "condition", False)]
    assert report.discontinuous == {"dropped": 1, "covering span": 1}
    assert report.dropped_labels == {"Qualifier": 1}
    assert any("malformed text-bound line" in w for w in report.warnings)
    assert any("unknown annotation line" in w for w in report.warnings)
    assert validate([tmp_path / "out"]) == []


def test_chia_exclusion_file_and_split_all(chia_dir: Path, tmp_path: Path) -> None:
    assert convert_brat(chia_dir, tmp_path / "out", "chia", "all").documents == 2
    doc = read_gold(tmp_path / "out", "NCT00000001_exc")
    assert doc["meta"] == {"section": "exclusion"}
    assert surfaces(doc, "criteria", "kind") == [("Pregnant women", "exclusion")]


def test_lct_document_with_thresholds(tmp_path: Path) -> None:
    write_brat(tmp_path / "lct" / "batch1", "NCT00000010", LCT_TEXT, lct_ann())
    report = convert_brat(tmp_path / "lct", tmp_path / "out", "lct", "test")
    doc = read_gold(tmp_path / "out", "NCT00000010")
    assert doc["meta"] == {"eligibility": True}
    assert surfaces(doc, "criteria", "kind") == [("Age ≥ 18 years", "inclusion"),
                                                 ("Platelet count > 100,000/mm3", "inclusion"),
                                                 ("No prior stroke", "exclusion")]
    assert surfaces(doc, "entities", "label", "negated") == [
        ("Age", "person", False), ("≥ 18 years", "value", None), ("Platelet count", "measurement", False),
        ("> 100,000/mm3", "value", None), ("No", "negation", None), ("stroke", "condition", True)]
    assert surfaces(doc, "thresholds", "variable", "low", "low_inclusive", "high", "unit") == [
        ("Age ≥ 18 years", "age", 18, True, None, "a"),
        ("Platelet count > 100,000/mm3", "platelets", 100000, False, None, "/uL")]
    assert report.comparisons == {"converted": 2}
    assert validate([tmp_path / "out"]) == []


def test_lct_roman_numeral_values(tmp_path: Path) -> None:
    text = "Inclusion Criteria:\n  -  NYHA class III\n"
    ann = ("T1\tObservation 25 29\tNYHA\nT2\tEq-Comparison 30 39\tclass III\nT3\tEq-Value 36 39\tIII\n"
           "E1\tObservation:T1 Numeric-Filter:E2\nE2\tEq-Comparison:T2 Value:T3\n")
    write_brat(tmp_path / "lct", "NCT00000020", text, ann)
    report = convert_brat(tmp_path / "lct", tmp_path / "out", "lct", "test")
    doc = read_gold(tmp_path / "out", "NCT00000020")
    assert surfaces(doc, "thresholds", "variable", "low", "high") == [("NYHA class III", "nyha", 3, 3)]
    assert report.comparisons == {"converted": 1}


@pytest.mark.parametrize("text, ann, layer", [
    ("Patients must be adults.\nInclusion Criteria:\n  -  Adults\n", "", "criteria"),
    ("Inclusion Criteria:\n  -  Labs: A. ALT < 3; B. AST < 3\n", "", "criteria"),
    ("Inclusion Criteria:\n  -  Age 18 or 19 or 20\n",
     "T1\tAge 24 27\tAge\nT2\tEq-Comparison 28 42\t18 or 19 or 20\nT3\tEq-Value 28 30\t18\nT4\tEq-Value 34 36\t19\n"
     "T5\tEq-Value 40 42\t20\nE1\tAge:T1 Numeric-Filter:E2\nE2\tEq-Comparison:T2 Value:T3 Value2:T4 Value3:T5\n",
     "thresholds"),
])
def test_lct_layers_left_absent_when_not_faithful(tmp_path: Path, text: str, ann: str, layer: str) -> None:
    write_brat(tmp_path / "lct", "NCT00000015", text, ann)
    report = convert_brat(tmp_path / "lct", tmp_path / "out", "lct", "test")
    doc = read_gold(tmp_path / "out", "NCT00000015")
    assert layer not in doc and "entities" in doc
    assert (report.criteria_absent, report.thresholds_absent) == ((1, 0) if layer == "criteria" else (0, 1))


@pytest.mark.parametrize("doc_id, split", [("NCT00050349_inc", "train"), ("NCT00050350_exc", "test"),
                                           ("NCT03860040", "test"), ("notes", None)])
def test_split_rule(doc_id: str, split: str | None) -> None:
    assert split_of(doc_id) == split


def test_convert_command_prints_the_summary(chia_dir: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", "brat", str(chia_dir), str(tmp_path / "out"), "--corpus", "chia", "--warnings"]) == 0
    captured = capsys.readouterr()
    assert "documents written: 1 (other split skipped: 1)" in captured.out
    assert "discontinuous T4 Condition" in captured.err
    assert main(["convert", "brat", str(tmp_path / "none"), str(tmp_path / "out"), "--corpus", "lct"]) == 2


def test_a_text_without_annotation_file_is_skipped_not_taken_as_empty(tmp_path: Path) -> None:
    (tmp_path / "NCT00000020_inc.txt").write_text("Adults\n", encoding="utf-8")
    report = convert_brat(tmp_path, tmp_path / "out", "chia")
    assert report.documents == 0 and "no .ann file" in report.warnings[0]


def test_unknown_corpus_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(ConversionError, match="unknown corpus"):
        convert_brat(tmp_path, tmp_path / "out", "i2b2")
    with pytest.raises(ConversionError, match="no BRAT .txt files"):
        convert_brat(tmp_path, tmp_path / "out", "chia")


@pytest.mark.parametrize("corpus, test_documents", [("chia", 400), ("lct", 192)])
def test_real_corpora_test_split(shared_dir: Path, tmp_path: Path, corpus: str, test_documents: int) -> None:
    report = convert_brat(shared_dir / "corpora" / corpus, tmp_path, corpus, "test")
    assert report.documents == test_documents == len(list(tmp_path.glob("*.json")))
    assert sum(report.entities.values()) > 10 * test_documents
    problems = validate([tmp_path])
    assert not [p for p in problems if "same label" not in p.message], problems[:5]


@pytest.mark.parametrize("text, expected", [
    ("Inclusion Criteria:\n  -  Adults\nNon-inclusion Criteria:\n  -  Minors\n",
     [("Adults", "inclusion"), ("Minors", "exclusion")]),
    ("Inclusion Criteria:\n-Adults\n•Signed consent\n  -  \nPatient's exclusion criteria\n  -  Minors\n",
     [("Adults", "inclusion"), ("Signed consent", "inclusion"), ("Minors", "exclusion")]),
])
def test_lct_bullets_and_heading_variants(tmp_path: Path, text: str, expected: list[tuple[str, str]]) -> None:
    """Glued bullets are stripped, a bare bullet is no criterion, non-inclusion criteria exclude."""
    write_brat(tmp_path / "lct", "NCT00000020", text, "")
    convert_brat(tmp_path / "lct", tmp_path / "out", "lct", "test")
    assert surfaces(read_gold(tmp_path / "out", "NCT00000020"), "criteria", "kind") == expected
