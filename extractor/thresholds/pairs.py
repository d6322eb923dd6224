"""Two values written as one: "blood pressure > 140/90 mmHg" bounds systolic and diastolic pressure.

A variable whose catalogue row has ``pair_of`` ("systolic_bp/diastolic_bp") is measured as that pair:
a value "N/M" after its mention bounds the first member by N and the second by M, with one span, and
a single number bounds the first member (the guidelines: a lone blood-pressure number is systolic).
"""
from __future__ import annotations

import bisect
import dataclasses
import re

from extractor.catalogue import Catalogue, Variable
from extractor.thresholds.grammar import Grammar
from extractor.thresholds.mentions import Mention
from extractor.thresholds.values import Value, unit_code

_SECOND = re.compile(r"\s*/\s*(?P<second>\d{2,3})(?![\d.,])")


def split_pairs(values: list[Value], mentions: list[Mention], folded: str,
                grammar: Grammar) -> tuple[list[Value], list[Value]]:
    """``values`` without the "N/M" values of pair variables, and those as two values each, already
    linked to the pair's members (linking must not move them)."""
    kept: list[Value] = []
    pairs: list[Value] = []
    mention_ends = [m.end for m in mentions]
    for v in values:
        k = bisect.bisect_right(mention_ends, v.start) - 1
        m = mentions[k] if k >= 0 else None
        tail = _SECOND.match(folded, v.end) if v.unknown_tail and v.form == "cmp" else None
        members = _members(m, grammar.catalogue) if m is not None and tail is not None else None
        if m is None or tail is None or members is None \
                or not grammar.gaps["cmp_gap"].match(folded, m.end, v.start):
            kept.append(v)
            continue
        second = float(tail.group("second"))
        written = grammar.gaps["trailing_unit"].match(folded, tail.end())
        code = unit_code(written.group("unit"), grammar) if written else None
        accepted = written is not None and code is not None and members[0].accepts(code)
        unit, end = (code, written.end()) if written and accepted else (members[0].unit, tail.end())
        first = dataclasses.replace(v, end=end, unit=unit, high_unit=unit, unknown_tail=False,
                                    links=(Mention(m.start, m.end, (members[0],)),))
        other = dataclasses.replace(first, low=second if v.low is not None else None,
                                    high=second if v.high is not None else None,
                                    links=(Mention(m.start, m.end, (members[1],)),))
        pairs.extend((first, other))
    return kept, pairs


def _members(m: Mention, catalogue: Catalogue) -> tuple[Variable, Variable] | None:
    """The two members of the pair variable ``m`` names, if it names one."""
    var = next((c for c in m.candidates if c.pair_of), None)
    if var is None or var.pair_of is None:
        return None
    first, second = var.pair_of
    return catalogue.variables[first], catalogue.variables[second]
