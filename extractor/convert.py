"""Chia and LCT (BRAT standoff) → gold files of the annotation format, one JSON per document.

Decisions, each counted in :class:`ConversionReport` so that nothing is lost silently:

- Split: a document is *test* when the integer of its NCT number is divisible by 5
  (``../shared/corpora/README.md``); ``split="all"`` keeps both.
- Labels: ``data/brat_label_map.json`` maps BRAT labels to the format's entity labels;
  unmapped labels are dropped and counted per label.
- Spans are trimmed of surrounding white space (the format forbids it) and
  identical (span, label) pairs are kept once.
- Discontinuous entities (Chia "breast and ovarian cancer" → "breast … cancer") become
  their covering span, which is how a contiguous tagger marks a coordination, unless
  that span would nest or cross another entity of the same label or a line break; then
  they are dropped with a warning.
- ``negated``: Chia sets it from ``Has_negation`` relations (Arg1 is the negated
  entity), LCT from ``Negation`` events' ``Negates`` arguments; the other concept
  entities get ``False``, values, temporals and cues get none.
- Criteria: Chia puts one criterion per line and separates inclusion and exclusion
  into ``_inc``/``_exc`` documents, so every non-empty line is a criterion of the
  file's kind (``meta.section`` records it for the evaluation harness). LCT texts are
  registry criteria fields (``meta.eligibility`` says so, as ``extractor.readers`` reads
  it) with both sections and their headings in one text: lines under a recognised
  heading are criteria, bullets stripped; a line ending in ":" with nothing tagged in
  it is a lead-in. A document whose layout the rules cannot read faithfully (text
  before the first heading, an unrecognised heading, several enumerated items on one
  line) gets no criteria layer, so it is not scored on criteria rather than scored
  against a guess. The rules are in ``data/brat_layout.json``, independent of the
  pipeline's segmenter.
- Thresholds (LCT only; Chia has no operator attributes): an ``Eq-Comparison`` in the
  ``Numeric-Filter`` role of an ``Age`` event, or of an ``Observation``/``Condition``
  whose name (or an ``Abbrev-Of`` partner's) is a catalogue alias of one variable
  (a family alias only where its context decides), becomes a record:
  operator attribute → bounds and inclusivity, ``Eq-Value`` numbers, ``Eq-Unit``/
  ``Eq-Temporal-Unit`` → UCUM; a value written without unit is in the variable's
  catalogue ``default_unit`` (years for an age, kg/m2 for a BMI), else unitless. A
  comparison on a catalogue variable that cannot be converted faithfully (unknown
  operator, unit or number) makes the document's thresholds layer absent; otherwise
  the layer is present, possibly empty. Chia documents have no thresholds layer.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from extractor.brat import BratDocument, Event, TextBound, read_brat
from extractor.catalogue import load_catalogue
from extractor.records import ENTITY_LABELS, KINDS, NEGATABLE, Criterion, Document, Entity, Threshold
from extractor.resources import DataFile, DataFileError, data_path
from extractor.spans import line_spans, strip_space
from extractor.thresholds import roman_value
from extractor.units import normalize_unit

CORPORA: tuple[str, ...] = ("chia", "lct")
SPLITS: tuple[str, ...] = ("test", "train", "all")
_LABEL_FILE = DataFile(frozenset({"corpus", "label", "entity"}), frozenset({"when", "note"}))
_LAYOUT_FILE = DataFile(frozenset({"corpus", "role", "regex"}), frozenset({"kind"}))
_NCT = re.compile(r"NCT(\d{8})")
_TEMPORAL_ARGS = frozenset({"Temporal-Period", "Temporal-Recency"})
_TEMPORAL_ROLES = frozenset({"Temporality", "Duration"})
_THRESHOLD_HOSTS = frozenset({"Age", "Observation", "Condition"})
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")


class ConversionError(ValueError):
    """A corpus folder or option the converter cannot work with."""


@dataclass(frozen=True, slots=True)
class LabelRule:
    label: str
    entity: str
    when: str | None


@dataclass(frozen=True, slots=True)
class Layout:
    bullet: re.Pattern[str]
    headings: tuple[tuple[re.Pattern[str], str], ...]
    heading_like: re.Pattern[str] | None
    run_on: re.Pattern[str] | None


@dataclass(slots=True)
class ConversionReport:
    """What the conversion kept, dropped and why; printed by the CLI and documented in eval reports."""

    documents: int = 0
    other_split: int = 0
    criteria: int = 0
    entities: Counter[str] = field(default_factory=Counter)
    dropped_labels: Counter[str] = field(default_factory=Counter)
    discontinuous: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    thresholds: Counter[str] = field(default_factory=Counter)
    comparisons: Counter[str] = field(default_factory=Counter)
    criteria_absent: int = 0
    thresholds_absent: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"documents written: {self.documents} (other split skipped: {self.other_split})",
                 f"criteria: {self.criteria} (documents without a criteria layer: {self.criteria_absent})",
                 f"entities: {sum(self.entities.values())} {dict(sorted(self.entities.items()))}",
                 f"dropped labels: {dict(self.dropped_labels.most_common())}",
                 f"discontinuous entities: {dict(sorted(self.discontinuous.items()))}",
                 f"duplicate entities merged: {self.duplicates}"]
        if self.comparisons:
            lines += [f"thresholds: {sum(self.thresholds.values())} {dict(sorted(self.thresholds.items()))}",
                      f"comparisons: {dict(self.comparisons.most_common())} "
                      f"(documents without a thresholds layer: {self.thresholds_absent})"]
        lines.append(f"warnings: {len(self.warnings)}")
        return "\n".join(lines)


def split_of(doc_id: str) -> str | None:
    """``test`` or ``train`` by the corpora README's rule; ``None`` without an NCT number."""
    m = _NCT.search(doc_id)
    if m is None:
        return None
    return "test" if int(m.group(1)) % 5 == 0 else "train"


