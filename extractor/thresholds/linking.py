"""Linking: give each value the mentions it constrains, by the first rule of :data:`LINK_RULES` that applies.

The rules, in order: the mention before the value (with the mentions coordinated with it), the
mention right after it, the variable of the value before it, the category heading the criterion
is listed under, an implied age, a variable its unit alone names, the lead-in of a list of
sub-items. Each rule is a plain function of the value and its :class:`Site`; it returns the
linked value (with what the rule learned: a unit written after the mention, a bound a cue
before it states) or ``None`` when it does not apply. A value that reads as a subgroup
condition ("for patients ≤ 16 years") or an age band heading what follows ("1 to < 2 years:")
is no record and is not linked.
"""
from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from extractor.catalogue import Variable
from extractor.thresholds.grammar import HIGH, LOW, Grammar
from extractor.thresholds.leads import Lead
from extractor.thresholds.mentions import Mention
from extractor.thresholds.values import Value, unit_code
from extractor.units import convert

Item = Mention | Value
#: Forms that must sit right by their mention: without a comparator, nothing says how far it may be.
_TIGHT_FORMS = frozenset({"bare", "list", "range", "stage", "post"})
#: The bound an adequacy table's bare rows take from the catalogue's ``limit`` of their variable.
_LIMIT_BOUND = {"upper": HIGH, "lower": LOW}


class CriterionText:
    """A criterion's folded text and the facts about all of it that rules ask, each found once: asking
    them per value would cost time in proportion to the criterion's length for every value."""

    def __init__(self, folded: str, grammar: Grammar) -> None:
        self.folded = folded
        self.grammar = grammar

    @cached_property
    def band(self) -> tuple[int, int]:
        """The span of the criterion without leading and trailing " .;:,-" ("0 to 55 years." → "0 to 55 years")."""
        stripped = self.folded.lstrip(" .;:,-")
        start = len(self.folded) - len(stripped)
        return start, start + len(stripped.rstrip(" .;:,-"))

    @cached_property
    def consent_rule(self) -> bool:
        """Whether the criterion is about consent by a parent or guardian (its ages are no threshold)."""
        return self.grammar.gaps["consent_subgroup"].search(self.folded) is not None

    @cached_property
    def _openings(self) -> list[int]:
        return [m.start() for m in _OPENING.finditer(self.folded)]

    def last_opening(self, before: int) -> int:
        """``folded.rfind("(", 0, before)``."""
        k = bisect.bisect_left(self._openings, before)
        return self._openings[k - 1] if k else -1


_OPENING = re.compile(r"\(")
_NON_SPACE = re.compile(r"\S")


@dataclass(frozen=True)
class Site:
    """Where a value stands: the criterion's mentions and values (those before it linked), and what it inherits."""

    items: Sequence[Item]
    index: int
    criterion: CriterionText
    lead: Lead | None
    heading: Lead | None

    @property
    def folded(self) -> str:
        return self.criterion.folded

    @property
    def grammar(self) -> Grammar:
        return self.criterion.grammar

    @property
    def previous(self) -> Item | None:
        return self.items[self.index - 1] if self.index else None

    @property
    def mention_after(self) -> Mention | None:
        """The mention right after a value that comes first: "> 95% CD19 positive", "≥20% lymphoblasts"."""
        nxt = self.items[self.index + 1] if self.index + 1 < len(self.items) else None
        v = self.items[self.index]
        if isinstance(nxt, Mention) and v.form != "bare" \
                and self.grammar.gaps["before_gap"].match(self.folded, v.end, nxt.start):
            return nxt
        return None


Rule = Callable[[Value, Site], Value | None]


