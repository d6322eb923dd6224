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

from dataclasses import dataclass, field

from extractor.casing import is_caseless
from extractor.records import Criterion
from extractor.segment.alternatives import Alternatives
from extractor.segment.lines import (Heading, Span, is_wrapped_layout, read_items, split_collapsed,
                                     split_inline_bullets, split_lines, split_run_on)
from extractor.segment.rules import SectionRules, default_rules, is_connector, is_heading_only, lead_in_kind

__all__ = ["SECTION_CHOICES", "Layout", "SectionRules", "default_rules", "find_criteria", "number_criteria",
           "segment", "unexplained_lines"]

SECTION_CHOICES: tuple[str, ...] = ("auto", "inclusion", "exclusion")


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
    lines = split_collapsed(text, list(split_lines(text, rules)), rules)
    wrapped = is_wrapped_layout(lines)
    whole = section != "auto" or eligibility
    caseless = is_caseless(text)
    layout = Layout()
    alternatives = Alternatives(text, rules, caseless)
    open_lead_in: tuple[str, int, str] | None = None     # (text, indent, kind) of the open lead-in
    deeper = False
    stated_kind: str | None = None     # the kind a lead-in sentence gave its items, until the next heading
    for item in read_items(text, lines, rules, section, whole, wrapped, layout.section_lines):
        if isinstance(item, Heading):
            layout.headings.append((item.start, item.end))
            alternatives.heading()
            stated_kind = None
            if not _rest_of_line(text, item.end).strip():
                open_lead_in = None     # a heading on its own line ends the lead-in above it; a line's label not
            continue
        kind = stated_kind or item.kind
        if open_lead_in is not None and (open_lead_in[2] != kind or deeper and item.indent <= open_lead_in[1]):
            open_lead_in = None
        for start, end in (run_on for part in split_inline_bullets(text, item.start, item.end)
                           for run_on in split_run_on(text, *part, caseless)):
            content = text[start:end]
            if is_connector(content):
                layout.connectors.append((start, end))
                alternatives.connector(content, layout.criteria[-1] if layout.criteria else None)
                continue
            if not _start_of_line(text, start).strip() and (cue := lead_in_kind(content, rules)):
                layout.lead_ins.append((start, end))       # a whole-line lead-in sentence, not a bulleted one
                stated_kind = kind = cue
                alternatives.lead_in(content, end, item.indent, kind)
                continue
            criterion = None
            if item.category or is_heading_only(content, rules, caseless):
                layout.lead_ins.append((start, end))
            else:
                criterion = Criterion(start, end, kind, content,
                                      lead_in=item.label or (open_lead_in[0] if open_lead_in is not None else None),
                                      section=item.section)
                layout.criteria.append(criterion)
                deeper = deeper or (open_lead_in is not None and item.indent > open_lead_in[1])
            alternatives.item(criterion, start, end, item.indent, kind)
            if content.endswith(":") or item.category:      # "Age:", or a colon-less category label "Age"
                open_lead_in, deeper = (content, item.indent, kind), False
    Alternatives.finish(layout.criteria)
    number_criteria(layout.criteria)
    return layout


def _rest_of_line(text: str, pos: int) -> str:
    end = text.find("\n", pos)
    return text[pos:] if end < 0 else text[pos:end]


def _start_of_line(text: str, pos: int) -> str:
    """What stands on ``pos``'s line before it (indentation, a bullet or an earlier part)."""
    return text[text.rfind("\n", 0, pos) + 1:pos]


def number_criteria(criteria: list[Criterion]) -> None:
    """Give each criterion its id: the kind's initial and its position among that kind ("I1", "E12")."""
    counts: dict[str, int] = {}
    for criterion in criteria:
        counts[criterion.kind] = counts.get(criterion.kind, 0) + 1
        criterion.id = f"{criterion.kind[0].upper()}{counts[criterion.kind]}"


def unexplained_lines(text: str, layout: Layout) -> list[Span]:
    """Non-blank lines of a found section that lie in no criterion and are no heading, lead-in or connector."""
    covered = sorted([(c.start, c.end) for c in layout.criteria] + layout.headings + layout.lead_ins
                     + layout.connectors)
    unexplained = []
    for start, end in layout.section_lines:
        if not any(s < end and start < e for s, e in covered):
            unexplained.append((start, end))
    return unexplained
