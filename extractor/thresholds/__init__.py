"""Numeric thresholds of eligibility criteria: "ANC ≥ 1,500/µL" → anc, low 1500 incl., unit /uL.

Rules, not a model: every threshold feeds a patient screen, so each record must be
explainable. The grammar (``data/threshold_grammar.json``), comparators, number words,
units and the variable catalogue are data (:mod:`.grammar` assembles them).

Line breaks are read as LF whatever the convention (:mod:`.newlines`). Per criterion: fold the
text to one spelling with the same offsets (:mod:`.folding`), find
value expressions (:mod:`.values`, :mod:`.numbers`) and variable mentions (:mod:`.mentions`),
link each value to its variable by an ordered tuple of rules (:mod:`.linking`: the mention
before it and mentions coordinated with that one, a mention right after it, the variable of
the value before it, the category heading it is listed under, an implied age, a variable its
unit names, or the lead-in of a list of sub-items, :mod:`.leads`), join the halves of ranges
written apart (:mod:`.merging`), then turn each link into :class:`~extractor.records.Threshold`
records (:mod:`.variables`, :mod:`.extract`), as written (never flipped by the criterion's
kind). A criterion without a digit or number word costs one regex search, which is what keeps
a whole registry fast (``eval/benchmark.py``).
"""
from extractor.thresholds.extract import condition_bounds, criterion_thresholds, extract_thresholds
from extractor.thresholds.folding import fold, folded_text, lower_same_length
from extractor.thresholds.grammar import REQUIRED_GROUPS, Comparator, Grammar, load_grammar
from extractor.thresholds.leads import Lead, lead_in
from extractor.thresholds.numbers import parse_number, roman_value

__all__ = ["REQUIRED_GROUPS", "Comparator", "Grammar", "Lead", "condition_bounds", "criterion_thresholds",
           "extract_thresholds", "fold", "folded_text", "lead_in", "load_grammar", "lower_same_length",
           "parse_number", "roman_value"]
