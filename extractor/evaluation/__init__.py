"""Evaluation harness: score predictions (or the pipeline itself) against gold in the annotation format.

Split as nervaluate does: :mod:`.loaders` reads documents, :mod:`.matching` pairs
items one-to-one per strategy, :mod:`.counting` tallies tp/fp/fn, :mod:`.report`
builds the format's JSON report and renders it.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterable

from extractor.evaluation.counting import Evaluation, EvaluationError, score
from extractor.evaluation.loaders import LoadError, load_documents
from extractor.evaluation.report import build_report, render_errors, render_markdown
from extractor.readers import gold_reading
from extractor.records import LAYERS, Document

__all__ = ["Evaluation", "EvaluationError", "LoadError", "build_report", "evaluate", "load_documents",
           "predict", "render_errors", "render_markdown", "score"]


def evaluate(gold: str | Path, pred: str | Path | None = None,
             layers: Iterable[str] = LAYERS) -> Evaluation:
    """Score ``pred`` (folder, ``.json`` or ``.jsonl``) against the gold at ``gold``.

    Without ``pred`` the pipeline runs on each gold text, so the project can always
    measure itself on its own gold with one call. Layers not in ``layers`` are treated
    as absent from the gold, so they are reported as not scored rather than as all missed.
    """
    chosen = set(layers)
    gold_docs = {doc_id: _only(doc, chosen) for doc_id, doc in load_documents(gold).items()}
    pred_docs = load_documents(pred) if pred is not None else predict(gold_docs, chosen)
    return score(gold_docs, pred_docs)


def predict(gold: dict[str, Document], layers: Iterable[str] = LAYERS) -> dict[str, Document]:
    """Run the pipeline on every gold text, telling it what the gold knows about the text.

    Chia keeps inclusion and exclusion text in separate documents without headings;
    the converter records which one in ``meta["section"]``, and passing it on keeps the
    pipeline from having to guess the kind of every criterion. LCT texts are registry
    criteria fields (``meta["eligibility"]``), eligibility text without a page around it,
    which is how ``extractor extract`` reads such gold files too.
    """
    from extractor.api import extract  # here, not at the top: scoring --pred files needs no pipeline

    chosen = tuple(layers)
    predictions = {}
    for doc_id, doc in gold.items():
        section, eligibility = gold_reading(doc.meta)
        predictions[doc_id] = extract(doc.text, doc_id=doc_id, section=section, eligibility=eligibility,
                                      layers=chosen)
    return predictions


def _only(doc: Document, layers: set[str]) -> Document:
    """The document with the layers outside ``layers`` made absent."""
    return replace(doc, **{layer: None for layer in LAYERS if layer not in layers})

