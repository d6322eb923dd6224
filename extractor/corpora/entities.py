"""Gold entities of the BRAT corpora: labels mapped by ``data/brat_label_map.json``, spans trimmed,
duplicates merged, discontinuous entities resolved, ``negated`` from the corpus' own markup."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from extractor.corpora.brat import BratDocument, TextBound
from extractor.corpora.report import ConversionReport
from extractor.records import ENTITY_LABELS, NEGATABLE, Entity
from extractor.resources import DataFile, DataFileError, data_path
from extractor.spans import strip_space

CORPORA: tuple[str, ...] = ("chia", "lct")
_LABEL_FILE = DataFile(frozenset({"corpus", "label", "entity"}), frozenset({"when", "note"}),
                       choices={"corpus": CORPORA, "entity": ENTITY_LABELS})
_TEMPORAL_ARGS = frozenset({"Temporal-Period", "Temporal-Recency"})
_TEMPORAL_ROLES = frozenset({"Temporality", "Duration"})


@dataclass(frozen=True, slots=True)
class LabelRule:
    label: str
    entity: str
    when: str | None


@lru_cache(maxsize=None)
def label_rules(corpus: str) -> dict[str, tuple[LabelRule, ...]]:
    """The label map of one corpus, by BRAT label, rows in file order."""
    path = data_path("brat_label_map.json")
    rules: dict[str, list[LabelRule]] = {}
    for i, row in enumerate(_LABEL_FILE.read_json(path, "labels")):
        when = row.get("when")
        if when is not None and when != "temporal" and not when.startswith("attribute:"):
            raise DataFileError(f"{path}, labels[{i}]: unknown condition {when!r}")
        if row["corpus"] == corpus:
            rules.setdefault(row["label"], []).append(LabelRule(row["label"], row["entity"], when))
    return {label: tuple(rows) for label, rows in rules.items()}


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
        if event.id in own and any(role_name(r) in _TEMPORAL_ARGS for r, _ in event.args):
            return True
        if any(role_name(r) in _TEMPORAL_ROLES and arg in own for r, arg in event.args):
            return True
    return False


def role_name(role: str) -> str:
    """``Value2`` → ``Value``: BRAT numbers repeated roles."""
    return role.rstrip("0123456789")


def negated_ids(brat: BratDocument, corpus: str) -> set[str]:
    """Text-bound ids asserted absent: Chia ``Has_negation`` Arg1, LCT ``Negation`` events' ``Negates``."""
    if corpus == "chia":
        return {arg1 for rel, arg1, _ in brat.relations if rel == "Has_negation"}
    return {trigger_of(brat, arg) for e in brat.events.values() if e.label == "Negation"
            for role, arg in e.args if role_name(role) == "Negates"}


def trigger_of(brat: BratDocument, ref: str) -> str:
    """The text-bound an argument refers to: itself, or an event's trigger."""
    event = brat.events.get(ref)
    return event.trigger if event is not None else ref


def _negated(label: str, tb: TextBound, negated: set[str]) -> bool | None:
    return tb.id in negated if label in NEGATABLE else None