def convert_brat(corpus_dir: str | Path, out_dir: str | Path, corpus: str = "chia",
                 split: str = "test") -> ConversionReport:
    """Write one gold JSON per document of ``split`` to ``out_dir``; return what was kept and dropped."""
    if corpus not in CORPORA:
        raise ConversionError(f"unknown corpus {corpus!r}; expected one of {', '.join(CORPORA)}")
    if split not in SPLITS:
        raise ConversionError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    corpus_dir, out_dir = Path(corpus_dir), Path(out_dir)
    files = sorted(corpus_dir.rglob("*.txt"))
    if not files:
        raise ConversionError(f"{corpus_dir}: no BRAT .txt files found")
    out_dir.mkdir(parents=True, exist_ok=True)
    report = ConversionReport()
    for txt in files:
        doc_split = split_of(txt.stem)
        if doc_split is None:
            report.warnings.append(f"{txt}: no NCT number in the file name, so no split; skipped")
            continue
        if split != "all" and doc_split != split:
            report.other_split += 1
            continue
        if not txt.with_suffix(".ann").is_file():
            report.warnings.append(f"{txt}: no .ann file, so nothing is known about its annotations; skipped")
            continue
        brat = read_brat(txt)
        report.warnings += brat.warnings
        doc = convert_document(brat, corpus, report)
        doc.source = f"{corpus_dir.name}/{txt.relative_to(corpus_dir).as_posix()}"
        with open(out_dir / f"{doc.id}.json", "w", encoding="utf-8") as fh:
            json.dump(doc.to_dict(), fh, ensure_ascii=False, indent=1)
        report.documents += 1
    return report


def convert_document(brat: BratDocument, corpus: str, report: ConversionReport) -> Document:
    """One BRAT document as a gold document (``source`` left for the caller)."""
    entities = map_entities(brat, corpus, report)
    if corpus == "chia":
        kind = "exclusion" if brat.id.endswith("_exc") else "inclusion"
        criteria: list[Criterion] | None = chia_criteria(brat.text, kind)
        doc = Document(brat.id, brat.text, criteria=criteria, entities=entities, meta={"section": kind})
    else:
        criteria = lct_criteria(brat.text, entities)
        if criteria is None:
            report.criteria_absent += 1
        thresholds = lct_thresholds(brat, report)
        if thresholds is None:
            report.thresholds_absent += 1
        else:
            report.thresholds.update(t.variable for t in thresholds)
        doc = Document(brat.id, brat.text, criteria=criteria, entities=entities, thresholds=thresholds,
                       meta={"eligibility": True})
    report.criteria += len(doc.criteria or [])
    report.entities.update(e.label for e in entities)
    return doc