def link_values(items: Sequence[Item], folded: str, lead: Lead | None, heading: Lead | None,
                grammar: Grammar) -> list[Value]:
    """The values of ``items`` (mentions and values by start), each linked by the first rule that applies,
    or left unlinked; a record qualified by a subgroup condition carries its span."""
    items = list(items)
    value_indices = [i for i, item in enumerate(items) if isinstance(item, Value)]
    last_value = value_indices[-1] if value_indices else -1
    prefix_subgroup: tuple[int, int] | None = None
    last_record: int | None = None
    criterion = CriterionText(folded, grammar)
    for i in value_indices:
        v = items[i]
        assert isinstance(v, Value)
        if v.time_like:
            condition = _subgroup_condition(items, i, folded, grammar)
            if condition is not None:
                qualified, span = condition
                if qualified == last_record:
                    items[qualified] = dataclasses.replace(items[qualified], subgroup=span)
                continue
            if i < last_value and grammar.gaps["prefix_gap"].match(folded, v.end, items[i + 1].start):
                # "1 to < 2 years: ≤ 0.6 mg/dL", "Age ≥ 16 years: ECOG ≤ 1": an age band heading what follows.
                prev = items[i - 1] if i else None
                named = isinstance(prev, Mention) and grammar.age in prev.candidates \
                    and grammar.gaps["tight_gap"].match(folded, prev.end, v.start)
                prefix_subgroup = (prev.start if named and prev is not None else v.start, v.end)
                continue
        site = Site(items, i, criterion, lead, heading)
        linked = next((found for rule in LINK_RULES if (found := rule(v, site)) is not None), None)
        if linked is not None:
            if prefix_subgroup is not None:
                linked = dataclasses.replace(linked, subgroup=prefix_subgroup)
            items[i] = linked
            last_record = i
    return [item for item in items if isinstance(item, Value)]


def _subgroup_condition(items: list[Item], i: int, folded: str,
                        grammar: Grammar) -> tuple[int, tuple[int, int]] | None:
    """"(for patients ≤ 16 years)" after a value: a subgroup condition, not an age threshold. Returns
    the index of the value it follows and the condition's span, or ``None`` when it is no condition.

    After a value that is no record, the condition must follow it directly ("HCT-CI =< 5 for
    patients over 60 years"), or any number before it would swallow an age limit.
    """
    v, prev = items[i], items[i - 1] if i else None
    before_index, cue_end = i - 1, v.start
    named = isinstance(prev, Mention) and grammar.age in prev.candidates and i > 1
    if named and prev is not None:
        before_index, cue_end = i - 2, prev.start
    before = items[before_index] if before_index >= 0 else None
    if not isinstance(before, Value):
        return None
    cue = grammar.gaps["subgroup_cue"].search(folded, before.end, cue_end)
    if not (cue and cue.end() == cue_end and (named or v.age_like or grammar.gaps["person"].search(cue.group()))
            and (before.links or grammar.gaps["subgroup_lead"].fullmatch(folded, before.end, cue.start()))):
        return None
    start = cue.start() + (1 if folded[cue.start()] == "(" else 0)
    start += len(folded[start:cue_end]) - len(folded[start:cue_end].lstrip())
    return before_index, (start, v.end)


def _mention(v: Value, var: Variable, start: int | None = None) -> tuple[Mention, ...]:
    """The links of a value whose variable no mention names: an empty mention at the value (or ``start``)."""
    return (Mention(v.start if start is None else start, v.start, (var,)),)


def to_mention_before(v: Value, site: Site) -> Value | None:
    """The mention before the value, with the mentions coordinated with it ("creatinine and/or BUN")."""
    items, i, folded, gaps = site.items, site.index, site.folded, site.grammar.gaps
    prev = site.previous
    if isinstance(prev, Mention) and _closes_parenthesis(folded, prev.end, v.start):
        opening = site.criterion.last_opening(prev.start)
        if opening >= 0 and _NON_SPACE.search(folded, opening + 1, prev.start):
            # "DLCO (corrected for Hgb) ≥ 50%": a mention inside an aside is not the subject.
            before = next((k for k in range(i - 1, -1, -1) if items[k].end <= opening), None)
            prev = items[before] if before is not None and isinstance(items[before], Mention) else None
            i = before + 1 if prev is not None and before is not None else i
    if not isinstance(prev, Mention):
        return None
    if _qualifies_value_before(prev, items[i - 2] if i >= 2 else None, site):
        return None  # "BP > 140 systolic, > 90 diastolic": "systolic" qualifies the value before it
    # A value written without a comparator must sit right by its mention; one with a comparator may
    # be further off ("Life expectancy, as judged by the investigator, of at least 60 days"), less so
    # without a unit.
    far = gaps["cmp_gap" if v.unit or v.high_unit else "cmp_gap_unitless"]
    if not gaps["tight_gap"].match(folded, prev.end, v.start) and (
            v.form in _TIGHT_FORMS or site.mention_after is not None or not far.match(folded, prev.end, v.start)):
        return None
    j = i - 1
    while j > 0 and isinstance(items[j - 1], Mention) and gaps["coord_gap"].match(folded, items[j - 1].end,
                                                                                 items[j].start):
        j -= 1
    group = tuple(m for m in items[j:i - 1] if isinstance(m, Mention)) + (prev,)
    linked = dataclasses.replace(v, links=group)
    return _bare_cue(linked, folded, group[0].start, site.grammar) if v.form == "bare" else linked


