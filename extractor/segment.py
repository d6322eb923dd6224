"""Find eligibility sections and split them into single criteria, with exact offsets.

Two reading modes, because eligibility text comes in two situations:

* **page** (``section="auto"`` on arbitrary text, e.g. a web-page dump): criteria exist
  only under an eligibility heading ("Inclusion Criteria", "Who can enter", …) and a
  section ends where its list ends (a non-list line, a page heading such as "Study
  details"). A page without such a heading yields no criteria.
* **eligibility** (``section="inclusion"|"exclusion"``, or ``eligibility=True`` for text
  that is eligibility by nature, like a registry's criteria field): the whole text is
  eligibility; headings switch the kind (not when the kind was declared), and text
  before any heading is inclusion.

Items are bullet/numbered lines, or un-bulleted lines (single-newline lists), or
paragraphs in the legacy registry layout whose lines wrap at ~90 columns with deep
indentation (there a blank line, not a newline, ends an item). Offsets are half-open
into the original text; bullets and surrounding white space are never inside a span.

A criterion under a lead-in or category heading ("Age:", "Creatinine as defined by age
as follows:") carries that line as ``lead_in``: "- Under 80" alone names no variable, and the
section heading it is listed under, as written, as ``section``.

:func:`segment` also returns what every other line of a found section is (a heading, a pure
lead-in, a connector), so that a line that is none of these and in no criterion — text lost
without a word — can be listed (:func:`unexplained_lines`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator

from extractor.casing import is_caseless
from extractor.records import Criterion
from extractor.resources import DataFile, DataFileError, data_path

SECTION_CHOICES: tuple[str, ...] = ("auto", "inclusion", "exclusion")
_RULES_FILE = DataFile(required=frozenset({"role", "regex"}), optional=frozenset({"kind", "comment"}))
_ROLES = {"heading", "stop", "bullet", "filler", "constraint", "topic_label", "population_label"}
_HEADING_KINDS = {"inclusion", "exclusion", "any"}
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*:?")
_WRAPPED_INDENT = 6
#: A topic label alone on its line heads a list when it says so ("Regulatory Requirements"); "Pregnancy" is an item.
_HEADING_NOUN = re.compile(r"\b(?:criteria|requirements)\s*:?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SectionRules:
    """Compiled rules of ``data/sections.json``."""

    headings: tuple[tuple[re.Pattern[str], str], ...]
    stop: re.Pattern[str]
    bullet: re.Pattern[str]
    filler: re.Pattern[str]
    constraint: re.Pattern[str]
    topic_label: re.Pattern[str]
    population_label: re.Pattern[str]

    @classmethod
    def load(cls, path: str | None = None) -> "SectionRules":
        """Read and validate the rule file; errors name the file and the rule."""
        file = data_path("sections.json") if path is None else path
        rows = _RULES_FILE.read_json(file, "rules")
        by_role: dict[str, list[tuple[str, str]]] = {role: [] for role in _ROLES}
        for i, row in enumerate(rows):
            role, kind = row["role"], row.get("kind")
            if role not in _ROLES:
                raise DataFileError(f"{file}, rules[{i}]: unknown role {role!r}")
            if (role == "heading") != (kind in _HEADING_KINDS):
                raise DataFileError(f"{file}, rules[{i}]: headings need a kind in {sorted(_HEADING_KINDS)}, "
                                    "other roles none")
            try:
                re.compile(row["regex"])
            except re.error as exc:
                raise DataFileError(f"{file}, rules[{i}]: bad regex: {exc}") from exc
            by_role[role].append((row["regex"], kind or ""))
        if not all(by_role[role] for role in _ROLES):
            raise DataFileError(f"{file}: needs at least one rule of each role {sorted(_ROLES)}")
        flags = re.IGNORECASE
        headings = tuple(
            (re.compile(rf"(?:{rx})(?:\s*[:.\-\u2013]?\s*$|\s*:\s*(?=\S))", flags), kind)
            for rx, kind in by_role["heading"])
        stop = re.compile(rf"(?:{'|'.join(rx for rx, _ in by_role['stop'])})\s*:?\s*$", flags)
        bullet = re.compile(rf"(?:{'|'.join(rx for rx, _ in by_role['bullet'])})[ \t]*", flags)
        filler, constraint = (re.compile("|".join(f"(?:{rx})" for rx, _ in by_role[role]), flags)
                              for role in ("filler", "constraint"))
        # A label is the whole line, or the start of a line up to its colon (the rest is a criterion).
        topic, population = (re.compile(rf"(?:{'|'.join(rx for rx, _ in by_role[role])})(?=\s*:\s*\S|\s*:?\s*$)",
                                        flags) for role in ("topic_label", "population_label"))
        return cls(headings, stop, bullet, filler, constraint, topic, population)


@lru_cache(maxsize=1)
def default_rules() -> SectionRules:
    return SectionRules.load()


@dataclass(slots=True)
class _Line:
    start: int          # offset of the line's first character
    content: int        # offset of the first character after indentation and bullets
    end: int            # offset after the last non-space character (== content when blank)
    indent: int         # columns of leading white space
    bulleted: bool


@dataclass(slots=True)
class _Item:
    start: int
    end: int
    indent: int
    kind: str
    section: str | None
    label: str | None = None    # the topic label opening its line ("Age:"), passed on as ``lead_in``


@dataclass(frozen=True, slots=True)
class _Heading:
    """A section heading's span on its line, and its text as the criteria under it carry it."""

    start: int
    end: int
    section: str


