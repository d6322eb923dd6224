"""Numbers as written: separators, decimal commas, number words, and exponents never read as their first digits."""
from __future__ import annotations

import pytest

from extractor.thresholds import criterion_thresholds, parse_number, roman_value


@pytest.mark.parametrize("surface, value", [
    ("25,000", 25000.0), ("1,5", 1.5), ("1.5", 1.5), ("100 000/mm3", 100000.0), (".5", 0.5), ("three", 3.0),
    ("twenty-one", 21.0), ("six (6)", 6.0), ("12 (twelve)", 12.0), ("one hundred", 100.0), ("none", None),
])
def test_parse_number(surface: str, value: float | None) -> None:
    assert parse_number(surface) == value


@pytest.mark.parametrize("surface, value", [("III", 3), ("IV", 4), ("iv", None), ("three", None)])
def test_roman_value_is_case_sensitive(surface: str, value: int | None) -> None:
    assert roman_value(surface) == value


@pytest.mark.parametrize("text", [
    "Creatinine > 1e309 mg/dL",  # issue 23: was creatinine > 1
    "Platelets >= 10^999",  # issue 23: was platelets >= 10
    "Platelets ≥ 100E9/l",  # ctgov/registry_sample.csv NCT01138553: E notation without a unit we know
    "Granulocytes > 1.5E9/l",  # ctgov/registry_sample.csv NCT01138553: never 1
])
def test_exponent_is_never_read_as_its_first_digits(text: str) -> None:
    assert criterion_thresholds(text) == []