def _qualifies_value_before(prev: Mention, before: Item | None, site: Site) -> bool:
    """Whether ``prev`` names one member of a measured pair right after a value ("140 systolic"), with
    the other member after the current value: each member qualifies its own value."""
    after = site.mention_after
    if after is None or not isinstance(before, Value) \
            or not site.grammar.gaps["before_gap"].match(site.folded, before.end, prev.start):
        return False
    members = site.grammar.catalogue.pair_members
    return any(c.id in members for c in prev.candidates) and any(c.id in members for c in after.candidates)


def to_mention_after(v: Value, site: Site) -> Value | None:
    """The mention after the value, taking a unit written after it ("> 50,000 white blood cells/mcL")."""
    right = site.mention_after
    if right is None or not any(var.accepts(v.unit) for var in right.candidates):
        return None  # "> 18 y.o. GFR ≥ 25": a time is not the clearance after it
    tail = site.grammar.gaps["trailing_unit"].match(site.folded, right.end) \
        if v.unit is None and v.high_unit is None else None
    code = unit_code(tail.group("unit"), site.grammar) if tail else None
    if tail and code:
        return dataclasses.replace(v, links=(right,), unit=code, high_unit=code, end=tail.end())
    return dataclasses.replace(v, links=(right,))


def to_previous_value(v: Value, site: Site) -> Value | None:
    """The variable of the value just before: "ALT ≤ 2.5 × ULN (≤ 5 × ULN if liver metastases)"; a value
    already marked ``inherited`` (the far side of "outside the range of 40-90") takes it whatever stands between."""
    prev = site.previous
    if v.form == "bare" or not isinstance(prev, Value) or not prev.links or not v.inherited \
            and not site.grammar.gaps["inherit_gap"].match(site.folded, prev.end, v.start):
        return None
    if v.unit is not None and not any(var.accepts(v.unit) for m in prev.links for var in m.candidates):
        return None  # "AST ≤ 3 × ULN; ≥ 18 years old": the age is not the enzyme's
    return dataclasses.replace(v, links=prev.links, inherited=True)


def to_heading(v: Value, site: Site) -> Value | None:
    """The variable of the category heading, for a value that opens the sub-item or follows the
    value before it, after at most a short label ("WHO 0-1", "Cohort II: 9 - 11 mo"): a
    sentence under "Age:" ("Duration of symptoms ≤ 96 hours") is about something else. A heading
    names its variable, so a unitless value takes it too ("Under 80" under "Age:")."""
    start = site.previous.end if site.previous is not None else 0
    if site.heading is None or site.grammar.gaps["heading_gap"].match(site.folded, start, v.start) is None:
        return None
    return _from_lead(v, site.heading, unitless=True)


def to_implied_age(v: Value, site: Site) -> Value | None:
    """Age, when a person stands for it ("Children … up to 25 years old"), the unit says so ("years
    old"), or the criterion is nothing but the band ("0 to 55 years"); not for consent rules."""
    folded, grammar = site.folded, site.grammar
    if not v.time_like or v.form == "bare":
        return None
    cue = grammar.gaps["age_cue"].search(folded, max(0, v.start - 80), v.start)
    alone = site.criterion.band == (v.start, v.end)
    if not (cue or v.age_like or alone) or site.criterion.consent_rule:
        return None
    return dataclasses.replace(v, links=_mention(v, grammar.age, cue.start() if cue else None))


