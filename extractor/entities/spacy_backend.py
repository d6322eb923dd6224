"""spaCy backend: tagging with a NER (or span categorizer) pipeline (trained by
:mod:`extractor.training.spacy_ner`)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from extractor.entities.types import Span


class SpacyTagger:
    """Tags with a spaCy pipeline: ``doc.ents`` of a NER, plus the span groups of any span categorizer."""

    def __init__(self, nlp: Language, batch_size: int = 64) -> None:
        self.nlp = nlp
        self.batch_size = batch_size
        self.span_keys = [pipe.cfg["spans_key"] for _, pipe in nlp.pipeline
                          if getattr(pipe, "cfg", None) and "spans_key" in pipe.cfg]

    @classmethod
    def load(cls, path: str | Path) -> "SpacyTagger":
        return cls(spacy.load(path))

    def tag(self, texts: Sequence[str]) -> list[list[Span]]:
        return [self.spans(doc) for doc in self.nlp.pipe(texts, batch_size=self.batch_size)]

    def spans(self, doc: Doc) -> list[Span]:
        """The spans of a doc the pipeline has processed: its entities and span groups, sorted, no repeats."""
        spans = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        for key in self.span_keys:
            spans.extend((s.start_char, s.end_char, s.label_) for s in doc.spans.get(key, []))
        return sorted(set(spans))
