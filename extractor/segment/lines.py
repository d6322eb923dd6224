"""A text as lines, and its eligibility sections as raw items and headings, in order.

Items are bullet/numbered lines, un-bulleted lines (single-newline lists), or paragraphs in the legacy
registry layout whose lines wrap at ~90 columns with deep indentation (there a blank line, not a
newline, ends an item). ``read_items`` also reports every line it reads inside a section, so that the
caller can account for each one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from extractor.segment.rules import (HEADING_NOUN, SectionRules, is_population_heading, line_label, match_heading,
                                     section_name, skip_bullets)

Span = tuple[int, int]
#: Line breaks as str.splitlines knows them (form feed, NEL, U+2028 … end a line too), and characters that are
#: white space to a reader though not to str.isspace (a BOM or zero-width space opening a line is no text).
_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LINE = re.compile(rf"[^{_BREAKS}]*(?:\r\n|[{_BREAKS}]|$)")
_BLANK = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "\ufeff\u200b\u2060"
_WRAPPED_INDENT = 6
#: A colon-less heading naming a group of patients ("Relapsed patients") heads the block under it only.
_PATIENT_GROUP = re.compile(r"(?:[\w/-]+\s+){1,3}(?:patients|subjects|participants)", re.IGNORECASE)
@dataclass(slots=True)
class Line:
    start: int          # offset of the line's first character
    content: int        # offset of the first character after indentation and bullets
    end: int            # offset after the last non-space character (== content when blank)
    indent: int         # columns of leading white space
    bulleted: bool


@dataclass(slots=True)
class Item:
    start: int
    end: int
    indent: int
    kind: str
    section: str | None
    label: str | None = None    # the topic label opening its line ("Age:"), passed on as ``lead_in``
    category: bool = False      # a colon-less category label over a deeper list ("Age" above "-  18 and over")


@dataclass(frozen=True, slots=True)
class Heading:
    """A section heading's span on its line, and its text as the criteria under it carry it."""

    start: int
    end: int
    section: str


def split_lines(text: str, rules: SectionRules) -> Iterator[Line]:
    open_parens = 0     # brackets the previous line with text left open
    for m in _LINE.finditer(text):
        if m.start() == len(text) and m.start() > 0:
            break
        line = m.group().rstrip(_BREAKS)
        stripped = line.rstrip(_BLANK)
        start = m.start()
        padding = len(line) - len(line.lstrip(_BLANK))
        pos = padding
        bulleted = False
        while pos < len(stripped):
            b = rules.bullet.match(stripped, pos)
            if not b or b.end() == pos or (pos == padding and open_parens > 0 and _closing_marker(b.group())):
                break  # "(Child-Pugh class⏎ C) should be excluded": the "C)" closes the bracket, it marks no item
            pos, bulleted = b.end(), True
        indent = len(line[:padding].expandtabs(4))
        if stripped.strip():
            open_parens = max(0, stripped.count("(") - stripped.count(")"))
        yield Line(start, start + pos, start + len(stripped), indent, bulleted)


#: A registry text whose line breaks were lost: the heading, its items and the next heading run on in one
#: paragraph ("Inclusion Criteria: - Age ≥ 18 - HbA1c 7.0 - 10.0 % Exclusion Criteria: - Pregnant").
_COLLAPSED = re.compile(r"\b(?:inclusion|exclusion)\s+criteria\s*:[ \t]+-[ \t]+[^\W\d_]", re.IGNORECASE)
#: Where such a paragraph breaks: before " - " and a capital or bracket, and before an inline heading.
_INLINE_BREAK = re.compile(r"[ \t]+(?=-[ \t]+[A-Z(])|[ \t]+(?=(?i:(?:inclusion|exclusion)\s+criteria\s*:))")


