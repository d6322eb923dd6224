"""Negation cues and scope, one criterion at a time (NegEx-like)."""
from __future__ import annotations

import pytest

from extractor.entities import tag_entities
from extractor.entities.negation import find_cues, is_negated, negation_scopes
from extractor.records import Criterion


def negated_words(text: str) -> list[str]:
    scopes = negation_scopes(text)
    words, pos = [], 0
    for token in text.split():
        word = token.strip(",.;")
        start = text.index(word, pos)
        pos = start + len(word)
        if is_negated(start, pos, scopes):
            words.append(word)
    return words


@pytest.mark.parametrize("text, expected", [
    ("No history of diabetes", ["history", "of", "diabetes"]),
    # at most five words (NegEx's window)
    ("No history of diabetes, hypertension or stroke", ["history", "of", "diabetes", "hypertension", "or"]),
    ("Hepatitis B or C or HIV is excluded", ["B", "or", "C", "or", "HIV"]),
    ("Patients without hepatitis B or C", ["hepatitis", "B", "or", "C"]),
    ("Absence of brain metastases", ["brain", "metastases"]),
    ("Free of disease for 5 years", ["disease", "for", "5", "years"]),
    ("Negative for HIV", ["HIV"]),
    ("Patient denies chest pain", ["chest", "pain"]),
    ("Malignancy other than basal cell carcinoma", ["basal", "cell", "carcinoma"]),
    ("Prior malignancy except for cervical cancer in situ", ["cervical", "cancer", "in", "situ"]),
    ("Patients who don't have HIV", ["have", "HIV"]),
    # scope breakers end the scope
    ("No fever but cough allowed", ["fever"]),
    ("No diabetes; hypertension is required", ["diabetes"]),
    ("No seizures. Must have epilepsy", ["seizures"]),
    # backward cues negate what precedes them, back to the previous breaker
    ("Asthma; pregnancy is excluded", ["pregnancy"]),
    # pseudo cues are not negations
    ("No more than 2 prior regimens", []),
    ("Creatinine not exceeding 1.5 mg/dL", []),
    ("Not only diabetes", []),
    # a cue is a whole word: "Nothing", "Norway", "cannotate" hold none
    ("Nothing by mouth in Norway", []),
    ("Creatinine 1.5 mg/dL", []),
    ("Hypertension", []),
])
def test_scope(text: str, expected: list[str]) -> None:
    assert negated_words(text) == expected


@pytest.mark.parametrize("text, cues", [
    ("except for X", ["except for"]),
    ("with the exception of X", ["with the exception of"]),
    ("no more than 2", ["no more than"]),
    ("1.5 mg. No X", [". ", "No"]),
])
def test_longest_cue_wins(text: str, cues: list[str]) -> None:
    assert [text[c.start:c.end] for c in find_cues(text)] == [c.strip() if c != ". " else "." for c in cues]


class LastWordTagger:
    """Tags the last word of each text as a condition, to test negation without a model."""

    def tag(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        out = []
        for text in texts:
            last = text.rstrip(".").rsplit(" ", 1)[-1]
            end = len(text.rstrip("."))
            out.append([(end - len(last), end, "condition")])
        return out


def test_negation_never_crosses_bullets() -> None:
    text = "Exclusion Criteria:\n- No history of cancer\n- Diabetes\n"
    criteria = [Criterion(22, 42, "exclusion"), Criterion(45, 53, "exclusion")]
    assert [text[c.start:c.end] for c in criteria] == ["No history of cancer", "Diabetes"]
    entities = tag_entities(text, criteria, LastWordTagger(), rules=False)
    assert [(e.text, e.negated, e.criterion) for e in entities] == [("cancer", True, 0), ("Diabetes", False, 1)]
