"""How the thresholds of one criterion combine: the format's ``group`` (same group = OR, groups = AND).

The rules (``annotations/GUIDELINES.md``, "group"), as an ordered tuple of pair rules: for two
thresholds next to each other, the first rule that decides says whether they are alternatives.

* a bound and its exception (one variable, one condition text, one negated: "ALT ≤ 2.5 × ULN (≤ 5 ×
  ULN if liver metastases)") are one group, whatever stands between them, and the exception takes no
  further part;
* two bounds that each hold for a subgroup ("Karnofsky ≥ 50 for patients > 16 years, Lansky ≥ 50 for
  patients ≤ 16 years") are one group;
* an explicit conjunction between them decides: "or", "and/or", "either" → one group; "and",
  "as well as" → a group each;
* a comma series takes the conjunction before its last member ("A, B, or C": one group);
* a bound restated in brackets ("ECOG < 2 (Karnofsky > 60%)") is one group with the bound before it;
* otherwise (a comma series, a slash pair) the criterion's kind decides: in an inclusion criterion
  each is required, in an exclusion criterion any one excludes.

Groups are numbered from 0 in order of their first threshold.
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Callable, NamedTuple, Sequence

from extractor.logic.rules import LogicRules
from extractor.records import Threshold

#: The conjunction before the last member of a comma series.
_SERIES_END = re.compile(r",\s*(and/or|or|and)\b", re.IGNORECASE)
#: A pair rule: True (one group), False (a group each) or None (the next rule decides).
PairRule = Callable[[str, str, Threshold, Threshold, LogicRules], "bool | None"]


def _between(text: str, a: Threshold, b: Threshold) -> str:
    """The words joining ``a`` to ``b``: after ``a`` when they follow each other, else where ``b`` starts
    inside ``a`` ("AST and ALT ≤ 3 × ULN": the records share the value)."""
    if a.end <= b.start:
        return text[a.end:b.start]
    if a.start < b.start:
        return text[a.start:b.start]
    return text[b.start:b.end] if (a.start, a.end) == (b.start, b.end) else ""


def _subgroups(text: str, kind: str, a: Threshold, b: Threshold, rules: LogicRules) -> bool | None:
    both = a.condition is not None and b.condition is not None and not a.condition.negated \
        and not b.condition.negated and a.condition.thresholds and b.condition.thresholds
    return True if both else None


def _conjunction(text: str, kind: str, a: Threshold, b: Threshold, rules: LogicRules) -> bool | None:
    gap = _between(text, a, b)
    breaks = list(rules.clause_break.finditer(gap))
    if breaks:
        gap = gap[breaks[-1].end():]
    last_or = max((m.start() for m in rules.or_word.finditer(gap)), default=-1)
    last_and = max((m.start() for m in rules.and_word.finditer(gap)), default=-1)
    if last_or < 0 and last_and < 0:
        return None
    if (a.start, a.end) == (b.start, b.end):    # one span, two records: "< 20 or > 75 years", a range in two units
        return last_or >= 0
    return last_or >= last_and     # "and/or" holds both words at one place


def _series(text: str, kind: str, a: Threshold, b: Threshold, rules: LogicRules) -> bool | None:
    """A comma series takes the conjunction written before its last member ("A, B, or C"): the last one
    between the series and the end of its clause."""
    if a.end > b.start or text[a.end:b.start].strip() != ",":
        return None
    breaks = _places(text, rules.clause_break)
    k = bisect.bisect_left(breaks.starts, b.end)
    clause_start = breaks.starts[k] if k < len(breaks.starts) else len(text)
    ends = _places(text, _SERIES_END)
    k = bisect.bisect_right(ends.ends, clause_start) - 1
    if k < 0 or ends.starts[k] < b.end:
        return None
    return ends.matches[k].group(2).lower() != "and"  # group 1 is the whole conjunction, 2 its word


class _Places(NamedTuple):
    starts: list[int]
    ends: list[int]
    matches: list[re.Match[str]]


@lru_cache(maxsize=8)
def _places(text: str, pattern: re.Pattern[str]) -> _Places:
    """Every place in ``text`` where ``pattern`` matches, as ``pattern.match`` there finds it (group 1),
    so ``pattern.search(text, pos)`` is the first at or after ``pos``: found once per criterion, asking
    per pair of thresholds costs no time in proportion to the criterion's length."""
    found = list(re.finditer(f"(?=({pattern.pattern}))", text, pattern.flags))
    return _Places([m.start() for m in found], [m.end(1) for m in found], found)


def _bracketed(text: str, kind: str, a: Threshold, b: Threshold, rules: LogicRules) -> bool | None:
    return True if a.end <= b.start and text[a.end:b.start].strip() == "(" else None


def _by_kind(text: str, kind: str, a: Threshold, b: Threshold, rules: LogicRules) -> bool | None:
    return kind == "exclusion"


#: The pair rules in the order they are tried.
PAIR_RULES: tuple[PairRule, ...] = (_subgroups, _conjunction, _series, _bracketed, _by_kind)


def assign_groups(text: str, kind: str, records: Sequence[Threshold], rules: LogicRules) -> None:
    """Set ``group`` on the records of one criterion (offsets into ``text``, sorted by start)."""
    parent = list(range(len(records)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[root(j)] = root(i)

    primary: list[int] = []
    negated: dict[tuple[str, str], int] = {}  # (variable, condition text) → the last record applying where it is absent
    for j, record in enumerate(records):
        condition = record.condition
        general = negated.get((record.variable, condition.text)) if condition and not condition.negated else None
        if condition is not None and condition.negated:
            negated[(record.variable, condition.text)] = j
        if general is not None:
            union(general, j)
            continue
        if primary:
            i = primary[-1]
            if next(d for rule in PAIR_RULES if (d := rule(text, kind, records[i], record, rules)) is not None):
                union(i, j)
        primary.append(j)
    numbers: dict[int, int] = {}
    for j, record in enumerate(records):
        record.group = numbers.setdefault(root(j), len(numbers))