def split_collapsed(text: str, lines: list[Line], rules: SectionRules) -> list[Line]:
    """``lines``, each cut where a collapsed text breaks (see ``_COLLAPSED``); other texts unchanged."""
    if _COLLAPSED.search(text) is None:
        return lines
    out: list[Line] = []
    dash_before = False     # the line before ended in " -": this line is its item
    for line in lines:
        if dash_before and line.end > line.content:
            line = Line(line.start, line.content, line.end, line.indent, True)
        dash_before = line.end - line.content > 2 and text.endswith(" -", line.content, line.end)
        end_of_text = line.end - 2 if dash_before else line.end
        breaks = list(_INLINE_BREAK.finditer(text, line.content, end_of_text))
        if not breaks:
            out.append(Line(line.start, line.content, _trimmed(text, line.content, end_of_text), line.indent,
                            line.bulleted))
            continue
        out.append(Line(line.start, line.content, breaks[0].start(), line.indent, line.bulleted))
        for k, cut in enumerate(breaks):
            start = cut.end()
            end = breaks[k + 1].start() if k + 1 < len(breaks) else _trimmed(text, start, end_of_text)
            content = skip_bullets(text, start, end, rules)
            out.append(Line(start, content, end, line.indent, content > start))
    return out


def _chain_start(text: str, after: int, rest: int, end: int) -> int:
    """Where the item after an inline heading starts: at its marker when the marker opens a chain of
    them ("…stem cell transplant: a. Willing …; b. Received …"), so that the chain is split; else ``rest``."""
    start = after
    while start < rest and text[start] in _BLANK:
        start += 1
    return start if start < rest and len(split_run_on(text, start, end)) > 1 else rest


def _trimmed(text: str, start: int, end: int) -> int:
    """``end`` moved back over white space, not before ``start``."""
    return start + len(text[start:end].rstrip(_BLANK))


def _closing_marker(marker: str) -> bool:
    """A marker written "C)" (no opening bracket), which a bracket left open on the line before may own."""
    marker = marker.strip()
    return marker.endswith(")") and not marker.startswith("(")


def is_wrapped_layout(lines: list[Line]) -> bool:
    """Legacy registry XML: most lines deeply indented, so a newline is a wrap, not an item break."""
    filled = [ln for ln in lines if ln.end > ln.content]
    return bool(filled) and sum(ln.indent >= _WRAPPED_INDENT for ln in filled) >= 0.6 * len(filled)


def is_wrapped_section(lines: list[Line], heading: int) -> bool:
    """Whether the section under ``lines[heading]`` is in the legacy wrapped layout.

    A page embeds a registry text among paragraphs of its own, so the layout is judged on the section's
    lines (those indented at least as its heading), not on the whole page.
    """
    indent = lines[heading].indent
    section: list[Line] = []
    for line in lines[heading + 1:]:
        if line.end > line.content and line.indent < indent:
            break
        section.append(line)
    return is_wrapped_layout(section)


def read_items(text: str, lines: list[Line], rules: SectionRules, section: str, whole: bool,
               wrapped: bool, section_lines: list[Span]) -> Iterator[Item | Heading]:
    """Raw items (before run-on splitting and lead-in removal) and headings of the eligibility sections.

    Every non-blank line read inside a section is added to ``section_lines``. ``wrapped`` is the whole
    text's layout; a page (``whole`` false) judges each section's own.
    """
    return _ItemReader(text, lines, rules, section, whole, wrapped, section_lines).read()


