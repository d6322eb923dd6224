"""The variable catalogue (``data/variables.csv``): ids, aliases, canonical units, plausible ranges.

Thresholds name a variable by catalogue id; the extractor finds variables through their
aliases and uses the rest of a row to decide between members of a family ("blasts" in
bone marrow, blood or CSF) and to reject values no patient can have ("ECOG 70").
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache

from extractor.resources import DataFile, DataFileError, data_path
from extractor.units import convert, load_units

VARIABLES_FILE = DataFile(
    frozenset({"id", "name", "aliases", "min", "max"}),
    frozenset({"core", "unit", "units", "default_unit", "family", "context", "requires", "implied", "loinc",
               "molar_mass", "bare_value", "ratio_of", "units_by_size", "classes", "pair_of", "limit"}),
)
_KEY_SEPARATORS = re.compile(r"[\s\-]+")
_BARE_VALUES = frozenset({"at_least"})
_LIMITS = frozenset({"upper", "lower"})
_LOINC = re.compile(r"^(\d{1,7})-(\d)$")


@dataclass(frozen=True, slots=True)
class Variable:
    """One catalogue row; ``units`` ``None`` means any unit; ``context``/``requires`` are compiled regexes."""

    id: str
    name: str
    aliases: tuple[str, ...]
    unit: str | None
    units: tuple[str, ...] | None
    default_unit: str | None
    low: float
    high: float
    core: bool
    family: str | None
    context: re.Pattern[str] | None
    requires: re.Pattern[str] | None
    implied: tuple[str, ...] = ()
    """Units whose value alone names the variable ("must be >= 15 kg" is a weight)."""
    loinc: str | None = None
    """LOINC code of the variable as trials use it (FHIR export codes thresholds with it)."""
    molar_mass: float | None = None
    """g/mol, for variables reported in both mass and molar units (:func:`units.convert_quantity`)."""
    bare_value: str | None = None
    """"at_least": a value without a comparator in an inclusion criterion is a lower bound."""
    ratio_of: tuple[str, str] | None = None
    """(numerator id, denominator id) of a ratio that is one variable (FEV1/FVC)."""
    units_by_size: tuple[tuple[str, float, float], ...] = ()
    """(unit, low, high): the unit of a value written without one when its size leaves only that unit
    plausible (ANC 1500 is /uL, ANC 1.5 is 10^9/L); applies where there is no ``default_unit``."""
    classes: tuple[tuple[str, float, float], ...] = ()
    """(letter, low, high): a class named by a letter is that range of the score ("Child-Pugh B" is 7-9)."""
    pair_of: tuple[str, str] | None = None
    """(first id, second id): the variable is measured as a pair, "140/90" (blood pressure)."""
    limit: str | None = None
    """"upper" / "lower": the side an adequacy table's bare rows bound ("creatinine as follows: 0.4 mg/dL")."""

    def unit_by_size(self, value: float | None) -> str | None:
        """The unit a value of this size written without one must be in, if only one is plausible."""
        if value is None:
            return None
        return next((unit for unit, low, high in self.units_by_size if low <= value <= high), None)

    def accepts(self, unit: str | None) -> bool:
        """Whether a value in ``unit`` can be about this variable ("platelets ≥ 1.5 × ULN" cannot)."""
        if unit is None or self.units is None:
            return True
        return any(convert(1.0, unit, allowed) is not None for allowed in self.units)


@dataclass(frozen=True)
class Catalogue:
    """All variables in file order, and alias key → the variables that alias may name."""

    variables: dict[str, Variable]
    by_alias: dict[str, tuple[Variable, ...]]

    def lookup(self, mention: str) -> tuple[Variable, ...]:
        """Variables a mention may name, as written in text ("Serum  creatinine" → creatinine)."""
        return self.by_alias.get(alias_key(mention), ())

    def ratio(self, numerator: str, denominator: str) -> Variable | None:
        """The variable that is the ratio of two others ("fev1", "fvc" → fev1_fvc), if the catalogue has one."""
        return next((v for v in self.variables.values() if v.ratio_of == (numerator, denominator)), None)

    @cached_property
    def implied(self) -> tuple[Variable, ...]:
        """The variables a unit alone can name (``implied`` units), in file order."""
        return tuple(v for v in self.variables.values() if v.implied)

    @cached_property
    def pair_members(self) -> frozenset[str]:
        """Ids of the variables measured as members of a pair (systolic and diastolic pressure)."""
        return frozenset(i for v in self.variables.values() if v.pair_of for i in v.pair_of)

    def core_ids(self) -> list[str]:
        """Ids of the annotation format's catalogue, in file order."""
        return [v.id for v in self.variables.values() if v.core]


