"""The variable catalogue: the format's ids, alias lookup, and loud failures on bad rows."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import bad_data_file_error
from extractor import catalogue
from extractor.catalogue import alias_key, is_case_sensitive, load_catalogue, loinc_check_digit

# The catalogue table of ../shared/ANNOTATION_FORMAT.md (layer 3), in its order.
FORMAT_IDS = [
    "age", "ecog", "karnofsky", "lansky", "life_expectancy", "blasts_marrow", "blasts_blood", "blasts_csf",
    "csf_wbc", "mrd", "cd19_positive", "wbc", "anc", "alc", "platelets", "hemoglobin", "creatinine",
    "creatinine_clearance", "bun", "bilirubin", "alt", "ast", "alp", "lvef", "shortening_fraction",
    "oxygen_saturation", "qtc", "body_temperature", "ctcae_grade", "prior_therapies", "weight", "bmi",
]


def test_core_ids_are_the_format_catalogue() -> None:
    assert sorted(load_catalogue().core_ids()) == sorted(FORMAT_IDS)


def test_format_file_lists_the_same_ids(shared_dir: Path) -> None:
    text = (shared_dir / "ANNOTATION_FORMAT.md").read_text(encoding="utf-8")
    table = text[text.index("### Variable catalogue"):text.index("### Units")]
    assert re.findall(r"^\| (\w+) \|", table, re.MULTILINE)[1:] == FORMAT_IDS  # [0] is the header


@pytest.mark.parametrize("mention, ids", [
    ("Serum  creatinine", ["creatinine"]),
    ("creatinine clearance", ["creatinine_clearance"]),
    ("White-blood cell count", ["wbc", "csf_wbc"]),
    ("leukemic cells", ["blasts_marrow", "blasts_blood", "blasts_csf"]),
    ("transaminases", ["alt", "ast"]),
    ("performance status", ["ecog", "karnofsky", "lansky"]),
    ("WHO/ECOG score", ["ecog"]),
    ("Lansky play-performance score", ["lansky"]),
    ("CD19 positive", ["cd19_positive"]),
    ("HbA1c", ["hba1c"]),
    ("SGPT", ["alt"]),
    ("no such thing", []),
])
def test_lookup(mention: str, ids: list[str]) -> None:
    assert [v.id for v in load_catalogue().lookup(mention)] == ids


@pytest.mark.parametrize("alias, sensitive", [("ALT", True), ("Cr", True), ("PS", True), ("age", False),
                                              ("ECOG", False), ("HbA1c", False)])
def test_short_abbreviations_keep_their_case(alias: str, sensitive: bool) -> None:
    assert is_case_sensitive(alias) is sensitive


@pytest.mark.parametrize("var_id, unit, accepted", [
    ("platelets", "10*9/L", True), ("platelets", "/uL", True), ("platelets", "{ULN}", False),
    ("creatinine", "{ULN}", True), ("creatinine", "umol/L", True), ("creatinine_clearance", "{ULN}", False),
    ("ecog", "%", False), ("ecog", None, True), ("hemoglobin", "g/L", True), ("hba1c", "mmol/L", True),
])
def test_accepted_units(var_id: str, unit: str | None, accepted: bool) -> None:
    assert load_catalogue().variables[var_id].accepts(unit) is accepted


def test_every_alias_key_is_nonempty() -> None:
    assert all(alias_key(a) for v in load_catalogue().variables.values() for a in v.aliases)


HEADER = "id,core,name,aliases,unit,units,default_unit,min,max,family,context,requires,loinc,molar_mass\n"


@pytest.mark.parametrize("row, message", [
    ("x,1,X,x,furlongs,,,0,1,,,,,\n", "unit 'furlongs' is not in units.csv"),
    ("x,1,X,x,,,,zero,1,,,,,\n", "min 'zero' is not a number"),
    ("x,1,X,x,,,,0,1,,(unclosed,,,\n", "bad context regex"),
    ("x,1,X,x,,,,0,1,,,,,\nx,1,X,y,,,,0,1,,,,,\n", "listed twice"),
    ("x,1,X,x,,,,0,1,,,,2160-1,\n", "variable 'x': loinc '2160-1' has a wrong check digit (expected 0)"),
    ("x,1,X,x,,,,0,1,,,,LP2160-0,\n", "variable 'x': loinc 'LP2160-0' is not of the form"),
    ("x,1,X,x,,,,0,1,,,,12345678-0,\n", "variable 'x': loinc '12345678-0' is not of the form"),
    ("x,1,X,x,,,,0,1,,,,,-5\n", "variable 'x': molar_mass '-5' is not positive"),
    ("x,1,X,x,,,,0,1,,,,,0\n", "variable 'x': molar_mass '0' is not positive"),
    ("x,1,X,x,,,,0,1,,,,,heavy\n", "variable 'x': molar_mass 'heavy' is not a number"),
])
def test_bad_rows_fail_naming_file_and_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                row: str, message: str) -> None:
    bad_data_file_error(monkeypatch, catalogue, tmp_path / "variables.csv", HEADER + row, load_catalogue.__wrapped__,
                        message)


@pytest.mark.parametrize("row, message", [
    ("x,1,X,x,,,,0,1,,,,,,sometimes,\n", "variable 'x': bare_value 'sometimes' is not one of ['at_least']"),
    ("x,1,X,x,,,,0,1,,,,,,,x/nothing\n", "variable 'x': ratio_of must be two catalogue ids"),
    ("x,1,X,x,,,,0,1,,,,,,,,furlongs@0-1\n", "variable 'x': units_by_size unit 'furlongs' is not in units.csv"),
    ("x,1,X,x,,,,0,1,,,,,,,,/uL@0-100|10*9/L@50-200\n", "variable 'x': units_by_size range '50-200' is empty or overlaps"),
    ("x,1,X,x,,,,0,1,,,,,,,,/uL@5-1\n", "variable 'x': units_by_size range '5-1' is empty or overlaps"),
    ("x,1,X,x,,,,0,1,,,,,,,,/uL@a-1\n", "variable 'x': units_by_size 'a' is not a number"),
    ("x,1,X,x,,,,0,1,,,,,,,,,B@7-9|A@5-6\n", "variable 'x': classes entry 'A@5-6' is not a letter after the previous"),
    ("x,1,X,x,,,,0,1,,,,,,,,,AB@1-2\n", "variable 'x': classes entry 'AB@1-2' is not a letter"),
    ("x,1,X,x,,,,0,1,,,,,,,,,A@1-3|B@2-4\n", "variable 'x': classes entry 'B@2-4' is not a letter after the previous"),
    ("x,1,X,x,,,,0,1,,,,,,,,,,x/nothing\n", "variable 'x': pair_of must be two catalogue ids"),
    ("x,1,X,x,,,,0,1,,,,,,,,,,,sideways\n", "variable 'x': limit 'sideways' is not one of ['lower', 'upper']"),
])
def test_bad_logic_columns_fail_naming_file_and_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         row: str, message: str) -> None:
    header = HEADER.rstrip("\n") + ",bare_value,ratio_of,units_by_size,classes,pair_of,limit\n"
    bad_data_file_error(monkeypatch, catalogue, tmp_path / "variables.csv", header + row, load_catalogue.__wrapped__,
                        message)


@pytest.mark.parametrize("var_id, value, unit", [
    ("anc", 1500.0, "/uL"), ("anc", 1.5, "10*9/L"), ("platelets", 75000.0, "/uL"), ("hemoglobin", 9.5, "g/dL"),
    ("creatinine", 1.0, "mg/dL"), ("creatinine", 150.0, None), ("age", 18.0, None), ("anc", None, None),
])
def test_a_value_without_unit_takes_the_one_its_size_allows(var_id: str, value: float | None,
                                                            unit: str | None) -> None:
    assert load_catalogue().variables[var_id].unit_by_size(value) == unit


@pytest.mark.parametrize("row, message", [
    ("x,1,X,x,,,,0,1,,,,,,1\n", "variable 'x': implied 1 needs a canonical unit"),
    ("x,1,X,x,kg,,,0,1,,,,,,furlongs/d\n", "variable 'x': implied unit 'furlongs/d' is not in units.csv"),
])
def test_bad_implied_units_fail_naming_file_and_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         row: str, message: str) -> None:
    bad_data_file_error(monkeypatch, catalogue, tmp_path / "variables.csv", HEADER.rstrip("\n") + ",implied\n" + row,
                        load_catalogue.__wrapped__, message)


def test_classes_and_pairs() -> None:
    variables = load_catalogue().variables
    assert variables["child_pugh"].classes == (("A", 5.0, 6.0), ("B", 7.0, 9.0), ("C", 10.0, 15.0))
    assert variables["blood_pressure"].pair_of == ("systolic_bp", "diastolic_bp")
    assert load_catalogue().pair_members == {"systolic_bp", "diastolic_bp"}
    assert variables["alcohol_intake"].implied == ("{drink}/wk", "{drink}/d")
    assert variables["weight"].implied == ("kg",)
    assert (variables["creatinine"].limit, variables["anc"].limit, variables["age"].limit) == ("upper", "lower", None)


def test_ratios_name_their_parts() -> None:
    assert load_catalogue().ratio("fev1", "fvc").id == "fev1_fvc"
    assert load_catalogue().ratio("fvc", "fev1") is None


# Codes as loinc.org lists them (the brief of issue 18; QTc 8636-3 and pain 72514-3 checked on loinc pages).
@pytest.mark.parametrize("var_id, loinc", [
    ("creatinine", "2160-0"), ("bilirubin", "1975-2"), ("alt", "1742-6"), ("ast", "1920-8"),
    ("platelets", "777-3"), ("anc", "751-8"), ("hemoglobin", "718-7"), ("hba1c", "4548-4"),
    ("systolic_bp", "8480-6"), ("diastolic_bp", "8462-4"), ("heart_rate", "8867-4"), ("bmi", "39156-5"),
    ("weight", "29463-7"), ("height", "8302-2"), ("ecog", "89262-0"), ("karnofsky", "89243-0"),
    ("qtc", "8636-3"), ("pain_score", "72514-3"), ("lansky", None), ("ctcae_grade", None),
])
def test_loinc_codes(var_id: str, loinc: str | None) -> None:
    assert load_catalogue().variables[var_id].loinc == loinc


# Worked example of the LOINC check digit (loinc.org "Check digit"): 12345 -> 5; 2160 -> 0; 89262 -> 0.
@pytest.mark.parametrize("digits, check", [("12345", 5), ("2160", 0), ("89262", 0), ("777", 3), ("39156", 5)])
def test_loinc_check_digit(digits: str, check: int) -> None:
    assert loinc_check_digit(digits) == check


# Molar masses (g/mol) of the brief of issue 18 (PubChem), hemoglobin as the monomer.
@pytest.mark.parametrize("var_id, molar_mass", [
    ("creatinine", 113.12), ("bilirubin", 584.66), ("glucose", 180.16), ("total_cholesterol", 386.65),
    ("triglycerides", 885.4), ("uric_acid", 168.11), ("calcium", 40.078), ("magnesium", 24.305),
    ("phosphate", 30.974), ("bun", 28.014), ("hemoglobin", 16114.5), ("platelets", None), ("age", None),
])
def test_molar_masses(var_id: str, molar_mass: float | None) -> None:
    assert load_catalogue().variables[var_id].molar_mass == molar_mass
