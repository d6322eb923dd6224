"""Two halves of one range written apart: "≥ 18 and ≤ 65 years", "Participants <20 or >75 years of age"."""
from __future__ import annotations

import bisect
import dataclasses
import re

from extractor.thresholds.grammar import Grammar
from extractor.thresholds.mentions import Mention
from extractor.thresholds.values import Value
from extractor.units import convert, convert_quantity


def merge_halves(values: list[Value], folded: str, grammar: Grammar) -> list[Value]:
    """``values`` (linked, left to right) with each pair of halves that constrain the same variable
    joined into one range; the second half of a joined pair is left out."""
    out: list[Value] = []
    absorbed = False
    for k, first in enumerate(values):
        if absorbed:
            absorbed = False
            continue
        if k + 1 < len(values):
            first, absorbed = _joined(first, values[k + 1], folded, grammar)
        out.append(first)
    return out


def _joined(a: Value, b: Value, folded: str, grammar: Grammar) -> tuple[Value, bool]:
    """``a`` as joined with the value after it, and whether ``b`` is now part of it.

    The first half may be unlinked and unitless ("Men or women ≥ 18 and ≤ 80 years old"): it
    takes the variable and unit of the second.
    """
    if not b.links or (a.links and _candidate_ids(a) != _candidate_ids(b)) \
            or (not a.links and (a.unit not in (None, b.high_unit) or a.form != "cmp")):
        return a, False
    original = a
    if a.low is None and b.high is None and a.high is not None and b.low is not None and a.links:
        a, b = _mirrored(a, b)  # "Systolic blood pressure <140 and >90 mmHg": the upper half first
    one_sided = (a.high is None and b.low is None and a.low is not None and b.high is not None)
    # the gap runs to the first mention after the first half ("95 mmHg < SBP < 150 mmHg": none)
    gap_end = min([m.start for m in (*a.links, *b.links) if m.start >= a.end] + [b.start])
    or_gap = grammar.gaps["or_gap"].match(folded, a.end, gap_end)
    if not a.links and or_gap and (a.low is not None and b.high is None
                                   or a.high is not None and a.low is None and b.low is not None):
        # "Participants <20 or >75 years of age": two alternatives on the variable of the second.
        return dataclasses.replace(a, links=b.links, unit=b.unit, high_unit=b.unit, inherited=True), False
    if not one_sided or not grammar.gaps["merge_gap"].match(folded, a.end, gap_end):
        return original, False
    if a.unit is not None and b.high_unit is not None and a.unit != b.high_unit:
        return original, False
    assert a.low is not None and b.high is not None
    if a.low > (convert(b.high, b.high_unit, a.unit or b.high_unit) or b.high):
        return original, False  # "more than 140 and less than 100": contradicting halves stay two records
    unit = a.unit or b.high_unit
    return dataclasses.replace(a, links=a.links or b.links, high=b.high, high_inclusive=b.high_inclusive,
                               end=b.end, unit=unit, high_unit=unit), True


def _mirrored(a: Value, b: Value) -> tuple[Value, Value]:
    """An upper half before a lower half, as the lower half spanning both and the upper half's bound."""
    low = dataclasses.replace(a, low=b.low, low_inclusive=b.low_inclusive, high=None, high_inclusive=None,
                              unit=b.unit if a.unit is None else a.unit)
    high = dataclasses.replace(b, low=None, low_inclusive=None, high=a.high, high_inclusive=a.high_inclusive,
                               high_unit=a.high_unit if a.high_unit is not None else b.unit)
    return low, high


def _candidate_ids(v: Value) -> frozenset[str]:
    return frozenset(c.id for m in v.links for c in m.candidates)


_AND_OR = re.compile(r"\s*,?\s*(?:and|or|and/or)\s+", re.IGNORECASE)
_CASE_OPENS = re.compile(r"\s*\(\s*(?:or\s+)?", re.IGNORECASE)
_CASE_FOLLOWS = re.compile(r"\s+(?:if|for|when|with|in\s+[^\W\d_]{3,})\b", re.IGNORECASE)  # not "(77 in)"


def share_comparators(values: list[Value], mentions: list[Mention], folded: str, grammar: Grammar) -> list[Value]:
    """``values`` with each bare value that a comparison's comparator governs taking it: "exceeding 150 mm
    Hg systolic and 90 mm Hg diastolic" (each value right before its own mention, joined by and/or), and
    a bracketed value for a case ("≤ 3 times ULN (5 times ULN if liver involvement is present)")."""
    starts = [m.start for m in mentions]
    out = list(values)
    for k in range(1, len(out)):
        first, v = out[k - 1], out[k]
        if v.form != "bare" or first.form != "cmp" or (first.low is None) == (first.high is None):
            continue
        if _bracketed_case(first, v, folded):
            unit = v.unit if v.unit is not None else first.unit
        elif _coordinated(first, v, mentions, starts, folded, grammar):
            unit = v.unit
        else:
            continue
        low = v.low if first.low is not None else None
        high = v.low if first.high is not None else None
        out[k] = dataclasses.replace(v, form="cmp", low=low, low_inclusive=first.low_inclusive, high=high,
                                     high_inclusive=first.high_inclusive, unit=unit, high_unit=unit)
    return out


