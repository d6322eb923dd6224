"""spaCy components: thin glue over the plain functions that do the work.

The pipeline works on whole documents (web pages, registry records). Each component
stores typed records on the Doc (``doc._.criteria``, ``doc._.thresholds``,
``doc._.entities``) with character offsets into ``doc.text``; where a record aligns with
tokens it is also exposed as a span group (``doc.spans["criteria"]`` …) for spaCy users.
Factories are registered under the ``spacy_factories`` entry point, so
``nlp.add_pipe("eligibility_criteria")`` works after installation.
"""
from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from extractor.records import Criterion, Document, Entity, Threshold

for _name, _default in (("criteria", None), ("thresholds", None), ("entities", None),
                        ("section", "auto"), ("doc_id", "doc"), ("meta", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


def document_of(doc: Doc) -> Document:
    """The annotation-format record of a processed Doc (layers that did not run are absent)."""
    return Document(id=doc._.doc_id, text=doc.text, criteria=doc._.criteria,
                    entities=doc._.entities, thresholds=doc._.thresholds, meta=dict(doc._.meta or {}))


def _set_span_group(doc: Doc, key: str, items: list[Any], label_of: Any) -> None:
    spans = []
    for item in items:
        span = doc.char_span(item.start, item.end, label=label_of(item), alignment_mode="strict")
        if span is not None:
            spans.append(span)
    doc.spans[key] = spans


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
        doc._.criteria = criteria
        _set_span_group(doc, "criteria", criteria, lambda c: c.kind)
        return doc


class ThresholdExtractor:
    """Numeric thresholds of the criteria found by ``eligibility_criteria``."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        from extractor.thresholds import extract_thresholds

        thresholds: list[Threshold] = extract_thresholds(doc.text, doc._.criteria or [])
        doc._.thresholds = thresholds
        _set_span_group(doc, "thresholds", thresholds, lambda t: t.variable)
        return doc


class EntityTagger:
    """Entities of each criterion, from the trained tagger plus rules; ``model`` is any model path."""

    def __init__(self, nlp: Language, name: str, model: str | None, backend: str) -> None:
        from extractor.entities import load_tagger

        self.name = name
        self.tagger = load_tagger(model, backend=backend)

    def __call__(self, doc: Doc) -> Doc:
        from extractor.entities import tag_entities

        entities: list[Entity] = tag_entities(doc.text, doc._.criteria or [], self.tagger)
        doc._.entities = entities
        _set_span_group(doc, "entities", entities, lambda e: e.label)
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
