"""A patient's fact expressed in a threshold's unit, or ``None`` with the reason it cannot be.

Conversion goes through the unit table (``extractor.units.convert``: time, counts, mass
concentrations, molar concentrations); multiples of the normal limits convert only when the fact
carries the limit (``uln``/``lln`` in the fact's unit). Mass and molar concentrations convert only
through the catalogue's molar mass of the variable (``Variable.molar_mass``): without one the value
stays unknown, because a guessed conversion would turn "don't know" into a wrong verdict.
"""
from __future__ import annotations

from extractor.screen.patient import Fact
from extractor.catalogue import load_catalogue
from extractor.units import convert_quantity

#: Threshold units that are multiples of a normal limit, and the fact's key holding that limit.
NORMAL_LIMITS: dict[str, str] = {"{ULN}": "uln", "{LLN}": "lln"}


def fact_in(fact: Fact, unit: str | None, variable: str | None = None) -> tuple[float | None, str]:
    """(value of ``fact`` in ``unit``, how it was obtained or why it could not be); ``variable`` gives the
    molar mass for mass ↔ molar conversion."""
    if isinstance(fact.value, str):
        return None, f"fact is {fact.value!r}, not a number"
    if fact.unit == unit:
        return float(fact.value), "as given"
    if unit in NORMAL_LIMITS:
        limit = getattr(fact, NORMAL_LIMITS[unit])
        if fact.unit in NORMAL_LIMITS or limit is None:
            return None, f"fact in {fact.unit!r} without {NORMAL_LIMITS[unit]}"
        return fact.value / limit, f"{fact.value:g} {fact.unit} / {NORMAL_LIMITS[unit]} {limit:g}"
    var = load_catalogue().variables.get(variable or "")
    converted = convert_quantity(fact.value, fact.unit, unit, var.molar_mass if var else None)
    if converted is None:
        return None, f"{fact.unit!r} does not convert to {unit!r}"
    return converted, f"{fact.value:g} {fact.unit} converted"
