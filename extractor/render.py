"""A self-contained HTML view of extracted documents, for reading what the extractor made of a page.

The page is built from templates shipped as package data (``extractor/templates/``, Jinja2 with
autoescaping, which spaCy already installs), with its style sheet inlined and no script, font or
image from elsewhere, so a saved file opens the same anywhere, offline. This module only prepares
plain view records: the pieces of each criterion's text with the entities and thresholds that
cover them, and each threshold's normalized record in words.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Sequence

from extractor import __version__
from extractor.records import ENTITY_LABELS, KINDS, Bound, Criterion, Document, Entity, Threshold

NO_SECTION = "(no section heading)"


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of criterion text covered by the same entities and thresholds.

    ``label``/``negated`` are those of the shortest entity covering it (the one a reader looks at);
    ``labels`` names every entity over it, so overlapping mentions all stay visible.
    """

    text: str
    label: str | None = None
    negated: bool = False
    labels: tuple[str, ...] = ()
    threshold: bool = False


@dataclass(frozen=True, slots=True)
class BoundView:
    """One normalized record in words: ``18 ≤ age < 65``, unit and variable kept apart."""

    variable: str
    low: str
    high: str
    unit: str
    reading: str


@dataclass(frozen=True, slots=True)
class ThresholdView:
    record: BoundView
    text: str
    group: int | None
    subgroup: str | None
    condition_text: str | None
    condition_negated: bool
    condition_bounds: tuple[BoundView, ...]


@dataclass(frozen=True, slots=True)
class CriterionView:
    id: str
    index: int
    kind: str
    any_of: int | None
    lead_in: str | None
    """The lead-in the criterion is listed under, where it differs from the previous criterion's."""
    pieces: tuple[Piece, ...]
    thresholds: tuple[ThresholdView, ...]
    entities: int


@dataclass(frozen=True, slots=True)
class SectionView:
    name: str
    criteria: tuple[CriterionView, ...]


@dataclass(frozen=True, slots=True)
class DocumentView:
    id: str
    source: str | None
    kinds: tuple[tuple[str, tuple[SectionView, ...]], ...]
    any_of: tuple[tuple[int, tuple[str, ...]], ...]
    counts: dict[str, int | None]
    outside: int


def pieces(text: str, start: int, end: int, entities: Sequence[Entity],
           thresholds: Sequence[Threshold]) -> list[Piece]:
    """``text[start:end]`` cut at every entity and threshold boundary inside it, each run with what covers it."""
    spans = [e for e in entities if e.start < end and start < e.end]
    marks = [t for t in thresholds if t.start < end and start < t.end]
    cuts = {start, end} | {max(start, min(end, p)) for s in (*spans, *marks) for p in (s.start, s.end)}
    points = sorted(cuts)
    out: list[Piece] = []
    for a, b in zip(points, points[1:]):
        over = sorted((e for e in spans if e.start <= a and b <= e.end), key=lambda e: (e.end - e.start, e.start))
        covered = any(t.start <= a and b <= t.end for t in marks)
        first = over[0] if over else None
        out.append(Piece(text[a:b], first.label if first else None, bool(first and first.negated),
                         tuple(dict.fromkeys(e.label + (" (negated)" if e.negated else "") for e in over)), covered))
    return out


def _number(value: float) -> str:
    """A bound as written in JSON, without a spurious ``.0`` (18, 1.5, 100000)."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def bound_view(b: Bound | Threshold) -> BoundView:
    """The record's bounds as a reader writes them, with inclusivity: ``18 ≤ age < 65``, ``alt > 3``."""
    low = "" if b.low is None else ("≥ " if b.low_inclusive else "> ") + _number(b.low)
    high = "" if b.high is None else ("≤ " if b.high_inclusive else "< ") + _number(b.high)
    unit = b.unit or ""
    if b.low is not None and b.high is not None:
        reading = (f"{_number(b.low)} {'≤' if b.low_inclusive else '<'} {b.variable} "
                   f"{'≤' if b.high_inclusive else '<'} {_number(b.high)}")
    else:
        reading = f"{b.variable} {low or high}".strip()
    return BoundView(b.variable, low, high, unit, f"{reading} {unit}".strip())


