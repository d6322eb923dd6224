"""Which catalogue variables a linked mention constrains, and over which span of the criterion."""
from __future__ import annotations

from extractor.catalogue import Variable
from extractor.thresholds.grammar import Grammar, is_time
from extractor.thresholds.mentions import Mention
from extractor.thresholds.values import Value
from extractor.units import convert


def fits(var: Variable, value: Value) -> bool:
    """Whether a value can constrain ``var``: a unit of the right kind, numbers in the plausible range."""
    for number, unit in ((value.low, value.unit), (value.high, value.high_unit)):
        if number is None:
            continue
        if unit is not None:
            if is_time(var.unit) != is_time(unit) or not var.accepts(unit):
                return False
            number = convert(number, unit, var.unit)  # None for {ULN} & co.: no range to check
        if number is not None and not var.low <= number <= var.high:
            return False
    return True


def _commensurable(var: Variable, value: Value) -> bool:
    return value.unit is not None and convert(1.0, value.unit, var.unit) is not None


def constrained_variables(mention: Mention, value: Value, folded: str,
                          grammar: Grammar) -> list[tuple[Variable, int, int]]:
    """The variables a linked mention constrains, each with its span.

    All candidates, or one member of a family: the one whose context words are nearest the
    mention ("in the bone marrow"), then a member without context (the default), then the
    first whose unit fits the value's. A context right before the mention joins the span
    ("Peripheral blood leukemic cells"), and so does one right after a mention that follows its
    value ("≥20% lymphoblasts in the bone marrow").
    """
    found = _candidates(mention, value, folded, grammar)
    # "BP > 150 mm Hg": a single number of a pair variable bounds its first member (systolic pressure)
    return [(grammar.catalogue.variables[var.pair_of[0]] if var.pair_of else var, start, end)
            for var, start, end in found]


def _candidates(mention: Mention, value: Value, folded: str, grammar: Grammar) -> list[tuple[Variable, int, int]]:
    """:func:`constrained_variables` before a pair variable gives way to its first member."""
    start, end = min(mention.start, value.start), max(mention.end, value.end)
    fitting = [var for var in mention.candidates if fits(var, value)]
    families = {var.family for var in mention.candidates}
    if len(families) != 1 or None in families:
        return [(var, start, end) for var in fitting]
    if not fitting:
        return []
    chosen = min(enumerate(fitting), key=lambda item: _family_rank(item, mention, value, folded))[1]
    if chosen.context is not None:
        before = [m for m in chosen.context.finditer(folded, max(0, mention.start - 30), mention.start)
                  if not folded[m.end():mention.start].strip()]
        if before and mention.start <= value.start:
            start = before[0].start()
        after = chosen.context.search(folded, mention.end, mention.end + 40)
        if after and value.end <= mention.start \
                and grammar.gaps["context_tail"].match(folded, mention.end, after.start()):
            end = after.end()
    return [(chosen, start, end)]


def _family_rank(item: tuple[int, Variable], mention: Mention, value: Value,
                 folded: str) -> tuple[int, float, int, int]:
    """Sort key of a family member (``item`` = its order, itself): nearest context first, then the default."""
    order, var = item
    if var.context is None:
        return (1, 0.0, 0 if _commensurable(var, value) else 1, order)
    start, end = min(mention.start, value.start), max(mention.end, value.end)
    window_start = max(0, start - 60)
    window = folded[window_start:end + 60]
    centre = (mention.start + mention.end) / 2
    hits = [abs(window_start + (m.start() + m.end()) / 2 - centre) for m in var.context.finditer(window)]
    if hits:
        return (0, min(hits), 0, order)
    return (2, 0.0, 0 if _commensurable(var, value) else 1, order)
