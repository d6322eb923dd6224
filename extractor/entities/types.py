"""What the tagging code shares, so that the tagger loader and its backends import it, never each other:
the span a tagger answers, the tagger protocol and the errors of loading and training a model."""
from __future__ import annotations

from typing import Protocol, Sequence

Span = tuple[int, int, str]



class ModelError(RuntimeError):
    """A tagger model that is missing or cannot be loaded; the message names its path."""



class TrainingError(ValueError):
    """Training data or settings that cannot produce a model (defined beside the tagger because the
    word-piece encoding that tagging and training share refuses a tokenizer without offsets)."""



class Tagger(Protocol):
    """Anything that tags texts with (start, end, label) spans, offsets relative to each text."""

    def tag(self, texts: Sequence[str]) -> list[list[Span]]: ...
