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

import re
from typing import Callable, Sequence

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
    """A comma series takes the conjunction written before its last member ("A, B, or C")."""
    if a.end > b.start or text[a.end:b.start].strip() != ",":
        return None
    clause = rules.clause_break.search(text, b.end)
    tail = text[b.end:clause.start() if clause else len(text)]
    last = next(reversed(list(_SERIES_END.finditer(tail))), None)
    return None if last is None else last.group(1).lower() != "and"


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
    for j, record in enumerate(records):
        general = _general_of(records, j)
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


def _general_of(records: Sequence[Threshold], j: int) -> int | None:
    """The general bound of which ``records[j]`` is the exception, if it is one."""
    condition = records[j].condition
    if condition is None or condition.negated:
        return None
    for i in range(j - 1, -1, -1):
        other = records[i].condition
        if records[i].variable == records[j].variable and other is not None and other.negated \
                and other.text == condition.text:
            return i
    return None
