"""The threshold case tables of ``tests/data`` and the helpers that run them.

``threshold_cases.jsonl`` holds phrasings copied verbatim from ``../shared/corpora`` (Chia, LCT,
the ctgov CSVs), each with its ``source`` and its expected records, written as stated ("as
written, not flipped"). A case with ``context`` is the last criterion of a list whose earlier
criteria (a lead-in naming the variable) come first.

``threshold_lead_cases.jsonl`` holds excerpts of old registry records (NCI PDQ layout: "Age:",
"Life expectancy:" headings over bare values) read through the segmenter, so that each sub-item
carries its ``lead_in``.

``registry_threshold_cases.jsonl`` holds independent cases (annotations/threshold_cases/README.md):
450 criteria of non-leukaemia registry trials outside the first 120 of the registry gold, by two blind
annotation passes (40 of them reconciled by a third); ``registry_threshold_gaps.json`` lists the
extractor's known gaps.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from extractor.records import Criterion, Threshold
from extractor.thresholds import criterion_thresholds, extract_thresholds

DATA = Path(__file__).resolve().parents[1] / "data"
RECORD_KEYS = ("variable", "low", "low_inclusive", "high", "high_inclusive", "unit", "span")


def read_cases(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


CASES = read_cases(DATA / "threshold_cases.jsonl")
LEAD_CASES = read_cases(DATA / "threshold_lead_cases.jsonl")
REGISTRY_CASES = read_cases(DATA / "registry_threshold_cases.jsonl")
REGISTRY_GAPS: dict[str, str] = json.loads((DATA / "registry_threshold_gaps.json").read_text(encoding="utf-8"))


def as_case_record(t: Threshold) -> dict[str, Any]:
    d = {"variable": t.variable, "low": t.low, "low_inclusive": t.low_inclusive, "high": t.high,
         "high_inclusive": t.high_inclusive, "unit": t.unit, "span": t.text}
    if t.subgroup is not None:
        d["subgroup"] = t.subgroup
    return d


def document_of(texts: list[str]) -> tuple[str, list[Criterion]]:
    """Criteria one per line, as a segmenter would return them."""
    criteria, pos = [], 0
    for t in texts:
        criteria.append(Criterion(pos, pos + len(t), "inclusion", t))
        pos += len(t) + 1
    return "\n".join(texts), criteria


def run_case(case: dict[str, Any]) -> list[Threshold]:
    if not case.get("context"):
        return criterion_thresholds(case["text"])
    text, criteria = document_of([*case["context"], case["text"]])
    last = len(criteria) - 1
    out = [t for t in extract_thresholds(text, criteria) if t.criterion == last]
    for t in out:  # relative to the case's own text, like criterion_thresholds
        t.start -= criteria[last].start
        t.end -= criteria[last].start
    return out


def caseless(record: dict[str, Any]) -> dict[str, Any]:
    """A record with its texts in lower case ("Μ".lower() is "μ", the micro sign's twin)."""
    return {k: v.lower().replace("µ", "μ") if k in ("span", "subgroup") else v for k, v in record.items()}
