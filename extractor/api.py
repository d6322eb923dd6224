"""Library entry points: ``extract`` (one call), ``Extractor`` (reusable), ``load`` (spaCy pipeline).

``Extractor`` calls the plain functions directly: batch runs must not pay for spaCy
tokenization of whole pages (about half the time budget of a 4,868-trial run), and
the entity tagger only ever sees criterion texts. ``load`` builds the same steps as
registered spaCy components for users who want a ``Language``.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Iterable

from extractor.records import LAYERS, Criterion, Document
from extractor.segment import Layout, segment

if TYPE_CHECKING:  # spaCy costs ~1 s of start-up; batch runs without entities never need it
    from spacy.language import Language


def check_layers(layers: Iterable[str]) -> tuple[str, ...]:
    """Validated layer names; criteria are always produced, the other layers stand on them."""
    chosen = tuple(dict.fromkeys(layers))
    unknown = [layer for layer in chosen if layer not in LAYERS]
    if unknown:
        raise ValueError(f"unknown layer(s) {unknown}; choose from {LAYERS}")
    return tuple(layer for layer in LAYERS if layer in chosen or layer == "criteria")


class Extractor:
    """A reusable extractor: load once (the tagger model), call per document."""

    def __init__(self, layers: Iterable[str] = LAYERS, model: str | None = None,
                 backend: str = "auto") -> None:
        self.layers = check_layers(layers)
        self._tagger = None
        if "entities" in self.layers:
            from extractor.entities import load_tagger

            self._tagger = load_tagger(model, backend=backend)

    def __call__(self, text: str, *, doc_id: str = "doc", section: str = "auto",
                 eligibility: bool = False, source: str | None = None,
                 meta: dict[str, Any] | None = None) -> Document:
        """Extract every layer of one document; ``section``/``eligibility`` as in ``find_criteria``."""
        return self.run(text, doc_id=doc_id, section=section, eligibility=eligibility, source=source,
                        meta=meta)[0]

    def run(self, text: str, *, doc_id: str = "doc", section: str = "auto", eligibility: bool = False,
            source: str | None = None, meta: dict[str, Any] | None = None,
            on_layer_error: Callable[[str, Exception], None] | None = None) -> tuple[Document, Layout]:
        """The document and its segmentation layout (for coverage checks).

        With ``on_layer_error``, a thresholds or entities layer that fails is left absent (``None``)
        and reported there, so one layer's fault does not lose the criteria and the other layer;
        without it the fault is raised.
        """
        layout = segment(text, section=section, eligibility=eligibility)
        criteria = layout.criteria
        doc = Document(id=doc_id, text=text, source=source, criteria=criteria, meta=dict(meta or {}))
        for layer in ("thresholds", "entities"):
            if layer not in self.layers:
                continue
            try:
                setattr(doc, layer, self._layer(layer, text, criteria))
            except Exception as exc:  # one layer's fault must not lose the others
                if on_layer_error is None:
                    raise
                on_layer_error(layer, exc)
        return doc, layout

    def _layer(self, layer: str, text: str, criteria: list[Criterion]) -> list[Any]:
        if layer == "thresholds":
            from extractor.thresholds import extract_thresholds

            return extract_thresholds(text, criteria)
        from extractor.entities import tag_entities

        return tag_entities(text, criteria, self._tagger)


@lru_cache(maxsize=4)
def _cached(layers: tuple[str, ...], model: str | None, backend: str) -> Extractor:
    return Extractor(layers, model, backend)


def extract(text: str, *, doc_id: str = "doc", section: str = "auto", eligibility: bool = False,
            layers: Iterable[str] = LAYERS, model: str | None = None, backend: str = "auto") -> Document:
    """One call: text in, annotation-format ``Document`` out (the extractor is cached)."""
    return _cached(check_layers(layers), model, backend)(
        text, doc_id=doc_id, section=section, eligibility=eligibility)


def load(layers: Iterable[str] = LAYERS, model: str | None = None, backend: str = "auto",
         section: str = "auto", eligibility: bool = False) -> Language:
    """A spaCy pipeline of the registered components; ``nlp(text)._.criteria`` etc. hold the records.

    ``extractor.spacy_components.document_of(doc)`` turns a processed Doc into a ``Document``.
    """
    import spacy

    import extractor.spacy_components  # noqa: F401  (registers the factories and Doc extensions)

    chosen = check_layers(layers)
    nlp = spacy.blank("en")
    nlp.add_pipe("eligibility_criteria", config={"default_section": section, "eligibility": eligibility})
    if "thresholds" in chosen:
        nlp.add_pipe("eligibility_thresholds")
    if "entities" in chosen:
        nlp.add_pipe("eligibility_entities", config={"model": model, "backend": backend})
    return nlp
