"""Training the spaCy backend: a NER (or span categorizer) pipeline from in-memory examples.

The loop is ours rather than ``spacy train`` so that it can take examples in memory
(criterion texts, no ``.spacy`` corpus files), stop at a wall-clock limit on a shared
CPU, and keep the best dev checkpoint; everything it learns with comes from the
``.cfg`` file (architecture, optimizer, batcher, dropout, epochs), so a run is
reproduced by the config and the seed.
"""
from __future__ import annotations

import json
import logging
import random
import time
from pathlib import Path
from typing import Any, Sequence

from spacy.language import Language
from spacy.scorer import Scorer
from spacy.training import Example as SpacyExample
from spacy.util import fix_random_seed, load_config, load_model_from_config, registry

from extractor.entities.spacy_backend import SpacyTagger
from extractor.entities.types import Span, TrainingError
from extractor.training.checkpoints import Provenance, deadline, span_f1
from extractor.training.examples import Example, longest_first

log = logging.getLogger(__name__)


def to_spacy_examples(nlp: Language, examples: Sequence[Example]) -> list[SpacyExample]:
    """spaCy examples; spans that cut a token are widened to whole tokens, then overlaps resolved."""
    out = []
    for text, spans in examples:
        predicted = nlp.make_doc(text)
        reference = nlp.make_doc(text)
        aligned: list[Span] = []
        for start, end, label in spans:
            span = reference.char_span(start, end, label=label, alignment_mode="expand")
            if span is not None:
                aligned.append((span.start_char, span.end_char, label))
        reference.ents = [reference.char_span(s, e, label=lab) for s, e, lab in longest_first(aligned)]
        out.append(SpacyExample(predicted, reference))
    return out


def train_spacy(train: Sequence[Example], dev: Sequence[Example], output: Path, config_path: Path,
                seed: int, max_seconds: float | None, provenance: Provenance) -> float:
    """Train the pipeline the config describes; the best dev ``ents_f`` checkpoint is saved to ``output``.

    Returns that best dev score. Without dev examples every epoch of the config runs and
    the last averaged weights are saved (returns -1). Beside the pipeline, ``tagger.json``
    records the step kept, its dev F1 as the reports score it (strict and lenient, through
    :class:`SpacyTagger`) and the ``provenance`` of the training data.
    """
    if not config_path.is_file():
        raise TrainingError(f"{config_path}: spaCy config not found")
    config = load_config(config_path, overrides={"system.seed": seed})
    settings = config["training"]
    fix_random_seed(seed)
    nlp = load_model_from_config(config, auto_fill=True, validate=True)
    train_ex = to_spacy_examples(nlp, train)
    dev_ex = to_spacy_examples(nlp, dev)
    optimizer = nlp.initialize(lambda: train_ex)
    batcher = registry.resolve({"b": config["training"]["batcher"]})["b"]
    limit = deadline(max_seconds)
    rng = random.Random(seed)
    checkpoints = SpacyCheckpoints(nlp, optimizer, dev, dev_ex, output, seed, provenance)
    every = int(settings.get("eval_frequency", 200))
    patience = int(settings.get("patience", 1600))
    step, last_gain = 0, 0
    started = time.monotonic()
    for epoch in range(int(settings.get("max_epochs", 30))):
        rng.shuffle(train_ex)
        losses: dict[str, float] = {}
        for batch in batcher(train_ex):
            nlp.update(batch, drop=float(settings.get("dropout", 0.1)), sgd=optimizer, losses=losses)
            step += 1
            out_of_time = time.monotonic() > limit
            if step % every == 0 or out_of_time:
                previous = checkpoints.best
                score = checkpoints.score(step)
                last_gain = step if checkpoints.best > previous else last_gain
                log.info("epoch %d step %d loss %.1f %s (%.0f s)", epoch, step, losses.get("ner", 0.0),
                         checkpoints.scored(score), time.monotonic() - started)
            if out_of_time or (dev_ex and step - last_gain >= patience):
                log.info("stopping at step %d: %s", step, "time limit" if out_of_time else "patience")
                return checkpoints.best
    if step % every:
        log.info("end of training at step %d: %s", step, checkpoints.scored(checkpoints.score(step)))
    return checkpoints.best


class SpacyCheckpoints:
    """The dev score of a training's averaged weights, and their saving when they beat the best so far."""

    def __init__(self, nlp: Language, optimizer: Any, dev: Sequence[Example], dev_ex: list[SpacyExample],
                 output: Path, seed: int, provenance: Provenance) -> None:
        self.nlp, self.optimizer, self.dev_ex = nlp, optimizer, dev_ex
        self.output, self.seed, self.provenance = output, seed, provenance
        self.best = -1.0
        self.tagger, self.scorer = SpacyTagger(nlp), Scorer(nlp)
        self.dev_texts, self.dev_gold = [text for text, _ in dev], [spans for _, spans in dev]

    def save(self, step: int, dev_f1: dict[str, float] | None) -> None:
        self.nlp.to_disk(self.output)
        (self.output / "tagger.json").write_text(
            json.dumps(self.provenance.record("spacy", self.seed, step, dev_f1), indent=1), encoding="utf-8")

    def score(self, step: int) -> float:
        """Dev score of the averaged weights; saves them when they beat the best so far."""
        with self.nlp.use_params(self.optimizer.averages):
            if not self.dev_ex:  # a final model: the last checkpoint is kept
                self.save(step, None)
                return -1.0
            # one pass over dev gives both spaCy's ents_f (what selects, as nlp.evaluate scores it) and
            # the strict / lenient F1 the reports use (what the record keeps)
            docs = list(self.nlp.pipe(self.dev_texts))
            examples = [SpacyExample(doc, eg.reference) for doc, eg in zip(docs, self.dev_ex)]
            score = float(self.scorer.score(examples)["ents_f"] or 0.0)
            if score > self.best:
                self.best = score
                strict, lenient = span_f1(self.dev_gold, [self.tagger.spans(doc) for doc in docs])
                self.save(step, {"strict": round(strict, 4), "lenient": round(lenient, 4)})
        return score

    def scored(self, score: float) -> str:
        return f"dev ents_f {score:.4f} best {self.best:.4f}" if self.dev_ex else "saved, no dev set"
