"""Numbers as written: digits with thousands separators or decimal commas, number words, roman numerals.

Which strings are numbers at all (never the first digits of "1e309" or "10^999", never "1st")
is the grammar's ``num`` fragment; this module gives the value of one that matched.
"""
from __future__ import annotations

import re

from extractor.thresholds.grammar import load_grammar

#: Groups of three digits after one to three: "25,000" and "100 000" are thousands, "1,5" is 1.5.
_THOUSANDS = re.compile(r"\d{1,3}(?:[, ]\d{3})+(?:\.\d+)?")
_WORD = re.compile(r"[a-z]+")


def roman_value(surface: str) -> int | None:
    """Value of a roman numeral as written ("III" → 3; case matters: "vi" is no numeral), else ``None``."""
    value, kind = load_grammar().words.get(surface.strip(), (None, None))
    return value if kind == "roman" else None


def parse_number(surface: str) -> float | None:
    """Value of a number as written: "25,000" → 25000, "1,5" → 1.5, "six (6)" → 6, "twenty-one" → 21."""
    grammar = load_grammar()
    digits = grammar.num.search(surface)
    if digits:
        s = digits.group()
        if _THOUSANDS.fullmatch(s):
            return float(s.replace(",", "").replace(" ", ""))
        return float(s.replace(",", "."))
    total = current = 0
    found = False
    for word in _WORD.findall(surface.lower()):
        if word in grammar.words:
            found = True
            value, kind = grammar.words[word]
            if kind == "scale":
                total, current = total + max(current, 1) * value, 0
            else:
                current += value
    return float(total + current) if found else None
