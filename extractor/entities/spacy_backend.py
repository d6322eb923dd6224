"""spaCy backend: tagging with a NER (or span categorizer) pipeline (trained by
:mod:`extractor.training.spacy_ner`).

spaCy's tokenizer rescans the rest of a word for each prefix or suffix it strips, so one
word of thousands of characters ("((((…", a pasted table without spaces) takes time
quadratic in its length. A text with a run of more than :data:`MAX_RUN` non-space
characters (never seen in the corpora, whose longest is 87) is tokenized in pieces:
each such run is cut every :data:`RUN_PIECE` characters and the pieces' Docs joined. Any
other text is tokenized whole, as before.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from extractor.entities.types import Span

MAX_RUN = 250
RUN_PIECE = 32
_LONG_RUN = re.compile(r"(?<!\S)\S{%d,}" % (MAX_RUN + 1))


def run_pieces(text: str) -> list[str]:
    """``text`` cut into consecutive pieces: runs of more than ``MAX_RUN`` non-space characters in
    ``RUN_PIECE``-character pieces, the text between them whole (their concatenation is ``text``)."""
    pieces, last = [], 0
    for run in _LONG_RUN.finditer(text):
        pieces.append(text[last:run.start()])
        pieces.extend(text[i:min(i + RUN_PIECE, run.end())] for i in range(run.start(), run.end(), RUN_PIECE))
        last = run.end()
    pieces.append(text[last:])
    return [piece for piece in pieces if piece]


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
        return [self.spans(doc) for doc in self.nlp.pipe(map(self.tokenized, texts), batch_size=self.batch_size)]

    def tokenized(self, text: str) -> str | Doc:
        """``text`` itself (the pipeline tokenizes it) or, if it holds an overlong run, its Doc made in pieces."""
        if not _LONG_RUN.search(text):
            return text
        return Doc.from_docs([self.nlp.tokenizer(piece) for piece in run_pieces(text)], ensure_whitespace=False)

    def spans(self, doc: Doc) -> list[Span]:
        """The spans of a doc the pipeline has processed: its entities and span groups, sorted, no repeats."""
        spans = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        for key in self.span_keys:
            spans.extend((s.start_char, s.end_char, s.label_) for s in doc.spans.get(key, []))
        return sorted(set(spans))
