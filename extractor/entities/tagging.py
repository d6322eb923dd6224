"""Entities of a document's criteria: tagger, rules and negation scope, per criterion.

The tagger only ever sees criterion texts, so no entity can come from text outside a
criterion (headings, lead-ins, page furniture), and negation scope cannot leak from
one bullet into the next.
"""
from __future__ import annotations

import re
from typing import Sequence

from extractor.entities.negation import ScopeIndex, negation_scopes
from extractor.entities.rules import merge_rules
from extractor.entities.types import Span, Tagger
from extractor.records import ENTITY_LABELS, NEGATABLE, Criterion, Entity

_LEADING = re.compile(r"(?:(?:the|a|an)\s+|\s+)+", re.IGNORECASE)
_TRAILING_MARKS = ",;:(["


def trim_entity(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without surrounding white space, leading articles, trailing ``,;:`` or an opening bracket."""
    span = text[start:end]
    article = _LEADING.match(span)
    if article and article.end() < len(span):
        start += article.end()
    while end > start and (text[end - 1].isspace() or text[end - 1] in _TRAILING_MARKS):
        end -= 1  # a loop, not a regex anchored at the end: that one retries from every mark of a long run
    return start, end


def tag_entities(text: str, criteria: Sequence[Criterion], tagger: Tagger, *,
                 rules: bool = True) -> list[Entity]:
    """Entities of ``criteria`` (spans into ``text``), tagged per criterion in one batch, sorted by offset."""
    texts = [text[c.start:c.end] for c in criteria]
    tagged = tagger.tag(texts) if texts else []
    entities: list[Entity] = []
    for index, (criterion, chunk, spans) in enumerate(zip(criteria, texts, tagged)):
        found: list[Span] = merge_rules(chunk, spans) if rules else list(spans)
        scopes = ScopeIndex(negation_scopes(chunk))
        kept: set[Span] = set()
        for start, end, label in found:
            if label not in ENTITY_LABELS:
                raise ValueError(f"the tagger emitted the label {label!r}, not one of {ENTITY_LABELS}")
            start, end = trim_entity(chunk, start, end)
            if start < end:
                kept.add((start, end, label))
        for start, end, label in sorted(kept):
            negated = scopes.covers(start, end) if label in NEGATABLE else None
            entities.append(Entity(criterion.start + start, criterion.start + end, label, negated,
                                   chunk[start:end], index))
    return entities
