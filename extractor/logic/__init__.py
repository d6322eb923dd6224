"""The logic stage: how the thresholds of a criterion combine (``group``) and when each applies (``condition``).

Runs on the records the threshold stage found in one criterion, after them: conditions first (a
bound and its exception are one group), then groups. The criteria's own ``any_of`` sets come from
the layout and are found by segmentation (``extractor.segment.alternatives``).
"""
from __future__ import annotations

from extractor.logic.conditions import BoundsOf, assign_conditions
from extractor.logic.groups import assign_groups
from extractor.logic.rules import LogicRules, default_logic_rules
from extractor.records import Threshold

__all__ = ["LogicRules", "apply_logic", "assign_conditions", "assign_groups"]


def apply_logic(text: str, kind: str, records: list[Threshold], bounds_of: BoundsOf,
                rules: LogicRules | None = None) -> list[Threshold]:
    """``records`` of one criterion (offsets into its ``text``) with conditions and groups set; a
    record inside a condition's text is that condition's bound, not a record, and is left out."""
    rules = rules or default_logic_rules()
    records = sorted(records, key=lambda t: (t.start, t.end, t.variable))
    spans = assign_conditions(text, records, rules, bounds_of)
    kept = [t for t in records if not any(s <= t.start and t.end <= e for s, e in spans)]
    assign_groups(text, kind, kept, rules)
    return kept
