"""A tolerant reader of BRAT standoff (``.txt`` + ``.ann``), used for Chia and LCT.

Public corpora carry malformed lines and spans that do not match their text; a
reader that crashes on them is useless, so such lines are collected as warnings
(file and line number) and skipped. Text is read byte-exact (``newline=""``)
because BRAT offsets count every ``\\r``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_TEXTBOUND = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$")
_EVENT = re.compile(r"^(E\d+)\t(\S+):(\S+)((?: \S+:\S+)*)\s*$")
_ATTRIBUTE = re.compile(r"^(A\d+)\t(\S+) (\S+)(?: (\S+))?\s*$")
_RELATION = re.compile(r"^(R\d+)\t(\S+) Arg1:(\S+) Arg2:(\S+)\s*$")


@dataclass(slots=True)
class TextBound:
    """A ``T`` line: a label on one or more (discontinuous) character spans."""

    id: str
    label: str
    spans: list[tuple[int, int]]
    text: str

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]

    @property
    def discontinuous(self) -> bool:
        return len(self.spans) > 1


@dataclass(slots=True)
class Event:
    """An ``E`` line: a trigger text-bound and role → argument ids (roles may repeat as ``Value2``)."""

    id: str
    label: str
    trigger: str
    args: list[tuple[str, str]]


@dataclass(slots=True)
class BratDocument:
    """One ``.txt``/``.ann`` pair."""

    id: str
    text: str
    textbounds: dict[str, TextBound] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    relations: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_brat(txt_path: Path) -> BratDocument:
    """Read ``X.txt`` and its ``X.ann``; bad annotation lines become warnings, not errors."""
    txt_path = Path(txt_path)
    with open(txt_path, encoding="utf-8", newline="") as fh:
        text = fh.read()
    doc = BratDocument(id=txt_path.stem, text=text)
    ann_path = txt_path.with_suffix(".ann")
    if not ann_path.exists():
        doc.warnings.append(f"{ann_path}: missing annotation file")
        return doc
    with open(ann_path, encoding="utf-8", newline="") as fh:
        lines = fh.read().split("\n")
    for lineno, line in enumerate(lines, start=1):
        line = line.rstrip("\r")
        if not line.strip() or line.startswith("#") or line.startswith("*"):
            continue
        warning = _parse_line(doc, line)
        if warning:
            doc.warnings.append(f"{ann_path}:{lineno}: {warning}: {line[:80]!r}")
    return doc


def _parse_line(doc: BratDocument, line: str) -> str | None:
    """Add one annotation line to ``doc``; return a warning instead when it is unusable."""
    kind = line[:1]
    if kind == "T":
        m = _TEXTBOUND.match(line)
        if not m:
            return "malformed text-bound line"
        spans = [tuple(map(int, part.split())) for part in m.group(3).split(";")]
        if any(s < 0 or e > len(doc.text) or s >= e for s, e in spans):
            return "span outside the text"
        surface = " ".join(doc.text[s:e] for s, e in spans)
        if _squash(surface) != _squash(m.group(4)):
            return "span text does not match the document"
        doc.textbounds[m.group(1)] = TextBound(m.group(1), m.group(2), spans, m.group(4))  # type: ignore[arg-type]
        return None
    if kind == "E":
        m = _EVENT.match(line)
        if not m:
            return "malformed event line"
        args = [tuple(part.split(":", 1)) for part in m.group(4).split()]
        doc.events[m.group(1)] = Event(m.group(1), m.group(2), m.group(3), args)  # type: ignore[arg-type]
        return None
    if kind == "A" or kind == "M":
        m = _ATTRIBUTE.match(line)
        if not m:
            return "malformed attribute line"
        doc.attributes.setdefault(m.group(3), {})[m.group(2)] = m.group(4) or "true"
        return None
    if kind == "R":
        m = _RELATION.match(line)
        if not m:
            return "malformed relation line"
        doc.relations.append((m.group(2), m.group(3), m.group(4)))
        return None
    return "unknown annotation line"


def _squash(s: str) -> str:
    return "".join(s.split())
