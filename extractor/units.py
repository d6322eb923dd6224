"""Units of measure: surface forms → UCUM codes, and conversion within commensurable groups.

The table lives in ``data/units.csv``. The scorer converts a predicted bound to the gold
unit before comparing, so conversion is deliberately narrow: only units of one group
(time, counts per volume, mass concentrations) convert, every other unit converts only to
itself, and a unitless value (``None``) only to ``None``. A wrong conversion would make a
wrong threshold score as right, so "don't know" is always ``None``, never a guess.
Molar concentrations form their own group, which only :func:`convert_quantity` converts
(within the group, and to or from mass concentrations given a molar mass): the scorer's
:func:`convert` keeps the narrow behaviour its reports were measured with.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache

from extractor.records import Threshold
from extractor.resources import DataFile, DataFileError, data_path

UNITS_FILE = DataFile(frozenset({"code", "factor", "aliases"}), frozenset({"group", "not_in_text"}))

FOLD_FILE = DataFile(frozenset({"char", "replacement"}), frozenset({"note"}))
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUPERSCRIPT_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_POWER_OF_TEN = re.compile(r"10(?:\^|\*\*?|e)?[({]?(\d{1,2})[)}]?(?=/|cells|$)")
_SPACE = re.compile(r"[\s\-]+")
_CELLS_PER = re.compile(r"(?:(?<=[\d^/])|^)cells?/")
_LITRE = re.compile(r"/(?:liter|litre)$")
_LEADING_TIMES = re.compile(r"^(?:x|\*|•|·)(?=\d|[a-z{])")


MOLAR = "molar"
MASS = "mass"
_SCORER_EXCLUDED_GROUPS = frozenset({MOLAR})


class UnitError(ValueError):
    """A conversion between units that are not commensurable, or an unknown unit."""


@dataclass(frozen=True, slots=True)
class Unit:
    """A UCUM unit: its commensurability group (``None``: itself only) and factor to the group's base."""

    code: str
    group: str | None
    factor: float


@dataclass(frozen=True)
class UnitTable:
    """The loaded unit table: units by code, and alias keys → code."""

    units: dict[str, Unit]
    aliases: dict[str, str]
    text_aliases: tuple[tuple[str, str], ...]
    """(surface alias, code) pairs safe to match after a number in running text, longest first."""


@lru_cache(maxsize=1)
def fold_table() -> tuple[dict[str, str], re.Pattern[str]]:
    """``data/fold.csv``: one character → one character (offsets survive folding); shared with thresholds."""
    path = data_path("fold.csv")
    table: dict[str, str] = {}
    for row in FOLD_FILE.read_csv(path):
        char, replacement = (chr(int(c[2:], 16)) if c.startswith("U+") else c
                             for c in (row["char"], row["replacement"]))
        if len(char) != 1 or len(replacement) != 1:
            raise DataFileError(f"{path}: {row['char']!r} → {row['replacement']!r} "
                                "must map one character to one")
        table[char] = replacement
    # A regex replaces the few characters that change several times faster than str.translate.
    return table, re.compile("[" + re.escape("".join(table)) + "]")


@lru_cache(maxsize=1)
def _key_translation() -> dict[int, str]:
    return str.maketrans(fold_table()[0])


def unit_key(surface: str) -> str:
    """Comparison key of a unit as written: case, white space, hyphens, micro signs, exponents folded."""
    s = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m.group().translate(_SUPERSCRIPTS), surface)
    s = s.translate(_key_translation())
    s = _SPACE.sub("", s.lower())
    s = _POWER_OF_TEN.sub(r"10^\1", s)
    s = _CELLS_PER.sub("/", s)  # "cells/mm3" is "/mm3"; "10^9 cells/Liter" is "10^9/l"
    s = _LITRE.sub("/l", s)
    return _LEADING_TIMES.sub("", s)


