"""The case a threshold applies in (the format's ``condition``), read from its criterion's own text.

Readings, tried for each threshold in this order (``annotations/GUIDELINES.md``, "condition"):

1. a subgroup the threshold stage already found ("Lansky ≥ 50 for patients ≤ 16 years"): the
   condition is that text, with its own bounds;
2. a case right after the threshold ("≤ 5 × ULN if liver metastases", "… for patients with Gilbert's
   syndrome"): the threshold applies in that case, and the same variable's bound before it — the
   general one — applies where the case is absent (``negated``);
3. an exception later in its clause ("… unless due to leukaemic involvement", "except in patients
   with …"): the threshold before it applies where the case is absent, and so do the ones before that
   which share its value ("AST and ALT ≤ 3 × ULN unless …") or stand with it in a comma series; an
   "and" or the end of a clause between two thresholds stops it;
4. an exception before the first threshold, its case running up to it ("values within these limits
   unless due to leukaemia (creatinine < 1.8 mg/dl, …)"): every threshold of the clause that follows
   applies where the case is absent.

A threshold inside a condition's text is the condition's bound, not a record (Layer 3, subgroup
rule), so the caller drops it.
"""
from __future__ import annotations

import re
from typing import Callable, Sequence

from extractor.logic.rules import LogicRules
from extractor.records import Bound, Condition, Threshold

#: The bounds a condition's text states ("for patients ≤ 16 years" → age ≤ 16 a).
BoundsOf = Callable[[str], tuple[Bound, ...]]
#: Where a case's text ends: its bracket closes, its clause or sentence ends.
_CASE_END = re.compile(r"[);]|\.(?:\s|$)|,\s*(?:and|or|in\s+which\s+case)\b|\n\s*\n")
#: After an exception's case: the threshold that follows applies in that case.
_WHICH_CASE = re.compile(r"\s*,?\s*in\s+which\s+case\b", re.IGNORECASE)


def case_text(text: str, start: int, limit: int | None = None) -> tuple[int, int]:
    """The span of a case's text from ``start``: up to its closing bracket, the end of its clause, or
    ``limit`` (where the next threshold starts)."""
    depth = 0
    pos = start
    limit = len(text) if limit is None else limit
    while pos < limit:
        ch = text[pos]
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif depth == 0 and (m := _CASE_END.match(text, pos)):
            break
        pos += 1
    end = start + len(text[start:pos].rstrip(" ,:"))
    return start, end


def assign_conditions(text: str, records: Sequence[Threshold], rules: LogicRules,
                      bounds_of: BoundsOf) -> list[tuple[int, int]]:
    """Set ``condition`` on the records of one criterion (offsets into ``text``, sorted by start).

    Returns the spans of the conditions' texts, so that records lying inside one can be dropped.
    """
    spans: list[tuple[int, int]] = []
    for i, record in enumerate(records):
        if record.condition is not None:
            continue
        if record.subgroup is not None:
            record.condition = Condition(record.subgroup, False, bounds_of(record.subgroup))
            continue
        tail_end = next((records[k].start for k in range(i + 1, len(records)) if records[k].start >= record.end),
                        len(text))
        case = rules.case.match(text, record.end, tail_end)
        if case is not None and case.end() < tail_end:
            start, end = case_text(text, case.end(), tail_end)
            if end > start:
                _apply_case(records, i, text[start:end], bounds_of)
                spans.append((start, end))
            continue
        clause = rules.clause_break.search(text, record.end, tail_end)
        exception = rules.exception.search(text, record.end, clause.start() if clause else tail_end)
        if exception is not None:
            start, end = case_text(text, exception.end(), tail_end)
            if end > start:
                _apply_exception(text, records, i, text[start:end], rules)
                spans.append((start, end))
                if _WHICH_CASE.match(text, end) and i + 1 < len(records):
                    _apply_case(records, i + 1, text[start:end], lambda _: ())
    leading = _leading_exception(text, records, rules)
    if leading is not None:
        spans.append(leading)
    return spans


def _leading_exception(text: str, records: Sequence[Threshold], rules: LogicRules) -> tuple[int, int] | None:
    """Reading 4: an exception before the first threshold ("… limits unless due to leukaemia (creatinine
    < 1.8 mg/dl, bilirubin < 1.8 mg/dL)"): the thresholds of the clause it opens apply where it is absent."""
    if not records:
        return None
    first = records[0].start
    exception = None
    for exception in rules.exception.finditer(text, 0, first):
        pass
    if exception is None or rules.clause_break.search(text, exception.end(), first):
        return None
    start, end = case_text(text, exception.end(), first)
    end = start + len(text[start:end].rstrip(" ([:,"))
    if end <= start:
        return None
    clause = rules.clause_break.search(text, records[0].end)
    for record in records:
        if clause is not None and record.start >= clause.start():
            break
        if record.condition is None:
            record.condition = Condition(text[start:end], True, ())
    return start, end


def _apply_case(records: Sequence[Threshold], i: int, case: str, bounds_of: BoundsOf) -> None:
    """``records[i]`` (and the coordinated records sharing its span) apply in ``case``; the general
    bound of each one's variable before them applies where it is absent."""
    bounds = bounds_of(case)
    target = records[i]
    for k, record in enumerate(records):
        if (record.start, record.end) != (target.start, target.end) or record.condition is not None:
            continue
        record.condition = Condition(case, False, bounds)
        general = next((r for r in reversed(records[:k]) if r.variable == record.variable and r.condition is None),
                       None)
        if general is not None:
            general.condition = Condition(case, True, bounds)


def _apply_exception(text: str, records: Sequence[Threshold], i: int, case: str, rules: LogicRules) -> None:
    """Every record of the clause ending at ``records[i]`` applies where ``case`` is absent."""
    for k in range(i, -1, -1):
        if records[k].condition is None:
            records[k].condition = Condition(case, True, ())
        if k == 0 or records[k - 1].end <= records[k].start and (
                rules.clause_break.search(text, records[k - 1].end, records[k].start)
                or rules.and_word.search(text, records[k - 1].end, records[k].start)):
            break
