"""Folding: one spelling of comparators, signs and superscripts, with the original's offsets."""
from __future__ import annotations

import pytest

from extractor.thresholds import fold


@pytest.mark.parametrize("text, folded", [
    ("ANC ⩾ 1.5 × 10⁹/L", "ANC ≥ 1.5 x 109/L"),
    ("age ³ 18 years", "age ≥ 18 years"),
    ("BMI Â³30", "BMI  ≥30"),
    ("per mm³ 5", "per mm3 5"),
    ("Creatinine <_1.6", "Creatinine <=1.6"),
    ("cells/µL \\>20", "cells/uL  >20"),
    ("18–65", "18-65"),
])
def test_fold_keeps_offsets(text: str, folded: str) -> None:
    assert fold(text) == folded and len(fold(text)) == len(text)
