"""What a tagger learns from: one example per gold criterion, and the dev trials carved out of them.

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

import logging
import zlib
from typing import Sequence

from extractor.entities.types import Span, TrainingError
from extractor.records import ENTITY_LABELS, Document
from extractor.spans import line_spans

log = logging.getLogger(__name__)


Example = tuple[str, list[Span]]


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


def split_dev(docs: Sequence[Document], fraction: float = DEV_FRACTION) -> tuple[list[Document], list[Document]]:
    """(train, dev): a stable ``fraction`` of the trials (by CRC32 of the trial id) goes to dev."""
    if not 0 < fraction < 1:
        raise TrainingError(f"dev fraction must lie in (0, 1), got {fraction}")
    cut = int(fraction * 1000)
    train, dev = [], []
    for doc in docs:
        (dev if zlib.crc32(trial_of(doc.id).encode()) % 1000 < cut else train).append(doc)
    return train, dev
