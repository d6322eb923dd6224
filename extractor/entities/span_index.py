"""Overlap queries on a changing set of spans, in time proportional to the spans near the query.

Merging rule spans into a tagger's compared each rule span with every span kept so far,
quadratic in a criterion's length (a criterion of 100,000 characters has thousands of
each). Spans are filed under the fixed-width buckets of characters they cover, so a
query looks only at the spans filed under its own buckets.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from extractor.entities.types import Span

#: Characters a bucket covers: a few words, so a bucket holds a handful of spans.
BUCKET = 64


def _overlaps(a: Span, b: Span) -> bool:
    """Whether the character ranges of ``a`` and ``b`` share a character."""
    return a[0] < b[1] and b[0] < a[1]


class SpanIndex:
    """A set of spans that answers which of them overlap a given span."""

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        self.spans: set[Span] = set()
        self._buckets: defaultdict[int, set[Span]] = defaultdict(set)
        for span in spans:
            self.add(span)

    @staticmethod
    def _keys(span: Span) -> range:
        """The buckets of the characters of ``span`` (an empty span: the bucket of its position)."""
        return range(span[0] // BUCKET, max(span[0], span[1] - 1) // BUCKET + 1)

    def add(self, span: Span) -> None:
        self.spans.add(span)
        for key in self._keys(span):
            self._buckets[key].add(span)

    def remove(self, span: Span) -> None:
        self.spans.discard(span)
        for key in self._keys(span):
            self._buckets[key].discard(span)

    def overlapping(self, span: Span) -> list[Span]:
        """The spans of the set that overlap ``span``, sorted."""
        near = set().union(*(self._buckets.get(key, ()) for key in self._keys(span)))
        return sorted(s for s in near if _overlaps(s, span))
