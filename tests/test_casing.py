"""Text in one case (extractor/casing.py): detected, and given the casing the threshold grammar expects."""
from __future__ import annotations

import pytest

from extractor.casing import is_caseless, recase
from extractor.thresholds import criterion_thresholds


@pytest.mark.parametrize("text, caseless", [
    ("AST and ALT ≤ 3 x ULN", False),               # mixed: the capitals are the abbreviations
    ("ast and alt ≤ 3 x uln", True),
    ("ANC ≥ 1500/ΜL AND PLT ≥ 100,000", True),
    ("WBC <3 K/cumm", False),                       # one lower-case letter of seven: casing still says something
    ("1,500", False),                               # no letters, nothing to restore
])
def test_is_caseless(text: str, caseless: bool) -> None:
    assert is_caseless(text) is caseless


@pytest.mark.parametrize("text, expected", [
    ("ast and alt </= 3 x uln", "AST and ALT </= 3 x uln"),
    ("nyha class iii or iv", "nyha class III or IV"),
    ("cd4+ > 300 cells/mm3", "CD4+ > 300 cells/mm3"),
    ("hct-ci =< 5", "hct-ci =< 5"),                 # a compound is no abbreviation of its own
    ("SERUM CR ≤ 1.5 MG/DL", "SERUM Cr ≤ 1.5 MG/DL"),
])
def test_recase_restores_abbreviations_and_numerals_and_keeps_offsets(text: str, expected: str) -> None:
    assert recase(text) == expected and len(recase(text)) == len(text)


# Real phrasings, lower- and upper-cased (sources: registry_sample.csv NCT03106610, NCT01603121;
# leukemia_trials.csv NCT02771197).
@pytest.mark.parametrize("text, variables", [
    ("AST and ALT </= 3 x ULN;", ["alt", "ast"]),
    ("QTc < 450 msec at screening", ["qtc"]),
    ("KPS of 70% or greater", ["karnofsky"]),
])
@pytest.mark.parametrize("change", [str.lower, str.upper])
def test_thresholds_do_not_depend_on_casing(text: str, variables: list[str], change) -> None:
    original = [(t.variable, t.low, t.high, t.unit) for t in criterion_thresholds(text)]
    assert sorted(v for v, *_ in original) == variables
    assert [(t.variable, t.low, t.high, t.unit) for t in criterion_thresholds(change(text))] == original
