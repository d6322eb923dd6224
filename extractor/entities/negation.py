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
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, islice

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


def _nearest_breakers(cues: list[CueMatch], length: int) -> tuple[list[int], list[int]]:
    """Per cue, where the scope ahead of it ends (the next non-pseudo cue's start, else ``length``) and where
    the scope behind it starts (the previous one's end, else 0): one pass each way, not a rescan per cue."""
    ahead, behind = [length] * len(cues), [0] * len(cues)
    for i in range(len(cues) - 2, -1, -1):
        after = cues[i + 1]
        ahead[i] = after.start if after.direction != "pseudo" else ahead[i + 1]
    for i in range(1, len(cues)):
        before = cues[i - 1]
        behind[i] = before.end if before.direction != "pseudo" else behind[i - 1]
    return ahead, behind


def negation_scopes(text: str) -> list[tuple[int, int]]:
    """Character ranges of ``text`` (one criterion) that a negation cue puts in its scope."""
    cues = find_cues(text)
    ahead, behind = _nearest_breakers(cues, len(text))
    scopes = []
    for cue, end, start in zip(cues, ahead, behind):
        if cue.direction == "forward":
            words = list(islice(_WORD.finditer(text, cue.end, end), SCOPE_WORDS + 1))
            scopes.append((cue.end, words[SCOPE_WORDS - 1].end() if len(words) > SCOPE_WORDS else end))
        elif cue.direction == "backward":
            words = list(_WORD.finditer(text, start, cue.start))
            scopes.append((words[-SCOPE_WORDS].start() if len(words) > SCOPE_WORDS else start, cue.start))
    return [(s, e) for s, e in scopes if s < e]


def is_negated(start: int, end: int, scopes: list[tuple[int, int]]) -> bool:
    """Whether the span ``[start, end)`` lies inside one of ``scopes``."""
    return any(s <= start and end <= e for s, e in scopes)


class ScopeIndex:
    """:func:`is_negated` for many spans of one criterion, each in logarithmic time, not one pass over the scopes."""

    def __init__(self, scopes: list[tuple[int, int]]) -> None:
        ordered = sorted(scopes)
        self._starts = [s for s, _ in ordered]
        self._reach = list(accumulate((e for _, e in ordered), max))  # the furthest end of the scopes so far

    def covers(self, start: int, end: int) -> bool:
        """Whether a scope starting at or before ``start`` reaches ``end``."""
        i = bisect_right(self._starts, start)
        return i > 0 and end <= self._reach[i - 1]
