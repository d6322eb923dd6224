"""One spelling per criterion with the same offsets, so that matches index the original text."""
from __future__ import annotations

import re

from extractor.casing import is_caseless, recase
from extractor.units import fold_table

# Symbol-font artefacts of converted documents: "³ 18 years" is "≥ 18 years", "£ 2" is "≤ 2";
# any other ³ is a cube ("/mm³") and any other £ is money.
_SYMBOL_FONT = {"³": "≥", "£": "≤"}
_UNDERLINED = re.compile(r"(?<=[<>])_")
# "Â³" is the same ³ mis-decoded ("â³" once a text is lower-cased).
_SYMBOL_FONT_RE = re.compile(r"(?P<symbol>(?:[Ââ]|(?<![\w/^]))[³£](?=\s?\d))|³")


def fold(text: str) -> str:
    """One spelling of comparators, signs, dashes and superscripts; same length as ``text``."""
    table, pattern = fold_table()
    text = pattern.sub(lambda m: table[m.group()], text)
    if "³" in text or "£" in text:
        text = _SYMBOL_FONT_RE.sub(_symbol_font, text)
    if "_" in text:  # "<_1.6": an underlined "<", i.e. "≤", typed without the symbol
        text = _UNDERLINED.sub("=", text)
    return text


def _symbol_font(m: re.Match[str]) -> str:
    if not m.group("symbol"):
        return "3"
    return " " * (len(m.group()) - 1) + _SYMBOL_FONT[m.group()[-1]]


def lower_same_length(folded: str) -> str:
    """Lower case with the same offsets (the rare character whose lower case is longer stays as is).

    Scanners run case-sensitively over this text: ``re`` then skips ahead by first character,
    several times faster than an IGNORECASE scan over the original.
    """
    lowered = folded.lower()
    if len(lowered) == len(folded):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in folded)


def folded_text(text: str) -> str:
    """``text`` folded for matching (:func:`fold`), in its usual casing first when it has none (casing.py)."""
    return fold(recase(text) if is_caseless(text) else text)
