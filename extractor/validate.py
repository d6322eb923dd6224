"""Checks of gold files and extractor output against the annotation format, beyond what parsing catches.

A gold file can parse and still be wrong in ways that silently distort scores: an
offset one character off, a span ending in a space, a unit the scorer cannot
convert, a threshold outside its criterion. Among them is all the JSON Schema cannot say
(``end`` after ``start``, criterion indices in range, items inside their criterion, ids by
position). Each problem names the file, the item (``layer[index]`` and its text) and what
is wrong, so an annotator can fix it without reading code.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection, Iterable, Iterator

from extractor.catalogue import load_catalogue
from extractor.evaluation.loaders import LoadError, iter_documents
from extractor.evaluation.logic import enclosing
from extractor.records import ENTITY_LABELS, KINDS, Bound, Criterion, Document, Entity, Threshold
from extractor.units import load_units


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: where (file, item) and what."""

    path: str
    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.item}: {self.message}" if self.item else f"{self.path}: {self.message}"


def validate(paths: Iterable[str | Path]) -> list[Problem]:
    """All problems of the gold files (or folders of them) at ``paths``; empty when they are clean."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    variables = set(load_catalogue().variables)
    units = set(load_units().units)
    for path in paths:
        for where, doc in iter_documents(path):
            if isinstance(doc, LoadError):
                problems.append(Problem(where, "", str(doc).removeprefix(f"{where}: ")))
                continue
            if doc.id in seen:
                problems.append(Problem(where, "", f"document id {doc.id!r} also in {seen[doc.id]}"))
            seen.setdefault(doc.id, where)
            problems += [Problem(where, item, message) for item, message in check_document(doc, variables, units)]
    return problems


def check_document(doc: Document, variables: Collection[str], units: Collection[str]) -> Iterator[tuple[str, str]]:
    """``(item, problem)`` pairs of one parsed document."""
    for layer in ("criteria", "entities", "thresholds"):
        items: list[Any] = getattr(doc, layer) or []
        seen: dict[tuple[Any, ...], int] = {}
        for i, item in enumerate(items):
            name = f"{layer}[{i}] {doc.text[item.start:item.end][:60]!r}"
            for message in _check_item(doc, item, variables, units):
                yield name, message
            key = _identity(item)
            if key in seen:
                yield name, f"duplicate of {layer}[{seen[key]}]"
            seen.setdefault(key, i)
    for i, j in _same_label_overlaps(doc.entities or []):
        e = doc.entities[j]  # type: ignore[index]
        yield (f"entities[{j}] {doc.text[e.start:e.end][:60]!r}",
               f"overlaps entities[{i}] of the same label {e.label!r} (no nesting of the same label)")
    yield from _check_ids(doc.criteria or [])
    if doc.logic:
        yield from _check_logic(doc)


def _check_logic(doc: Document) -> Iterator[tuple[str, str]]:
    """The v1.1 keys of a document annotated for logic: sets of two or more, groups counted from 0."""
    members = Counter(c.any_of for c in doc.criteria or [] if c.any_of is not None)
    for value, count in sorted(members.items()):
        if count < 2:
            yield f"any_of {value}", "an any_of set needs two or more criteria (alternatives to one another)"
    groups: dict[int | None, set[int]] = {}
    for i, t in enumerate(doc.thresholds or []):
        if t.group is None:
            yield f"thresholds[{i}] {doc.text[t.start:t.end][:60]!r}", "no group in a document annotated for logic"
        else:
            groups.setdefault(enclosing(doc, t), set()).add(t.group)
    for criterion, used in groups.items():
        if used != set(range(len(used))):
            yield f"criteria[{criterion}]", f"threshold groups must be counted from 0 without gaps, got {sorted(used)}"


def _check_item(doc: Document, item: Any, variables: Collection[str], units: Collection[str]) -> Iterator[str]:
    yield from _check_span(doc, item)
    if isinstance(item, Criterion) and item.kind not in KINDS:
        yield f"kind {item.kind!r} is not one of {', '.join(KINDS)}"
    if isinstance(item, Entity) and item.label not in ENTITY_LABELS:
        yield f"label {item.label!r} is not one of {', '.join(ENTITY_LABELS)}"
    if isinstance(item, Threshold):
        if item.variable not in variables:
            yield f"variable {item.variable!r} is not in the catalogue"
        if item.unit is not None and item.unit not in units:
            yield f"unit {item.unit!r} is not a UCUM code of the unit table (data/units.csv)"
        yield from _check_bounds(item)
        for k, bound in enumerate(item.condition.thresholds if item.condition else ()):
            yield from (f"condition thresholds[{k}]: {message}"
                        for message in _check_bound_record(bound, variables, units))
    if not isinstance(item, Criterion):
        yield from _check_enclosing(doc, item)


def _check_enclosing(doc: Document, item: Entity | Threshold) -> Iterator[str]:
    """An entity or threshold lies inside a criterion, and inside the one its ``criterion`` index names."""
    criteria = doc.criteria or []
    if item.criterion is not None and not (isinstance(item.criterion, int) and not isinstance(item.criterion, bool)
                                           and 0 <= item.criterion < len(criteria)):
        yield f"criterion index {item.criterion!r} is out of range ({len(criteria)} criteria)"
    elif item.criterion is not None:
        own = criteria[item.criterion]
        if not own.start <= item.start < item.end <= own.end:
            yield f"not inside its criterion {item.criterion} [{own.start}, {own.end})"
            return
    if doc.criteria is not None and not any(c.start <= item.start and item.end <= c.end for c in criteria):
        yield "not inside any criterion span"


def _check_ids(criteria: list[Criterion]) -> Iterator[tuple[str, str]]:
    """Criterion ids, where given, are the kind's initial and the position among that kind (I1, E2…)."""
    counts: Counter[str] = Counter()
    for i, c in enumerate(criteria):
        counts[c.kind] += 1
        expected = f"{c.kind[:1].upper()}{counts[c.kind]}"
        if c.id is not None and c.id != expected:
            yield f"criteria[{i}]", f"id {c.id!r} is not its kind's initial and position ({expected})"


