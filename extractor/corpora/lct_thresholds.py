"""Gold thresholds of LCT: an ``Eq-Comparison`` on a catalogue variable becomes a threshold record.

Chia has no operator attributes, so it has no thresholds layer.
"""
from __future__ import annotations

import re

from extractor.catalogue import load_catalogue
from extractor.corpora.brat import BratDocument, Event, TextBound
from extractor.corpora.entities import role_name, trigger_of
from extractor.corpora.report import ConversionReport
from extractor.records import Threshold
from extractor.spans import strip_space
from extractor.thresholds import roman_value
from extractor.units import normalize_unit

_THRESHOLD_HOSTS = frozenset({"Age", "Observation", "Condition"})
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")


def lct_thresholds(brat: BratDocument, report: ConversionReport) -> list[Threshold] | None:
    """Threshold records of LCT comparisons on catalogue variables; ``None`` if one cannot be converted."""
    thresholds: list[Threshold] = []
    faithful = True
    for event in brat.events.values():
        if event.label not in _THRESHOLD_HOSTS:
            continue
        for role, arg in event.args:
            comparison = brat.events.get(arg)
            if role_name(role) != "Numeric-Filter" or comparison is None or comparison.label != "Eq-Comparison":
                continue
            variable = "age" if event.label == "Age" else _catalogue_variable(brat, event)
            if variable is None:
                report.comparisons["variable not in catalogue"] += 1
                continue
            threshold, problem = comparison_threshold(brat, event, comparison, variable)
            if threshold is None:
                report.comparisons[problem] += 1
                report.warnings.append(f"{brat.id}: {comparison.id} on {variable}: {problem}; "
                                       "thresholds layer left absent")
                faithful = False
            else:
                report.comparisons["converted"] += 1
                thresholds.append(threshold)
    return sorted(thresholds, key=lambda t: (t.start, t.end, t.variable)) if faithful else None


def _catalogue_variable(brat: BratDocument, event: Event) -> str | None:
    """The catalogue variable an Observation/Condition names, directly or through ``Abbrev-Of``.

    An alias shared by a family ("blasts", "performance status") names one member only
    where the member's context or requirement occurs on the mention's line; otherwise,
    as for any mention that is no alias, the result is ``None``.
    """
    ids = {event.id}
    for rel, a, b in brat.relations:
        if rel == "Abbrev-Of" and event.id in (a, b):
            ids |= {a, b}
    catalogue = load_catalogue()
    for ref in sorted(ids):
        host = brat.events.get(ref)
        if host is None:
            continue
        for name in [trigger_of(brat, arg) for role, arg in host.args if role_name(role) == "Name"] + [host.trigger]:
            tb = brat.textbounds.get(name)
            if tb is None:
                continue
            line = _line_of(brat.text, tb.start)
            candidates = [v for v in catalogue.lookup(tb.text) if v.requires is None or v.requires.search(line)]
            if len(candidates) > 1:
                candidates = [v for v in candidates if v.context is not None and v.context.search(line)]
            if len(candidates) == 1:
                return candidates[0].id
    return None


def _line_of(text: str, offset: int) -> str:
    """The line holding ``offset``: where a family alias looks for its context."""
    start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    ends = [i for i in (text.find("\n", offset), text.find("\r", offset)) if i >= 0]
    return text[start:min(ends, default=len(text))]


def comparison_threshold(brat: BratDocument, host: Event, comparison: Event,
                         variable: str) -> tuple[Threshold | None, str]:
    """The record of one comparison, or ``(None, why not)``."""
    args: dict[str, list[TextBound]] = {}
    for role, arg in comparison.args:
        tb = brat.textbounds.get(trigger_of(brat, arg))
        if tb is None:
            return None, f"argument {arg} missing"
        args.setdefault(role_name(role), []).append(tb)
    if set(args) - {"Value", "Operator", "Unit", "Temporal-Unit", "Per"}:
        return None, "comparison with a temporal period or recency"
    values = []
    for tb in args.get("Value", []):
        m = _NUMBER.fullmatch(tb.text.strip())
        value = float(m.group().replace(",", "")) if m else roman_value(tb.text)
        if value is None:
            return None, "value is not a number"
        values.append(float(value))
    operators = [brat.attributes.get(tb.id, {}).get("Eq-Operator-Value") for tb in args.get("Operator", [])]
    if len(operators) > 1 or None in operators:
        return None, "several or unlabelled operators"
    bounds = _bounds(operators[0] if operators else None, values)
    if bounds is None:
        return None, f"operator {operators[0] if operators else None} with {len(values)} value(s)"
    unit, problem = _unit(brat, args, variable)
    if problem:
        return None, problem
    trigger = brat.textbounds[host.trigger]
    parts = [trigger, brat.textbounds[comparison.trigger], *(tb for tbs in args.values() for tb in tbs)]
    start, end = strip_space(brat.text, min(p.start for p in parts), max(p.end for p in parts))
    if "\n" in brat.text[start:end] or "\r" in brat.text[start:end]:
        return None, "variable and value on different lines"
    low, low_inc, high, high_inc = bounds
    return Threshold(start, end, variable, low, low_inc, high, high_inc, unit, brat.text[start:end]), ""


def _bounds(operator: str | None, values: list[float]) -> tuple[float | None, bool | None,
                                                              float | None, bool | None] | None:
    """LCT operator and values → (low, low_inclusive, high, high_inclusive), as written."""
    if len(values) == 1:
        v = values[0]
        return {"GT": (v, False, None, None), "GTEQ": (v, True, None, None), "LT": (None, None, v, False),
                "LTEQ": (None, None, v, True), "EQ": (v, True, v, True), None: (v, True, v, True)}.get(operator)
    if len(values) == 2 and operator in ("BETWEEN", None):
        return min(values), True, max(values), True
    return None


def _unit(brat: BratDocument, args: dict[str, list[TextBound]], variable: str) -> tuple[str | None, str]:
    """UCUM code of the comparison's unit (``None`` for none), or an explanation why it has none."""
    units = args.get("Unit", []) + args.get("Temporal-Unit", [])
    per = args.get("Per", [])
    if len(units) > 1 or len(per) > 1:
        return None, "several units"
    if not units:
        if per:
            return None, "a per-unit without a unit"
        return load_catalogue().variables[variable].default_unit, ""
    surface = "/".join(brat.attributes.get(tb.id, {}).get("Eq-Temporal-Unit-Value", tb.text) for tb in units + per)
    code = normalize_unit(surface)
    return (code, "") if code is not None else (None, f"unit {surface!r} not in the unit table")
