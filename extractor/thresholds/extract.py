"""Thresholds of one criterion and of a document's criteria in order (lead-ins, headings, logic)."""
from __future__ import annotations

import bisect
import dataclasses
import re
from functools import lru_cache
from typing import Sequence

from extractor.catalogue import Variable, load_catalogue
from extractor.logic import apply_logic
from extractor.records import Bound, Criterion, Threshold
from extractor.thresholds.classes import class_values
from extractor.thresholds.folding import folded_text, lower_same_length
from extractor.thresholds.grammar import Grammar, has_candidate, load_grammar, scan
from extractor.thresholds.leads import Lead, lead_in, lead_of
from extractor.thresholds.linking import link_values
from extractor.thresholds.mentions import Mention, find_mentions
from extractor.thresholds.pairs import split_pairs
from extractor.thresholds.newlines import LineBreaks, as_lf
from extractor.thresholds.merging import drop_restatements, merge_halves, share_comparators, split_outside
from extractor.thresholds.values import Value, find_values
from extractor.thresholds.variables import constrained_variables


def criterion_thresholds(text: str, lead: Lead | None = None) -> list[Threshold]:
    """Thresholds stated by one criterion; offsets relative to ``text``, whatever its line breaks."""
    lf, breaks = as_lf(text)
    folded = folded_text(lf)
    records = criterion_records(lf, folded, lower_same_length(folded), lead)[0]
    return _in_original(records, text, breaks)


def _in_original(records: list[Threshold], text: str, breaks: LineBreaks | None) -> list[Threshold]:
    """Records found in the LF form of ``text`` with offsets and spans of ``text`` (subgroups and
    conditions keep the LF form: the same whatever the convention)."""
    if breaks is None:
        return records
    for t in records:
        t.start, t.end = breaks.to_original(t.start), breaks.to_original(t.end)
        t.text = text[t.start:t.end]
    return records


def criterion_records(text: str, folded: str, lowered: str, lead: Lead | None,
                      heading: Lead | None = None) -> tuple[list[Threshold], bool]:
    """Records of one criterion (``folded`` = ``fold(text)``, ``lowered`` its lower case), and
    whether any came from ``lead``, or from ``heading`` (the lead of the heading the criterion is
    listed under) when there is no ``lead`` and the criterion names no variable itself."""
    grammar = load_grammar()
    if not has_candidate(lowered, grammar):
        return [], False
    mentions = find_mentions(folded, lowered, grammar)
    if lead is not None or mentions:
        heading = None
    if not mentions and lead is None and heading is None and scan(grammar.time_unit, lowered, 0) is None:
        return [], False
    values = find_values(folded, lowered, grammar)
    if mentions and (letters := class_values(mentions, folded)):
        values = sorted([*values, *letters], key=lambda v: v.start)
    if not values:
        return [], False
    values, pairs = split_pairs(values, mentions, folded, grammar)
    values = share_comparators(values, mentions, folded, grammar)
    values = split_outside(values, folded, grammar)
    values, mentions = _apart(values, mentions, folded, grammar)
    items: list[Mention | Value] = sorted([*mentions, *values], key=lambda x: x.start)
    linked = link_values(items, folded, lead, heading, grammar)
    if pairs:
        linked = sorted([*linked, *pairs], key=lambda x: x.start)
    records: list[Threshold] = []
    for v in drop_restatements(merge_halves(linked, folded, grammar), folded):
        seen: set[str] = set()
        for mention in v.links:
            for var, start, end in constrained_variables(mention, v, folded, grammar):
                if var.id in seen:
                    continue
                seen.add(var.id)
                if v.inherited:  # "Hb > 8.5 g/dL for men and > 8.0 g/dL for women": the value alone
                    start, end = v.start, v.end
                records.extend(_records(var, start, end, v, text))
    records.sort(key=lambda t: (t.start, t.end, t.variable))
    return records, any(v.from_lead and v.links for v in linked)


def _apart(values: list[Value], mentions: list[Mention], folded: str,
           grammar: Grammar) -> tuple[list[Value], list[Mention]]:
    """Values and mentions that do not overlap: a value followed by an unknown unit is dropped unless
    a mention follows ("> 5 WBC/mcL"), and a mention inside a value is part of it."""
    # Values never overlap each other, nor mentions each other: both lists are sorted by start and by end.
    starts = {m.start for m in mentions}
    values = [v for v in values if not v.unknown_tail or _next_non_space(folded, v.end) in starts]
    value_starts = [v.start for v in values]
    mentions = [m for m in mentions if not _inside(m, values, value_starts)]
    mention_ends = [m.end for m in mentions]
    values = [_after_keyword(v, mentions, mention_ends, folded) if v.form == "stage" else v for v in values]
    return [v for v in values if not _overlaps(v, mentions, mention_ends)], mentions


_NON_SPACE = re.compile(r"\S")


def _next_non_space(text: str, pos: int, end: int | None = None) -> int:
    """The first position from ``pos`` that is no white space, or ``end`` (default: the end of ``text``)."""
    m = _NON_SPACE.search(text, pos, len(text) if end is None else end)
    return m.start() if m else (len(text) if end is None else end)


def _inside(m: Mention, values: list[Value], value_starts: list[int]) -> bool:
    """Whether a value holds mention ``m`` (the last value starting at or before it is the only one that can)."""
    k = bisect.bisect_right(value_starts, m.start) - 1
    return k >= 0 and m.end <= values[k].end


