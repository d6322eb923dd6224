"""The case tables (``cases.py``): large, distinct, traceable, verbatim from their sources, and read right."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import ANNOTATIONS, read_exact
from extractor.records import Criterion, Document, Threshold
from extractor.segment import find_criteria
from extractor.thresholds import extract_thresholds
from thresholds.cases import (CASES, LEAD_CASES, RECORD_KEYS, REGISTRY_CASES, REGISTRY_GAPS, as_case_record,
                              caseless, run_case)


@pytest.mark.parametrize("case", CASES, ids=[f"{i}:{c['source']}" for i, c in enumerate(CASES)])
def test_real_phrasing(case: dict[str, Any]) -> None:
    records = run_case(case)
    assert [as_case_record(t) for t in records] == case["expected"]
    for t in records:
        assert case["text"][t.start:t.end] == t.text, "span offsets must select the span text"


@pytest.mark.parametrize("case", LEAD_CASES,
                         ids=[f"{i}:{c['source']} {c['heading'][:20]}" for i, c in enumerate(LEAD_CASES)])
def test_heading_lead(case: dict[str, Any]) -> None:
    """"Under 80" under "Age:" is an age, "At least 5 years" under "Life expectancy:" is none; a
    heading that names no variable ("Renal:") or a lead-in that is a criterion itself passes none on."""
    criteria = find_criteria(case["excerpt"], eligibility=True)
    sub_items = [c for c in criteria if c.text != case["heading"]]
    assert sub_items and all(c.lead_in == case["heading"] for c in sub_items), "the excerpt must exercise lead_in"
    records = extract_thresholds(case["excerpt"], criteria)
    assert [as_case_record(t) for t in records] == case["expected"]
    for t in records:
        assert case["excerpt"][t.start:t.end] == t.text, "span offsets must select the span text"


def test_case_table_is_large_distinct_and_traceable() -> None:
    texts = [c["text"] for c in CASES]
    assert len(set(texts)) == len(texts) >= 150
    assert sum(1 for c in CASES if c["expected"]) >= 150
    assert all(c["source"].startswith(("chia/", "lct/", "ctgov/")) for c in CASES)
    assert all(set(r) - {"subgroup"} == set(RECORD_KEYS) for c in CASES for r in c["expected"])
    keys = [(c["source"], c["heading"]) for c in LEAD_CASES]
    assert len(set(keys)) == len(keys) >= 25
    assert sum(1 for c in LEAD_CASES if c["expected"]) >= 20
    assert all(c["source"].startswith("ctgov/registry_sample.csv NCT") for c in LEAD_CASES)
    assert all(set(r) - {"subgroup"} == set(RECORD_KEYS) for c in LEAD_CASES for r in c["expected"])


@pytest.fixture(scope="session")
def corpus_texts(shared_dir: Path) -> dict[str, str]:
    """Source key of the case table → the text it was copied from."""
    corpora = shared_dir / "corpora"
    texts: dict[str, str] = {}
    for name, id_field in (("leukemia_trials.csv", "#nct_id"), ("registry_sample.csv", "nct_id")):
        with open(corpora / "ctgov" / name, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                texts[f"ctgov/{name} {row[id_field]}"] = row["eligibility_criteria"]
    for case in CASES:
        corpus, _, rel = case["source"].partition("/")
        if corpus in ("chia", "lct"):
            texts[case["source"]] = read_exact(corpora / corpus / rel)
    return texts


def test_cases_are_verbatim_from_their_source(corpus_texts: dict[str, str]) -> None:
    missing = [(c["source"], c["text"]) for c in CASES
               if any(t not in corpus_texts[c["source"]] for t in [*c.get("context", []), c["text"]])]
    missing += [(c["source"], c["excerpt"]) for c in LEAD_CASES if c["excerpt"] not in corpus_texts[c["source"]]]
    missing += [(c["source"], c["text"]) for c in REGISTRY_CASES if c["text"] not in corpus_texts[c["source"]]]
    assert not missing


def test_registry_cases_come_from_trials_outside_the_registry_gold() -> None:
    """None of the first 120 (test and dev); the dev draws made after the cases share two trials with them."""
    with open(Path(__file__).resolve().parents[2] / "annotations" / "registry" / "selection.csv",
              encoding="utf-8") as fh:
        gold_trials = {row["nct_id"] for row in csv.DictReader(fh) if row["split"] in ("dev", "test")}
    assert len(REGISTRY_CASES) >= 300
    assert not {c["source"].split()[-1] for c in REGISTRY_CASES} & gold_trials


def gold_documents() -> list[Document]:
    if not ANNOTATIONS.is_dir():
        return []
    docs = [Document.from_dict(json.loads(p.read_text(encoding="utf-8")))
            for p in sorted(ANNOTATIONS.glob("*.json"))]
    return [d for d in docs if d.thresholds is not None and d.criteria is not None]


@pytest.mark.skipif(not gold_documents(), reason="no gold with criteria and thresholds under annotations/")
@pytest.mark.parametrize("gold", gold_documents(), ids=lambda d: d.id)
def test_seed_gold_reproduced_exactly(gold: Document) -> None:
    """On the gold criteria, every threshold of the seeds' gold and nothing else, span for span."""
    def key(t: Threshold) -> tuple[Any, ...]:
        return (t.start, t.end, t.variable, t.low, t.low_inclusive, t.high, t.high_inclusive, t.unit)

    predicted = extract_thresholds(gold.text, gold.criteria or [])
    assert sorted(map(key, predicted)) == sorted(map(key, gold.thresholds or []))


