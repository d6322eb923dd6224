"""Text whose casing carries no information (all lower or all upper case), given back its usual casing.

Exports and other tools often hand criteria over in one case ("alt <= 2.5 x uln", "ANC ≥ 1500/µL AND
PLT ≥ 100,000"). The threshold grammar matches short abbreviations (ALT, Cr, Hb, PS) and roman numerals
(NYHA III) case-sensitively, because in ordinary text their case tells them from words ("alt", "pt");
in a text with no case to go by, that distinction is gone anyway. :func:`recase` restores the casing the
grammar expects for exactly those tokens, character for character, so every offset stays valid.
"""
from __future__ import annotations

import re
from functools import lru_cache

from extractor.catalogue import is_case_sensitive, load_catalogue

#: A word, hyphenated compounds whole ("hct-ci" is no "Hct"), with a trailing "+" ("cd4+", "k+").
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*(\+?)")
_ROMAN = re.compile(r"[ivxIVX]{1,4}")


def is_caseless(text: str) -> bool:
    """Whether every cased letter of ``text`` has one case, so that case cannot tell words apart.

    ``str.islower``/``isupper`` run in C: this is called once per document on the batch path.
    """
    return text.islower() or text.isupper()


@lru_cache(maxsize=1)
def _abbreviations() -> dict[str, str]:
    """Lower-cased case-sensitive alias (one token) -> its catalogue spelling ("alt" -> "ALT")."""
    spellings: dict[str, str] = {}
    for variable in load_catalogue().variables.values():
        for alias in variable.aliases:
            if is_case_sensitive(alias) and _TOKEN.fullmatch(alias):
                spellings.setdefault(alias.lower(), alias)
    return spellings


def recase(text: str) -> str:
    """``text`` with case-sensitive abbreviations and roman numerals in their usual case; same length."""
    spellings = _abbreviations()

    def usual(m: re.Match[str]) -> str:
        token = m.group()
        if _ROMAN.fullmatch(token) and token.lower() != "x":   # a lone "x" is "times" ("3 x uln")
            return token.upper()
        if token.lower() in spellings:
            return spellings[token.lower()]
        if m.group(1):   # "cd4+" is the abbreviation "CD4" and its sign
            return spellings.get(token[:-1].lower(), token[:-1]) + "+"
        return token

    return _TOKEN.sub(usual, text)