@lru_cache(maxsize=1)
def load_units() -> UnitTable:
    """Read ``data/units.csv`` once; conflicting aliases (one key, two codes) are a data error."""
    path = data_path("units.csv")
    units: dict[str, Unit] = {}
    aliases: dict[str, str] = {}
    text_aliases: list[tuple[str, str]] = []
    for row in UNITS_FILE.read_csv(path):
        code = row["code"]
        if code in units:
            raise DataFileError(f"{path}: unit {code!r} is listed twice")
        try:
            factor = float(row["factor"])
        except ValueError as exc:
            raise DataFileError(f"{path}: unit {code!r}: factor {row['factor']!r} is not a number") from exc
        units[code] = Unit(code, row.get("group") or None, factor)
        not_in_text = {a.strip() for a in (row.get("not_in_text") or "").split("|") if a.strip()}
        if "*" in not_in_text:
            not_in_text = set(row["aliases"].split("|")) | {code}
        for alias in [code, *(a.strip() for a in row["aliases"].split("|") if a.strip())]:
            key = unit_key(alias)
            if aliases.setdefault(key, code) != code:
                raise DataFileError(f"{path}: alias {alias!r} of {code!r} already names {aliases[key]!r}")
            if alias not in not_in_text:
                text_aliases.append((alias, code))
    text_aliases.sort(key=lambda pair: -len(pair[0]))
    return UnitTable(units, aliases, tuple(dict.fromkeys(text_aliases)))


@lru_cache(maxsize=4096)
def normalize_unit(surface: str | None) -> str | None:
    """UCUM code of a unit as written ("cells/µL" → "/uL", "× ULN" → "{ULN}"); ``None`` when unknown."""
    if surface is None:
        return None
    return load_units().aliases.get(unit_key(surface))


def convert(value: float, from_unit: str | None, to_unit: str | None) -> float | None:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (UCUM codes), or ``None`` when not commensurable."""
    if from_unit == to_unit:
        return value
    if from_unit is None or to_unit is None:
        return None
    units = load_units().units
    src, dst = units.get(from_unit), units.get(to_unit)
    if src is None or dst is None or src.group is None or src.group != dst.group \
            or src.group in _SCORER_EXCLUDED_GROUPS:
        return None
    return value * src.factor / dst.factor


def convert_quantity(value: float, from_unit: str | None, to_unit: str | None,
                     molar_mass: float | None = None) -> float | None:
    """Like :func:`convert`, and also within molar units and, given ``molar_mass`` (g/mol), mass ↔ molar.

    Bases are g/L and mol/L, so mass → molar is ``value·f_src / M / f_dst`` exactly; ``None``
    when not commensurable (a molar unit against a mass unit without a molar mass).
    """
    converted = convert(value, from_unit, to_unit)
    if converted is not None or from_unit is None or to_unit is None:
        return converted
    units = load_units().units
    src, dst = units.get(from_unit), units.get(to_unit)
    if src is None or dst is None:
        return None
    groups = (src.group, dst.group)
    if groups == (MOLAR, MOLAR):
        return value * src.factor / dst.factor
    if molar_mass is None or molar_mass <= 0:
        return None
    if groups == (MASS, MOLAR):
        return value * src.factor / molar_mass / dst.factor
    if groups == (MOLAR, MASS):
        return value * src.factor * molar_mass / dst.factor
    return None


def convert_threshold(t: Threshold, unit: str | None) -> Threshold:
    """A copy of ``t`` with both bounds expressed in ``unit``; :class:`UnitError` when not commensurable."""
    bounds: dict[str, float | None] = {}
    for name in ("low", "high"):
        value = getattr(t, name)
        if value is None:
            bounds[name] = None
            continue
        converted = convert(value, t.unit, unit)
        if converted is None:
            raise UnitError(f"threshold {t.variable!r} at [{t.start}, {t.end}): "
                            f"cannot convert {t.unit!r} to {unit!r}")
        bounds[name] = converted
    return dataclasses.replace(t, low=bounds["low"], high=bounds["high"], unit=unit)