def same_records_in_any_case(case: dict[str, Any], recased: dict[str, Any]) -> None:
    assert [caseless(as_case_record(t)) for t in run_case(recased)] == [caseless(r) for r in case["expected"]]


@pytest.mark.parametrize("case", CASES, ids=[f"{i}:{c['source']}" for i, c in enumerate(CASES)])
@pytest.mark.parametrize("casing", ["lower", "upper"])
def test_real_phrasing_in_one_case(case: dict[str, Any], casing: str) -> None:
    """Exports hand text over in one case: every table case gives the same records lower- and upper-cased."""
    change = str.lower if casing == "lower" else str.upper
    recased = {**case, "text": change(case["text"]), "context": [change(c) for c in case.get("context", [])]}
    same_records_in_any_case(case, recased)


def test_registry_gaps_name_existing_cases() -> None:
    assert set(REGISTRY_GAPS) <= {c["id"] for c in REGISTRY_CASES}


# The extractor's known gaps are listed with what differs; each is a strict xfail, so a fix shows as an
# unexpected pass and the list must shrink with it.
@pytest.mark.parametrize("case", [
    pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=REGISTRY_GAPS[c["id"]]))
    if c["id"] in REGISTRY_GAPS else c for c in REGISTRY_CASES], ids=[c["id"] for c in REGISTRY_CASES])
def test_registry_phrasing(case: dict[str, Any]) -> None:
    text = case["text"]
    records = extract_thresholds(text, [Criterion(0, len(text), case["kind"], text)])
    assert [as_case_record(t) for t in records] == case["expected"]


@pytest.mark.parametrize("case", [c for c in REGISTRY_CASES if c["id"] not in REGISTRY_GAPS],
                         ids=[c["id"] for c in REGISTRY_CASES if c["id"] not in REGISTRY_GAPS])
@pytest.mark.parametrize("casing", ["lower", "upper"])
def test_registry_phrasing_in_one_case(case: dict[str, Any], casing: str) -> None:
    """The independent cases the extractor reads right give the same records lower- and upper-cased."""
    text = (str.lower if casing == "lower" else str.upper)(case["text"])
    records = extract_thresholds(text, [Criterion(0, len(text), case["kind"], text)])
    assert [caseless(as_case_record(t)) for t in records] == [caseless(r) for r in case["expected"]]
