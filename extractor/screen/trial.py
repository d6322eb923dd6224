"""A trial's verdict for one patient, by the format's semantics ("Structure and logic").

A trial excludes a participant when an inclusion criterion (or every criterion of an inclusion
``any_of`` set) fails, or when an exclusion criterion (or one of an exclusion ``any_of`` set)
holds. It is eligible when no unit of criteria can still exclude, and undetermined otherwise; the
deciding criteria are those that exclude, or those still unknown.
"""
from __future__ import annotations

import dataclasses

from extractor.records import Criterion, Document, Threshold
from extractor.screen.criterion import evaluate_criterion
from extractor.screen.patient import Patient
from extractor.screen.registry import screen_constraints
from extractor.screen.tri import Tri, and3, not3, or3
from extractor.screen.verdict import CriterionVerdict, ScreenResult
from extractor.segment import number_criteria


def _numbered(criteria: list[Criterion]) -> list[Criterion]:
    """The criteria with ids; gold files carry none, so they are numbered as the extractor numbers them."""
    if all(c.id for c in criteria):
        return criteria
    copies = [dataclasses.replace(c) for c in criteria]
    number_criteria(copies)
    return copies


def thresholds_of(criteria: list[Criterion], thresholds: list[Threshold]) -> list[list[tuple[int, Threshold]]]:
    """Per criterion, its (index, threshold) pairs: the smallest criterion whose span holds the threshold's."""
    owned: list[list[tuple[int, Threshold]]] = [[] for _ in criteria]
    for index, t in enumerate(thresholds):
        holders = [k for k, c in enumerate(criteria) if c.start <= t.start and t.end <= c.end]
        if holders:
            owned[min(holders, key=lambda k: criteria[k].end - criteria[k].start)].append((index, t))
    return owned


def excludes(verdict: CriterionVerdict) -> Tri:
    """Whether this one criterion, on its own, rules the patient out (its kind carries the polarity)."""
    if verdict.applicable is False:
        return False
    if verdict.kind == "exclusion":
        return and3((verdict.holds, verdict.applicable))
    return and3((not3(verdict.holds), verdict.applicable))


def _units(verdicts: list[CriterionVerdict]) -> list[tuple[Tri, list[CriterionVerdict]]]:
    """(excludes, members) per standalone criterion and per ``any_of`` set."""
    sets: dict[int, list[CriterionVerdict]] = {}
    units: list[tuple[Tri, list[CriterionVerdict]]] = []
    for v in verdicts:
        if v.any_of is None:
            units.append((excludes(v), [v]))
        else:
            sets.setdefault(v.any_of, []).append(v)
    for members in sets.values():
        combine = or3 if members[0].kind == "exclusion" else and3
        units.append((combine(excludes(v) for v in members), members))
    return units


def trial_verdict(verdicts: list[CriterionVerdict]) -> tuple[str, tuple[str, ...]]:
    """(eligible / ineligible / undetermined, the ids of the criteria that decide it)."""
    units = _units(verdicts)
    ruling_out = [members for value, members in units if value is True]
    if ruling_out:
        return "ineligible", tuple(v.id for members in ruling_out for v in members if excludes(v) is True)
    unknown = [v.id for value, members in units if value is None for v in members if excludes(v) is not False]
    return ("undetermined", tuple(unknown)) if unknown else ("eligible", ())


def screen(record: Document, patient: Patient) -> ScreenResult:
    """Screen one patient against one extracted (or gold) document, registry constraints included."""
    criteria = _numbered(list(record.criteria or []))
    owned = thresholds_of(criteria, list(record.thresholds or []))
    verdicts = [evaluate_criterion(c, ts, patient) for c, ts in zip(criteria, owned)]
    constraints = screen_constraints(record.meta, patient)
    verdict, deciding = trial_verdict(verdicts + constraints)
    return ScreenResult(record.id, patient.id, verdict, deciding, tuple(verdicts), tuple(constraints))
