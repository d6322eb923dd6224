"""The linking rules, tried in order: which rule links each value of a criterion."""
from __future__ import annotations

import pytest

from extractor.thresholds import folded_text, load_grammar, lower_same_length
from extractor.thresholds.leads import Lead
from extractor.thresholds.linking import LINK_RULES, CriterionText, Site
from extractor.thresholds.mentions import Mention, find_mentions
from extractor.thresholds.values import Value, find_values


def first_rules(text: str, lead: Lead | None = None) -> list[str | None]:
    """Per value of ``text``, left to right, the name of the first rule that links it (``None``: none does)."""
    grammar = load_grammar()
    folded = folded_text(text)
    lowered = lower_same_length(folded)
    items: list[Mention | Value] = sorted([*find_mentions(folded, lowered, grammar),
                                           *find_values(folded, lowered, grammar)], key=lambda x: x.start)
    names: list[str | None] = []
    for i, item in enumerate(items):
        if not isinstance(item, Value):
            continue
        site = Site(items, i, CriterionText(folded, grammar), lead, None)
        found = next(((rule.__name__, linked) for rule in LINK_RULES if (linked := rule(item, site)) is not None),
                     (None, item))
        names.append(found[0])
        items[i] = found[1]
    return names


@pytest.mark.parametrize("text, rules", [
    ("ANC ≥ 1,500/µL", ["to_mention_before"]),
    ("Creatinine and/or BUN ≤ 1.5 x ULN", ["to_mention_before"]),
    ("≥20% lymphoblasts in the bone marrow", ["to_mention_after"]),
    ("ALT ≤ 2.5 × ULN (≤ 5 × ULN if liver metastases)", ["to_mention_before", "to_previous_value"]),
    ("Children up to 25 years old", ["to_implied_age"]),
    ("Patients must be >= 15 kg", ["to_unit_variable"]),
    ("Sun exposure more than 3 hours", [None]),
])
def test_first_rule_that_applies_links_the_value(text: str, rules: list[str | None]) -> None:
    assert first_rules(text) == rules


def test_a_rule_returns_a_linked_copy_and_leaves_the_value_alone() -> None:
    grammar = load_grammar()
    text = "> 50,000 white blood cells/mcL"
    folded = folded_text(text)
    lowered = lower_same_length(folded)
    items: list[Mention | Value] = sorted([*find_mentions(folded, lowered, grammar),
                                           *find_values(folded, lowered, grammar)], key=lambda x: x.start)
    (value,) = [x for x in items if isinstance(x, Value)]
    linked = LINK_RULES[1](value, Site(items, items.index(value), CriterionText(folded, grammar), None, None))
    assert linked is not None and linked.unit == "/uL" and linked.end == len(text)
    assert value.links == () and value.unit is None and value.end < len(text)


def test_the_lead_comes_last() -> None:
    """A sub-item under "Creatinine as defined by age as follows:" takes the lead's variable only when
    nothing in it names one."""
    lead = Lead(load_grammar().catalogue.variables["creatinine"])
    assert first_rules("1 to < 2 years: ≤ 0.6 mg/dL", lead)[-1] == "to_lead"
    assert LINK_RULES[-1].__name__ == "to_lead"
