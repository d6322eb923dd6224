"""Fitting a transformer tagger's :class:`~extractor.entities.transformer_backend.Decoding` on dev trials.

Two settings are chosen on the dev criteria the model held out: the weight of a label-transition
prior learnt from the gold training criteria, and the confidence below which an entity is dropped.
Both act after the network, so one tagging pass over dev serves the whole grid. Selection uses
the score checkpoints are chosen by (mean of strict and lenient entity F1 on dev); the untouched
setting (0, 0) is tried first and ties keep the earlier setting, so tuning never lowers that score.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from extractor.entities.types import TrainingError
from extractor.evaluation.loaders import load_documents
from extractor.training.checkpoints import recorded_dev, span_f1
from extractor.training.examples import criterion_examples, split_dev

log = logging.getLogger(__name__)

TRANSITION_WEIGHTS: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(11))
"""Weights of the transition prior tried: 0 to 0.5 (beyond, the prior overrides the network)."""
MIN_CONFIDENCES: tuple[float, ...] = (0.0,) + tuple(round(0.3 + 0.05 * i, 2) for i in range(9))
"""Entity confidence thresholds tried: none, or 0.3 to 0.7."""


@dataclass(frozen=True)
class TuneSummary:
    """What :func:`tune` chose and measured, for the command's report."""

    transition_weight: float
    min_confidence: float
    dev_criteria: int
    before: tuple[float, float]  # dev (strict, lenient) F1 untuned
    after: tuple[float, float]


def model_dev(model: Path) -> dict[str, Any] | None:
    """Where the dev set of ``model`` (a model folder or an ensemble's) came from, by its training record.

    Every member of an ensemble must have held out the same dev set, else no dev set is clean for all.
    """
    from extractor.entities.transformer_backend import member_folders, read_settings

    devs = [recorded_dev(read_settings(folder)) for folder in member_folders(model, read_settings(model))]
    if any(dev != devs[0] for dev in devs):
        raise TrainingError(f"{model}: its members held out different dev sets ({devs}); pass one explicitly")
    return devs[0]


def tune(model: str | Path, train_dir: str | Path | Sequence[str | Path], dev_dir: str | Path | None = None,
         threads: int = 2) -> TuneSummary:
    """Fit the decoding of the transformer tagger in ``model`` and write it into its ``tagger.json``.

    ``train_dir`` is the gold the model was trained on (silver left out): the transition prior is
    counted on its training part, and its dev part is carved as the model's training carved it
    (:func:`model_dev`), unless ``dev_dir`` names the dev documents (for a model trained
    elsewhere; they must be trials it never saw).
    """
    import torch

    from extractor.entities.transformer_backend import Decoding, TransformerTagger, read_settings
    from extractor.training.transformer import label_transitions, word_label_sequences

    model = Path(model)
    settings = read_settings(model)
    if settings.get("backend") == "spacy":
        raise TrainingError(f"{model}: a spaCy tagger; decoding is tuned for transformer taggers only")
    tagger = TransformerTagger.load(model)
    folders = [train_dir] if isinstance(train_dir, (str, Path)) else list(train_dir)
    docs = [doc for folder in folders for doc in load_documents(folder).values()]
    if dev_dir is not None:
        dev_docs = list(load_documents(dev_dir).values())
    else:
        dev = model_dev(model)
        if dev is None:
            raise TrainingError(f"{model}: trained without held-out trials by its record (dev fraction 0, or no "
                                "tagger.json), so no dev set can tune it; pass the dev documents explicitly")
        if "folder" in dev:
            dev_docs = list(load_documents(dev["folder"]).values())
        else:
            docs, dev_docs = split_dev(docs, float(dev["fraction"]))
    train_examples, dev_examples = criterion_examples(docs), criterion_examples(dev_docs)
    if not dev_examples or not any(spans for _, spans in dev_examples):
        raise TrainingError(f"{model}: no dev criteria with gold entities to tune on")
    torch.set_num_threads(threads)
    transitions = label_transitions(word_label_sequences(tagger.tokenizer, train_examples, tagger.max_length,
                                                         tagger.stride))
    log.info("tagging %d dev criteria (%d training criteria give the transition prior)", len(dev_examples),
             len(train_examples))
    pieces = tagger.piece_scores([text for text, _ in dev_examples])
    gold = [spans for _, spans in dev_examples]
    results: dict[tuple[float, float], tuple[float, float]] = {}
    for weight in TRANSITION_WEIGHTS:
        candidates = [Decoding(transitions, weight).candidates(*p) for p in pieces]  # Viterbi once per weight
        for threshold in MIN_CONFIDENCES:
            decoding = Decoding(transitions, weight, threshold)
            results[weight, threshold] = span_f1(gold, [decoding.confident(c) for c in candidates])
            log.info("transition weight %.2f, min confidence %.2f: dev F1 strict %.4f lenient %.4f",
                     weight, threshold, *results[weight, threshold])
    # max keeps the first best in grid order: the untouched (0, 0), then the smaller weight and threshold
    weight, threshold = max(results, key=lambda key: sum(results[key]))
    before, after = results[0.0, 0.0], results[weight, threshold]
    record = {"criteria": len(dev_examples), "training_criteria": len(train_examples),
              "dev_f1_untuned": {"strict": round(before[0], 4), "lenient": round(before[1], 4)},
              "dev_f1": {"strict": round(after[0], 4), "lenient": round(after[1], 4)}}
    settings["decoding"] = Decoding(transitions, weight, threshold, record).to_json()
    (model / "tagger.json").write_text(json.dumps(settings, indent=1), encoding="utf-8")
    return TuneSummary(weight, threshold, len(dev_examples), before, after)
