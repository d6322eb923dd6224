"""Which criteria are alternatives to one another (the format's ``any_of`` sets), read off the layout.

Three layouts make alternatives (``annotations/GUIDELINES.md``, "Structure and logic"):

* a lead-in that says so ("at least one of the following:", "Patients with any of the following are
  excluded:", "such as:") makes the items under it one set, until the list goes back to the lead-in's
  indentation or less, a heading, the other kind, or — in a single-newline list, where indentation says
  nothing — the blank line that ends the block of its items;
* an ``OR`` connector line joins the items before and after it;
* an item that ends in "or" ("creatinine within normal limits OR") joins the item after it;
* a criterion with its own bound "or" a table it introduces ("… ≥ 70 mL/min or a serum creatinine based
  on age as follows:") forms one set with the table's rows, which open with a band or a bound;
* a line that admits a further case ("… will be eligible.") joins the set of the item before it.

A lead-in's set also ends where the items stop being its items (the guidelines' "Where a set ends"), as
far as typography shows it on one level of a list: an item that restates its own subject ("Patients
with …", in an inclusion list), an item that states its own exclusion ("… are excluded"), and the item
after a member that closes with a full stop a list whose
members (two thirds of them, at least two) end in commas or semicolons.

The lead-in itself is not in the set its items form (a criterion with a table is). Sets are numbered 1, 2, … in order of their
first member, and a set left with one member is no set.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractor.records import Criterion
from extractor.segment.rules import SectionRules, connector_word

#: An item joined to the next one by its last word.
_TRAILING_OR = re.compile(r"(?:\b(?:or|and/or)|;\s*or)\s*[,;]?\s*$", re.IGNORECASE)


@dataclass(slots=True)
class _OpenSet:
    """A lead-in whose items are alternatives, while its list lasts."""

    indent: int
    kind: str
    number: int
    deeper: bool = False
    members: int = 0
    block: bool = False      # two members were on consecutive lines: a blank line ends the set
    table: bool = False      # the rows of a criterion's table: each must open with a band or a bound
    commas: int = 0          # members that ended with "," or ";"
    closed: bool = False     # the last member ended that run of commas with a full stop: the set is over
    subject: bool = False    # the first member opened with its own subject ("Patients with …")


@dataclass(slots=True)
class Alternatives:
    """Assigns ``any_of`` while segmentation walks the items in order; call :meth:`finish` at the end."""

    text: str
    rules: SectionRules
    caseless: bool = False    # a text in one casing: capitals say nothing
    _last_end: int = 0
    _open: list[_OpenSet] = field(default_factory=list)
    _joined: Criterion | None = None     # the item an "OR" line or a trailing "or" joins to the next
    _previous: Criterion | None = None   # the last criterion, which a line admitting a further case joins
    _count: int = 0

    def heading(self) -> None:
        """A section heading ends every open set."""
        self._open.clear()
        self._joined = None
        self._previous = None

    def connector(self, content: str, previous: Criterion | None) -> None:
        """An "OR" line between two items (an "AND" line joins nothing)."""
        if connector_word(content) in ("or", "and/or"):
            self._joined = previous

    def item(self, criterion: Criterion | None, start: int, end: int, indent: int, kind: str) -> None:
        """One item in order: ``criterion`` is None for a pure lead-in, which may still open a set."""
        content = self.text[start:end]
        blank = self.text.count("\n", self._last_end, start) >= 2
        self._last_end = end
        while self._open and (self._open[-1].kind != kind or self._open[-1].deeper and indent <= self._open[-1].indent
                              or blank and self._open[-1].block and indent <= self._open[-1].indent):
            self._open.pop()
        if content.endswith(":") and self._open and self._open[-1].indent == indent and not self._open[-1].deeper:
            self._open.pop()         # a flat list: the next lead-in ends the set before it
        if self._open and self._ends_set(self._open[-1], content, indent):
            self._open.pop()
        if criterion is not None:
            if self._joined is not None:
                self._join(self._joined, criterion)
            elif self._open:
                self._add(self._open[-1], criterion, content, indent, blank)
            elif self._previous is not None and kind == "inclusion" and self.rules.admits_case.search(content):
                self._join(self._previous, criterion)
            self._joined = criterion if _TRAILING_OR.search(content) else None
            self._previous = criterion
        if not content.endswith(":"):
            return
        if self.rules.alternatives.search(content):
            self._open.append(_OpenSet(indent, kind, self._new()))
        elif criterion is not None and self.rules.set_table.search(content):
            table = _OpenSet(indent, kind, self._new(), table=True)
            self._add(table, criterion, content, indent, blank)
            self._open.append(table)

    def lead_in(self, content: str, end: int, indent: int, kind: str) -> None:
        """A lead-in sentence that gives its items their kind: like a heading it ends the sets before it,
        and it opens one when it says its items are alternatives, with or without a colon."""
        self.heading()
        self._last_end = end
        if self.rules.alternatives.search(content):
            self._open.append(_OpenSet(indent, kind, self._new()))

    def _ends_set(self, top: _OpenSet, content: str, indent: int) -> bool:
        """Whether ``content`` is no longer an item of the open set (on the set's own level of the list)."""
        if top.table:
            return not self.rules.table_row.search(content)
        if top.members == 0 or indent > top.indent or top.deeper and indent != top.indent:
            return False
        return (top.closed or top.kind == "inclusion" and not top.subject and self._restates_subject(content)
                or self.rules.own_verdict.search(content) is not None)

    def _restates_subject(self, content: str) -> bool:
        """An item that opens with its own subject, in capitals unless the text has one casing only."""
        return (self.caseless or not content[:1].islower()) and self.rules.restated_subject.search(content) is not None

    def _add(self, top: _OpenSet, criterion: Criterion, content: str, indent: int, blank: bool) -> None:
        criterion.any_of = top.number
        top.deeper = top.deeper or indent > top.indent
        top.block = top.block or top.members > 0 and not blank
        if top.members == 0:
            top.subject = self._restates_subject(content)
        ending = content.rstrip()[-1:]
        top.closed = ending == "." and top.commas >= 2 and 3 * top.commas >= 2 * top.members
        top.commas += ending in ",;"
        top.members += 1

    def _join(self, first: Criterion, second: Criterion) -> None:
        if first.any_of is None:
            first.any_of = self._new()
        second.any_of = first.any_of

    def _new(self) -> int:
        self._count += 1
        return self._count

    @staticmethod
    def finish(criteria: list[Criterion]) -> None:
        """Drop sets of one member and number the others 1, 2, … in order of first appearance."""
        sizes: dict[int, int] = {}
        for c in criteria:
            if c.any_of is not None:
                sizes[c.any_of] = sizes.get(c.any_of, 0) + 1
        numbers: dict[int, int] = {}
        for c in criteria:
            if c.any_of is None:
                continue
            if sizes[c.any_of] < 2:
                c.any_of = None
            else:
                c.any_of = numbers.setdefault(c.any_of, len(numbers) + 1)
