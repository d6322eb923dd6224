"""spaCy components: thin glue over the plain functions that do the work.

The pipeline works on whole documents (web pages, registry records). Each component
stores its layer on the Doc as plain data, the records as the annotation format writes them
(``doc._.criteria``, ``doc._.thresholds``, ``doc._.entities``: lists of dicts), so that
``nlp.pipe(n_process=…)``, ``Doc.to_bytes`` and ``DocBin(store_user_data=True)`` carry them.
Each layer is also a span group (``doc.spans["criteria"]`` …) whose spans hold their record
(``span._.criterion``, ``span._.threshold``, ``span._.entity``: one extension a layer, since
spaCy keys a span's extensions by its offsets alone; ``span._.kind``, ``span._.section`` and
``span._.id`` read a criterion's); entities fill
``doc.ents`` too (overlaps resolved longest first, then leftmost) with ``span._.negated``.
A record whose offsets cut a token is widened to whole tokens in its span; its record keeps
the exact offsets. Factories are registered under the ``spacy_factories`` entry point, so
``nlp.add_pipe("eligibility_criteria")`` works after installation.
"""
from __future__ import annotations

from typing import Any, Callable

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.records import Criterion, Document, Entity, Threshold

for _name, _default in (("criteria", None), ("thresholds", None), ("entities", None),
                        ("section", "auto"), ("doc_id", "doc"), ("meta", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)
#: The span extension holding a layer's record.
RECORD_OF: dict[str, str] = {"criteria": "criterion", "thresholds": "threshold", "entities": "entity"}
for _name in (*RECORD_OF.values(), "negated"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)
for _name in ("kind", "section", "id"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, getter=lambda span, key=_name: (span._.criterion or {}).get(key))


def _records(doc: Doc, layer: str, typ: Any) -> list[Any] | None:
    items = getattr(doc._, layer)
    return None if items is None else [typ.from_dict(d, f"doc {doc._.doc_id!r} {layer}[{i}]")
                                       for i, d in enumerate(items)]


def document_of(doc: Doc) -> Document:
    """The annotation-format record of a processed Doc (layers that did not run are absent)."""
    return Document(id=doc._.doc_id, text=doc.text, criteria=_records(doc, "criteria", Criterion),
                    entities=_records(doc, "entities", Entity), thresholds=_records(doc, "thresholds", Threshold),
                    meta=dict(doc._.meta or {}))


def _span(doc: Doc, start: int, end: int, label: str) -> Span | None:
    """The tokens of ``[start, end)``, widened to whole tokens where the offsets cut one."""
    return (doc.char_span(start, end, label=label, alignment_mode="strict")
            or doc.char_span(start, end, label=label, alignment_mode="expand"))


def _set_layer(doc: Doc, layer: str, items: list[Any], label_of: Callable[[Any], str]) -> list[Span]:
    """Stores ``items`` as plain data on the Doc and as the span group ``layer``; returns its spans."""
    records = [item.to_dict() for item in items]
    setattr(doc._, layer, records)
    spans = []
    for item, record in zip(items, records):
        span = _span(doc, item.start, item.end, label_of(item))
        if span is not None:
            setattr(span._, RECORD_OF[layer], record)
            spans.append(span)
    doc.spans[layer] = spans
    return spans


def longest_leftmost(spans: list[Span]) -> list[Span]:
    """Spans that do not overlap, taken longest first, then leftmost (what ``doc.ents`` can hold)."""
    taken: list[Span] = []
    used = bytearray(max((s.end for s in spans), default=0))  # tokens already in a taken span
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start, s.label_)):
        if not any(used[span.start:span.end]):  # not a pass over every span taken so far
            taken.append(span)
            used[span.start:span.end] = b"\1" * (span.end - span.start)
    return sorted(taken, key=lambda s: s.start)


class CriteriaFinder:
    """Finds the eligibility sections and splits them into criteria."""

    def __init__(self, nlp: Language, name: str, default_section: str, eligibility: bool) -> None:
        self.name = name
        self.default_section = default_section
        self.eligibility = eligibility

    def __call__(self, doc: Doc) -> Doc:
        from extractor.segment import find_criteria

        section = doc._.section if doc._.section != "auto" else self.default_section
        criteria: list[Criterion] = find_criteria(doc.text, section=section, eligibility=self.eligibility)
        _set_layer(doc, "criteria", criteria, lambda c: c.kind)
        return doc


class ThresholdExtractor:
    """Numeric thresholds of the criteria found by ``eligibility_criteria``."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        from extractor.thresholds import extract_thresholds

        thresholds: list[Threshold] = extract_thresholds(doc.text, _records(doc, "criteria", Criterion) or [])
        _set_layer(doc, "thresholds", thresholds, lambda t: t.variable)
        return doc


class EntityTagger:
    """Entities of each criterion, from the trained tagger plus rules; ``model`` is any model path."""

    def __init__(self, nlp: Language, name: str, model: str | None, backend: str) -> None:
        from extractor.entities import load_tagger

        self.name = name
        self.tagger = load_tagger(model, backend=backend)

    def __call__(self, doc: Doc) -> Doc:
        from extractor.entities import tag_entities

        entities: list[Entity] = tag_entities(doc.text, _records(doc, "criteria", Criterion) or [], self.tagger)
        spans = _set_layer(doc, "entities", entities, lambda e: e.label)
        for span in spans:
            span._.negated = span._.entity.get("negated")
        doc.ents = longest_leftmost(spans)  # the same tokens and label: they share the spans' extensions
        return doc


@Language.factory("eligibility_criteria", default_config={"default_section": "auto", "eligibility": False},
                  assigns=["doc._.criteria"])
def make_criteria_finder(nlp: Language, name: str, default_section: str, eligibility: bool) -> CriteriaFinder:
    return CriteriaFinder(nlp, name, default_section, eligibility)


@Language.factory("eligibility_thresholds", requires=["doc._.criteria"], assigns=["doc._.thresholds"])
def make_threshold_extractor(nlp: Language, name: str) -> ThresholdExtractor:
    return ThresholdExtractor(nlp, name)


@Language.factory("eligibility_entities", default_config={"model": None, "backend": "auto"},
                  requires=["doc._.criteria"], assigns=["doc._.entities"])
def make_entity_tagger(nlp: Language, name: str, model: str | None, backend: str) -> EntityTagger:
    return EntityTagger(nlp, name, model, backend)