class _ItemReader:
    """The state :func:`read_items` carries from line to line: the open section and item, and what the
    section's list looks like so far. Each ``_…`` method reads one kind of line."""

    def __init__(self, text: str, lines: list[Line], rules: SectionRules, section: str, whole: bool,
                 wrapped: bool, section_lines: list[Span]) -> None:
        self.text, self.lines, self.rules, self.whole = text, lines, rules, whole
        self.wrapped, self.section_lines = wrapped, section_lines
        self.declared = section if section != "auto" else None
        self.kind: str | None = (self.declared or "inclusion") if whole else None
        self.heading_text: str | None = None
        self.heading_indent = 0         # a page's section holds the lines indented at least as its heading
        self.current: Item | None = None
        self.after_blank = False
        self.bulleted_section = False   # the section's list has bullets …
        self.plain_items = False        # … and no item without one (a single-newline list with a stray "*" is plain)
        self.restore: tuple[str | None] | None = None   # the section a colon-less population heading's block returns to

    def read(self) -> Iterator[Item | Heading]:
        for index, line in enumerate(self.lines):
            yield from self._line(index, line)
        yield from self._close_item()

    def _close_item(self) -> Iterator[Item]:
        if self.current is not None:
            yield self.current
            self.current = None

    def _line(self, index: int, line: Line) -> Iterator[Item | Heading]:
        content = self.text[line.content:line.end]
        if not content:
            yield from self._blank()
            return
        current, rules = self.current, self.rules
        continues = current is not None and not line.bulleted and not self.after_blank and (
            self.wrapped or line.indent > current.indent)
        self.after_blank = False
        if self.restore is not None and not continues and rules.universal.match(content):
            self.heading_text, self.restore = self.restore[0], None    # "Karnofsky ≥ 50%" is every participant's again
        heading = match_heading(content, rules)
        if heading is not None and continues and not content[:heading[1]].rstrip().endswith(":"):
            heading = None    # "… who meet the / exclusion criteria." wraps; it is no heading
        if heading is not None:
            yield from self._heading(index, line, content, heading)
        elif self.kind is None:
            return
        elif not self.whole and current is None and not line.bulleted and rules.stop.match(content):
            self.kind = None
        elif line.bulleted:
            yield from self._bulleted(line, content)
        elif continues and current is not None:
            self.section_lines.append((line.start, line.end))
            current.end = line.end
        else:
            yield from self._close_item()
            yield from self._unbulleted(index, line, content)

    def _blank(self) -> Iterator[Item]:
        self.after_blank = True
        if self.restore is not None and self.current is not None and not self.wrapped:
            self.heading_text, self.restore = self.restore[0], None
        if self.wrapped:
            yield from self._close_item()

    def _heading(self, index: int, line: Line, content: str, heading: tuple[str, int]) -> Iterator[Item | Heading]:
        yield from self._close_item()
        head_kind, length = heading
        self.heading_text = section_name(content[:length])
        self.restore = None
        self.heading_indent = line.indent
        if not self.whole:
            self.wrapped = is_wrapped_section(self.lines, index)
        self.section_lines.append((line.content, line.end))
        yield Heading(line.content, line.content + len(content[:length].rstrip()), self.heading_text)
        if self.declared:
            self.kind = self.declared
        elif head_kind != "any":
            self.kind = head_kind
        elif self.kind is None or not self.whole:
            self.kind = "inclusion"
        self.bulleted_section = self.plain_items = False
        rest = skip_bullets(self.text, line.content + length, line.end, self.rules)
        if rest < line.end:
            start = _chain_start(self.text, line.content + length, rest, line.end)
            self.current = Item(start, line.end, line.indent, self.kind, self.heading_text)

    def _bulleted(self, line: Line, content: str) -> Iterator[Item | Heading]:
        assert self.kind is not None
        yield from self._close_item()
        self.bulleted_section = True
        self.section_lines.append((line.start, line.end))
        if content.endswith(":") and is_population_heading(content, self.rules):   # "-  For Parts 1 and 3:"
            self.heading_text = section_name(content)
            yield Heading(line.content, line.end, self.heading_text)
            return
        self.current = Item(line.content, line.end, line.indent, self.kind, self.heading_text)

    def _unbulleted(self, index: int, line: Line, content: str) -> Iterator[Item | Heading]:
        """A line that starts no bullet and continues no item: a plain item, a label, or the list's end."""
        assert self.kind is not None
        if not self.whole and (self.rules.stop.match(content) or line.indent < self.heading_indent
                               or self.heading_indent == 0 and self.bulleted_section and not self.plain_items):
            self.kind = None       # a page's list ended: what follows (less indented than its heading) is page text
            return
        self.plain_items = True
        self.section_lines.append((line.start, line.end))
        label = line_label(content, self.rules)
        if label is None or label[1] and self.declared is not None and not content.endswith(":"):
            # a declared list of criteria (Chia's files) keeps a population label opening a line in its item
            self.current = Item(line.content, line.end, line.indent, self.kind, self.heading_text)
            return
        length, population = label
        label_text = section_name(content[:length])
        rest = skip_bullets(self.text, line.content + length, line.end, self.rules)
        inner = match_heading(self.text[rest:line.end], self.rules) if rest < line.end else None
        if inner is not None:   # "Part 1: Key Exclusion Criteria For Healthy Volunteers:": the list's own heading
            yield Heading(line.content, line.content + len(content[:length].rstrip()), label_text)
            yield from self._heading(index, Line(rest, rest, line.end, line.indent, False), self.text[rest:line.end],
                                     inner)
        elif rest < line.end:     # "Renal: creatinine ≤ 1.5 mg/dL": the label heads its own line only
            yield from self._labelled(line, content[:length], label_text, population, rest)
        elif population or HEADING_NOUN.search(content):   # "Part 1", "For Parts 1 and 3:", "Regulatory Requirements"
            yield Heading(line.content, line.end, label_text)
            if population and _PATIENT_GROUP.fullmatch(content):
                # "Relapsed patients" heads its block, not the list
                self.restore = self.restore or (self.heading_text,)
            self.heading_text = label_text if population else self.heading_text
        else:                   # "Age:" alone: a category lead-in, which passes its variable on
            category = not content.endswith(":") and self._over_deeper_list(index, line)
            self.current = Item(line.content, line.end, line.indent, self.kind, self.heading_text, category=category)

    def _over_deeper_list(self, index: int, line: Line) -> bool:
        """Whether the next line with text is a bullet indented deeper than ``line`` (old NCI lists: "Age"
        above "-  18 and over")."""
        following = next((nxt for nxt in self.lines[index + 1:] if nxt.end > nxt.content), None)
        return following is not None and following.bulleted and following.indent > line.indent

    def _labelled(self, line: Line, label: str, label_text: str, population: bool, rest: int) -> Iterator[Heading]:
        """A line opened by one label or more ("Renal: creatinine ≤ 1.5 mg/dL"): headings, then its item."""
        assert self.kind is not None
        text, rules = self.text, self.rules
        yield Heading(line.content, line.content + len(label.rstrip()), label_text)
        item_section = label_text if population else self.heading_text
        topic_label = None if population else label.strip()
        # "Cohort 4: Maintenance cohort: Patients in CR …": each label opening the line is a heading.
        while (more := line_label(text[rest:line.end], rules)) is not None:
            after = skip_bullets(text, rest + more[0], line.end, rules)
            if after >= line.end:
                break
            label_span = text[rest:rest + more[0]]
            yield Heading(rest, rest + len(label_span.rstrip()), section_name(label_span))
            if more[1]:
                item_section = section_name(label_span)
            else:
                topic_label = label_span.strip()
            rest = after
        self.current = Item(rest, line.end, line.indent, self.kind, item_section, topic_label)


