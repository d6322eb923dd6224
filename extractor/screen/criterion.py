"""One criterion's verdict from its thresholds, by the format's semantics ("Structure and logic").

For a participant, drop every threshold whose condition does not apply, then every group left
empty; the criterion holds when each remaining group has a threshold that holds, and says nothing
when nothing is left. With unknown facts this is computed in Kleene logic: a group is *dropped*
when none of its thresholds applies, and a group holds when it is dropped or one of its thresholds
applies and holds. A threshold without ``group`` (a document not annotated for logic) is a group
of its own: the thresholds of one criterion must then all hold.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Iterator

from extractor.records import Bound, Condition, Criterion, Threshold
from extractor.screen.convert import fact_in
from extractor.screen.patient import Patient
from extractor.screen.tri import Tri, and3, not3, or3
from extractor.screen.verdict import Check, CriterionVerdict


#: Unknown condition cases tried both ways per criterion; beyond this many the rest stay unknown (Kleene).
_MAX_OPEN = 8


BoundLike = Bound | Threshold
"""A bound to test: a threshold record, or a condition's own bound (a record without a span)."""


def _within(value: float, b: BoundLike) -> bool:
    """Whether ``value`` (in the bound's unit) lies within the bound; equality tolerates rounding of conversion."""
    if b.low is not None:
        if math.isclose(value, b.low, rel_tol=1e-9):
            if not b.low_inclusive:
                return False
        elif value < b.low:
            return False
    if b.high is not None:
        if math.isclose(value, b.high, rel_tol=1e-9):
            return bool(b.high_inclusive)
        if value > b.high:
            return False
    return True


def check_bound(b: BoundLike, patient: Patient, index: int | None = None, applies: Tri = True) -> Check:
    """``b`` tested against the patient's fact for its variable; unknown when there is no fact or unit."""
    fact = patient.facts.get(b.variable)
    if fact is None:
        value, why = None, "no fact"
    else:
        value, why = fact_in(fact, b.unit, b.variable)
    holds = None if value is None else _within(value, b)
    return Check(b.variable, b.low, b.low_inclusive, b.high, b.high_inclusive, b.unit,
                 value, holds, why, index, applies)


def condition_case(condition: Condition, patient: Patient) -> Tri:
    """Whether the case a condition names is present: answered by its text, or decided by its own bounds."""
    if condition.text in patient.answers:
        return patient.answers[condition.text]
    if condition.thresholds:
        return and3(check_bound(b, patient).holds for b in condition.thresholds)
    return None


def condition_applies(condition: Condition | None, patient: Patient) -> Tri:
    """Whether a threshold with this condition applies; ``negated`` conditions apply where the case is absent."""
    if condition is None:
        return True
    case = condition_case(condition, patient)
    return not3(case) if condition.negated else case


def _groups(thresholds: list[tuple[int, Threshold]]) -> list[list[tuple[int, Threshold]]]:
    groups: dict[object, list[tuple[int, Threshold]]] = {}
    for index, t in thresholds:
        groups.setdefault(("g", t.group) if t.group is not None else ("t", index), []).append((index, t))
    return list(groups.values())


def _combine(checks_by_group: list[list[Check]]) -> tuple[Tri, Tri]:
    """(nothing left, holds) of a criterion whose thresholds' applicability is known."""
    dropped = [and3(not3(c.applies) for c in group) for group in checks_by_group]
    held = [or3([gone, *(c.holds for c in group if c.applies)]) for gone, group in zip(dropped, checks_by_group)]
    return and3(dropped), and3(held)


def _cases(groups: list[list[tuple[int, Threshold]]], patient: Patient) -> Iterator[dict[str, bool]]:
    """Every assignment of the conditions whose case is unknown (one case per condition text: the bound and
    its exception share it); beyond ``_MAX_OPEN`` of them the rest stay unknown."""
    known: dict[str, Tri] = {}
    for group in groups:
        for _, t in group:
            if t.condition is not None:
                known[t.condition.text] = condition_case(t.condition, patient)
    fixed = {text: case for text, case in known.items() if case is not None}
    open_ = [text for text, case in known.items() if case is None][:_MAX_OPEN]
    for mask in range(1 << len(open_)):
        yield {**fixed, **{text: bool(mask >> bit & 1) for bit, text in enumerate(open_)}}


def _applies(condition: Condition | None, cases: dict[str, bool]) -> Tri:
    if condition is None:
        return True
    case = cases.get(condition.text)
    return not3(case) if condition.negated else case


def _supervaluate(groups: list[list[tuple[int, Threshold]]], checks: list[list[Check]],
                  patient: Patient) -> tuple[Tri, Tri]:
    """(holds, applicable) that every case of the unknown conditions agrees on, None where they differ; the
    cases where the criterion says nothing do not count against its holding."""
    outcomes = set()
    for cases in _cases(groups, patient):
        decided = [[dataclasses.replace(c, applies=_applies(t.condition, cases)) for (_, t), c in zip(group, cs)]
                   for group, cs in zip(groups, checks)]
        outcomes.add(_verdict_values(*_combine(decided)))
    holds = {h for h, a in outcomes if a is not False}
    applicable = {a for _, a in outcomes}
    return (holds.pop() if len(holds) == 1 else None), (applicable.pop() if len(applicable) == 1 else None)


def _verdict_values(nothing_left: Tri, holds: Tri) -> tuple[Tri, Tri]:
    """(holds, applicable): a criterion with nothing left is not applicable; one that fails is applicable."""
    if nothing_left is True:
        return None, False
    if holds is False:
        return False, True
    return holds, True if nothing_left is False else None


def _reason(holds: Tri, applicable: Tri, checks: list[Check]) -> str:
    if applicable is False:
        return "no threshold applies to this patient"
    if holds is False:
        deciding = [c for c in checks if c.holds is False and c.applies is not False]
    elif holds is True:
        deciding = [c for c in checks if c.holds is True and c.applies is True]
    else:
        deciding = [c for c in checks if c.holds is None or c.applies is None]
    return "; ".join(c.describe() for c in deciding or checks)


def evaluate_criterion(criterion: Criterion, thresholds: list[tuple[int, Threshold]],
                       patient: Patient) -> CriterionVerdict:
    """The verdict on one criterion (``criterion.id`` set); ``thresholds`` are (index in document, record)."""
    cid = criterion.id or ""
    if cid in patient.answers:
        return CriterionVerdict(cid, criterion.kind, patient.answers[cid], True, "answered", criterion.any_of)
    if not thresholds:
        return CriterionVerdict(cid, criterion.kind, None, True, "no thresholds and not answered",
                                criterion.any_of)
    groups = _groups(thresholds)
    checks_by_group = [[check_bound(t, patient, index, condition_applies(t.condition, patient))
                        for index, t in group] for group in groups]
    holds, applicable = _supervaluate(groups, checks_by_group, patient)
    checks = [c for group in checks_by_group for c in group]
    return CriterionVerdict(cid, criterion.kind, holds, applicable, _reason(holds, applicable, checks),
                            criterion.any_of, tuple(sorted(checks, key=lambda c: c.threshold or 0)))
