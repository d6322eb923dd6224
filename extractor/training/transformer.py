"""Training the transformer backend: BIO token classification fine-tuned from any local encoder folder.

Criteria longer than ``max_length`` word pieces are cut into overlapping windows
(``stride``), as :class:`~extractor.entities.transformer_backend.TransformerTagger` cuts them
when tagging, so no entity is lost to truncation. A gold span that cuts a word piece labels
the whole piece, as a tagger can only emit whole pieces. Everything runs offline
(``local_files_only=True``): models are never downloaded.
"""
from __future__ import annotations

import json
import logging
import random
import time
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from extractor.entities.types import Span
from extractor.entities.transformer_backend import (BIO_IDS, BIO_LABELS, TransformerTagger, encode, text_pieces,
                                                    word_starts)
from extractor.training.checkpoints import Provenance, deadline, span_f1
from extractor.training.encoder import TransformerSettings, descend, length_grouped_batches
from extractor.training.examples import Example

log = logging.getLogger(__name__)


def bio_tags(offsets: Sequence[tuple[int, int]], spans: Sequence[Span]) -> list[int]:
    """BIO label ids of word pieces with char ``offsets``; special pieces ((0, 0)) get -100 (ignored)."""
    tags = []
    previous: Span | None = None
    for start, end in offsets:
        if start == end:
            tags.append(-100)
            previous = None
            continue
        span = next((s for s in spans if s[0] < end and start < s[1]), None)
        if span is None:
            tags.append(BIO_IDS["O"])
        else:
            tags.append(BIO_IDS[("I-" if span == previous else "B-") + span[2]])
        previous = span
    return tags


def label_transitions(sequences: Iterable[Sequence[int]]) -> np.ndarray:
    """Pointwise mutual information of consecutive BIO labels (ids), add-one smoothed: labels × labels.

    ``log P(next | previous) - log P(next)``: positive where gold follows one label with another
    more often than that label occurs at all ("B-value" after "I-measurement"), negative where less.
    """
    n = len(BIO_LABELS)
    counts = np.ones((n, n))
    for sequence in sequences:
        for previous, following in zip(sequence, sequence[1:]):
            counts[previous, following] += 1
    following_given_previous = counts / counts.sum(1, keepdims=True)
    following = counts.sum(0) / counts.sum()
    # rounded as ``tagger.json`` stores it, so that a loaded tagger decodes exactly as it was tuned
    return np.round(np.log(following_given_previous) - np.log(following)[None, :], 4)


def word_label_sequences(tokenizer: Any, examples: Sequence[Example], max_length: int,
                         stride: int) -> list[list[int]]:
    """The gold BIO label id of each word (its first piece, as the tagger decodes) per example."""
    sequences = []
    for first in range(0, len(examples), 256):
        part = examples[first:first + 256]
        enc = encode(tokenizer, [text for text, _ in part], max_length, stride, padding=False)
        tags = [bio_tags(offsets, part[sample][1])
                for offsets, sample in zip(enc["offset_mapping"], enc["overflow_to_sample_mapping"])]
        for pieces in text_pieces(enc, len(part), tags):
            sequences.append([pieces[i][2] for i in word_starts([word for _, word, _ in pieces])])
    return sequences


