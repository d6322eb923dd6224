"""A document's thresholds: only criterion spans are read, and records are as written."""
from __future__ import annotations

from extractor.records import Criterion
from extractor.thresholds import extract_thresholds


def test_text_outside_criteria_gives_nothing() -> None:
    """A summary's "under 25 years" is not a threshold; only criterion spans are read."""
    text = "Summary: for children under 25 years old.\nInclusion Criteria:\nAge ≥ 18 years"
    start = text.index("Age")
    records = extract_thresholds(text, [Criterion(start, len(text), "inclusion")])
    assert [(t.variable, t.low, t.start, t.end, t.criterion) for t in records] == \
        [("age", 18.0, start, len(text), 0)]


def test_exclusion_kind_does_not_flip_the_bound() -> None:
    text = "Serum creatinine > 1.5 x ULN"
    (t,) = extract_thresholds(text, [Criterion(0, len(text), "exclusion")])
    assert (t.low, t.low_inclusive, t.high, t.unit) == (1.5, False, None, "{ULN}")
