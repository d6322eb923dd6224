"""Variable mentions: where a criterion names a catalogue variable ("ANC", "serum creatinine", "FEV1/FVC")."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from extractor.catalogue import Catalogue, Variable
from extractor.thresholds.grammar import Grammar, scan

_RATIO_SLASH = re.compile(r"\s*\)?\s*/\s*")
_OPEN_PAREN = re.compile(r"\s*\(\s*")


@dataclass(frozen=True)
class Mention:
    """A variable mention and the variables its alias may name."""

    start: int
    end: int
    candidates: tuple[Variable, ...]


def find_mentions(folded: str, lowered: str, grammar: Grammar) -> list[Mention]:
    """Variable mentions, left to right; the longest wins where aliases and abbreviations overlap."""
    found = []
    for pattern, text in ((grammar.mention, lowered), (grammar.abbreviation, folded)):
        pos = 0
        while (m := scan(pattern, text, pos)) is not None:
            pos = m.end()
            found.append((m.start(), m.end(), m.group()))
    # Of overlapping mentions the longest wins ("post-bronchodilator FEV1/FVC ratio" is the ratio, not FEV1).
    found.sort(key=lambda f: (f[0] - f[1], f[0]))
    out: list[Mention] = []
    starts: list[int] = []  # of the mentions kept so far, which never overlap: sorted by start, ends sorted too
    ends: list[int] = []
    for start, end, surface in found:
        k = bisect.bisect_right(starts, start)
        if (k and ends[k - 1] > start) or (k < len(starts) and starts[k] < end):
            continue  # overlaps the kept mention before it or the one after it
        candidates = tuple(v for v in grammar.catalogue.lookup(surface)
                           if v.requires is None or v.requires.search(folded))
        if candidates:
            out.append(Mention(start, end, candidates))
            starts.insert(k, start)
            ends.insert(k, end)
    # "onset before the age of 50", "women of childbearing age": not the participant's age
    out = [m for m in out if not (grammar.age in m.candidates and grammar.gaps["not_participant_age"].search(
        folded, max(0, m.start - 20), m.start))]
    return _join_ratios(sorted(out, key=lambda m: m.start), folded, grammar.catalogue)


def _join_ratios(mentions: list[Mention], folded: str, catalogue: Catalogue) -> list[Mention]:
    """"FEV1 (…) / forced vital capacity": two mentions around a slash that name a ratio are that ratio."""
    out: list[Mention] = []
    for m in mentions:
        prev = out[-1] if out else None
        if prev is not None and _RATIO_SLASH.fullmatch(folded, prev.end, m.start):
            ratio = next((r for x in prev.candidates for y in m.candidates
                          if (r := catalogue.ratio(x.id, y.id)) is not None), None)
            if ratio is not None:
                out[-1] = Mention(prev.start, m.end, (ratio,))
                continue
        if prev is not None and len(prev.candidates) == 1 and prev.candidates[0].ratio_of is not None \
                and _OPEN_PAREN.fullmatch(folded, prev.end, m.start) \
                and any(v.id in prev.candidates[0].ratio_of for v in m.candidates):
            out[-1] = Mention(prev.start, m.end, prev.candidates)   # "FEV1/FVC (forced vital capacity)"
            continue
        out.append(m)
    return out