def alias_key(mention: str) -> str:
    """Lookup key of a mention: lower case, white space and hyphens dropped."""
    return _KEY_SEPARATORS.sub("", mention.lower())


def is_case_sensitive(alias: str) -> bool:
    """Short abbreviations with a capital (ALT, PS, Cr, Hb) must keep their case to avoid common words."""
    return len(alias) <= 3 and any(c.isupper() for c in alias)


def _regex(path: str, var_id: str, column: str, pattern: str) -> re.Pattern[str] | None:
    if not pattern:
        return None
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise DataFileError(f"{path}: variable {var_id!r}: bad {column} regex {pattern!r}: {exc}") from exc


def _number(path: str, var_id: str, column: str, value: str) -> float:
    try:
        return float(value)
    except ValueError as exc:
        raise DataFileError(f"{path}: variable {var_id!r}: {column} {value!r} is not a number") from exc


def loinc_check_digit(digits: str) -> int:
    """LOINC's mod-10 check digit (the Luhn scheme): every other digit from the right doubled."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value // 10 + value % 10
    return (10 - total % 10) % 10


def _loinc(path: str, var_id: str, code: str) -> str | None:
    if not code:
        return None
    match = _LOINC.match(code)
    if match is None:
        raise DataFileError(f"{path}: variable {var_id!r}: loinc {code!r} is not of the form 1234-5")
    if loinc_check_digit(match.group(1)) != int(match.group(2)):
        raise DataFileError(f"{path}: variable {var_id!r}: loinc {code!r} has a wrong check digit "
                            f"(expected {loinc_check_digit(match.group(1))})")
    return code


def _molar_mass(path: str, var_id: str, value: str) -> float | None:
    if not value:
        return None
    mass = _number(path, var_id, "molar_mass", value)
    if not mass > 0:
        raise DataFileError(f"{path}: variable {var_id!r}: molar_mass {value!r} is not positive")
    return mass


def _units_by_size(path: str, var_id: str, value: str,
                   units: Mapping[str, object]) -> tuple[tuple[str, float, float], ...]:
    """``"10*9/L@0-100|/uL@100-100000"`` → ((unit, low, high), ...); ranges must not overlap."""
    out: list[tuple[str, float, float]] = []
    for part in (p for p in value.split("|") if p):
        code, _, bounds = part.partition("@")
        low, _, high = bounds.partition("-")
        if code not in units:
            raise DataFileError(f"{path}: variable {var_id!r}: units_by_size unit {code!r} is not in units.csv")
        lo, hi = _number(path, var_id, "units_by_size", low), _number(path, var_id, "units_by_size", high)
        if lo > hi or any(lo < h and o_lo < hi for _, o_lo, h in out):
            raise DataFileError(f"{path}: variable {var_id!r}: units_by_size range {bounds!r} is empty or overlaps")
        out.append((code, lo, hi))
    return tuple(out)


def _implied(path: str, var_id: str, value: str, unit: str | None, units: Mapping[str, object]) -> tuple[str, ...]:
    """``implied``: "1" (the canonical unit) or "|"-separated unit codes ("{drink}/d|{drink}/wk")."""
    codes = ((unit,) if unit else ()) if value == "1" else tuple(c for c in value.split("|") if c)
    for code in codes:
        if code not in units:
            raise DataFileError(f"{path}: variable {var_id!r}: implied unit {code!r} is not in units.csv")
    if value == "1" and not codes:
        raise DataFileError(f"{path}: variable {var_id!r}: implied 1 needs a canonical unit")
    return codes


def _classes(path: str, var_id: str, value: str) -> tuple[tuple[str, float, float], ...]:
    """``classes``: "A@5-6|B@7-9|C@10-15", one letter per class, in order, ranges rising and apart."""
    out: list[tuple[str, float, float]] = []
    for part in (p for p in value.split("|") if p):
        letter, _, bounds = part.partition("@")
        low, _, high = bounds.partition("-")
        lo, hi = _number(path, var_id, "classes", low), _number(path, var_id, "classes", high)
        if len(letter) != 1 or not letter.isalpha() or lo > hi or (out and (letter <= out[-1][0] or lo <= out[-1][2])):
            raise DataFileError(f"{path}: variable {var_id!r}: classes entry {part!r} is not a letter after the "
                                "previous one with a range above the previous one")
        out.append((letter.upper(), lo, hi))
    return tuple(out)


def _choice(path: str, var_id: str, column: str, value: str, allowed: frozenset[str]) -> str | None:
    if value and value not in allowed:
        raise DataFileError(f"{path}: variable {var_id!r}: {column} {value!r} is not one of {sorted(allowed)}")
    return value or None


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """Read ``data/variables.csv`` once; units must be codes of the unit table."""
    path = data_path("variables.csv")
    units = load_units().units
    variables: dict[str, Variable] = {}
    by_alias: dict[str, list[Variable]] = {}
    for row in VARIABLES_FILE.read_csv(path):
        var_id = row["id"]
        if var_id in variables:
            raise DataFileError(f"{path}: variable {var_id!r} is listed twice")
        accepted = None if row.get("units") == "*" else tuple(
            u for u in (row.get("unit"), *(row.get("units") or "").split("|")) if u)
        for code in (*(accepted or ()), row.get("default_unit")):
            if code and code not in units:
                raise DataFileError(f"{path}: variable {var_id!r}: unit {code!r} is not in units.csv")
        aliases = tuple(a.strip() for a in row["aliases"].split("|") if a.strip())
        var = Variable(
            var_id, row["name"], aliases, row.get("unit") or None, accepted, row.get("default_unit") or None,
            _number(str(path), var_id, "min", row["min"]), _number(str(path), var_id, "max", row["max"]),
            row.get("core") == "1", row.get("family") or None,
            _regex(str(path), var_id, "context", row.get("context", "")),
            _regex(str(path), var_id, "requires", row.get("requires", "")),
            _implied(str(path), var_id, row.get("implied") or "", row.get("unit") or None, units),
            _loinc(str(path), var_id, row.get("loinc") or ""),
            _molar_mass(str(path), var_id, row.get("molar_mass") or ""),
            _choice(str(path), var_id, "bare_value", row.get("bare_value") or "", _BARE_VALUES),
            tuple(row["ratio_of"].split("/")) if row.get("ratio_of") else None,  # type: ignore[arg-type]
            _units_by_size(str(path), var_id, row.get("units_by_size") or "", units),
            _classes(str(path), var_id, row.get("classes") or ""),
            tuple(row["pair_of"].split("/")) if row.get("pair_of") else None,  # type: ignore[arg-type]
            _choice(str(path), var_id, "limit", row.get("limit") or "", _LIMITS),
        )
        variables[var_id] = var
        for alias in aliases:
            members = by_alias.setdefault(alias_key(alias), [])
            if var not in members:
                members.append(var)
    for var in variables.values():
        if var.ratio_of is not None and (len(var.ratio_of) != 2 or not set(var.ratio_of) <= variables.keys()):
            raise DataFileError(f"{path}: variable {var.id!r}: ratio_of must be two catalogue ids as 'x/y'")
        if var.pair_of is not None and (len(var.pair_of) != 2 or not set(var.pair_of) <= variables.keys()):
            raise DataFileError(f"{path}: variable {var.id!r}: pair_of must be two catalogue ids as 'x/y'")
    return Catalogue(variables, {key: tuple(vs) for key, vs in by_alias.items()})