def threshold_view(t: Threshold) -> ThresholdView:
    c = t.condition
    return ThresholdView(bound_view(t), t.text, t.group, t.subgroup, c.text if c else None,
                         bool(c and c.negated), tuple(bound_view(b) for b in c.thresholds) if c else ())


def _owner(criteria: Sequence[Criterion], item: Entity | Threshold) -> int | None:
    """Index of the item's criterion: its ``criterion`` field, else the criterion whose span holds it."""
    if isinstance(item.criterion, int) and 0 <= item.criterion < len(criteria):
        return item.criterion
    return next((i for i, c in enumerate(criteria) if c.start <= item.start and item.end <= c.end), None)


def document_view(doc: Document) -> DocumentView:
    """The view of one document: criteria by kind, then by section in reading order."""
    criteria = doc.criteria or []
    by_criterion: dict[int | None, tuple[list[Entity], list[Threshold]]] = {}
    for layer, slot in (("entities", 0), ("thresholds", 1)):
        for item in getattr(doc, layer) or []:
            by_criterion.setdefault(_owner(criteria, item), ([], []))[slot].append(item)
    counters: dict[str, int] = {}
    views: list[CriterionView] = []
    for i, c in enumerate(criteria):
        counters[c.kind] = counters.get(c.kind, 0) + 1
        entities, thresholds = by_criterion.get(i, ([], []))
        repeated = i > 0 and criteria[i - 1].lead_in == c.lead_in  # a lead-in is shown once, over its list
        views.append(CriterionView(c.id or f"{c.kind[:1].upper()}{counters[c.kind]}", i, c.kind, c.any_of,
                                   None if repeated else c.lead_in,
                                   tuple(pieces(doc.text, c.start, c.end, entities, thresholds)),
                                   tuple(threshold_view(t) for t in thresholds), len(entities)))
    kinds = tuple((kind, _sections([v for v in views if v.kind == kind], criteria))
                  for kind in (*KINDS, *sorted({c.kind for c in criteria} - set(KINDS)))
                  if any(v.kind == kind for v in views))
    sets: dict[int, list[str]] = {}
    for v in views:
        if v.any_of is not None:
            sets.setdefault(v.any_of, []).append(v.id)
    outside = sum(len(lists[0]) + len(lists[1]) for key, lists in by_criterion.items() if key is None)
    counts = {layer: None if getattr(doc, layer) is None else len(getattr(doc, layer))
              for layer in ("criteria", "entities", "thresholds")}
    return DocumentView(doc.id, doc.source, kinds, tuple((k, tuple(ids)) for k, ids in sorted(sets.items())),
                        counts, outside)


def _sections(views: list[CriterionView], criteria: Sequence[Criterion]) -> tuple[SectionView, ...]:
    """Consecutive criteria under one heading form a section; a heading met again later starts another."""
    out: list[tuple[str, list[CriterionView]]] = []
    for v in views:
        name = criteria[v.index].section or NO_SECTION
        if not out or out[-1][0] != name:
            out.append((name, []))
        out[-1][1].append(v)
    return tuple(SectionView(name, tuple(items)) for name, items in out)


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("extractor", "templates"),
                              autoescape=True, trim_blocks=True, lstrip_blocks=True,
                              undefined=jinja2.StrictUndefined)


def render_html(documents: Iterable[Document], title: str = "extractor") -> str:
    """One HTML page viewing every document (self-contained: style inlined, nothing fetched)."""
    views = [document_view(doc) for doc in documents]
    return _environment().get_template("document.html").render(
        title=title, documents=views, labels=ENTITY_LABELS, version=__version__)
