"""The variable catalogue: the format's ids, alias lookup, and loud failures on bad rows."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import bad_data_file_error
from extractor import catalogue
from extractor.catalogue import alias_key, is_case_sensitive, load_catalogue

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


HEADER = "id,core,name,aliases,unit,units,default_unit,min,max,family,context,requires\n"


@pytest.mark.parametrize("row, message", [
    ("x,1,X,x,furlongs,,,0,1,,,\n", "unit 'furlongs' is not in units.csv"),
    ("x,1,X,x,,,,zero,1,,,\n", "min 'zero' is not a number"),
    ("x,1,X,x,,,,0,1,,(unclosed,\n", "bad context regex"),
    ("x,1,X,x,,,,0,1,,,\nx,1,X,y,,,,0,1,,,\n", "listed twice"),
])
def test_bad_rows_fail_naming_file_and_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                row: str, message: str) -> None:
    bad_data_file_error(monkeypatch, catalogue, tmp_path / "variables.csv", HEADER + row, load_catalogue.__wrapped__,
                        message)