@lru_cache(maxsize=None)
def label_rules(corpus: str) -> dict[str, tuple[LabelRule, ...]]:
    """The label map of one corpus, by BRAT label, rows in file order."""
    path = data_path("brat_label_map.json")
    rules: dict[str, list[LabelRule]] = {}
    for i, row in enumerate(_LABEL_FILE.read_json(path, "labels")):
        if row["entity"] not in ENTITY_LABELS or row["corpus"] not in CORPORA:
            raise DataFileError(f"{path}, labels[{i}]: unknown corpus or entity label in {row}")
        when = row.get("when")
        if when is not None and when != "temporal" and not when.startswith("attribute:"):
            raise DataFileError(f"{path}, labels[{i}]: unknown condition {when!r}")
        if row["corpus"] == corpus:
            rules.setdefault(row["label"], []).append(LabelRule(row["label"], row["entity"], when))
    return {label: tuple(rows) for label, rows in rules.items()}


@lru_cache(maxsize=None)
def layout(corpus: str) -> Layout:
    """The line-layout rules of one corpus (bullets, headings, run-on enumerations)."""
    path = data_path("brat_layout.json")
    rows = [r for r in _LAYOUT_FILE.read_json(path, "rules") if r["corpus"] == corpus]
    by_role: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        if row["role"] not in ("bullet", "heading", "heading_like", "run_on"):
            raise DataFileError(f"{path}: unknown role {row['role']!r}")
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
    return Layout(bullet, headings, one("heading_like"), one("run_on"))


def _strip_bullet(text: str, start: int, end: int, bullet: re.Pattern[str]) -> int:
    """Start of the line's content after its bullets or numbers (``end`` for a bare bullet)."""
    while (m := bullet.match(text, start, end)) and m.end() > start:
        start = m.end()
    return start


def chia_criteria(text: str, kind: str) -> list[Criterion]:
    """Every non-empty line, bullet or number stripped, as a criterion of ``kind``."""
    bullet = layout("chia").bullet
    criteria = []
    for start, end in line_spans(text):
        start = _strip_bullet(text, start, end, bullet)
        if start < end:
            criteria.append(Criterion(start, end, kind, text[start:end]))
    return criteria


def lct_criteria(text: str, entities: list[Entity]) -> list[Criterion] | None:
    """Criteria under LCT's headings, or ``None`` when the layout cannot be read faithfully.

    A line ending in ":" is a criterion when the annotators tagged something in it
    ("Type II diabetic patients, 18 years and older, were included if:") and a pure
    lead-in or sub-heading otherwise, which is the format's rule read off the gold itself.
    """
    rules = layout("lct")
    kind: str | None = None
    criteria: list[Criterion] = []
    for start, end in line_spans(text):
        content = _strip_bullet(text, start, end, rules.bullet)
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


def map_entities(brat: BratDocument, corpus: str, report: ConversionReport) -> list[Entity]:
    """Mapped, trimmed, de-duplicated entities, discontinuous ones resolved as the module says."""
    rules = label_rules(corpus)
    negated = negated_ids(brat, corpus)
    contiguous: dict[tuple[int, int, str], Entity] = {}
    discontinuous: list[tuple[TextBound, Entity]] = []
    for tb in sorted(brat.textbounds.values(), key=lambda t: (t.start, t.end, t.id)):
        label = _entity_label(brat, tb, rules.get(tb.label, ()))
        if label is None:
            report.dropped_labels[tb.label] += 1
            continue
        # Fragments are not always listed in text order, so cover from the smallest to the largest offset.
        start, end = strip_space(brat.text, min(s for s, _ in tb.spans), max(e for _, e in tb.spans))
        if start == end:
            report.warnings.append(f"{brat.id}: {tb.id} {tb.label} covers only white space; dropped")
            continue
        entity = Entity(start, end, label, _negated(label, tb, negated), brat.text[start:end])
        kept = contiguous.get((start, end, label))
        if tb.discontinuous:
            discontinuous.append((tb, entity))
        elif kept is not None:
            report.duplicates += 1
            kept.negated = kept.negated or entity.negated
        else:
            contiguous[(start, end, label)] = entity
    for tb, entity in discontinuous:
        key = (entity.start, entity.end, entity.label)
        clash = "\n" in entity.text or "\r" in entity.text or any(
            e.label == entity.label and e.start < entity.end and entity.start < e.end
            and (e.start, e.end) != (entity.start, entity.end) for e in contiguous.values())
        if clash:
            report.discontinuous["dropped"] += 1
            report.warnings.append(f"{brat.id}: discontinuous {tb.id} {tb.label} {tb.spans} dropped: its covering "
                                   f"span {entity.text[:60]!r} nests or crosses another {entity.label}")
        elif key in contiguous:
            report.discontinuous["merged"] += 1
        else:
            report.discontinuous["covering span"] += 1
            contiguous[key] = entity
    return sorted(contiguous.values(), key=lambda e: (e.start, e.end, e.label))


