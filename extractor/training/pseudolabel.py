"""Silver training data: criteria of unannotated registry text, tagged by a trained tagger.

Chia's train split has ~10k criteria; registries hold hundreds of thousands. A student trained on
the gold split plus criteria its teacher (best an ensemble) has tagged (``extractor train …
--silver DIR``) sees far more wording than the annotators covered. The silver documents are
ordinary gold-format files, so they can be read, validated and scored like any other.
"""
from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from extractor.entities.tagger import load_tagger
from extractor.entities.types import Span, TrainingError
from extractor.evaluation.loaders import load_documents
from extractor.readers import ReadError, ReadOptions
from extractor.records import Criterion, Document, Entity
from extractor.training.pretrain import criterion_records, excluded_trials

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PseudolabelSummary:
    """What :func:`pseudolabel` read and wrote; ``errors`` are the unreadable records it went past."""

    available: int
    criteria: int
    entities: int
    documents: int
    errors: list[ReadError] = field(default_factory=list)


def sample_criteria(records: Iterable[tuple[str, str, str]], limit: int, seed: int = 0,
                    min_chars: int = 20, max_chars: int = 600) -> tuple[list[tuple[str, str, str]], int]:
    """(up to ``limit`` records drawn at random with ``seed``, how many were eligible).

    Criteria shorter than ``min_chars`` are mostly headings and list stubs; longer than
    ``max_chars`` they are paragraphs the segmenter could not split: neither teaches a tagger.
    """
    eligible = [record for record in records if min_chars <= len(record[2]) <= max_chars]
    count = len(eligible)
    random.Random(seed).shuffle(eligible)
    return eligible[:limit], count


def silver_document(doc_id: str, records: Sequence[tuple[str, str, str]],
                    spans: Sequence[Sequence[Span]], tagger: str) -> Document:
    """One document of criteria, one per line, with their tagged entities; ``meta`` keeps where each came from."""
    text, criteria, entities = "", [], []
    for (_, kind, criterion), found in zip(records, spans, strict=True):
        start = len(text)
        text += criterion + "\n"
        criteria.append(Criterion(start, start + len(criterion), kind))
        entities += [Entity(start + s, start + e, label) for s, e, label in found]
    return Document(doc_id, text, criteria=criteria, entities=entities,
                    meta={"trials": [trial for trial, _, _ in records], "tagger": tagger})


def silver_criteria(folder: str | Path) -> tuple[list[str], set[str]]:
    """(criterion texts in document order, the taggers that tagged them) of a folder
    :func:`pseudolabel` wrote: what a later draw skips and a report counts."""
    docs = load_documents(folder).values()
    return ([doc.text[c.start:c.end] for doc in docs for c in doc.criteria or []],
            {str(doc.meta.get("tagger")) for doc in docs})


def drawn_texts(folders: Iterable[str | Path]) -> set[str]:
    """The criterion texts of earlier silver folders: a new draw skips them, so that two draws
    trained together never repeat a criterion (and so never double its teacher's errors)."""
    return {text for folder in folders for text in silver_criteria(folder)[0]}


def pseudolabel(inputs: list[str], output: str | Path, *, model: str | Path, limit: int,
                exclude: Iterable[str | Path] = (), skip_drawn: Iterable[str | Path] = (),
                seed: int = 0, per_document: int = 50,
                block: int = 10_000, options: ReadOptions = ReadOptions()) -> PseudolabelSummary:
    """Tag ``limit`` criteria drawn from ``inputs`` with the tagger at ``model`` and write them to ``output``.

    Unreadable records are skipped and returned in the summary (the CLI names them at the end).

    ``exclude`` names gold folders whose trials are left out: the test splits, and the gold the
    student trains on (its own labels must not compete with silver ones). ``skip_drawn`` names
    earlier silver folders whose criteria are not drawn again (``available`` then counts the
    eligible criteria they do not hold). Documents hold
    ``per_document`` criteria each, named after ``output`` (``OUTPUT_00000``…, so that two silver
    folders can train together); they are written a ``block`` of criteria at a time (the tagger
    batches a block's criteria by length, so bigger blocks pad less).
    """
    if min(limit, per_document, block) < 1:
        raise TrainingError(f"limit, per_document and block must be positive, got {limit}, {per_document}, {block}")
    tagger = load_tagger(model)
    errors: list[ReadError] = []
    drawn = drawn_texts(skip_drawn)
    records, available = sample_criteria(
        (record for record in criterion_records(inputs, excluded_trials(exclude), errors, options)
         if record[2] not in drawn), limit, seed)
    if not records:
        raise TrainingError(f"{', '.join(inputs)}: no criterion to tag")
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    entities = documents = 0
    size = max(per_document, block - block % per_document)  # whole documents per block
    for first in range(0, len(records), size):
        part = records[first:first + size]
        spans = tagger.tag([text for _, _, text in part])
        for start in range(0, len(part), per_document):
            doc = silver_document(f"{out.name}_{documents:05d}", part[start:start + per_document],
                                  spans[start:start + per_document], str(model))
            (out / f"{doc.id}.json").write_text(json.dumps(doc.to_dict(), ensure_ascii=False), encoding="utf-8")
            entities += len(doc.entities or [])
            documents += 1
        log.info("%d of %d criteria tagged", first + len(part), len(records))
    log.info("%d of %d eligible criteria tagged (%d entities) into %d documents; %d unreadable records",
             len(records), available, entities, documents, len(errors))
    return PseudolabelSummary(available, len(records), entities, documents, errors)