def _coordinated(first: Value, v: Value, mentions: list[Mention], starts: list[int], folded: str,
                 grammar: Grammar) -> bool:
    """"150 mm Hg systolic and 90 mm Hg diastolic": each value right before its own mention."""
    before, after = _mention_right_after(first, mentions, starts, folded, grammar), \
        _mention_right_after(v, mentions, starts, folded, grammar)
    return before is not None and after is not None and _AND_OR.fullmatch(folded, before.end, v.start) is not None


def _bracketed_case(first: Value, v: Value, folded: str) -> bool:
    """"≤ 3 times ULN (5 times ULN if liver involvement is present)", "≥ 75 × 10^9/L (or 20 if due to marrow
    infiltration)": a bracketed value for a stated case, in the unit of the bound before it or none."""
    return _CASE_OPENS.fullmatch(folded, first.end, v.start) is not None \
        and _CASE_FOLLOWS.match(folded, v.end) is not None and v.unit in (None, first.unit)


def _mention_right_after(v: Value, mentions: list[Mention], starts: list[int], folded: str,
                         grammar: Grammar) -> Mention | None:
    """The mention that follows ``v`` with nothing but "of"/"the" between them."""
    k = bisect.bisect_left(starts, v.end)
    if k == len(mentions) or not grammar.gaps["before_gap"].match(folded, v.end, mentions[k].start):
        return None
    return mentions[k]


_OPENS = re.compile(r"\s*[(\[]\s*")
_CLOSES = re.compile(r"\s*[)\]]")
_OR = re.compile(r"\s*(?:or|/)\s*", re.IGNORECASE)
#: Rounding of a converted restatement ("1.5 mg/dL (133 µmol/L)" is 132.6 µmol/L).
_TOLERANCE = 0.03


def drop_restatements(values: list[Value], folded: str) -> list[Value]:
    """``values`` without the bounds that restate the one before them: "≥ 1.5 mg/dL (≥ 133 µmol/L)",
    "≤ upper limit of normal (≤ ULN)", "HbA1c 7.0 - 10.0 % (53 - 86 mmol/mol)", "Hb ≥ 9 g/dL or ≥ 5.6
    mmol/L" (the guidelines: one bound restated in a second unit is one record, in the unit written first)."""
    out: list[Value] = []
    for v in values:
        prev = out[-1] if out else None
        if prev is None or not v.inherited or v.links != prev.links or not _restates(prev, v, folded):
            out.append(v)
    return out


def _restates(first: Value, v: Value, text: str) -> bool:
    """Whether ``v`` says the bounds of ``first`` again: the same sides, alone in brackets right after
    it (equal where the units convert), or after "or" in a unit that converts to an equal bound."""
    if (first.low is None) != (v.low is None) or (first.high is None) != (v.high is None):
        return False
    bracketed = _OPENS.fullmatch(text, first.end, v.start) is not None and _CLOSES.match(text, v.end) is not None
    if not bracketed and (_OR.fullmatch(text, first.end, v.start) is None or v.unit == first.unit):
        return False
    masses = [c.molar_mass for m in v.links for c in m.candidates]
    sides = [(first.low, v.low, first.unit, v.unit), (first.high, v.high, first.high_unit, v.high_unit)]
    for a, b, unit_a, unit_b in sides:
        if a is None or b is None:
            continue
        converted = convert_quantity(b, unit_b, unit_a, masses[0] if masses else None)
        if converted is None and not (bracketed and unit_a != unit_b):
            return False
        if converted is not None and abs(converted - a) > _TOLERANCE * max(abs(a), 1e-9):
            return False
    return True


def split_outside(values: list[Value], folded: str, grammar: Grammar) -> list[Value]:
    """``values`` with each range after "outside the range of" as its two excluded sides: "systolic blood
    pressure outside the range of 90 to 140 mmHg" is < 90 mmHg or > 140 mmHg (two records, one span each);
    the second side is marked ``inherited``: it takes the variable the first is linked to."""
    out: list[Value] = []
    for v in values:
        numbers = list(grammar.number_any.finditer(folded, v.start, v.end)) if v.form == "range" else []
        if len(numbers) < 2 or v.low is None or v.high is None \
                or not grammar.gaps["outside_range"].search(folded, max(0, v.start - 40), v.start):
            out.append(v)
            continue
        out.append(dataclasses.replace(v, end=numbers[0].end(), form="cmp", low=None, low_inclusive=None,
                                       high=v.low, high_inclusive=False, high_unit=v.unit))
        out.append(dataclasses.replace(v, start=numbers[1].start(), form="cmp", low=v.high, low_inclusive=False,
                                       high=None, high_inclusive=None, unit=v.high_unit, inherited=True))
    return out
