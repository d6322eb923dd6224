"""Two halves of one range written apart: "≥ 18 and ≤ 65 years", "Participants <20 or >75 years of age"."""
from __future__ import annotations

import dataclasses

from extractor.thresholds.grammar import Grammar
from extractor.thresholds.values import Value
from extractor.units import convert


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
    one_sided = (a.high is None and b.low is None and a.low is not None and b.high is not None)
    # the gap runs to the first mention after the first half ("95 mmHg < SBP < 150 mmHg": none)
    gap_end = min([m.start for m in (*a.links, *b.links) if m.start >= a.end] + [b.start])
    or_gap = grammar.gaps["or_gap"].match(folded, a.end, gap_end)
    if not a.links and or_gap and (a.low is not None and b.high is None
                                   or a.high is not None and a.low is None and b.low is not None):
        # "Participants <20 or >75 years of age": two alternatives on the variable of the second.
        return dataclasses.replace(a, links=b.links, unit=b.unit, high_unit=b.unit, inherited=True), False
    if not one_sided or not grammar.gaps["merge_gap"].match(folded, a.end, gap_end):
        return a, False
    if a.unit is not None and b.high_unit is not None and a.unit != b.high_unit:
        return a, False
    assert a.low is not None and b.high is not None
    if a.low > (convert(b.high, b.high_unit, a.unit or b.high_unit) or b.high):
        return a, False  # "more than 140 and less than 100": contradicting halves stay two records, no low > high
    unit = a.unit or b.high_unit
    return dataclasses.replace(a, links=a.links or b.links, high=b.high, high_inclusive=b.high_inclusive,
                               end=b.end, unit=unit, high_unit=unit), True


def _candidate_ids(v: Value) -> frozenset[str]:
    return frozenset(c.id for m in v.links for c in m.candidates)