Span = tuple[int, int]


@dataclass(slots=True)
class Layout:
    """What segmentation found: criteria, and the spans of the other lines of the sections."""

    criteria: list[Criterion] = field(default_factory=list)
    headings: list[Span] = field(default_factory=list)
    lead_ins: list[Span] = field(default_factory=list)      # pure lead-ins and category headings
    connectors: list[Span] = field(default_factory=list)    # "OR", "AND" between items
    section_lines: list[Span] = field(default_factory=list)  # every non-blank line inside a section


def find_criteria(text: str, section: str = "auto", eligibility: bool = False,
                  rules: SectionRules | None = None) -> list[Criterion]:
    """Criteria of ``text`` in document order.

    ``section`` declares the whole text an inclusion or exclusion section; ``auto`` finds
    the sections. ``eligibility`` says the text is eligibility text by nature (a registry's
    criteria field), so it needs no heading to have criteria.
    """
    return segment(text, section, eligibility, rules).criteria


def segment(text: str, section: str = "auto", eligibility: bool = False,
            rules: SectionRules | None = None) -> Layout:
    """The criteria of ``text`` (as :func:`find_criteria`) and what each other line of its sections is."""
    if section not in SECTION_CHOICES:
        raise ValueError(f"section must be one of {SECTION_CHOICES}, got {section!r}")
    rules = rules or default_rules()
    lines = list(_split_lines(text, rules))
    wrapped = _is_wrapped_layout(lines)
    whole = section != "auto" or eligibility
    caseless = is_caseless(text)
    layout = Layout()
    lead: tuple[str, int, str] | None = None     # (text, indent, kind) of the open lead-in
    deeper = False
    for item in _items(text, lines, rules, section, whole, wrapped, layout.section_lines):
        if isinstance(item, _Heading):
            layout.headings.append((item.start, item.end))
            continue
        if lead is not None and (lead[2] != item.kind or deeper and item.indent <= lead[1]):
            lead = None
        for start, end in _split_run_on(text, item.start, item.end, caseless):
            content = text[start:end]
            if _is_connector(content):
                layout.connectors.append((start, end))
                continue
            if _is_heading_only(content, rules, caseless):
                layout.lead_ins.append((start, end))
            else:
                layout.criteria.append(Criterion(start, end, item.kind, content,
                                                 lead_in=item.label or (lead[0] if lead is not None else None),
                                                 section=item.section))
                deeper = deeper or (lead is not None and item.indent > lead[1])
            if content.endswith(":"):
                lead, deeper = (content, item.indent, item.kind), False
    return layout


def unexplained_lines(text: str, layout: Layout) -> list[Span]:
    """Non-blank lines of a found section that lie in no criterion and are no heading, lead-in or connector."""
    covered = sorted([(c.start, c.end) for c in layout.criteria] + layout.headings + layout.lead_ins
                     + layout.connectors)
    unexplained = []
    for start, end in layout.section_lines:
        if not any(s < end and start < e for s, e in covered):
            unexplained.append((start, end))
    return unexplained


