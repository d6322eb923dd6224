"""Value expressions: "≥ 1,500/µL", "between 18 and 65 years", "grade III-IV", "< LLN" → bounds and units.

A value is read from one match of the grammar's ``value`` fragment; its form (``cmp``, ``range``,
``list``, ``stage``, ``post``, ``bare``, ``normal``) tells the linking rules how close to its
variable it must stand.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import NamedTuple

from extractor.thresholds.grammar import EQ, HIGH, LOW, Grammar, is_time, scan
from extractor.thresholds.mentions import Mention
from extractor.thresholds.numbers import parse_number
from extractor.units import convert, normalize_unit

#: Words of the normal_limit fragment that put a value above a limit of normal (the others: below it).
_ABOVE = frozenset({"above", "over", "exceeding", "exceeds", "exceed", "greater", "more", "higher"})


@dataclass(frozen=True)
class Value:
    """A value expression; ``links`` are the mentions it constrains once linked."""

    start: int
    end: int
    form: str
    low: float | None
    low_inclusive: bool | None
    high: float | None
    high_inclusive: bool | None
    unit: str | None
    high_unit: str | None
    age_like: bool
    age_phrase: bool
    unknown_tail: bool
    links: tuple[Mention, ...] = ()
    subgroup: tuple[int, int] | None = None
    from_lead: bool = False
    inherited: bool = False

    @property
    def time_like(self) -> bool:
        """A duration or an age: "≤ 96 hours", "under the age of 18"."""
        return is_time(self.unit) or is_time(self.high_unit) or self.age_phrase


class _Reading(NamedTuple):
    """Bounds of a value as written, before its unit surfaces are read."""

    form: str
    low: float | None
    low_inclusive: bool | None
    high: float | None
    high_inclusive: bool | None
    unit_surfaces: tuple[str | None, str | None]
    comparator_word: str = ""


def find_values(folded: str, lowered: str, grammar: Grammar) -> list[Value]:
    """Value expressions, left to right; the grammar is tried only where a value can start."""
    out: list[Value] = []
    pos = 0
    while (anchor := scan(grammar.anchor, lowered, pos)) is not None:
        m = grammar.value.match(folded, anchor.start())
        if m is None or m.end() == m.start():
            pos = anchor.end()
            continue
        value = parse_value(m, grammar)
        if value is not None:
            if value.form == "cmp" and grammar.gaps["negated_cmp"].search(lowered, max(0, value.start - 40),
                                                                          value.start):
                value = _complement(value)
            out.append(value)
        pos = m.end()
    return out


def _complement(v: Value) -> Value:
    """A one-sided bound under a negation ("must not have received more than 2 regimens") → its complement."""
    if (v.low is None) == (v.high is None):
        return v
    if v.low is not None:
        return dataclasses.replace(v, high=v.low, high_inclusive=not v.low_inclusive, high_unit=v.unit,
                                   low=None, low_inclusive=None)
    return dataclasses.replace(v, low=v.high, low_inclusive=not v.high_inclusive, unit=v.high_unit,
                               high=None, high_inclusive=None)


def parse_value(m: re.Match[str], grammar: Grammar) -> Value | None:
    """Bounds and units of one match of the value grammar; ``None`` when it cannot be a constraint."""
    groups = m.groupdict()
    if groups["ncmp"] is not None:
        return _normal_limit_value(m)
    r = _reading(groups, grammar)
    if r.low is None and r.high is None:
        return None
    surfaces = r.unit_surfaces
    units = [unit_code(s, grammar) if s else None for s in surfaces]
    if any(s and u is None for s, u in zip(surfaces, units)):
        return None  # a unit the table does not know: better no record than a wrong one
    unit = units[0] if r.low is not None else units[1]
    high_unit = units[1] if r.high is not None else units[0]
    if r.low is not None and r.high is not None and r.low > (convert(r.high, high_unit, unit) or r.high):
        return None  # runs backwards ("6 months to < 1 year" does not): not a range
    if is_time(unit or high_unit) and grammar.gaps["rate_tail"].match(m.string, m.end()):
        return None  # "at least 4 hours/day": a rate, no age and no duration
    # "under the age of 18", "between the ages of 18 and 65"
    age_phrase = bool(groups.get("cage") or groups.get("bage"))
    age_like = age_phrase or is_time(unit or high_unit) and bool(
        any(s and grammar.gaps["age_unit"].search(s) for s in surfaces)
        or grammar.gaps["age_words"].search(r.comparator_word))
    # "3x upper normal", "140/90", "135 mEq/dL": followed by something that reads as a unit we do not know.
    unknown_tail = r.form != "stage" and surfaces[1] is None \
        and grammar.gaps["unknown_unit"].match(m.string, m.end()) is not None
    return Value(m.start(), m.end(), r.form, r.low, r.low_inclusive, r.high, r.high_inclusive, unit, high_unit,
                 age_like, age_phrase, unknown_tail)


def _reading(groups: dict[str, str | None], grammar: Grammar) -> _Reading:
    """The bounds of the form that matched, by the groups it filled."""
    if groups["b1"] is not None or groups["r2"] is not None:
        return _range(groups, grammar)
    if groups["cmp"] is not None:
        return _comparison(groups, grammar)
    if groups["vn"] is not None:  # "95 mmHg < systolic blood pressure": above 95 mmHg
        return _Reading("cmp", parse_number(groups["vn"]), groups["vc"] != "<", None, None,
                        (groups["vu"], groups["vu"]), groups["vc"])
    if groups["roman"] is not None:  # "grade III", "class III-IV", "class III or IV"
        return _stage(groups, grammar)
    if groups["post"] is not None:  # "18 years or older"
        comparator = grammar.comparator(groups["post"])
        number, unit = parse_number(groups["n1"]), groups["u1"]
        if comparator.bound == LOW:
            return _Reading("post", number, comparator.inclusive, None, None, (unit, unit), groups["post"])
        return _Reading("post", None, None, number, comparator.inclusive, (unit, unit), groups["post"])
    if groups["ltail"] is not None:  # "grade 0, 1 or 2"
        listed = groups["n1"] + groups["ltail"]
        numbers = [n for n in (parse_number(x.group()) for x in grammar.number_any.finditer(listed))
                   if n is not None]
        return _Reading("list", min(numbers), True, max(numbers), True, (groups["lu"], groups["lu"]))
    number = parse_number(groups["n1"])
    return _Reading("bare", number, True, number, True, (groups["u1"], groups["u1"]))


def _stage(groups: dict[str, str | None], grammar: Grammar) -> _Reading:
    """"class III-IV"; with a comparator, one side: "NYHA class ≥ III", "> Grade I", "Grade II or greater"."""
    low = float(grammar.words[groups["roman"]][0])  # type: ignore[index]
    high = float(grammar.words[groups["roman2"]][0]) if groups["roman2"] else low
    surface = groups["spre"] or groups["scmp"] or groups["spost"]
    if surface is None or groups["roman2"]:
        return _Reading("stage", low, True, high, True, (None, None))
    comparator = grammar.comparator(surface)
    if comparator.bound == LOW:
        return _Reading("stage", low, comparator.inclusive, None, None, (None, None), surface)
    if comparator.bound == HIGH:
        return _Reading("stage", None, None, low, comparator.inclusive, (None, None), surface)
    return _Reading("stage", low, True, low, True, (None, None), surface)


def _range(groups: dict[str, str | None], grammar: Grammar) -> _Reading:
    """"between 18 and 65 years", "18 - < 65 years"."""
    between = groups["b1"] is not None
    low = parse_number(groups["b1" if between else "n1"])
    high = parse_number(groups["b2" if between else "r2"])
    u1, u2 = (groups["bu1"], groups["bu2"]) if between else (groups["u1"], groups["ru2"])
    high_inclusive = between or groups["rc2"] is None or grammar.comparator(groups["rc2"]).inclusive
    return _Reading("range", low, True, high, high_inclusive, (u1 or u2, u2 or u1))


def _comparison(groups: dict[str, str | None], grammar: Grammar) -> _Reading:
    """"≥ 1,500/µL"; with a second number, "≥ 6 months to ≤ 18 years" or "=18.5 to =29.9"."""
    comparator = grammar.comparator(groups["cmp"])
    number = parse_number(groups["c1"])
    unit = groups["cu1"]
    if groups["c2"] is not None:
        low_inclusive = comparator.inclusive if comparator.bound == LOW else True
        high_inclusive = groups["cc2"] is None or grammar.comparator(groups["cc2"]).inclusive
        return _Reading("cmp", number, low_inclusive, parse_number(groups["c2"]), high_inclusive,
                        (unit or groups["cu2"], groups["cu2"] or unit), groups["cmp"])
    low, low_inclusive = (number, comparator.inclusive) if comparator.bound in (LOW, EQ) else (None, None)
    high, high_inclusive = (number, comparator.inclusive) if comparator.bound in (HIGH, EQ) else (None, None)
    return _Reading("cmp", low, low_inclusive, high, high_inclusive, (unit, unit), groups["cmp"])


def _normal_limit_value(m: re.Match[str]) -> Value:
    """A comparison with a limit of normal and no number: "above the upper limit of normal" → > 1 {ULN},
    "< LLN" → < 1 {LLN}; a bare "normal limit" is the upper one above and the lower one below it, and
    "above or below" a limit that is not the upper one gives both."""
    cmp_word, side = m.group("ncmp").lower(), m.group("nside").lower()
    negated = "not" in cmp_word.split() or cmp_word.startswith("cannot")     # "must not exceed ULN": ≤ 1 × ULN
    above = (cmp_word[0] in ">≥" or any(word in _ABOVE for word in cmp_word.split())) != negated
    inclusive = cmp_word in ("≥", "≤") or negated
    named = "{ULN}" if "upper" in side or side == "uln" else "{LLN}" if "lower" in side or side == "lln" else None
    if named != "{ULN}" and above and m.group("nbelow"):
        return Value(m.start(), m.end(), "normal", 1.0, False, 1.0, False, "{ULN}", "{LLN}", False, False, False)
    unit = named or ("{ULN}" if above else "{LLN}")
    low, low_inc, high, high_inc = (1.0, inclusive, None, None) if above else (None, None, 1.0, inclusive)
    return Value(m.start(), m.end(), "normal", low, low_inc, high, high_inc, unit, unit, False, False, False)


def unit_code(surface: str, grammar: Grammar) -> str | None:
    """UCUM code of a unit as matched: the grammar's spellings of "× ULN" first ("2.5 x UL" is no
    "/uL"), then the unit table."""
    return "{ULN}" if grammar.gaps["uln"].fullmatch(surface.strip()) else normalize_unit(surface)
