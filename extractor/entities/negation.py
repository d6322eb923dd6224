"""Negation scope within one criterion (NegEx-like cues and scope breakers).

A forward cue ("no", "without", "other than") negates what follows it up to the next
scope breaker ("but", ";", a sentence end) or another cue, and at most
:data:`SCOPE_WORDS` words; a backward cue ("… is excluded") negates what precedes it,
back to the previous breaker and at most as many words. The functions take
one criterion's text, never a whole document, so a "No" in one bullet cannot negate
the next bullet. The cue table is ``data/negation_cues.json``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extractor.patterns import phrase_pattern
from extractor.resources import DataFile, DataFileError, data_path

DIRECTIONS: tuple[str, ...] = ("forward", "backward", "terminate", "pseudo")
CUES_FILE = DataFile(frozenset({"cue", "direction"}), choices={"direction": DIRECTIONS})
#: NegEx's window. Tuned on Chia's train split (gold entities, gold ``negated``): an unbounded
#: scope flags far too many entities; five words balance precision and recall there.
SCOPE_WORDS = 5
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class CueMatch:
    """A cue found in a text: ``[start, end)`` and its direction."""

    start: int
    end: int
    direction: str


@lru_cache(maxsize=1)
def load_cues() -> dict[str, str]:
    """Cue phrase (lower case, single spaces) → direction, from ``data/negation_cues.json``."""
    path = data_path("negation_cues.json")
    directions: dict[str, str] = {}
    for i, row in enumerate(CUES_FILE.read_json(path, "cues")):
        key = " ".join(row["cue"].lower().split())
        if key in directions:
            raise DataFileError(f"{path}, cues[{i}]: cue {row['cue']!r} is listed twice")
        directions[key] = row["direction"]
    return directions


@lru_cache(maxsize=1)
def cue_regex() -> tuple[re.Pattern[str], tuple[str, ...]]:
    """One alternation of all cues, longest first (so "except for" beats "except"), and each group's direction."""
    directions = load_cues()
    ordered = sorted(directions, key=len, reverse=True)
    regex = re.compile("|".join(f"({phrase_pattern(c)})" for c in ordered), re.IGNORECASE)
    return regex, tuple(directions[c] for c in ordered)


def find_cues(text: str) -> list[CueMatch]:
    """Cues of ``text`` left to right; pseudo cues are matched (and so block their words) but kept."""
    regex, directions = cue_regex()
    return [CueMatch(m.start(), m.end(), directions[m.lastindex - 1]) for m in regex.finditer(text)]


def negation_scopes(text: str) -> list[tuple[int, int]]:
    """Character ranges of ``text`` (one criterion) that a negation cue puts in its scope."""
    cues = find_cues(text)
    scopes = []
    for i, cue in enumerate(cues):
        if cue.direction == "forward":
            end = next((c.start for c in cues[i + 1:] if c.direction != "pseudo"), len(text))
            words = list(_WORD.finditer(text, cue.end, end))
            scopes.append((cue.end, words[SCOPE_WORDS - 1].end() if len(words) > SCOPE_WORDS else end))
        elif cue.direction == "backward":
            start = next((c.end for c in reversed(cues[:i]) if c.direction != "pseudo"), 0)
            words = list(_WORD.finditer(text, start, cue.start))
            scopes.append((words[-SCOPE_WORDS].start() if len(words) > SCOPE_WORDS else start, cue.start))
    return [(s, e) for s, e in scopes if s < e]


def is_negated(start: int, end: int, scopes: list[tuple[int, int]]) -> bool:
    """Whether the span ``[start, end)`` lies inside one of ``scopes``."""
    return any(s <= start and end <= e for s, e in scopes)
