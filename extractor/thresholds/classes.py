"""Classes named by a letter: "Child-Pugh class B or C", "stage B of Child-Pugh" → the score's range.

Only a variable whose catalogue row lists ``classes`` takes a letter, and only right beside one of its
mentions: a letter elsewhere is a word or an arm's name.
"""
from __future__ import annotations

import re

from extractor.catalogue import Variable
from extractor.thresholds.mentions import Mention
from extractor.thresholds.values import Value

_LETTERS = r"(?P<l1>[a-z])(?:\s*(?:-|–|to|or|and|/)\s*(?:class\s+)?(?P<l2>[a-z]))?(?![\w])"
#: After the mention: "Child-Pugh C", "Child-Pugh class A or B", "Child-Pugh score of B or C", "Child Pugh (CP) B".
_AFTER = re.compile(r"\s*(?:\([^()]{1,20}\)\s*)?(?:(?:class|classification|score|grade|stage|category)\s*)?"
                    r"(?:of\s+|:\s*|=\s*)?" + _LETTERS, re.IGNORECASE)
#: Before it: "stage B or C of Child-Pugh score", "class A of the Child-Pugh classification".
_BEFORE = re.compile(r"(?:class|stage|grade|category)\s+" + _LETTERS + r"\s+(?:of\s+)?(?:the\s+)?$", re.IGNORECASE)
_WINDOW = 40


def class_values(mentions: list[Mention], folded: str) -> list[Value]:
    """The letter classes next to mentions of a variable with classes, as values of the score's range."""
    out: list[Value] = []
    for m in mentions:
        var = next((v for v in m.candidates if v.classes), None)
        if var is None:
            continue
        after = _AFTER.match(folded, m.end)
        before = _BEFORE.search(folded, max(0, m.start - _WINDOW), m.start)
        for found in (after, before):
            if found is not None and (value := _value(var, found)) is not None:
                out.append(value)
                break
    return out


def _value(var: Variable, found: re.Match[str]) -> Value | None:
    """The range from the first letter's class to the second's; none for a letter that is no class or
    a pair out of order ("C or A")."""
    letters = [c for c, _, _ in var.classes]
    first, last = found.group("l1").upper(), (found.group("l2") or found.group("l1")).upper()
    if first not in letters or last not in letters or letters.index(last) < letters.index(first):
        return None
    low, high = var.classes[letters.index(first)][1], var.classes[letters.index(last)][2]
    start = found.start("l1")
    end = found.end("l2") if found.group("l2") else found.end("l1")
    return Value(start, end, "stage", low, True, high, True, None, None, False, False, False)
