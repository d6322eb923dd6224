"""Negation cues and scope, one criterion at a time (NegEx-like)."""
from __future__ import annotations

import pytest

from extractor.entities import merge_rules, tag_entities
from extractor.entities.negation import ScopeIndex, find_cues, is_negated, negation_scopes
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


#: Comparisons that read like negations, as registry texts write them (ClinicalTrials.gov record of each
#: case, ../shared/corpora/ctgov): their "no"/"not" negates nothing.
PSEUDO_NEGATIONS = [
    ("Must have received at least 2 but no more than 5 previous systemic regimens", "NCT05153330"),
    ("Recovered from prior therapy, radiotherapy, or surgery (toxicity no greater than Grade 1).", "NCT05107856"),
    ("Eligible as long as they are not greater than 2 months from their last consolidation", "NCT05010772"),
    ("Patients who have received prior anthracyclines not to exceed 150 mg/m^2 of daunorubicin", "NCT04214249"),
    ("Blasts in bone marrow specimen, evaluated no earlier than one month before conditioning", "NCT04195633"),
    ("Bone-marrow sample, collected no longer than 3 months before signing consent", "NCT03940352"),
    ("Circulating leukemic blast cell counts to not lower than 10,000/uL during the study", "NCT03330821"),
    ("If baseline liver disease, Child Pugh score not exceeding class A", "NCT03017820"),
    ("No sooner than 45 days but no later than 90 days after allogeneic HSCT", "NCT02400255"),
    ("Creatinine clearance not less than 25 mL/min", "NCT00058825"),
    ("Patients with at least 18 years of age, but not older than 65 years", "NCT00350207"),
    ("Bilirubin at or above LLN but not higher than CTCAE grade 1", "NCT00532389"),
    ("Tumor tissue at baseline, and not fewer than 12 unstained slides will be provided", "NCT02425891"),
    ("Serum sodium not below lower limit of normal prior to enrollment", "NCT02637960"),
]


@pytest.mark.parametrize("text, source", PSEUDO_NEGATIONS)
def test_pseudo_negation_negates_nothing(text: str, source: str) -> None:
    assert negated_words(text) == [], source
    assert [c.direction for c in find_cues(text)].count("forward") == 0, source


@pytest.mark.parametrize("text, source", PSEUDO_NEGATIONS)
def test_tagger_negation_inside_a_pseudo_cue_is_dropped(text: str, source: str) -> None:
    """A tagger that calls the "no"/"not" of a comparison a negation is overruled, and no rule adds one."""
    word = next(w for w in ("No ", "no ", "not ") if w in text)
    start = text.index(word)
    merged = merge_rules(text, [(start, start + len(word) - 1, "negation")])
    assert [s for s in merged if s[2] == "negation"] == [], source


def test_a_true_negation_beside_a_pseudo_cue_still_negates() -> None:
    assert negated_words("No more than 2 prior regimens and no HIV") == ["HIV"]


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


SCOPES = [(5, 20), (0, 8), (30, 31), (12, 40)]


@pytest.mark.parametrize("start, end", [(0, 8), (0, 9), (4, 5), (5, 20), (6, 25), (12, 40), (13, 41), (30, 31),
                                        (45, 46)])
def test_scope_index_agrees_with_is_negated(start: int, end: int) -> None:
    assert ScopeIndex(SCOPES).covers(start, end) == is_negated(start, end, SCOPES)
    assert not ScopeIndex([]).covers(start, end)


def test_scopes_of_many_cues_end_at_the_next_cue() -> None:
    text = "no fever no cough not exceeding 2 no rash " * 3
    assert negated_words(text) == ["fever", "cough", "not", "exceeding", "2", "rash"] * 3