def _check_span(doc: Document, item: Any) -> Iterator[str]:
    if not 0 <= item.start < item.end <= len(doc.text):
        yield f"span [{item.start}, {item.end}) is empty, reversed or outside the text (length {len(doc.text)})"
        return
    span = doc.text[item.start:item.end]
    if span != span.strip():
        yield f"span [{item.start}, {item.end}) begins or ends with white space"
    if item.text and item.text != span:
        yield f"'text' {item.text[:60]!r} differs from text[{item.start}:{item.end}]"


def _check_bound_record(b: Bound, variables: Collection[str], units: Collection[str]) -> Iterator[str]:
    if b.variable not in variables:
        yield f"variable {b.variable!r} is not in the catalogue"
    if b.unit is not None and b.unit not in units:
        yield f"unit {b.unit!r} is not a UCUM code of the unit table (data/units.csv)"
    yield from _check_bounds(b)


def _check_bounds(t: Threshold | Bound) -> Iterator[str]:
    if t.low is None and t.high is None:
        yield "neither 'low' nor 'high' is set"
    for bound, inclusive in (("low", "low_inclusive"), ("high", "high_inclusive")):
        if (getattr(t, bound) is None) != (getattr(t, inclusive) is None):
            yield f"{inclusive!r} must be null exactly when {bound!r} is null"
    if t.low is not None and t.high is not None and t.low > t.high:
        yield f"low {t.low:g} is greater than high {t.high:g}"


def _identity(item: Any) -> tuple[Any, ...]:
    """The fields the format defines, which two items must not share entirely."""
    if isinstance(item, Threshold):
        return (item.start, item.end, item.variable, item.low, item.low_inclusive,
                item.high, item.high_inclusive, item.unit)
    return (item.start, item.end, getattr(item, "kind", None) or item.label)


def _same_label_overlaps(entities: list[Entity]) -> Iterator[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, of distinct entities with one label whose spans overlap."""
    order = sorted(range(len(entities)), key=lambda k: (entities[k].start, entities[k].end))
    for a, i in enumerate(order):
        for j in order[a + 1:]:
            if entities[j].start >= entities[i].end:
                break
            if entities[i].label == entities[j].label and _identity(entities[i]) != _identity(entities[j]):
                yield min(i, j), max(i, j)
