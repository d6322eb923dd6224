"""Micro-averaged counts over documents, per strategy and per label or variable.

Counting rules (the format's Scoring section):
- a layer absent from a gold document is not scored for that document, whatever
  the prediction holds there; an empty gold layer makes every prediction a false
  positive;
- a gold document without a prediction counts all its gold items as missed;
  predicted documents without gold are ignored;
- a ratio whose denominator is zero (no prediction for precision, no gold for
  recall, neither for F1) is ``None``, so a layer nobody annotated reports zero
  counts and null scores instead of a misleading 0 or 1.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Sequence

from extractor.evaluation.counts import Counts
from extractor.evaluation.logic import LogicTally, score_logic
from extractor.evaluation.matching import STRATEGIES, match
from extractor.records import LAYERS, Document, Entity


class EvaluationError(ValueError):
    """Gold and prediction that cannot be scored against each other."""


@dataclass(slots=True)
class Tally:
    """Counts of one strategy over all documents, overall and per label (or variable)."""

    total: Counts = field(default_factory=Counts)
    per_key: dict[str, Counts] = field(default_factory=dict)

    def count(self, key: str | None, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        delta = Counts(tp, fp, fn)
        self.total.add(delta)
        if key is not None:
            self.per_key.setdefault(key, Counts()).add(delta)


#: A gold item without a match, or a prediction without one.
ErrorKind = Literal["missed", "spurious"]


@dataclass(frozen=True, slots=True)
class ScoringError:
    """One missed or spurious item of a strict strategy, for error analysis."""

    doc_id: str
    layer: str
    strategy: str
    kind: ErrorKind
    item: Any
    text: str
    closest: Any = None  # the item it matched under the lenient strategy, if any


@dataclass(slots=True)
class Evaluation:
    """Everything one scoring run found: tallies per layer and strategy, negation, errors."""

    documents: int = 0
    tallies: dict[str, dict[str, Tally]] = field(
        default_factory=lambda: {layer: {name: Tally() for name in strategies}
                                 for layer, strategies in STRATEGIES.items()})
    negation_correct: int = 0
    negation_total: int = 0
    logic: LogicTally = field(default_factory=LogicTally)
    errors: list[ScoringError] = field(default_factory=list)

    @property
    def negation_accuracy(self) -> float | None:
        return self.negation_correct / self.negation_total if self.negation_total else None


def item_key(item: Any) -> str | None:
    """The label or variable an item is reported under (criteria have no per-label breakdown)."""
    return getattr(item, "label", None) or getattr(item, "variable", None)


def score(gold: dict[str, Document], pred: dict[str, Document]) -> Evaluation:
    """Score predictions against gold, document by document, micro-averaged."""
    evaluation = Evaluation()
    for doc_id, gold_doc in gold.items():
        pred_doc = pred.get(doc_id)
        if pred_doc is not None and pred_doc.text != gold_doc.text:
            raise EvaluationError(f"document {doc_id!r}: predicted text differs from the gold text, "
                                  "so their offsets cannot be compared")
        evaluation.documents += 1
        pairings: dict[str, dict[str, list[tuple[int, int]]]] = {}
        for layer in LAYERS:
            gold_items = getattr(gold_doc, layer)
            if gold_items is None:
                continue
            pred_items = (getattr(pred_doc, layer) if pred_doc is not None else None) or []
            pairings[layer] = score_layer(evaluation, gold_doc, layer, gold_items, pred_items)
        if gold_doc.logic and pred_doc is not None:
            score_logic(evaluation.logic, gold_doc, pred_doc, pairings)
    return evaluation


def score_layer(evaluation: Evaluation, doc: Document, layer: str,
                gold: Sequence[Any], pred: Sequence[Any]) -> dict[str, list[tuple[int, int]]]:
    """Add one document's layer to every strategy's tally (and negation, errors); the pairs per strategy."""
    strategies = STRATEGIES[layer]
    pairings = {name: match(gold, pred, accept) for name, accept in strategies.items()}
    for name, pairs in pairings.items():
        tally = evaluation.tallies[layer][name]
        matched_gold = {i for i, _ in pairs}
        matched_pred = {j for _, j in pairs}
        for i, _ in pairs:
            tally.count(item_key(gold[i]), tp=1)
        for i, g in enumerate(gold):
            if i not in matched_gold:
                tally.count(item_key(g), fn=1)
        for j, p in enumerate(pred):
            if j not in matched_pred:
                tally.count(item_key(p), fp=1)
    strict, lenient = strategies
    if layer == "entities":
        count_negation(evaluation, gold, pred, pairings[lenient])
    collect_errors(evaluation, doc, layer, strict, gold, pred, pairings[strict], pairings[lenient])
    return pairings


def count_negation(evaluation: Evaluation, gold: Sequence[Entity], pred: Sequence[Entity],
                   pairs: list[tuple[int, int]]) -> None:
    """Negation accuracy over lenient matches whose gold says ``negated``; a prediction without it is not negated."""
    for i, j in pairs:
        if gold[i].negated is not None:
            evaluation.negation_total += 1
            evaluation.negation_correct += gold[i].negated == bool(pred[j].negated)


def collect_errors(evaluation: Evaluation, doc: Document, layer: str, strategy: str,
                   gold: Sequence[Any], pred: Sequence[Any],
                   strict_pairs: list[tuple[int, int]], lenient_pairs: list[tuple[int, int]]) -> None:
    """Record the strict strategy's misses and spurious items, each with its lenient partner if any."""
    sides: tuple[tuple[ErrorKind, Sequence[Any], set[int], dict[int, int], Sequence[Any]], ...]
    sides = (("missed", gold, {i for i, _ in strict_pairs}, dict(lenient_pairs), pred),
             ("spurious", pred, {j for _, j in strict_pairs}, {j: i for i, j in lenient_pairs}, gold))
    for kind, items, matched, partner_of, others in sides:
        for k, item in enumerate(items):
            if k not in matched:
                partner = partner_of.get(k)
                evaluation.errors.append(ScoringError(doc.id, layer, strategy, kind, item,
                                                      doc.text[item.start:item.end],
                                                      None if partner is None else others[partner]))
