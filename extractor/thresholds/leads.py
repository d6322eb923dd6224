"""Lead-ins: "Creatinine as defined by age as follows:" hands its variable to the sub-items after it."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Sequence

from extractor.catalogue import Variable
from extractor.records import Threshold
from extractor.thresholds.folding import folded_text, lower_same_length
from extractor.thresholds.grammar import HIGH, LOW, has_candidate, load_grammar
from extractor.thresholds.mentions import find_mentions
from extractor.thresholds.newlines import as_lf
from extractor.units import normalize_unit


@dataclass(frozen=True)
class Lead:
    """What a lead-in ("Creatinine as defined by age as follows:") passes on to the sub-items after it."""

    variable: Variable
    unit: str | None = None
    bound: str | None = None


def lead_in(text: str, records: Sequence[Threshold] = (), current: Lead | None = None) -> Lead | None:
    """The variable a lead-in hands to the sub-items after it, if ``text`` is one.

    A lead-in ends with ":" or "as follows" and names a variable that none of its own
    ``records`` uses ("Creatinine as defined by age as follows:"). While a lead is
    ``current``, a heading without numbers ("Age: Maximum serum creatinine (mg/dL)")
    refines it with a unit and a bound.
    """
    lf, breaks = as_lf(text)
    if breaks is not None:
        records = [dataclasses.replace(t, start=breaks.to_lf(t.start), end=breaks.to_lf(t.end)) for t in records]
    folded = folded_text(lf)
    return lead_of(folded, lower_same_length(folded), records, current)


def lead_of(folded: str, lowered: str, records: Sequence[Threshold], current: Lead | None) -> Lead | None:
    """:func:`lead_in` of a criterion already folded (``folded``) and lower-cased (``lowered``)."""
    grammar = load_grammar()
    end = len(folded.rstrip())
    mentions = find_mentions(folded, lowered, grammar)
    # a category label alone ("Age" above "-  18 and over" in an old NCI list) is a lead-in without its colon
    label_only = len(mentions) == 1 and not records and folded[:mentions[0].start].strip() == "" \
        and mentions[0].end >= end
    if not label_only and not grammar.gaps["lead_end"].search(folded, max(0, end - 40), end) and (
            current is None or has_candidate(lowered, grammar)):
        return None
    free = [m for m in mentions if not any(t.start <= m.start < t.end for t in records)]
    if not free:
        return None
    # "Creatinine as defined by age as follows:": age is the banding, the variable is the other one.
    last = ([m for m in free if grammar.age not in m.candidates] or free)[-1]
    family_pick = [v for v in last.candidates if v.context is not None and v.context.search(folded)]
    variable = (family_pick or list(last.candidates))[0]
    unit_match = grammar.gaps["lead_unit"].search(folded, last.end)
    unit = normalize_unit(unit_match.group("unit")) if unit_match else None
    bound = HIGH if grammar.gaps["bare_high_cue"].search(folded, 0, last.end) else (
        LOW if grammar.gaps["bare_low_cue"].search(folded, 0, last.end) else None)
    return Lead(variable, unit, bound)