def _split_lines(text: str, rules: SectionRules) -> Iterator[_Line]:
    for m in _LINE.finditer(text):
        if m.start() == len(text) and m.start() > 0:
            break
        line = m.group().rstrip("\r\n")
        stripped = line.rstrip()
        start = m.start()
        lead = len(line) - len(line.lstrip())
        pos = lead
        bulleted = False
        while pos < len(stripped):
            b = rules.bullet.match(stripped, pos)
            if not b or b.end() == pos:
                break
            pos, bulleted = b.end(), True
        indent = len(line[:lead].expandtabs(4))
        yield _Line(start, start + pos, start + len(stripped), indent, bulleted)


def _is_wrapped_layout(lines: list[_Line]) -> bool:
    """Legacy registry XML: most lines deeply indented, so a newline is a wrap, not an item break."""
    filled = [ln for ln in lines if ln.end > ln.content]
    return bool(filled) and sum(ln.indent >= _WRAPPED_INDENT for ln in filled) >= 0.6 * len(filled)


def _heading(content: str, rules: SectionRules) -> tuple[str, int] | None:
    """(kind, length of the heading) when ``content`` starts with a section heading."""
    for pattern, kind in rules.headings:
        m = pattern.match(content)
        if m:
            return kind, m.end()
    return None


def _items(text: str, lines: list[_Line], rules: SectionRules, section: str, whole: bool,
           wrapped: bool, section_lines: list[Span]) -> Iterator[_Item | _Heading]:
    """Raw items (before run-on splitting and lead-in removal) and headings of the eligibility sections.

    Every non-blank line read inside a section is added to ``section_lines``.
    """
    declared = section if section != "auto" else None
    kind: str | None = (declared or "inclusion") if whole else None
    heading_text: str | None = None
    heading_indent = 0          # a page's section holds the lines indented at least as its heading
    current: _Item | None = None
    after_blank = False
    bulleted_section = False    # the section's list has bullets …
    plain_items = False         # … and no item without one (a single-newline list with a stray "*" is plain)
    for line in lines:
        content = text[line.content:line.end]
        if not content:
            after_blank = True
            if wrapped and current is not None:
                yield current
                current = None
            continue
        continues = current is not None and not line.bulleted and not after_blank and (
            wrapped or line.indent > current.indent)
        after_blank = False
        heading = _heading(content, rules)
        if heading is not None and continues and not content[:heading[1]].rstrip().endswith(":"):
            heading = None    # "… who meet the / exclusion criteria." wraps; it is no heading
        if heading is not None:
            if current is not None:
                yield current
                current = None
            head_kind, length = heading
            heading_text = _heading_text(content[:length])
            heading_indent = line.indent
            section_lines.append((line.content, line.end))
            yield _Heading(line.content, line.content + len(content[:length].rstrip()), heading_text)
            if declared:
                kind = declared
            elif head_kind != "any":
                kind = head_kind
            elif kind is None or not whole:
                kind = "inclusion"
            bulleted_section = plain_items = False
            rest = _skip_bullets(text, line.content + length, line.end, rules)
            if rest < line.end:
                current = _Item(rest, line.end, line.indent, kind, heading_text)
            continue
        if kind is None:
            continue
        if not whole and current is None and not line.bulleted and rules.stop.match(content):
            kind = None
            continue
        if line.bulleted:
            if current is not None:
                yield current
                current = None
            bulleted_section = True
            section_lines.append((line.start, line.end))
            if content.endswith(":") and _is_population_heading(content, rules):   # "-  For Parts 1 and 3:"
                heading_text = _heading_text(content)
                yield _Heading(line.content, line.end, heading_text)
                continue
            current = _Item(line.content, line.end, line.indent, kind, heading_text)
            continue
        if continues and current is not None:
            section_lines.append((line.start, line.end))
            current.end = line.end
            continue
        if current is not None:
            yield current
            current = None
        if not whole and (rules.stop.match(content) or line.indent < heading_indent
                          or heading_indent == 0 and bulleted_section and not plain_items):
            kind = None       # a page's list ended: what follows (less indented than its heading) is page text
            continue
        plain_items = True
        section_lines.append((line.start, line.end))
        label = _label(content, rules)
        if label is None:
            current = _Item(line.content, line.end, line.indent, kind, heading_text)
            continue
        length, population = label
        label_text = _heading_text(content[:length])
        rest = _skip_bullets(text, line.content + length, line.end, rules)
        if rest < line.end:     # "Renal: creatinine ≤ 1.5 mg/dL": the label heads its own line only
            yield _Heading(line.content, line.content + len(content[:length].rstrip()), label_text)
            current = _Item(rest, line.end, line.indent, kind, label_text if population else heading_text,
                            None if population else content[:length].strip())
        elif population or _HEADING_NOUN.search(content):   # "Part 1", "For Parts 1 and 3:", "Regulatory Requirements"
            yield _Heading(line.content, line.end, label_text)
            heading_text = label_text if population else heading_text
        else:                   # "Age:" alone: a category lead-in, which passes its variable on
            current = _Item(line.content, line.end, line.indent, kind, heading_text)
    if current is not None:
        yield current


