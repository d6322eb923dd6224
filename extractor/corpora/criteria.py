"""Gold criteria of the BRAT corpora, from their line layout (``data/brat_layout.json``).

Chia puts one criterion per line; LCT texts are registry criteria fields whose lines under a
recognised heading are criteria. The rules are independent of the pipeline's segmenter: gold
built by the system under test would flatter it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extractor.records import KINDS, Criterion, Entity
from extractor.resources import DataFile, DataFileError, data_path
from extractor.spans import line_spans

_LAYOUT_FILE = DataFile(frozenset({"corpus", "role", "regex"}), frozenset({"kind"}),
                        choices={"role": ("bullet", "heading", "heading_like", "run_on")})


@dataclass(frozen=True, slots=True)
class LineLayout:
    bullet: re.Pattern[str]
    headings: tuple[tuple[re.Pattern[str], str], ...]
    heading_like: re.Pattern[str] | None
    run_on: re.Pattern[str] | None


@lru_cache(maxsize=None)
def line_layout(corpus: str) -> LineLayout:
    """The line-layout rules of one corpus (bullets, headings, run-on enumerations)."""
    path = data_path("brat_layout.json")
    rows = [r for r in _LAYOUT_FILE.read_json(path, "rules") if r["corpus"] == corpus]
    by_role: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        if row["role"] == "heading" and row.get("kind") not in KINDS:
            raise DataFileError(f"{path}: heading {row['regex']!r} needs a kind of {KINDS}")
        by_role.setdefault(row["role"], []).append(row)

    def one(role: str) -> re.Pattern[str] | None:
        found = by_role.get(role)
        return re.compile("|".join(f"(?:{r['regex']})" for r in found), re.I) if found else None

    bullet = one("bullet")
    if bullet is None:
        raise DataFileError(f"{path}: corpus {corpus!r} has no bullet rule")
    headings = tuple((re.compile(r["regex"], re.I), r["kind"]) for r in by_role.get("heading", []))
    return LineLayout(bullet, headings, one("heading_like"), one("run_on"))


def strip_bullet(text: str, start: int, end: int, bullet: re.Pattern[str]) -> int:
    """Start of the line's content after its bullets or numbers (``end`` for a bare bullet)."""
    while (m := bullet.match(text, start, end)) and m.end() > start:
        start = m.end()
    return start


def chia_criteria(text: str, kind: str) -> list[Criterion]:
    """Every non-empty line, bullet or number stripped, as a criterion of ``kind``."""
    bullet = line_layout("chia").bullet
    criteria = []
    for start, end in line_spans(text):
        start = strip_bullet(text, start, end, bullet)
        if start < end:
            criteria.append(Criterion(start, end, kind, text[start:end]))
    return criteria


def lct_criteria(text: str, entities: list[Entity]) -> list[Criterion] | None:
    """Criteria under LCT's headings, or ``None`` when the layout cannot be read faithfully.

    A line ending in ":" is a criterion when the annotators tagged something in it
    ("Type II diabetic patients, 18 years and older, were included if:") and a pure
    lead-in or sub-heading otherwise, which is the format's rule read off the gold itself.
    """
    rules = line_layout("lct")
    kind: str | None = None
    criteria: list[Criterion] = []
    for start, end in line_spans(text):
        content = strip_bullet(text, start, end, rules.bullet)
        if content == end:
            continue      # a bullet with nothing after it
        heading = next((k for rx, k in rules.headings if rx.fullmatch(text, content, end)), None)
        if heading is not None:
            kind = heading
            continue
        if kind is None or rules.heading_like and rules.heading_like.match(text, content, end):
            return None
        if rules.run_on and len(rules.run_on.findall(text[content:end])) >= 2:
            return None
        if text[end - 1] == ":" and not any(content <= e.start and e.end <= end for e in entities):
            continue
        criteria.append(Criterion(content, end, kind, text[content:end]))
    return criteria if kind is not None else None