def to_unit_variable(v: Value, site: Site) -> Value | None:
    """A variable that its unit alone names ("Patients must be >= 15 kg" is a weight)."""
    if v.form == "bare" or v.unit is None:
        return None
    for var in site.grammar.catalogue.implied:
        if any(convert(1.0, v.unit, unit) is not None for unit in var.implied):
            return dataclasses.replace(v, links=_mention(v, var))
    return None


def to_lead(v: Value, site: Site) -> Value | None:
    """The variable of the list's lead-in ("Creatinine as defined by age as follows:")."""
    return _from_lead(v, site.lead)


#: The linking rules in the order they are tried; the first that returns a value links it.
#: A heading comes before the implied readings: "At least 5 years" under "Life expectancy:" is no age.
LINK_RULES: tuple[Rule, ...] = (to_mention_before, to_mention_after, to_previous_value, to_heading,
                                to_implied_age, to_unit_variable, to_lead)


def _from_lead(v: Value, lead: Lead | None, unitless: bool = False) -> Value | None:
    """``v`` linked to the variable of a lead, for a value with a unit that variable takes, a bare
    table cell under a heading that gave the unit ("2 to < 6 years: 0.8"), or, when ``unitless``,
    a unitless value of a variable that needs no unit (age in years, ECOG)."""
    if lead is None or v.form == "stage" or not (
            (v.unit is not None and lead.variable.accepts(v.unit))
            or (v.unit is None and v.form == "bare" and lead.unit is not None)
            or (unitless and v.unit is None and v.high_unit is None and v.form != "bare" and lead.unit is None
                and _unitless_ok(lead.variable))):
        return None
    unit, high_unit = (v.unit, v.high_unit) if v.unit is not None else (lead.unit, lead.unit)
    linked = dataclasses.replace(v, unit=unit, high_unit=high_unit, links=_mention(v, lead.variable),
                                 from_lead=True)
    bound = lead.bound or _LIMIT_BOUND.get(lead.variable.limit or "")
    if v.form == "bare" and bound == HIGH:
        return dataclasses.replace(linked, low=None, low_inclusive=None)
    if v.form == "bare" and bound == LOW:
        return dataclasses.replace(linked, high=None, high_inclusive=None)
    return linked


def _unitless_ok(var: Variable) -> bool:
    """Whether a number without a unit can be a value of ``var``: it has a default unit (age in
    years) or is a score without units (ECOG)."""
    return var.default_unit is not None or var.units == ()


def _closes_parenthesis(folded: str, start: int, end: int) -> bool:
    """Whether ``folded[start:end]`` closes a parenthesis it did not open."""
    depth = 0
    for c in folded[start:end]:
        depth += (c == "(") - (c == ")")
        if depth < 0:
            return True
    return False


def _bare_cue(v: Value, folded: str, mention_start: int, grammar: Grammar) -> Value:
    """A bound stated before the variable: "Minimum age: 18", "> CTCAE grade 1"."""
    before = folded[max(0, mention_start - 30):v.start]
    comparator = grammar.gaps["cmp_before"].search(folded, max(0, mention_start - 30), mention_start)
    if comparator:
        c = grammar.comparator(comparator.group("cmp"))
        if c.bound == LOW:
            return dataclasses.replace(v, low_inclusive=c.inclusive, high=None, high_inclusive=None)
        if c.bound == HIGH:
            return dataclasses.replace(v, high_inclusive=c.inclusive, low=None, low_inclusive=None)
        return v
    if grammar.gaps["bare_low_cue"].search(before):
        return dataclasses.replace(v, high=None, high_inclusive=None)
    if grammar.gaps["bare_high_cue"].search(before):
        return dataclasses.replace(v, low=None, low_inclusive=None)
    return v