def _is_population_heading(content: str, rules: SectionRules) -> bool:
    """A whole line that is a population, part or list label ("For Parts 1 and 3:", "Cohort B")."""
    m = rules.population_label.match(content)
    return m is not None and not content[m.end():].strip(" :")


def _label(content: str, rules: SectionRules) -> tuple[int, bool] | None:
    """(length through its colon, is a population label) of a heading label opening an unbulleted line."""
    for pattern, population in ((rules.population_label, True), (rules.topic_label, False)):
        m = pattern.match(content)
        if m is not None:
            colon = re.match(r"\s*:?", content[m.end():])
            return m.end() + (colon.end() if colon else 0), population
    return None


def _skip_bullets(text: str, pos: int, end: int, rules: SectionRules) -> int:
    """The offset after white space and bullets from ``pos`` ("Inclusion Criteria:- Age …" has one)."""
    while True:
        pos += len(text[pos:end]) - len(text[pos:end].lstrip())
        m = rules.bullet.match(text, pos, end)
        if m is None or m.end() == pos:
            return pos
        pos = m.end()


def _heading_text(heading: str) -> str:
    """A heading as a criterion's ``section`` carries it: as written, without its colon and white space."""
    return heading.strip().rstrip(":.-\u2013").strip()


_RUN_ON = re.compile(r"(?:(?<=\s)|^)\(?([a-z]|\d{1,2})[.)](?=\s+\S)")
_RUN_ON_CASELESS = re.compile(_RUN_ON.pattern, re.IGNORECASE)


def _split_run_on(text: str, start: int, end: int, caseless: bool = False) -> list[tuple[int, int]]:
    """Split "a. … b. … c. …" running on one line into items (a chain a, b, … of two or more).

    Letters are lower-case markers, except in a text in one case ("A. … B. …" of an upper-cased export).
    """
    segment = text[start:end]
    markers = [(m.start(), m.end(), m.group(1).lower())
               for m in (_RUN_ON_CASELESS if caseless else _RUN_ON).finditer(segment)]
    chain: list[tuple[int, int]] = []
    expected = None
    for m_start, m_end, label in markers:
        if expected is None and label in ("a", "1"):
            chain, expected = [(m_start, m_end)], label
        elif expected is not None and label == _next_label(expected):
            chain.append((m_start, m_end))
            expected = label
    if len(chain) < 2:
        return [(start, end)]
    bounds = [(0, chain[0][0])] if segment[:chain[0][0]].strip() else []
    for i, (_, m_end) in enumerate(chain):
        stop = chain[i + 1][0] if i + 1 < len(chain) else len(segment)
        bounds.append((m_end, stop))
    spans = []
    for s, e in bounds:
        piece = segment[s:e]
        s += len(piece) - len(piece.lstrip())
        e -= len(piece) - len(piece.rstrip())
        if e > s:
            spans.append((start + s, start + e))
    return spans


def _next_label(label: str) -> str:
    return str(int(label) + 1) if label.isdigit() else chr(ord(label) + 1)


def _is_connector(content: str) -> bool:
    """A bare "OR" / "AND" between two items joins them; it is no criterion."""
    return content.rstrip(":").strip().lower() in ("or", "and", "and/or")


def _is_heading_only(content: str, rules: SectionRules, caseless: bool = False) -> bool:
    """A pure lead-in ("Patients must have:") or a category heading ("Renal:"), not a criterion.

    Capitals mark a heading ("RENAL:") only in a text whose casing says something (``caseless`` false).
    """
    if not content.endswith(":"):
        return False
    words = _WORD.findall(content)
    if len(words) <= 3 and not any(ch.isdigit() for ch in content) and (content.isupper() and not caseless or not any(
            rules.constraint.fullmatch(w.rstrip(":").lower()) for w in words)):
        return True
    return all(rules.filler.fullmatch(w.rstrip(":").lower()) for w in words)
