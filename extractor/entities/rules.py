"""Rules that beat a statistical tagger on closed vocabularies, merged with its output.

The catalogue's measurement names, the words for age, sex and pregnancy (``person``)
and the negation cues are closed lists: a rule finds every mention of them, where a
model trained on Chia misses rare spellings and, for pregnancy, follows Chia's label
(condition) instead of the format's (person). The table is ``data/entity_rules.json``.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from extractor.catalogue import is_case_sensitive, load_catalogue
from extractor.entities.negation import find_cues
from extractor.entities.span_index import SpanIndex
from extractor.entities.types import Span
from extractor.patterns import phrase_pattern, trie_alternation
from extractor.records import ENTITY_LABELS
from extractor.resources import DataFile, DataFileError, data_path

MODES: tuple[str, ...] = ("override", "fill")
RULES_FILE = DataFile(frozenset({"label", "mode"}), frozenset({"terms", "catalogue", "except", "negation_cues"}),
                      choices={"label": ENTITY_LABELS, "mode": MODES})
_SOURCES: tuple[str, ...] = ("terms", "catalogue", "negation_cues")


@dataclass(frozen=True)
class Rule:
    """Phrases of one label, compiled; ``mode`` says how they merge with the tagger's spans.

    A rule of negation cues (``cues``) takes its spans from the negation scope's own cue
    finder, so that it sees pseudo cues too: "no more than" is a comparison, and its "no"
    is no negation.
    """

    label: str
    mode: str
    patterns: tuple[re.Pattern[str], ...] = ()
    cues: bool = False

    def spans(self, text: str) -> list[Span]:
        if self.cues:
            return [(c.start, c.end, self.label) for c in find_cues(text) if c.direction in ("forward", "backward")]
        return [(m.start(), m.end(), self.label) for p in self.patterns for m in p.finditer(text)]


def _alternation(phrases: Sequence[str], flags: int) -> re.Pattern[str]:
    """Phrases on word boundaries (lower-cased first when matched case-insensitively), as one trie."""
    folded = {p.lower() if flags & re.IGNORECASE else p for p in phrases}
    return re.compile(trie_alternation([phrase_pattern(p) for p in folded]), flags)


def _phrases(row: dict, source: str, where: str) -> list[str]:
    """The phrases a rule row names through its ``source`` (terms or the catalogue)."""
    if source == "terms":
        if not isinstance(row["terms"], list) or not all(isinstance(t, str) and t.strip() for t in row["terms"]):
            raise DataFileError(f"{where}: 'terms' must be a list of non-empty strings")
        return row["terms"]
    catalogue = load_catalogue()
    unknown = set(row.get("except", [])) - set(catalogue.variables)
    if unknown:
        raise DataFileError(f"{where}: 'except' names unknown variables {sorted(unknown)}")
    return [alias for var in catalogue.variables.values() if var.id not in row.get("except", [])
            for alias in var.aliases]


@lru_cache(maxsize=1)
def load_rules() -> tuple[Rule, ...]:
    """The rules of ``data/entity_rules.json``; short capitalised aliases (ALT, Hb) match case-sensitively."""
    path = data_path("entity_rules.json")
    rules = []
    for i, row in enumerate(RULES_FILE.read_json(path, "rules")):
        where = f"{path}, rules[{i}]"
        sources = [key for key in _SOURCES if row.get(key)]
        if len(sources) != 1:
            raise DataFileError(f"{where}: give exactly one of {_SOURCES}, got {sources}")
        if sources == ["negation_cues"]:
            rules.append(Rule(row["label"], row["mode"], cues=True))
            continue
        phrases = _phrases(row, sources[0], where)
        exact = [p for p in phrases if is_case_sensitive(p)]
        folded = [p for p in phrases if not is_case_sensitive(p)]
        patterns = tuple(_alternation(group, flags) for group, flags in ((folded, re.IGNORECASE), (exact, 0))
                         if group)
        rules.append(Rule(row["label"], row["mode"], patterns))
    return tuple(rules)


def _pseudo_cues(text: str, spans: Sequence[Span]) -> list[tuple[int, int]]:
    """The pseudo cues of ``text`` ("not exceeding"), left to right; none looked for without a ``negation`` span."""
    if not any(label == "negation" for _, _, label in spans):
        return []
    return [(c.start, c.end) for c in find_cues(text) if c.direction == "pseudo"]


def _in_pseudo_cue(span: Span, pseudo: list[tuple[int, int]]) -> bool:
    """Whether ``span`` lies inside one of ``pseudo`` (sorted, disjoint): its "not" negates nothing.

    Only the last cue starting at or before the span can hold it: an earlier one ends before that one starts.
    """
    i = bisect_right(pseudo, span[0], key=lambda cue: cue[0])
    return i > 0 and span[1] <= pseudo[i - 1][1]


def merge_rules(text: str, spans: Sequence[Span], rules: Sequence[Rule] | None = None) -> list[Span]:
    """The tagger's ``spans`` of ``text`` with the rules' spans merged in, by each rule's mode.

    ``override``: the rule's span replaces every overlapping tagger span, except when one
    of them has the rule's label and contains it (the tagger found the longer phrase,
    "women of childbearing potential"). ``fill``: added only where nothing overlaps. A
    tagger's ``negation`` inside a pseudo cue ("no more than") is dropped.
    """
    pseudo = _pseudo_cues(text, spans)
    merged = SpanIndex(s for s in spans if s[2] != "negation" or not _in_pseudo_cue(s, pseudo))
    for rule in load_rules() if rules is None else rules:
        for found in rule.spans(text):
            clashes = merged.overlapping(found)
            if rule.mode == "fill" and clashes:
                continue
            if any(s[2] == found[2] and s[0] <= found[0] and found[1] <= s[1] for s in clashes):
                continue
            for clash in clashes:
                merged.remove(clash)
            merged.add(found)
    return sorted(merged.spans)
