"""The registry's structured eligibility fields (minimum and maximum age, sex) as document-level constraints.

Readers keep them in ``Document.meta`` under the registry's own names (API JSON ``minimumAge``,
legacy XML ``minimum_age``, AACT CSV columns); ``data/registry_fields.json`` maps each name to one
constraint and says how to read its values, so a new registry layout is a data change.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from extractor.records import Bound
from extractor.resources import DataFile, DataFileError, data_path
from extractor.screen.criterion import check_bound
from extractor.screen.patient import Patient
from extractor.screen.verdict import Check, CriterionVerdict
from extractor.units import normalize_unit

CONSTRAINTS: tuple[str, ...] = ("minimum_age", "maximum_age", "sex")
FIELDS_FILE = DataFile(frozenset({"key", "constraint"}), frozenset({"bare_unit", "missing", "values"}),
                       choices={"constraint": CONSTRAINTS})
SEXES: frozenset[str] = frozenset({"female", "male", "all"})
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(.*?)\s*$")


@dataclass(frozen=True, slots=True)
class RegistryField:
    """One registry field name and how its values become a constraint."""

    key: str
    constraint: str
    bare_unit: str | None
    missing: frozenset[str]
    values: dict[str, str]


def _field(row: dict[str, Any], where: str) -> RegistryField:
    values = row.get("values") or {}
    if not isinstance(values, dict) or not set(values.values()) <= SEXES:
        raise DataFileError(f"{where}: values must map registry values to {sorted(SEXES)}")
    if row["constraint"] == "sex" and not values:
        raise DataFileError(f"{where}: a sex field needs its values")
    return RegistryField(row["key"], row["constraint"], row.get("bare_unit"),
                         frozenset(row.get("missing") or ()), dict(values))


@lru_cache(maxsize=1)
def load_registry_fields() -> dict[str, RegistryField]:
    """``data/registry_fields.json`` by key; a key listed twice is a data error."""
    path = data_path("registry_fields.json")
    fields: dict[str, RegistryField] = {}
    for i, row in enumerate(FIELDS_FILE.read_json(path, "fields")):
        spec = _field(row, f"{path}, fields[{i}]")
        if spec.key in fields:
            raise DataFileError(f"{path}, fields[{i}]: key {spec.key!r} is listed twice")
        fields[spec.key] = spec
    return fields


def age_bound(spec: RegistryField, raw: str) -> Bound | None:
    """The age bound of "18 Years" / "6 Months" / "18" (a bare number in ``bare_unit``); None when unreadable."""
    match = _AGE.match(raw)
    if not match:
        return None
    unit = normalize_unit(match.group(2)) if match.group(2) else spec.bare_unit
    if unit is None:
        return None
    value = float(match.group(1))
    if spec.constraint == "minimum_age":
        return Bound("age", low=value, low_inclusive=True, unit=unit)
    return Bound("age", high=value, high_inclusive=True, unit=unit)


def _sex_verdict(spec: RegistryField, raw: str, patient: Patient) -> CriterionVerdict | None:
    wanted = spec.values.get(raw)
    if wanted is None:
        return CriterionVerdict(spec.key, "inclusion", None, True, f"unknown registry value {raw!r}")
    if wanted == "all":
        return None
    fact = patient.facts.get("sex")
    holds = None if fact is None else fact.value == wanted
    why = "no fact" if fact is None else f"sex {fact.value}"
    check = Check("sex", None, None, None, None, None, None if fact is None else fact.value, holds, why)
    return CriterionVerdict(spec.key, "inclusion", holds, True, f"registry sex {wanted}: {why}", None, (check,))


def _verdict(spec: RegistryField, raw: str, patient: Patient) -> CriterionVerdict | None:
    if raw in spec.missing:
        return None
    if spec.constraint == "sex":
        return _sex_verdict(spec, raw, patient)
    bound = age_bound(spec, raw)
    if bound is None:
        return CriterionVerdict(spec.key, "inclusion", None, True, f"unreadable registry age {raw!r}")
    check = check_bound(bound, patient)
    return CriterionVerdict(spec.key, "inclusion", check.holds, True, f"registry {spec.key}: {check.describe()}",
                            None, (check,))


def screen_constraints(meta: dict[str, Any], patient: Patient) -> list[CriterionVerdict]:
    """Verdicts of the registry fields a document's ``meta`` carries (inclusion constraints, id = field name)."""
    fields = load_registry_fields()
    verdicts = []
    for key, raw in meta.items():
        if key in fields and raw is not None:
            verdict = _verdict(fields[key], str(raw).strip(), patient)
            if verdict is not None:
                verdicts.append(verdict)
    return verdicts
