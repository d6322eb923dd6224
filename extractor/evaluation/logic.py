"""Scoring of the v1.1 structure and logic keys (the format's Scoring section, "logic").

Only documents whose gold is annotated for logic (``Document.logic``) are scored, and only over gold
items that are matched: criteria under ``exact`` (for ``any_of`` links and ``section``), thresholds
under ``variable`` (for ``alternatives`` links and ``condition``). A link is a pair of matched gold
items that share a set: the same ``any_of`` value, or the same criterion and ``group``; the predicted
link is the same pair's predictions sharing a set in the prediction. A null ``any_of`` or ``group``
shares a set with nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Callable, Hashable, Sequence

from extractor.evaluation.counts import Counts
from extractor.evaluation.matching import same_bounds
from extractor.records import Condition, Criterion, Document, Threshold

#: The strategy under which items must be matched for their logic to be compared.
MATCHED_UNDER = {"criteria": "exact", "thresholds": "variable"}


@dataclass(slots=True)
class Accuracy:
    """Matched items whose key agrees with the gold's, out of all matched items scored."""

    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None

    def as_dict(self) -> dict[str, Any]:
        return {"accuracy": self.accuracy, "n": self.total}


@dataclass(slots=True)
class LogicTally:
    """The four logic measures over all documents annotated for logic."""

    documents: int = 0
    any_of: Counts = field(default_factory=Counts)
    alternatives: Counts = field(default_factory=Counts)
    section: Accuracy = field(default_factory=Accuracy)
    condition: Accuracy = field(default_factory=Accuracy)

    def as_dict(self) -> dict[str, Any]:
        return {"any_of": self.any_of.as_dict(), "alternatives": self.alternatives.as_dict(),
                "section": self.section.as_dict(), "condition": self.condition.as_dict()}


def count_links(pairs: Sequence[tuple[int, int]], gold_set: Callable[[int], Hashable | None],
                pred_set: Callable[[int], Hashable | None]) -> Counts:
    """Links among matched gold items: gold when their gold sets agree, predicted when their predictions' do."""
    counts = Counts()
    for (g1, p1), (g2, p2) in combinations(pairs, 2):
        in_gold = gold_set(g1) is not None and gold_set(g1) == gold_set(g2)
        in_pred = pred_set(p1) is not None and pred_set(p1) == pred_set(p2)
        counts.tp += in_gold and in_pred
        counts.fp += in_pred and not in_gold
        counts.fn += in_gold and not in_pred
    return counts


def enclosing(doc: Document, t: Threshold) -> int | None:
    """Index of the criterion whose span holds the threshold (its ``criterion`` field without a criteria layer)."""
    if doc.criteria is None:
        return t.criterion
    return next((i for i, c in enumerate(doc.criteria) if c.start <= t.start and t.end <= c.end), None)


def alternative_set(doc: Document, t: Threshold) -> tuple[int, int] | None:
    """(criterion, group) of a threshold: thresholds with the same pair are alternatives."""
    criterion = enclosing(doc, t)
    return None if t.group is None or criterion is None else (criterion, t.group)


def collapse(section: str | None) -> str | None:
    return None if section is None else " ".join(section.split())


def same_condition(gold: Condition | None, pred: Condition | None) -> bool:
    """Both null, or the same ``negated`` and the same bounds, matched one to one as under ``full``."""
    if gold is None or pred is None:
        return gold is None and pred is None
    if gold.negated != pred.negated or len(gold.thresholds) != len(pred.thresholds):
        return False
    unused = list(pred.thresholds)
    for bound in gold.thresholds:
        partner = next((p for p in unused if same_bounds(bound, p)), None)
        if partner is None:
            return False
        unused.remove(partner)
    return True


def score_logic(tally: LogicTally, gold: Document, pred: Document,
                pairings: dict[str, dict[str, list[tuple[int, int]]]]) -> None:
    """Add one logic-annotated document: links and accuracies over its matched items."""
    tally.documents += 1
    if "criteria" in pairings:
        g_crit: list[Criterion] = gold.criteria or []
        p_crit: list[Criterion] = pred.criteria or []
        pairs = pairings["criteria"][MATCHED_UNDER["criteria"]]
        tally.any_of.add(count_links(pairs, lambda i: g_crit[i].any_of, lambda j: p_crit[j].any_of))
        for i, j in pairs:
            tally.section.total += 1
            tally.section.correct += collapse(g_crit[i].section) == collapse(p_crit[j].section)
    if "thresholds" in pairings:
        g_thr: list[Threshold] = gold.thresholds or []
        p_thr: list[Threshold] = pred.thresholds or []
        pairs = pairings["thresholds"][MATCHED_UNDER["thresholds"]]
        tally.alternatives.add(count_links(pairs, lambda i: alternative_set(gold, g_thr[i]),
                                           lambda j: alternative_set(pred, p_thr[j])))
        for i, j in pairs:
            tally.condition.total += 1
            tally.condition.correct += same_condition(g_thr[i].condition, p_thr[j].condition)
