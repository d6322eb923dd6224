"""One-to-one matching of gold and predicted items, as the format's Scoring section defines it.

Each layer has a strict and a lenient strategy; a strategy is a predicate saying
whether one gold and one predicted item *may* match. Matching then pairs items
one-to-one, larger overlap first, so that a prediction that overlaps two gold items
goes to the one it covers best instead of the one that happens to come first.
"""
from __future__ import annotations

from typing import Callable, Protocol, Sequence, TypeVar

from extractor.records import Bound, Criterion, Entity, Threshold
from extractor.units import convert

#: Bounds are equal when they differ by at most this share of the gold value.
RELATIVE_TOLERANCE = 0.005
#: Criterion spans match under ``overlap`` from this character Jaccard on.
MIN_JACCARD = 0.5


class Span(Protocol):
    start: int
    end: int


S = TypeVar("S", bound=Span)
Accept = Callable[[S, S], bool]


def overlap(a: Span, b: Span) -> int:
    """Number of characters the two half-open spans share."""
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def jaccard(a: Span, b: Span) -> float:
    """Shared characters over the characters either span covers."""
    inter = overlap(a, b)
    union = (a.end - a.start) + (b.end - b.start) - inter
    return inter / union if union > 0 else 0.0


def same_span(a: Span, b: Span) -> bool:
    return a.start == b.start and a.end == b.end


def match(gold: Sequence[S], pred: Sequence[S], accept: Accept) -> list[tuple[int, int]]:
    """Pairs ``(gold index, pred index)``, each index used once, larger overlap first.

    Ties in overlap are broken by Jaccard (the tighter fit wins), then by position,
    so the result does not depend on the order of equally good candidates.
    """
    candidates = sorted(
        (-overlap(g, p), -jaccard(g, p), i, j)
        for i, g in enumerate(gold) for j, p in enumerate(pred) if accept(g, p)
    )
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, _, i, j in candidates:
        if i not in used_gold and j not in used_pred:
            used_gold.add(i)
            used_pred.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def criteria_exact(g: Criterion, p: Criterion) -> bool:
    return g.kind == p.kind and same_span(g, p)


def criteria_overlap(g: Criterion, p: Criterion) -> bool:
    return g.kind == p.kind and jaccard(g, p) >= MIN_JACCARD


def entities_strict(g: Entity, p: Entity) -> bool:
    return g.label == p.label and same_span(g, p)


def entities_lenient(g: Entity, p: Entity) -> bool:
    return g.label == p.label and overlap(g, p) > 0


def thresholds_variable(g: Threshold, p: Threshold) -> bool:
    return g.variable == p.variable and overlap(g, p) > 0


def thresholds_full(g: Threshold, p: Threshold) -> bool:
    """Same variable, overlapping spans, same bounds present, equal values and inclusivity."""
    return thresholds_variable(g, p) and same_bounds(g, p)


def same_bounds(g: Threshold | Bound, p: Threshold | Bound) -> bool:
    """Same variable, same bounds present, each equal after unit conversion, same inclusivity (no spans)."""
    if g.variable != p.variable:
        return False
    for value, inclusive in (("low", "low_inclusive"), ("high", "high_inclusive")):
        gv, pv = getattr(g, value), getattr(p, value)
        if (gv is None) != (pv is None) or getattr(g, inclusive) != getattr(p, inclusive):
            return False
        if gv is not None and not same_value(gv, g.unit, pv, p.unit):
            return False
    return True


def same_value(gold_value: float, gold_unit: str | None, pred_value: float, pred_unit: str | None) -> bool:
    """Whether the prediction, converted to the gold unit, is within the relative tolerance.

    Only commensurable units convert (``extractor.units.convert`` returns None
    otherwise), so "2 mg/dL" never equals "2 {ULN}".
    """
    converted = convert(pred_value, pred_unit, gold_unit)
    if converted is None:
        return False
    return abs(converted - gold_value) <= RELATIVE_TOLERANCE * abs(gold_value)


#: Strategies per layer, in report order; the first of each is the strict one used for error listings.
STRATEGIES: dict[str, dict[str, Accept]] = {
    "criteria": {"exact": criteria_exact, "overlap": criteria_overlap},
    "entities": {"strict": entities_strict, "lenient": entities_lenient},
    "thresholds": {"full": thresholds_full, "variable": thresholds_variable},
}
