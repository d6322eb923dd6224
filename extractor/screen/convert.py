"""A patient's fact expressed in a threshold's unit, or ``None`` with the reason it cannot be.

Conversion goes through the unit table (``extractor.units.convert``: time, counts, mass
concentrations); multiples of the normal limits convert only when the fact carries the limit
(``uln``/``lln`` in the fact's unit). Mass and molar concentrations do not convert: that needs a
molar mass, and a guessed conversion would turn "don't know" into a wrong verdict.
"""
from __future__ import annotations

from extractor.screen.patient import Fact
from extractor.units import convert

#: Threshold units that are multiples of a normal limit, and the fact's key holding that limit.
NORMAL_LIMITS: dict[str, str] = {"{ULN}": "uln", "{LLN}": "lln"}


def fact_in(fact: Fact, unit: str | None) -> tuple[float | None, str]:
    """(value of ``fact`` in ``unit``, how it was obtained or why it could not be)."""
    if isinstance(fact.value, str):
        return None, f"fact is {fact.value!r}, not a number"
    if fact.unit == unit:
        return float(fact.value), "as given"
    if unit in NORMAL_LIMITS:
        limit = getattr(fact, NORMAL_LIMITS[unit])
        if fact.unit in NORMAL_LIMITS or limit is None:
            return None, f"fact in {fact.unit!r} without {NORMAL_LIMITS[unit]}"
        return fact.value / limit, f"{fact.value:g} {fact.unit} / {NORMAL_LIMITS[unit]} {limit:g}"
    converted = convert(fact.value, fact.unit, unit)
    if converted is None:
        return None, f"{fact.unit!r} does not convert to {unit!r}"
    return converted, f"{fact.value:g} {fact.unit} converted"