#: A bullet glyph after white space inside a line starts an item ("… non-childbearing potential. • Has a BMI …");
#: hyphens are left alone, since one inside a sentence is no bullet.
_INLINE_BULLET = re.compile(r"(?<=\s)[•▪●►➢➤■](?=\s)")


def split_inline_bullets(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split an item at bullet glyphs inside it; each part, trimmed, is an item."""
    cuts = [m.start() for m in _INLINE_BULLET.finditer(text, start, end)]
    if not cuts:
        return [(start, end)]
    spans = []
    for s, e in zip([start, *(c + 1 for c in cuts)], [*cuts, end]):
        piece = text[s:e]
        s += len(piece) - len(piece.lstrip())
        e -= len(piece) - len(piece.rstrip())
        if e > s:
            spans.append((s, e))
    return spans


_RUN_ON = re.compile(r"(?:(?<=\s)|^)\(?([a-z]|\d{1,2})[.)](?=\s+\S)")
_RUN_ON_CASELESS = re.compile(_RUN_ON.pattern, re.IGNORECASE)


def split_run_on(text: str, start: int, end: int, caseless: bool = False, nested: bool = True
                 ) -> list[tuple[int, int]]:
    """Split "a. … b. … c. …" running on one line into items (a chain a, b, … of two or more).

    Letters are lower-case markers, except in a text in one case ("A. … B. …" of an upper-cased export).
    With ``nested``, each item is split once more ("b. MDS, including: 1) … 2) …": its own chain).
    """
    segment = text[start:end]
    markers = [(m.start(), m.end(), m.group(1).lower())
               for m in (_RUN_ON_CASELESS if caseless else _RUN_ON).finditer(segment)]
    chain: list[tuple[int, int]] = []
    expected = None
    for m_start, m_end, label in markers:
        if expected is None and label in ("a", "1"):
            chain, expected = [(m_start, m_end)], label
        elif expected is not None and label == _nextline_label(expected):
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
    if not nested:
        return spans
    return [inner for s, e in spans for inner in split_run_on(text, s, e, caseless, nested=False)]


def _nextline_label(label: str) -> str:
    return str(int(label) + 1) if label.isdigit() else chr(ord(label) + 1)
