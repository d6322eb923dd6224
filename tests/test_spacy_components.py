"""spaCy components: plain-data extensions that survive multiprocessing and serialisation, doc.ents, negation."""
from __future__ import annotations

import pytest
from spacy.tokens import Doc, DocBin

import extractor
from extractor.spacy_components import document_of, longest_leftmost

TEXTS = [
    "Inclusion Criteria:\n- Age 18 to 65 years\n- No history of diabetes\n"
    "Exclusion Criteria:\n- Creatinine not to exceed 1.5 mg/dL\n- Pregnant or HIV positive\n",
    "Exclusion Criteria:\n- Prior malignancy except basal cell carcinoma\n- ECOG > 2\n",
    "Inclusion Criteria:\n- Platelets no less than 100,000/uL\n",
]


@pytest.fixture(scope="module")
def nlp():
    return extractor.load()


def as_records(doc: Doc) -> dict:
    return document_of(doc).to_dict()


def test_layers_are_plain_data_equal_to_the_library_output(nlp) -> None:
    for text in TEXTS:
        doc = nlp(text)
        assert as_records(doc) == extractor.extract(text).to_dict()
        assert all(isinstance(d, dict) for layer in ("criteria", "entities", "thresholds")
                   for d in getattr(doc._, layer))


def test_pipe_with_two_processes(nlp) -> None:
    assert [as_records(d) for d in nlp.pipe(TEXTS, n_process=2)] == [as_records(nlp(t)) for t in TEXTS]


def test_to_bytes_and_docbin_round_trip(nlp) -> None:
    docs = [nlp(t) for t in TEXTS]
    again = Doc(nlp.vocab).from_bytes(docs[0].to_bytes())
    assert as_records(again) == as_records(docs[0])
    assert [(e.text, e._.negated) for e in again.ents] == [(e.text, e._.negated) for e in docs[0].ents]
    stored = DocBin(store_user_data=True, docs=docs).to_bytes()
    loaded = list(DocBin().from_bytes(stored).get_docs(nlp.vocab))
    assert [as_records(d) for d in loaded] == [as_records(d) for d in docs]
    assert [s._.id for s in loaded[0].spans["criteria"]] == ["I1", "I2", "E1", "E2"]


def test_criteria_spans_carry_kind_section_and_id(nlp) -> None:
    doc = nlp(TEXTS[0])
    assert [(s.text, s.label_, s._.kind, s._.section, s._.id) for s in doc.spans["criteria"]] == [
        ("Age 18 to 65 years", "inclusion", "inclusion", "Inclusion Criteria", "I1"),
        ("No history of diabetes", "inclusion", "inclusion", "Inclusion Criteria", "I2"),
        ("Creatinine not to exceed 1.5 mg/dL", "exclusion", "exclusion", "Exclusion Criteria", "E1"),
        ("Pregnant or HIV positive", "exclusion", "exclusion", "Exclusion Criteria", "E2")]


def test_threshold_spans_carry_their_record(nlp) -> None:
    doc = nlp(TEXTS[0])
    assert [(s.label_, s._.threshold["low"], s._.threshold["high"]) for s in doc.spans["thresholds"]] == [
        ("age", 18.0, 65.0), ("creatinine", None, 1.5)]


def test_ents_are_filled_and_negated(nlp) -> None:
    doc = nlp(TEXTS[0])
    assert len(doc.ents) > 0 and len(doc.spans["entities"]) == len(doc._.entities)
    negated = {e.text: e._.negated for e in doc.ents}
    assert negated["diabetes"] is True and negated["Creatinine"] is False


def test_overlapping_entities_longest_then_leftmost(nlp) -> None:
    doc = nlp.make_doc("chronic kidney disease stage three")
    spans = [doc[0:3], doc[1:3], doc[2:5], doc[3:5], doc[0:1]]
    assert [(s.start, s.end) for s in longest_leftmost(spans)] == [(0, 3), (3, 5)]
