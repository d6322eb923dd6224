"""Choosing and recording a checkpoint, for either backend: the score it is chosen by, the time
limit, and the provenance its ``tagger.json`` keeps."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Sequence

from extractor.entities.types import Span
from extractor.evaluation.matching import entities_lenient, entities_strict, match
from extractor.records import Entity
from extractor.training.examples import DEV_FRACTION


@dataclass(frozen=True)
class Provenance:
    """What a tagger learnt from, written into its ``tagger.json`` by either backend: a report
    may then describe its silver share and score it on dev trials only if it held them out."""

    training_criteria: int
    silver: list[str]
    dev: dict[str, str | float] | None  # {"folder": …}, {"fraction": …}, or None (no dev set)

    def record(self, backend: str, seed: int, step: int, dev_f1: dict[str, float] | None,
               **settings: Any) -> dict[str, Any]:
        """The ``tagger.json`` content: backend, ``settings`` worth keeping, the kept checkpoint, provenance."""
        return {"backend": backend, **settings, "seed": seed, "step": step, "dev_f1": dev_f1,
                "training_criteria": self.training_criteria, "silver": self.silver, "dev": self.dev}


def recorded_dev(record: dict[str, Any]) -> dict[str, str | float] | None:
    """Where a tagger's dev set came from, by its ``tagger.json`` ``record`` (:class:`Provenance`).

    Records written before ``dev`` was kept carved the default share if they kept a checkpoint
    by dev F1, and had no dev set otherwise.
    """
    if "dev" in record:
        return record["dev"]
    return {"fraction": DEV_FRACTION} if record.get("dev_f1") else None


def span_f1(gold: Sequence[Sequence[Span]], pred: Sequence[Sequence[Span]]) -> tuple[float, float]:
    """Micro (strict, lenient) F1 of predicted against gold spans, text by text.

    The same one-to-one matching as the evaluation harness, so that checkpoints are chosen
    by the score they are reported with rather than by a proxy such as the loss.
    """
    scores = []
    for accept in (entities_strict, entities_lenient):
        tp = n_gold = n_pred = 0
        for gold_spans, pred_spans in zip(gold, pred, strict=True):
            g = [Entity(s, e, label) for s, e, label in gold_spans]
            p = [Entity(s, e, label) for s, e, label in pred_spans]
            tp += len(match(g, p, accept))
            n_gold += len(g)
            n_pred += len(p)
        scores.append(2 * tp / (n_gold + n_pred) if n_gold + n_pred else 0.0)
    return scores[0], scores[1]


def deadline(max_seconds: float | None) -> float:
    """Monotonic time after which training stops (infinity without a limit)."""
    return float("inf") if max_seconds is None else time.monotonic() + max_seconds
