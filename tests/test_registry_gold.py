"""The registry gold's tooling (annotations/registry): spec tool, page variants, selection, guidelines tables."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from extractor.catalogue import load_catalogue
from extractor.units import load_units
from tests.conftest import ANNOTATIONS, needs_shared

sys.path.insert(0, str(ANNOTATIONS / "registry"))
import page  # noqa: E402
import spec  # noqa: E402

TEXT = ("\n        Inclusion Criteria:\n\n          -  Age 18 years or older with serum creatinine\n"
        "             ≤ 1.5 mg/dL or creatinine clearance ≥ 60 mL/min\n\n"
        "        Exclusion Criteria:\n\n          -  Pregnancy\n\n          -  AST or ALT > 3 x ULN\n      ")
VARIABLES, UNITS = spec.catalogue()


def threshold(span: str, variable: str, group: int = 0, **bounds: Any) -> dict[str, Any]:
    record = {"span": span, "variable": variable, "low": None, "low_inclusive": None, "high": None,
              "high_inclusive": None, "unit": None, "group": group, "condition": None}
    return record | bounds


def good_spec() -> dict[str, Any]:
    return {"id": "NCT0", "criteria": [
        {"kind": "inclusion", "section": "Inclusion Criteria", "any_of": None, "start": "Age 18 years",
         "end": "≥ 60 mL/min", "thresholds": [
             threshold("Age 18 years or older", "age", 0, low=18, low_inclusive=True, unit="a"),
             # the snippet ignores the line break and indentation inside the span
             threshold("serum creatinine ≤ 1.5 mg/dL", "creatinine", 1, high=1.5, high_inclusive=True,
                       unit="mg/dL"),
             threshold("creatinine clearance ≥ 60 mL/min", "creatinine_clearance", 1, low=60,
                       low_inclusive=True, unit="mL/min")]},
        {"kind": "exclusion", "section": "Exclusion Criteria", "any_of": None, "start": "Pregnancy"},
        {"kind": "exclusion", "section": "Exclusion Criteria", "any_of": None, "start": "AST or ALT > 3 x ULN",
         "thresholds": [threshold("AST or ALT > 3 x ULN", "ast", low=3, low_inclusive=False, unit="{ULN}"),
                        threshold("ALT > 3 x ULN", "alt", low=3, low_inclusive=False, unit="{ULN}")]}]}


def test_a_good_spec_builds_spans_that_select_their_text() -> None:
    doc, warnings = spec.build(good_spec(), TEXT, VARIABLES, UNITS)
    assert warnings == []
    assert [c["text"] for c in doc["criteria"]][1:] == ["Pregnancy", "AST or ALT > 3 x ULN"]
    assert doc["criteria"][0]["text"].endswith("≥ 60 mL/min")
    for item in doc["criteria"] + doc["thresholds"]:
        assert TEXT[item["start"]:item["end"]] == item["text"] == item["text"].strip()
    assert "\n" in doc["thresholds"][1]["text"]
    assert spec.uncovered_lines(doc) == ["Inclusion Criteria:", "Exclusion Criteria:"]


def broken(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    s = good_spec()
    target: Any = s
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return s


@pytest.mark.parametrize("bad, message", [
    (broken(("criteria", 1, "start"), "Pregnant"), "start not found"),
    (broken(("criteria", 1, "start"), "-  Pregnancy"), "starts with a bullet or numbering"),
    (broken(("criteria", 0, "kind"), "eligibility"), "kind must be inclusion or exclusion"),
    (broken(("criteria", 0, "section"), "Inclusion Criteria:"), "without its trailing colon"),
    (broken(("criteria", 1, "any_of"), 1), "any_of 1 is used by one criterion only"),
    (broken(("criteria", 2, "thresholds", 0, "span"), "T"), "occurs 2 times"),
    (broken(("criteria", 0, "thresholds", 2, "group"), 3), "without gaps"),
    (broken(("criteria", 0, "thresholds", 0, "variable"), "years"), "not in the guidelines' variable table"),
    (broken(("criteria", 0, "thresholds", 0, "unit"), "yrs"), "not in the guidelines' unit table"),
    (broken(("criteria", 0, "thresholds", 0, "high"), 10), "high_inclusive must be true/false"),
    (broken(("criteria", 0, "thresholds", 0, "condition"), {"text": "if old", "negated": "no", "thresholds": []}),
     "condition negated must be true or false"),
    (broken(("criteria", 0, "thresholds", 0, "occurence"), 1), "unknown keys ['occurence']"),
])
def test_a_broken_spec_names_what_is_wrong(bad: dict[str, Any], message: str) -> None:
    with pytest.raises(spec.SpecError, match=message.replace("[", r"\[").replace("]", r"\]")):
        spec.build(bad, TEXT, VARIABLES, UNITS)


def test_a_repeated_snippet_is_chosen_by_occurrence_and_one_variable_has_one_record_per_span() -> None:
    s = broken(("criteria", 2, "thresholds", 1, "span"), "T")
    s["criteria"][2]["thresholds"][1]["occurrence"] = 2
    doc, _ = spec.build(s, TEXT, VARIABLES, UNITS)
    assert TEXT[doc["thresholds"][4]["start"] - 2:doc["thresholds"][4]["end"]] == "ALT"
    s["criteria"][2]["thresholds"][1] |= {"variable": "ast", "span": "AST or ALT > 3 x ULN", "occurrence": None}
    with pytest.raises(spec.SpecError, match="share the span"):
        spec.build(s, TEXT, VARIABLES, UNITS)


def test_the_guidelines_tables_name_catalogue_variables_and_table_units() -> None:
    assert VARIABLES <= set(load_catalogue().variables)
    assert UNITS <= set(load_units().units)
    assert set(load_catalogue().core_ids()) <= VARIABLES


def test_every_page_piece_is_cut_from_a_seed_page() -> None:
    for name, piece in page.PIECES.items():
        assert page.cut(piece).strip(), name


def test_a_page_variant_shifts_every_span_and_names_the_page_heading() -> None:
    doc, _ = spec.build(good_spec(), TEXT, VARIABLES, UNITS)
    doc = {"id": "NCT0", "source": "ctgov/x", "text": TEXT, "meta": {"eligibility": True},
           "criteria": doc["criteria"], "thresholds": doc["thresholds"]}
    doc["criteria"][1]["section"] = None
    variant = page.page_variant(doc)
    heading = page.TEMPLATES[page.template_of("NCT0")][1]
    assert TEXT in variant["text"] and "meta" not in variant
    assert [variant["text"][c["start"]:c["end"]] for c in variant["criteria"]] == [c["text"] for c in doc["criteria"]]
    assert [variant["text"][t["start"]:t["end"]] for t in variant["thresholds"]] == [t["text"] for t in doc["thresholds"]]
    assert [c["section"] for c in variant["criteria"]] == ["Inclusion Criteria", heading, "Exclusion Criteria"]


@needs_shared
def test_the_selection_is_the_committed_one() -> None:
    import selection

    chosen = selection.select()
    with open(ANNOTATIONS / "registry" / "selection.csv", encoding="utf-8", newline="") as fh:
        committed = {row["nct_id"]: row for row in csv.DictReader(fh)}
    assert {t.nct_id: split for t, split in chosen} == {i: row["split"] for i, row in committed.items()}
    splits = [split for _, split in chosen]
    assert [splits.count(s) for s in ("dev", "test", "dev2", "dev3", "dev4", "dev5", "dev6")] \
        == [40, 80, 30, 30, 30, 30, 30]
    sources = [t.source for t, split in chosen if split in ("dev", "test")]
    assert sources.count("registry_sample.csv") == 80 and sources.count("leukemia_trials.csv") == 40
    assert len({t.nct_id for t, _ in chosen}) == 270
    young = [t for t, _ in chosen if t.source == "leukemia_trials.csv" and float(t.minimum_age) < 18]
    assert len(young) >= 20
    assert len({t.stratum for t, _ in chosen}) == 13


def test_the_registry_gold_texts_are_not_committed() -> None:
    """The corpus texts are read from ../shared: no committed file under annotations/registry holds one."""
    for path in (ANNOTATIONS / "registry").rglob("*.json"):
        assert "text" not in json.loads(path.read_text(encoding="utf-8")), path


@needs_shared
def test_the_registry_gold_builds_and_validates(tmp_path: Path) -> None:
    """120 reconciled specs -> 40 dev and 80 test documents, each with its page variant, all valid."""
    import build

    from extractor.evaluation import load_documents
    from extractor.validate import validate

    assert build.write_gold(tmp_path) == {"dev": 40, "dev_page": 40, "test": 80, "test_page": 80, "dev2": 30,
                                          "dev2_page": 30, "dev3": 30, "dev3_page": 30,
                                          "dev4": 30, "dev4_page": 30, "dev5": 30, "dev5_page": 30}
    for folder in ("dev", "test", "dev_page", "test_page"):
        assert [str(p) for p in validate([tmp_path / folder])] == []
    field, page = load_documents(tmp_path / "test"), load_documents(tmp_path / "test_page")
    assert all(doc.logic and doc.entities is None and doc.meta == {"eligibility": True} for doc in field.values())
    for doc_id, doc in field.items():
        assert [doc.text[c.start:c.end] for c in doc.criteria] == \
               [page[doc_id].text[c.start:c.end] for c in page[doc_id].criteria]
