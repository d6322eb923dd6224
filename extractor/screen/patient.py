"""Patients to screen: ``{"id", "facts": {variable: {"value", "unit", "uln", "lln"}}, "answers": {…}}``.

A fact names a catalogue variable (or ``sex``, the registry's categorical field) and carries its
value in a UCUM unit, with the upper and lower limits of normal in that unit when known, so that
"≤ 3 × ULN" can be decided. ``answers`` are what a clinician knows beyond the numbers: a criterion
id ("I3") or a condition's text, true or false. Loading validates everything and names the file
and record, because a typo in a variable or unit would otherwise silently read as "unknown".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extractor.catalogue import load_catalogue
from extractor.units import load_units

#: Categorical facts the registry's structured fields constrain, and their allowed values.
CATEGORICAL: dict[str, frozenset[str]] = {"sex": frozenset({"female", "male"})}
_PATIENT_KEYS = frozenset({"id", "facts", "answers"})
_FACT_KEYS = frozenset({"value", "unit", "uln", "lln"})


class PatientError(ValueError):
    """A patient record that does not follow the patient format."""


@dataclass(frozen=True, slots=True)
class Fact:
    """One measured or known value of a patient; ``uln``/``lln`` are in ``unit``."""

    value: float | str
    unit: str | None = None
    uln: float | None = None
    lln: float | None = None


@dataclass(frozen=True, slots=True)
class Patient:
    """A patient: facts by variable id, answers by criterion id or condition text."""

    id: str
    facts: dict[str, Fact] = field(default_factory=dict)
    answers: dict[str, bool] = field(default_factory=dict)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fact(variable: str, raw: Any, where: str) -> Fact:
    where = f"{where}: fact {variable!r}"
    if not isinstance(raw, dict):
        raise PatientError(f"{where}: must be an object with 'value' and 'unit'")
    unknown = set(raw) - _FACT_KEYS
    if unknown:
        raise PatientError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_FACT_KEYS)}")
    if "value" not in raw:
        raise PatientError(f"{where}: missing 'value'")
    value, unit = raw["value"], raw.get("unit")
    if variable in CATEGORICAL:
        if not isinstance(value, str) or value.lower() not in CATEGORICAL[variable]:
            raise PatientError(f"{where}: value must be one of {sorted(CATEGORICAL[variable])}, got {value!r}")
        return Fact(value.lower())
    if not _is_number(value):
        raise PatientError(f"{where}: 'value' must be a number, got {value!r}")
    if unit is not None and unit not in load_units().units:
        raise PatientError(f"{where}: unit {unit!r} is not a UCUM code of the unit table (extractor/data/units.csv)")
    limits = {}
    for key in ("uln", "lln"):
        limit = raw.get(key)
        if limit is not None and (not _is_number(limit) or limit <= 0):
            raise PatientError(f"{where}: {key!r} must be a positive number, got {limit!r}")
        limits[key] = limit
    return Fact(value, unit, limits["uln"], limits["lln"])


def patient_from_dict(obj: Any, where: str) -> Patient:
    """A validated patient; :class:`PatientError` names ``where`` (file and record) and the fault."""
    if not isinstance(obj, dict):
        raise PatientError(f"{where}: a patient must be a JSON object, got {type(obj).__name__}")
    unknown = set(obj) - _PATIENT_KEYS
    if unknown:
        raise PatientError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_PATIENT_KEYS)}")
    patient_id = obj.get("id")
    if not isinstance(patient_id, (str, int)) or isinstance(patient_id, bool) or patient_id == "":
        raise PatientError(f"{where}: missing or invalid 'id'")
    where = f"{where} (patient {patient_id!r})"
    facts, answers = obj.get("facts") or {}, obj.get("answers") or {}
    if not isinstance(facts, dict) or not isinstance(answers, dict):
        raise PatientError(f"{where}: 'facts' and 'answers' must be objects")
    known = load_catalogue().variables
    for variable in facts:
        if variable not in known and variable not in CATEGORICAL:
            raise PatientError(f"{where}: fact {variable!r} is not a catalogue variable "
                               "(extractor/data/variables.csv) nor one of " + ", ".join(sorted(CATEGORICAL)))
    bad = [key for key, answer in answers.items() if not isinstance(answer, bool)]
    if bad:
        raise PatientError(f"{where}: answers must be true or false; not so for {bad}")
    return Patient(str(patient_id), {v: _fact(v, raw, where) for v, raw in facts.items()}, dict(answers))
