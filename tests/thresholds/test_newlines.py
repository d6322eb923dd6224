"""Newline conventions never change a result: CRLF, CR and LF text give the same thresholds, offsets mapped."""
from __future__ import annotations

from typing import Any

import pytest

from extractor.records import Criterion, Threshold
from extractor.thresholds import criterion_thresholds, extract_thresholds
from thresholds.cases import LEAD_CASES, REGISTRY_CASES

#: Real criteria written over several lines (tests/data: registry cases and lead-in excerpts).
TEXTS = [*(c["text"] for c in REGISTRY_CASES if "\n" in c["text"]), *(c["excerpt"] for c in LEAD_CASES)]


def key(t: Threshold, offset: Any = lambda p: p) -> tuple[Any, ...]:
    condition = t.condition.to_dict() if t.condition else None
    return (offset(t.start), offset(t.end), t.variable, t.low, t.low_inclusive, t.high, t.high_inclusive,
            t.unit, t.subgroup, t.group, condition)


def as_document(text: str) -> list[Threshold]:
    return extract_thresholds(text, [Criterion(0, len(text), "inclusion", text)])


@pytest.mark.parametrize("text", TEXTS, ids=[f"{i}" for i in range(len(TEXTS))])
@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_line_breaks_never_change_the_thresholds(text: str, newline: str) -> None:
    other = text.replace("\n", newline)

    def offset(p: int) -> int:  # an LF offset in ``other``
        return p + text.count("\n", 0, p) * (len(newline) - 1)

    for read in (as_document, criterion_thresholds):
        expected, found = read(text), read(other)
        assert [key(t, offset) for t in expected] == [key(t) for t in found]
        assert all(t.text == other[t.start:t.end] for t in found)