def _entity_label(brat: BratDocument, tb: TextBound, rules: tuple[LabelRule, ...]) -> str | None:
    for rule in rules:
        if rule.when is None:
            return rule.entity
        if rule.when == "temporal" and _is_temporal(brat, tb):
            return rule.entity
        if rule.when.startswith("attribute:"):
            name, values = rule.when.removeprefix("attribute:").split("=", 1)
            ids = [tb.id, *(e.id for e in brat.events.values() if e.trigger == tb.id)]
            if any(brat.attributes.get(i, {}).get(name) in values.split("|") for i in ids):
                return rule.entity
    return None


def _is_temporal(brat: BratDocument, tb: TextBound) -> bool:
    """An Eq-Comparison about time: it fills a temporal role or has a temporal period or recency.

    A temporal unit alone does not count: "≥ 18 years" on an Age is a value.
    """
    own = {e.id for e in brat.events.values() if e.trigger == tb.id}
    for event in brat.events.values():
        if event.id in own and any(_role(r) in _TEMPORAL_ARGS for r, _ in event.args):
            return True
        if any(_role(r) in _TEMPORAL_ROLES and arg in own for r, arg in event.args):
            return True
    return False


def _role(role: str) -> str:
    """``Value2`` → ``Value``: BRAT numbers repeated roles."""
    return role.rstrip("0123456789")


def negated_ids(brat: BratDocument, corpus: str) -> set[str]:
    """Text-bound ids asserted absent: Chia ``Has_negation`` Arg1, LCT ``Negation`` events' ``Negates``."""
    if corpus == "chia":
        return {arg1 for rel, arg1, _ in brat.relations if rel == "Has_negation"}
    return {_trigger(brat, arg) for e in brat.events.values() if e.label == "Negation"
            for role, arg in e.args if _role(role) == "Negates"}


def _trigger(brat: BratDocument, ref: str) -> str:
    """The text-bound an argument refers to: itself, or an event's trigger."""
    event = brat.events.get(ref)
    return event.trigger if event is not None else ref


def _negated(label: str, tb: TextBound, negated: set[str]) -> bool | None:
    return tb.id in negated if label in NEGATABLE else None


def lct_thresholds(brat: BratDocument, report: ConversionReport) -> list[Threshold] | None:
    """Threshold records of LCT comparisons on catalogue variables; ``None`` if one cannot be converted."""
    thresholds: list[Threshold] = []
    faithful = True
    for event in brat.events.values():
        if event.label not in _THRESHOLD_HOSTS:
            continue
        for role, arg in event.args:
            comparison = brat.events.get(arg)
            if _role(role) != "Numeric-Filter" or comparison is None or comparison.label != "Eq-Comparison":
                continue
            variable = "age" if event.label == "Age" else _catalogue_variable(brat, event)
            if variable is None:
                report.comparisons["variable not in catalogue"] += 1
                continue
            threshold, problem = comparison_threshold(brat, event, comparison, variable)
            if threshold is None:
                report.comparisons[problem] += 1
                report.warnings.append(f"{brat.id}: {comparison.id} on {variable}: {problem}; "
                                       "thresholds layer left absent")
                faithful = False
            else:
                report.comparisons["converted"] += 1
                thresholds.append(threshold)
    return sorted(thresholds, key=lambda t: (t.start, t.end, t.variable)) if faithful else None