def train_transformer(train: Sequence[Example], dev: Sequence[Example], output: Path,
                      settings: TransformerSettings, seed: int, provenance: Provenance) -> None:
    """Fine-tune ``settings.base_model`` (default: MiniLM-L6) and save the best checkpoint on dev.

    Without dev criteria the last step is saved. ``tagger.json`` records the window settings,
    the checkpoint kept and, for reports, the ``provenance`` of the training data.

    Checkpoints are chosen by the mean of strict and lenient entity F1 on the dev criteria,
    decoded as :class:`TransformerTagger` decodes them: the score that is reported, not a
    proxy such as the dev loss.
    """
    import torch
    from transformers import (AutoModelForTokenClassification, AutoTokenizer,
                              DataCollatorForTokenClassification, set_seed)

    set_seed(seed)
    base = settings.base_folder()
    tokenizer = AutoTokenizer.from_pretrained(base, local_files_only=True)
    model = AutoModelForTokenClassification.from_pretrained(
        base, local_files_only=True, num_labels=len(BIO_LABELS),
        id2label=dict(enumerate(BIO_LABELS)), label2id=BIO_IDS)
    train_set = training_windows(tokenizer, train, settings)
    collate = DataCollatorForTokenClassification(tokenizer)
    lengths = [len(ids) for ids in train_set["input_ids"]]
    rng = random.Random(seed)
    generator = None if settings.length_grouped else torch.Generator().manual_seed(seed)

    def epoch() -> Any:
        """One pass over the training windows, in length-grouped batches unless the settings say random."""
        if settings.length_grouped:
            return torch.utils.data.DataLoader(train_set, collate_fn=collate, batch_sampler=length_grouped_batches(
                lengths, settings.batch_size, rng))
        return torch.utils.data.DataLoader(train_set, batch_size=settings.batch_size, shuffle=True,
                                           collate_fn=collate, generator=generator)

    total = settings.total_steps(len(train_set))
    optimizer, schedule = settings.optimizer(model, total)
    limit = deadline(settings.max_seconds)
    checkpoints = TransformerCheckpoints(model, tokenizer, settings, dev, output, seed, provenance, str(base), total)
    model.train()
    step = 0
    while step < total:
        for batch in epoch():
            descend(model, model(**batch).loss, optimizer, schedule)
            step += 1
            done = step >= total or time.monotonic() > limit
            if step % settings.eval_every == 0 or done:
                checkpoints.score(step)
            if done:
                if not dev:
                    checkpoints.save(step, None)
                return


def training_windows(tokenizer: Any, examples: Sequence[Example], settings: TransformerSettings) -> Any:
    """The examples as a ``datasets.Dataset`` of windows (``max_length`` pieces, ``stride`` overlap) with
    their BIO label ids."""
    from datasets import Dataset

    def encode_batch(batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        enc = encode(tokenizer, batch["text"], settings.max_length, settings.stride, padding=False)
        spans = [list(zip(starts, ends, labels)) for starts, ends, labels
                 in zip(batch["starts"], batch["ends"], batch["labels"])]
        tags = [bio_tags(offsets, spans[sample])
                for offsets, sample in zip(enc["offset_mapping"], enc["overflow_to_sample_mapping"])]
        return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "labels": tags}

    # arrow columns are typed, so the (start, end, label) triples travel as three parallel lists
    raw = Dataset.from_dict({"text": [t for t, _ in examples],
                             "starts": [[s[0] for s in spans] for _, spans in examples],
                             "ends": [[s[1] for s in spans] for _, spans in examples],
                             "labels": [[s[2] for s in spans] for _, spans in examples]})
    return raw.map(encode_batch, batched=True, remove_columns=["text", "starts", "ends"])


class TransformerCheckpoints:
    """The dev score of the model being fine-tuned, and its saving when it beats the best so far."""

    def __init__(self, model: Any, tokenizer: Any, settings: TransformerSettings, dev: Sequence[Example],
                 output: Path, seed: int, provenance: Provenance, base: str, total: int) -> None:
        self.model, self.tokenizer, self.settings, self.dev = model, tokenizer, settings, dev
        self.output, self.seed, self.provenance, self.base, self.total = output, seed, provenance, base, total
        self.best = -1.0
        self.started = time.monotonic()
        self.dev_tagger = TransformerTagger([model], tokenizer, settings.max_length, settings.stride, batch_size=64)
        self.dev_texts = [text for text, _ in dev]
        self.dev_gold = [spans for _, spans in dev]

    def save(self, step: int, dev_f1: dict[str, float] | None) -> None:
        self.model.save_pretrained(self.output)
        self.tokenizer.save_pretrained(self.output)
        (self.output / "tagger.json").write_text(json.dumps(self.provenance.record(
            "transformer", self.seed, step, dev_f1, base_model=self.base, max_length=self.settings.max_length,
            stride=self.settings.stride), indent=1), encoding="utf-8")

    def score(self, step: int) -> None:
        if not self.dev:  # nothing to choose by: the last step is saved once training ends
            log.info("step %d/%d, no dev set (%.0f s)", step, self.total, time.monotonic() - self.started)
            return
        self.model.eval()
        strict, lenient = span_f1(self.dev_gold, self.dev_tagger.tag(self.dev_texts))
        self.model.train()
        if (strict + lenient) / 2 > self.best:
            self.best = (strict + lenient) / 2
            self.save(step, {"strict": round(strict, 4), "lenient": round(lenient, 4)})
        log.info("step %d/%d dev F1 strict %.4f lenient %.4f best mean %.4f (%.0f s)", step, self.total,
                 strict, lenient, self.best, time.monotonic() - self.started)
