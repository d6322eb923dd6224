"""Halves of a range written apart join only when they make a range."""
from __future__ import annotations

from typing import Any

import pytest

from extractor.thresholds import criterion_thresholds


@pytest.mark.parametrize("text, expected", [
    # issue 23: used to become one range 140..100
    ("Systolic blood pressure more than 140 and less than 100 mmHg",
     [("systolic_bp", 140.0, None), ("systolic_bp", None, 100.0)]),
    ("Systolic blood pressure more than 100 and less than 140 mmHg", [("systolic_bp", 100.0, 140.0)]),
])
def test_contradicting_halves_never_make_low_above_high(text: str, expected: list[tuple[Any, ...]]) -> None:
    assert [(t.variable, t.low, t.high) for t in criterion_thresholds(text)] == expected
