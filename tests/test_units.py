"""Unit normalisation and conversion, with hand-computed expectations."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import bad_data_file_error
from extractor import units
from extractor.records import Threshold
from extractor.units import UnitError, convert, convert_quantity, convert_threshold, load_units, normalize_unit


@pytest.mark.parametrize("surface, code", [
    ("cells/µL", "/uL"), ("cells/μL", "/uL"), ("/mm3", "/uL"), ("/mm³", "/uL"), ("counts/ul", "/uL"),
    ("uL", "/uL"), ("10^9/L", "10*9/L"), ("10⁹/L", "10*9/L"), ("x 10^9/L", "10*9/L"), ("× 10⁹ /L", "10*9/L"),
    ("10e9/L", "10*9/L"), ("× 10^3/µL", "10*3/uL"), ("10³/mm³", "10*3/uL"), ("K/uL", "10*3/uL"),
    ("x ULN", "{ULN}"), ("× ULN", "{ULN}"), ("X ULN", "{ULN}"),
    ("times the upper limit of normal", "{ULN}"), ("times the normal value", "{ULN}"),
    ("times than normal range", "{ULN}"), ("years", "a"), ("yrs", "a"), ("years old", "a"), ("a", "a"),
    ("months", "mo"), ("weeks", "wk"), ("days", "d"), ("hours", "h"),
    ("g/dl", "g/dL"), ("gm/dL", "g/dL"), ("mg/dL", "mg/dL"), ("µmol/L", "umol/L"), ("IU/L", "U/L"),
    ("mL/min/1.73 m²", "mL/min/{1.73_m2}"), ("ml/min", "mL/min"), ("msec", "ms"), ("kg/m²", "kg/m2"),
    ("°C", "Cel"), ("%", "%"), ("percent", "%"),
])
def test_normalize_unit(surface: str, code: str) -> None:
    assert normalize_unit(surface) == code


@pytest.mark.parametrize("surface", ["", "apples", "per", "x", None])
def test_unknown_units_are_none(surface: str | None) -> None:
    assert normalize_unit(surface) is None


@pytest.mark.parametrize("value, src, dst, expected", [
    (1.5, "10*9/L", "/uL", 1500.0),      # 1.5e9 per L = 1.5e9 / 1e6 µL
    (1500, "/uL", "10*9/L", 1.5),
    (100, "10*3/uL", "10*9/L", 100.0),   # 1e3/µL = 1e9/L
    (75, "10*3/uL", "/uL", 75000.0),
    (1, "a", "mo", 12.0),                # UCUM: mo = a / 12
    (2, "wk", "d", 14.0),
    (48, "h", "d", 2.0),
    (9, "g/dL", "g/L", 90.0),
    (90, "g/L", "g/dL", 9.0),
    (1.5, "mg/dL", "mg/L", 15.0),
    (1.5, "mg/dL", "g/L", 0.015),
    (1.5, "{ULN}", "{ULN}", 1.5),        # same unit: identity, even outside any group
    (3, None, None, 3),
])
def test_convert_commensurable(value: float, src: str | None, dst: str | None, expected: float) -> None:
    assert convert(value, src, dst) == pytest.approx(expected)


@pytest.mark.parametrize("src, dst", [
    ("%", "/uL"), ("a", "/uL"), ("mg/dL", "umol/L"), ("umol/L", "mmol/L"), ("{ULN}", "mg/dL"),
    (None, "%"), ("%", None), ("a", "mg/dL"), ("unknown", "unknown2"),
])
def test_convert_incommensurable_is_none(src: str | None, dst: str | None) -> None:
    assert convert(1.0, src, dst) is None


def test_convert_threshold_converts_both_bounds_and_keeps_the_rest() -> None:
    t = Threshold(3, 20, "anc", low=1.0, low_inclusive=True, high=1.5, high_inclusive=False,
                  unit="10*9/L", text="ANC 1.0-1.5 x10^9/L", criterion=2)
    c = convert_threshold(t, "/uL")
    assert (c.low, c.high, c.unit) == (pytest.approx(1000.0), pytest.approx(1500.0), "/uL")
    assert (c.start, c.end, c.low_inclusive, c.high_inclusive, c.text, c.criterion) == \
        (3, 20, True, False, t.text, 2)
    assert t.unit == "10*9/L"  # the original is untouched


def test_convert_threshold_one_sided() -> None:
    t = Threshold(0, 5, "age", low=6, low_inclusive=True, unit="mo")
    c = convert_threshold(t, "a")
    assert c.low == pytest.approx(0.5) and c.high is None


def test_convert_threshold_incommensurable_raises_naming_the_record() -> None:
    with pytest.raises(UnitError, match="'platelets'.*'%'"):
        convert_threshold(Threshold(0, 5, "platelets", low=50, low_inclusive=True, unit="%"), "/uL")


@pytest.mark.parametrize("rows,message", [
    ("mg/dL,mass,0.01,mg/dL,\ng/L,mass,1,MG/DL,\n", "alias 'MG/DL' of 'g/L' already names 'mg/dL'"),
    ("g/L,mass,1,g/L,\ng/L,mass,1,gm/L,\n", "unit 'g/L' is listed twice"),
    ("g/L,mass,one,g/L,\n", "factor 'one' is not a number"),
])
def test_conflicting_unit_rows_fail_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    rows: str, message: str) -> None:
    """The guards that make every code and alias name exactly one unit."""
    bad_data_file_error(monkeypatch, units, tmp_path / "units.csv", "code,group,factor,aliases,not_in_text\n" + rows,
                        load_units.__wrapped__, message)


# Conversion factors as clinical chemistry tables give them (SI unit conversion tables, e.g. AMA Manual of
# Style): creatinine 1 mg/dL = 88.4 umol/L, glucose 100 mg/dL = 5.55 mmol/L, bilirubin 1 mg/dL = 17.1 umol/L,
# cholesterol 1 mg/dL = 0.02586 mmol/L, BUN 1 mg/dL = 0.357 mmol/L, hemoglobin 1 g/dL = 0.6206 mmol/L.
@pytest.mark.parametrize("value, src, dst, molar_mass, expected", [
    (1, "mg/dL", "umol/L", 113.12, 88.4), (100, "mg/dL", "mmol/L", 180.16, 5.55),
    (1, "mg/dL", "umol/L", 584.66, 17.1), (1, "mg/dL", "mmol/L", 386.65, 0.02586),
    (1, "mg/dL", "mmol/L", 28.014, 0.357), (1, "g/dL", "mmol/L", 16114.5, 0.6206),
    (88.4, "umol/L", "mg/dL", 113.12, 1.0), (5.55, "mmol/L", "mg/dL", 180.16, 100.0),
    (1, "mmol/L", "umol/L", None, 1000.0), (250, "nmol/L", "umol/L", None, 0.25),
    (1, "g/dL", "mg/dL", None, 1000.0), (1, "g/dL", "mg/dL", 113.12, 1000.0),
])
def test_convert_quantity(value: float, src: str, dst: str, molar_mass: float | None, expected: float) -> None:
    assert convert_quantity(value, src, dst, molar_mass) == pytest.approx(expected, rel=2e-3)


@pytest.mark.parametrize("src, dst, molar_mass", [
    ("mg/dL", "umol/L", None),      # mass to molar needs a molar mass
    ("meq/L", "mmol/L", 40.078),    # mEq/L is not molar for divalent ions (calcium)
    ("mg/dL", "/uL", 113.12),       # counts are not concentrations
    ("mmol/L", None, 113.12),
])
def test_convert_quantity_refuses_incommensurable(src: str, dst: str | None, molar_mass: float | None) -> None:
    assert convert_quantity(1.0, src, dst, molar_mass) is None


@pytest.mark.parametrize("src, dst", [("mmol/L", "umol/L"), ("umol/L", "mg/dL"), ("nmol/L", "pmol/L")])
def test_scorer_convert_keeps_molar_units_apart(src: str, dst: str) -> None:
    """The scorer's conversion is unchanged by the molar group: its reports must not move."""
    assert convert(1.0, src, dst) is None