def _catalogue_variable(brat: BratDocument, event: Event) -> str | None:
    """The catalogue variable an Observation/Condition names, directly or through ``Abbrev-Of``.

    An alias shared by a family ("blasts", "performance status") names one member only
    where the member's context or requirement occurs on the mention's line; otherwise,
    as for any mention that is no alias, the result is ``None``.
    """
    ids = {event.id}
    for rel, a, b in brat.relations:
        if rel == "Abbrev-Of" and event.id in (a, b):
            ids |= {a, b}
    catalogue = load_catalogue()
    for ref in sorted(ids):
        host = brat.events.get(ref)
        if host is None:
            continue
        for name in [_trigger(brat, arg) for role, arg in host.args if _role(role) == "Name"] + [host.trigger]:
            tb = brat.textbounds.get(name)
            if tb is None:
                continue
            line = _line_of(brat.text, tb.start)
            candidates = [v for v in catalogue.lookup(tb.text) if v.requires is None or v.requires.search(line)]
            if len(candidates) > 1:
                candidates = [v for v in candidates if v.context is not None and v.context.search(line)]
            if len(candidates) == 1:
                return candidates[0].id
    return None


def _line_of(text: str, offset: int) -> str:
    """The line holding ``offset``: where a family alias looks for its context."""
    start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    ends = [i for i in (text.find("\n", offset), text.find("\r", offset)) if i >= 0]
    return text[start:min(ends, default=len(text))]


def comparison_threshold(brat: BratDocument, host: Event, comparison: Event,
                         variable: str) -> tuple[Threshold | None, str]:
    """The record of one comparison, or ``(None, why not)``."""
    args: dict[str, list[TextBound]] = {}
    for role, arg in comparison.args:
        tb = brat.textbounds.get(_trigger(brat, arg))
        if tb is None:
            return None, f"argument {arg} missing"
        args.setdefault(_role(role), []).append(tb)
    if set(args) - {"Value", "Operator", "Unit", "Temporal-Unit", "Per"}:
        return None, "comparison with a temporal period or recency"
    values = []
    for tb in args.get("Value", []):
        m = _NUMBER.fullmatch(tb.text.strip())
        value = float(m.group().replace(",", "")) if m else roman_value(tb.text)
        if value is None:
            return None, "value is not a number"
        values.append(float(value))
    operators = [brat.attributes.get(tb.id, {}).get("Eq-Operator-Value") for tb in args.get("Operator", [])]
    if len(operators) > 1 or None in operators:
        return None, "several or unlabelled operators"
    bounds = _bounds(operators[0] if operators else None, values)
    if bounds is None:
        return None, f"operator {operators[0] if operators else None} with {len(values)} value(s)"
    unit, problem = _unit(brat, args, variable)
    if problem:
        return None, problem
    trigger = brat.textbounds[host.trigger]
    parts = [trigger, brat.textbounds[comparison.trigger], *(tb for tbs in args.values() for tb in tbs)]
    start, end = strip_space(brat.text, min(p.start for p in parts), max(p.end for p in parts))
    if "\n" in brat.text[start:end] or "\r" in brat.text[start:end]:
        return None, "variable and value on different lines"
    low, low_inc, high, high_inc = bounds
    return Threshold(start, end, variable, low, low_inc, high, high_inc, unit, brat.text[start:end]), ""


def _bounds(operator: str | None, values: list[float]) -> tuple[float | None, bool | None,
                                                              float | None, bool | None] | None:
    """LCT operator and values → (low, low_inclusive, high, high_inclusive), as written."""
    if len(values) == 1:
        v = values[0]
        return {"GT": (v, False, None, None), "GTEQ": (v, True, None, None), "LT": (None, None, v, False),
                "LTEQ": (None, None, v, True), "EQ": (v, True, v, True), None: (v, True, v, True)}.get(operator)
    if len(values) == 2 and operator in ("BETWEEN", None):
        return min(values), True, max(values), True
    return None


def _unit(brat: BratDocument, args: dict[str, list[TextBound]], variable: str) -> tuple[str | None, str]:
    """UCUM code of the comparison's unit (``None`` for none), or an explanation why it has none."""
    units = args.get("Unit", []) + args.get("Temporal-Unit", [])
    per = args.get("Per", [])
    if len(units) > 1 or len(per) > 1:
        return None, "several units"
    if not units:
        if per:
            return None, "a per-unit without a unit"
        return load_catalogue().variables[variable].default_unit, ""
    surface = "/".join(brat.attributes.get(tb.id, {}).get("Eq-Temporal-Unit-Value", tb.text) for tb in units + per)
    code = normalize_unit(surface)
    return (code, "") if code is not None else (None, f"unit {surface!r} not in the unit table")