def _overlaps(v: Value, mentions: list[Mention], mention_ends: list[int]) -> bool:
    """Whether a mention overlaps ``v`` (the first mention ending after its start is the only one that can)."""
    k = bisect.bisect_right(mention_ends, v.start)
    return k < len(mentions) and mentions[k].start < v.end


def _after_keyword(v: Value, mentions: list[Mention], mention_ends: list[int], folded: str) -> Value:
    """"NYHA class III-IV": the mention took the keyword of the value, the numerals are the value."""
    start, k = v.start, bisect.bisect_right(mention_ends, v.start)
    while k < len(mentions) and mentions[k].start <= start < mentions[k].end < v.end:
        start = _next_non_space(folded, mentions[k].end, v.end)
        k += 1
    return dataclasses.replace(v, start=start) if start != v.start else v


def _records(var: Variable, start: int, end: int, v: Value, text: str) -> list[Threshold]:
    """One record, or two one-sided ones when the bounds are written in different units."""
    span = text[start:end]
    subgroup = text[v.subgroup[0]:v.subgroup[1]] if v.subgroup else None
    unit = v.unit if v.unit is not None else var.default_unit or var.unit_by_size(v.low if v.low is not None else v.high)
    high_unit = v.high_unit if v.high_unit is not None else var.default_unit or var.unit_by_size(v.high)
    if v.low is not None and v.high is not None and unit != high_unit:
        return [Threshold(start, end, var.id, v.low, v.low_inclusive, None, None, unit, span,
                          subgroup=subgroup),
                Threshold(start, end, var.id, None, None, v.high, v.high_inclusive, high_unit, span,
                          subgroup=subgroup)]
    return [Threshold(start, end, var.id, v.low, v.low_inclusive, v.high, v.high_inclusive,
                      unit if v.low is not None else high_unit, span, subgroup=subgroup)]


@lru_cache(maxsize=4096)
def condition_bounds(case: str) -> tuple[Bound, ...]:
    """The bounds a condition's text states ("for patients ≤ 16 years" → age ≤ 16 a)."""
    return tuple(Bound(t.variable, t.low, t.low_inclusive, t.high, t.high_inclusive, t.unit)
                 for t in criterion_thresholds(case))


@lru_cache(maxsize=4096)
def _heading_lead(heading: str) -> Lead | None:
    """:func:`lead_in` of a criterion's ``lead_in`` line, once per distinct line: registries repeat
    their category headings ("Age:", "Life expectancy:") in every record."""
    return lead_in(heading, criterion_thresholds(heading))


def _bare_value(t: Threshold) -> Threshold:
    """An inclusion criterion's value without a comparator, read as the catalogue says ("Life expectancy 3 months")."""
    variable = load_catalogue().variables.get(t.variable)
    if variable is None or variable.bare_value != "at_least" or t.low is None or t.low != t.high:
        return t
    return dataclasses.replace(t, high=None, high_inclusive=None)


def extract_thresholds(text: str, criteria: Sequence[Criterion]) -> list[Threshold]:
    """Thresholds of a document's criteria, offsets into ``text``, ``criterion`` = index in ``criteria``.

    Criteria are read in order so that a sub-item ("1 to < 2 years: ≤ 0.6 mg/dL") gets the
    variable of the lead-in before it. A criterion that names no variable takes the variable
    of the category heading it is listed under (``Criterion.lead_in`` that is no criterion:
    "Under 80" under "Age:"); a lead-in that is a criterion of its own passes its variable on
    only as above, or every sub-item of "one of the following conditions applies:" would take
    whatever that sentence happens to mention. Text outside every criterion yields nothing.
    "\r\n" and a lone "\r" read as "\n": the records are those of the text with LF line breaks.
    """
    lf, breaks = as_lf(text)
    if breaks is None:
        return _document_thresholds(text, criteria)
    criteria = [dataclasses.replace(c, start=breaks.to_lf(c.start), end=breaks.to_lf(c.end),
                                    lead_in=as_lf(c.lead_in)[0] if c.lead_in else c.lead_in) for c in criteria]
    return _in_original(_document_thresholds(lf, criteria), text, breaks)


def _document_thresholds(text: str, criteria: Sequence[Criterion]) -> list[Threshold]:
    """:func:`extract_thresholds` of a text with LF line breaks."""
    folded = folded_text(text)
    lowered = lower_same_length(folded)
    out: list[Threshold] = []
    lead: Lead | None = None
    listed: set[str] = set()
    for index, criterion in enumerate(criteria):
        s, e = criterion.start, criterion.end
        listed.add(text[s:e])
        heading_text = criterion.lead_in
        heading = _heading_lead(heading_text) if heading_text and heading_text not in listed else None
        records, used_lead = criterion_records(text[s:e], folded[s:e], lowered[s:e], lead, heading)
        if lead is None or not used_lead:
            lead = lead_of(folded[s:e], lowered[s:e], records, lead)
        if criterion.kind == "inclusion":
            records = [_bare_value(t) for t in records]
        records = apply_logic(text[s:e], criterion.kind, records, condition_bounds)
        for t in records:
            t.start += s
            t.end += s
            t.criterion = index
            out.append(t)
    return out
