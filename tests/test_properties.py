"""Property-based tests (hypothesis) of segmentation, thresholds and readers, on text built to look like
eligibility text at its worst: headings, bullets of every style, every line break Python knows, Unicode
padding, numbers with exponents, units, comparators in every order.

Properties: no exception; offsets valid and stripped; criteria in order, not overlapping; thresholds inside
their criterion, low <= high, inclusivity set exactly with its bound, variables in the catalogue and units
in the unit table; readers yield records or errors only, and texts that strict JSON can carry.
Derandomized with no example database, so a run is repeatable and writes nothing; ``max_examples`` keeps
the file to a few seconds.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.catalogue import load_catalogue
from extractor.readers import FORMATS, InputRecord, ReadError, ReadOptions, read_path
from extractor.records import KINDS, Criterion
from extractor.segment import segment
from extractor.thresholds import extract_thresholds
from extractor.units import load_units

PROPERTIES = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
PADDING = ["\u00a0", "\u3000", "\ufeff", "\u200b", "\t", " "]
BREAKS = ["\n", "\r\n", "\r", "\x0c", "\x85", "\u2028", "\u2029", "\x0b"]
HEADINGS = ["Inclusion Criteria:", "Exclusion Criteria:", "Key inclusion criteria", "EXCLUSION CRITERIA",
            "Who can enter", "Eligibility criteria:", "Patients must meet all of the following:", "Part B:"]
BULLETS = ["- ", "* ", "• ", "1. ", "2) ", "(a) ", "ii. ", "- • 1. ", "", "\t-", "·"]
WORDS = ["age", "Age", "patients", "platelets", "ANC", "creatinine", "ECOG", "bilirubin", "life expectancy",
         "hemoglobin", "weight", "Karnofsky", "no", "not", "or", "and", "with", "unless", "if", "for", "HIV",
         "years", "months", "/uL", "mg/dL", "x ULN", "×10^9/L", "%", "g/dL", "kg", ">=", "≥", "<", "≤", ">",
         "=", "more than", "less than", "at least", "between", "to", "-", "–", ",", ";", ":", "(", ")", "."]
NUMBERS = st.one_of(st.integers(-5, 10**6).map(str), st.floats(0, 1e4, allow_nan=False).map(lambda f: f"{f:.2f}"),
                    st.sampled_from(["1e309", "10^999", "1.5E9", "0", "00", "1,000", "1.5.2", "٣", "½", "10*9"]))
ODD = st.text(st.characters(blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), max_size=3)
TOKENS = st.one_of(st.sampled_from(WORDS), NUMBERS, st.sampled_from(PADDING), ODD)
PHRASE = st.lists(TOKENS, max_size=12).map(" ".join)
LINE = st.one_of(st.sampled_from(HEADINGS), st.builds(lambda b, p: b + p, st.sampled_from(BULLETS), PHRASE),
                 st.sampled_from(PADDING))
PAGE = st.lists(st.tuples(LINE, st.sampled_from(BREAKS)), max_size=14).map(
    lambda lines: "".join(text + brk for text, brk in lines))
VARIABLE = st.sampled_from(["Age", "age", "platelets", "ANC", "Serum creatinine", "ECOG", "total bilirubin",
                            "Hemoglobin", "Karnofsky", "life expectancy", "AST/ALT", "WBC", "BMI", "QTc", "LVEF"])
COMPARATOR = st.sampled_from([">=", "≥", ">", "<", "<=", "≤", "=", "more than", "less than", "at least", "up to",
                              "no more than", "between", "from", "greater than or equal to", "", "of"])
UNIT = st.sampled_from(["years", "yrs", "months", "/uL", "/mm3", "x 10^9/L", "× 10*9/l", "mg/dL", "µmol/L", "%",
                        "x ULN", "times the upper limit of normal", "g/dL", "kg/m2", "ms", "", "days", "weeks"])
CONNECTOR = st.sampled_from([" and ", " or ", ", ", " to ", " - ", "–", " and/or ", "; ", " (", ") ", " unless ",
                             " if ", " for patients ", " "])
CLAUSE = st.builds(lambda v, c, n, u: f"{v} {c} {n} {u}", VARIABLE, COMPARATOR, NUMBERS, UNIT)
CRITERION = st.lists(st.one_of(CLAUSE, CONNECTOR, NUMBERS, UNIT, st.sampled_from(WORDS)), min_size=1,
                     max_size=10).map("".join)
UNITS = set(load_units().units)
VARIABLES = set(load_catalogue().variables)


def _stripped(span: str) -> bool:
    return span == span.strip() and not span.startswith(("\ufeff", "\u200b")) and not span.endswith(("\ufeff",
                                                                                                      "\u200b"))


def check_criteria(text: str, criteria: list[Criterion]) -> None:
    previous_end = 0
    for c in criteria:
        assert 0 <= c.start < c.end <= len(text) and c.start >= previous_end, (c, text)
        assert _stripped(text[c.start:c.end]) and c.text == text[c.start:c.end], repr(text[c.start:c.end])
        assert c.kind in KINDS
        previous_end = c.end


@PROPERTIES
@given(PAGE, st.sampled_from(["auto", "inclusion", "exclusion"]), st.booleans())
def test_segmentation_gives_valid_stripped_ordered_criteria(text: str, section: str, eligibility: bool) -> None:
    check_criteria(text, segment(text, section=section, eligibility=eligibility).criteria)


@PROPERTIES
@given(st.one_of(PAGE, st.lists(st.tuples(st.sampled_from(["", "- ", "1. ", "Inclusion Criteria:\n- ",
                                                             "Exclusion Criteria:\n* "]), CRITERION),
                                max_size=5).map(lambda items: "\n".join(b + c for b, c in items))))
def test_thresholds_lie_in_their_criterion_with_ordered_bounds_and_known_units(text: str) -> None:
    criteria = segment(text, eligibility=True).criteria
    for t in extract_thresholds(text, criteria):
        assert t.criterion is not None and 0 <= t.criterion < len(criteria)
        own = criteria[t.criterion]
        assert own.start <= t.start < t.end <= own.end, (t, own)
        assert _stripped(text[t.start:t.end]) and t.text == text[t.start:t.end]
        assert t.variable in VARIABLES and (t.unit is None or t.unit in UNITS), t
        assert t.low is not None or t.high is not None
        assert (t.low is None) == (t.low_inclusive is None) and (t.high is None) == (t.high_inclusive is None)
        assert t.low is None or t.high is None or t.low <= t.high, t
        json.dumps(t.to_dict(), allow_nan=False)


JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
                    lambda inner: st.one_of(st.lists(inner, max_size=4),
                                            st.dictionaries(st.sampled_from(["id", "text", "criteria", "nct_id",
                                                                             "protocolSection", "studies",
                                                                             "eligibilityModule", "x"]),
                                                            inner, max_size=4)),
                    max_leaves=12)
RAW = st.one_of(st.binary(max_size=200), PAGE.map(lambda t: t.encode("utf-8", "surrogatepass")),
                JSON.map(lambda v: json.dumps(v).encode()),
                st.lists(st.lists(st.sampled_from(["id", "text", '"', ",", "a\nb", "\r\n", "x", ""]), max_size=4)
                         .map(",".join), max_size=5).map(lambda rows: "\n".join(rows).encode()))


@PROPERTIES
@given(RAW, st.sampled_from([f for f in FORMATS if f != "auto"] + [".txt", ".json", ".jsonl", ".csv", ".xml"]))
def test_readers_yield_records_or_errors_never_raise(tmp_path: Path, data: bytes, fmt: str) -> None:
    path = tmp_path / f"input{fmt if fmt.startswith('.') else '.dat'}"
    path.write_bytes(data)
    options = ReadOptions(format="auto" if fmt.startswith(".") else fmt)
    for item in read_path(str(path), options):
        assert isinstance(item, (InputRecord, ReadError))
        if isinstance(item, InputRecord):
            assert isinstance(item.text, str) and isinstance(item.id, str)
            json.dumps([item.text, item.id, item.meta], ensure_ascii=False, allow_nan=False).encode("utf-8")
        else:
            assert str(item).startswith(str(path))


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
@PROPERTIES
@given(st.lists(LINE, max_size=10))
def test_newline_convention_never_changes_the_criteria(newline: str, lines: list[str]) -> None:
    """The same page with LF and with CRLF or CR line ends has the same criteria (kinds, and texts
    up to their own line ends)."""
    lf = "\n".join(lines)
    other = newline.join(lines)
    mapped = [(c.kind, c.text.replace(newline, "\n")) for c in segment(other).criteria]
    assert mapped == [(c.kind, c.text) for c in segment(lf).criteria]
