"""Typed records of the annotation format (``../shared/ANNOTATION_FORMAT.md``, v1.1).

Offset convention, stated once for the whole project: every ``start``/``end`` is a
half-open ``[start, end)`` index into the Python string ``Document.text`` (Unicode
code points), so ``text[start:end]`` is the span. Predictions and gold share these
records, which is why any two files can be scored against each other.

Fields beyond the format (``text``, ``criterion``, ``subgroup``, ``meta``…) are
extras the format allows; ``from_dict`` ignores unknown keys, as the scorer must.

The v1.1 structure and logic keys (``section`` and ``any_of`` on criteria, ``group`` and
``condition`` on thresholds) are optional: a document that carries ``any_of`` on a criterion or
``group`` on a threshold is *annotated for logic* (``Document.logic``), and then every item of it
is read and written with all four keys, null where the item has none.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["inclusion", "exclusion"]
KINDS: tuple[str, ...] = ("inclusion", "exclusion")
ENTITY_LABELS: tuple[str, ...] = (
    "condition", "drug", "procedure", "measurement", "observation",
    "person", "device", "value", "temporal", "negation",
)
LAYERS: tuple[str, ...] = ("criteria", "entities", "thresholds")
#: The v1.1 keys whose presence on any item marks a document as annotated for logic.
LOGIC_MARKERS: tuple[tuple[str, str], ...] = (("criteria", "any_of"), ("thresholds", "group"))
#: Labels whose entities are asserted present or absent; values, temporals and cues are neither.
NEGATABLE: frozenset[str] = frozenset({"condition", "drug", "procedure", "measurement", "observation",
                                       "person", "device"})


class RecordError(ValueError):
    """A record that does not follow the annotation format."""


def _req(d: dict[str, Any], key: str, typ: type | tuple[type, ...], where: str) -> Any:
    if key not in d:
        raise RecordError(f"{where}: missing required key {key!r}")
    value = d[key]
    if not isinstance(value, typ) or isinstance(value, bool) and typ is int:
        raise RecordError(f"{where}: {key!r} must be {getattr(typ, '__name__', typ)}, got {value!r}")
    return value


def _opt(d: dict[str, Any], key: str, typ: type, where: str) -> Any:
    """An optional key: its value, or None when absent or null; a value of another type is an error."""
    value = d.get(key)
    if value is not None and (not isinstance(value, typ) or isinstance(value, bool) and typ is int):
        raise RecordError(f"{where}: {key!r} must be {typ.__name__} or null, got {value!r}")
    return value


def _num(d: dict[str, Any], key: str, where: str) -> float | None:
    v = d.get(key)
    if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
        raise RecordError(f"{where}: {key!r} must be a number or null, got {v!r}")
    return v


def _flag(d: dict[str, Any], key: str, where: str) -> bool | None:
    v = d.get(key)
    if v is not None and not isinstance(v, bool):
        raise RecordError(f"{where}: {key!r} must be a boolean or null, got {v!r}")
    return v


@dataclass(frozen=True, slots=True)
class Bound:
    """A threshold record without a span: the bounds a condition puts on one variable."""

    variable: str
    low: float | None = None
    low_inclusive: bool | None = None
    high: float | None = None
    high_inclusive: bool | None = None
    unit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"variable": self.variable, "low": self.low, "low_inclusive": self.low_inclusive,
                "high": self.high, "high_inclusive": self.high_inclusive, "unit": self.unit}

    @classmethod
    def from_dict(cls, d: Any, where: str) -> "Bound":
        if not isinstance(d, dict):
            raise RecordError(f"{where}: must be a JSON object")
        return cls(_req(d, "variable", str, where), _num(d, "low", where), _flag(d, "low_inclusive", where),
                   _num(d, "high", where), _flag(d, "high_inclusive", where), _opt(d, "unit", str, where))


@dataclass(frozen=True, slots=True)
class Condition:
    """The case a threshold applies in (v1.1): as written, whether it applies where the case is absent,
    and the case's own numeric bounds (empty when it is not numeric: "if liver metastases")."""

    text: str
    negated: bool = False
    thresholds: tuple[Bound, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "negated": self.negated, "thresholds": [b.to_dict() for b in self.thresholds]}

    @classmethod
    def from_dict(cls, d: Any, where: str) -> "Condition":
        if not isinstance(d, dict):
            raise RecordError(f"{where}: 'condition' must be a JSON object or null")
        negated = d.get("negated", False)
        if not isinstance(negated, bool):
            raise RecordError(f"{where}: condition 'negated' must be a boolean, got {negated!r}")
        bounds = d.get("thresholds", [])
        if not isinstance(bounds, list):
            raise RecordError(f"{where}: condition 'thresholds' must be a list")
        return cls(_req(d, "text", str, where), negated,
                   tuple(Bound.from_dict(b, f"{where} condition thresholds[{k}]") for k, b in enumerate(bounds)))


@dataclass(slots=True)
class Criterion:
    """One criterion as the document lists it, bullet and numbering excluded.

    ``lead_in`` (extra) is the lead-in or category heading the criterion is listed under
    ("Age:" for "- Under 80"), which may name the variable the criterion constrains.
    ``section`` and ``any_of`` are the v1.1 keys: the heading it is listed under, and the set of
    alternatives it belongs to. ``id`` (extra) names the criterion stably within its document
    by kind and position ("I3": the third inclusion criterion), so that answers and verdicts
    can refer to it.
    """

    start: int
    end: int
    kind: str
    text: str = ""
    lead_in: str | None = None
    section: str | None = None
    any_of: int | None = None
    id: str | None = None

    def to_dict(self, logic: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {"start": self.start, "end": self.end, "kind": self.kind, "text": self.text}
        if self.id is not None:
            d["id"] = self.id
        if self.lead_in is not None:
            d["lead_in"] = self.lead_in
        if logic or self.section is not None:
            d["section"] = self.section
        if logic or self.any_of is not None:
            d["any_of"] = self.any_of
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = "criterion") -> "Criterion":
        lead_in = d.get("lead_in")
        return cls(_req(d, "start", int, where), _req(d, "end", int, where),
                   _req(d, "kind", str, where), d.get("text") or "",
                   lead_in if isinstance(lead_in, str) else None,
                   _opt(d, "section", str, where), _opt(d, "any_of", int, where), _opt(d, "id", str, where))


@dataclass(slots=True)
class Entity:
    """A tagged mention; ``criterion`` is the index of the enclosing criterion (extra field)."""

    start: int
    end: int
    label: str
    negated: bool | None = None
    text: str = ""
    criterion: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"start": self.start, "end": self.end, "label": self.label}
        if self.negated is not None:
            d["negated"] = self.negated
        d["text"] = self.text
        if self.criterion is not None:
            d["criterion"] = self.criterion
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = "entity") -> "Entity":
        negated = d.get("negated")
        if negated is not None and not isinstance(negated, bool):
            raise RecordError(f"{where}: 'negated' must be a boolean, got {negated!r}")
        return cls(_req(d, "start", int, where), _req(d, "end", int, where),
                   _req(d, "label", str, where), negated, d.get("text") or "", d.get("criterion"))


@dataclass(slots=True)
class Threshold:
    """A numeric constraint on one catalogue variable, as written (not flipped by criterion kind)."""

    start: int
    end: int
    variable: str
    low: float | None = None
    low_inclusive: bool | None = None
    high: float | None = None
    high_inclusive: bool | None = None
    unit: str | None = None
    text: str = ""
    criterion: int | None = None
    subgroup: str | None = None
    group: int | None = None
    condition: Condition | None = None

    def to_dict(self, logic: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "start": self.start, "end": self.end, "variable": self.variable,
            "low": self.low, "low_inclusive": self.low_inclusive,
            "high": self.high, "high_inclusive": self.high_inclusive,
            "unit": self.unit, "text": self.text,
        }
        if self.criterion is not None:
            d["criterion"] = self.criterion
        if self.subgroup is not None:
            d["subgroup"] = self.subgroup
        if logic or self.group is not None:
            d["group"] = self.group
        if logic or self.condition is not None:
            d["condition"] = None if self.condition is None else self.condition.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = "threshold") -> "Threshold":
        group = _opt(d, "group", int, where)
        if group is not None and group < 0:
            raise RecordError(f"{where}: 'group' must be counted from 0, got {group!r}")
        condition = d.get("condition")
        return cls(_req(d, "start", int, where), _req(d, "end", int, where),
                   _req(d, "variable", str, where), _num(d, "low", where), _flag(d, "low_inclusive", where),
                   _num(d, "high", where), _flag(d, "high_inclusive", where), _opt(d, "unit", str, where),
                   d.get("text") or "", d.get("criterion"), d.get("subgroup"), group,
                   None if condition is None else Condition.from_dict(condition, where))


@dataclass(slots=True)
class Document:
    """One document; a layer set to ``None`` is *absent* (not annotated), ``[]`` is *empty*.

    ``logic``: the document is annotated for the v1.1 structure and logic keys, so they are scored
    and written on every criterion and threshold.
    """

    id: str
    text: str
    source: str | None = None
    criteria: list[Criterion] | None = None
    entities: list[Entity] | None = None
    thresholds: list[Threshold] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    logic: bool = False

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id}
        if self.source is not None:
            d["source"] = self.source
        d["text"] = self.text
        for layer in LAYERS:
            items = getattr(self, layer)
            if items is not None:
                d[layer] = [item.to_dict(self.logic) if layer != "entities" else item.to_dict() for item in items]
        if self.meta:
            d["meta"] = self.meta
        return d

    @classmethod
    def from_dict(cls, d: Any, where: str = "document") -> "Document":
        if not isinstance(d, dict):
            raise RecordError(f"{where}: a document must be a JSON object, got {type(d).__name__}")
        doc_id = _req(d, "id", str, where)
        where = f"{where} {doc_id!r}"
        text = _req(d, "text", str, where)
        layers: dict[str, list[Any] | None] = {}
        for layer, typ in (("criteria", Criterion), ("entities", Entity), ("thresholds", Threshold)):
            raw = d.get(layer)
            if raw is None:
                layers[layer] = None
                continue
            if not isinstance(raw, list):
                raise RecordError(f"{where}: {layer!r} must be a list")
            layers[layer] = [typ.from_dict(item, f"{where} {layer}[{i}]") if isinstance(item, dict)
                             else _not_object(where, layer, i) for i, item in enumerate(raw)]
        meta = d.get("meta") if isinstance(d.get("meta"), dict) else {}
        logic = any(isinstance(item, dict) and key in item
                    for layer, key in LOGIC_MARKERS for item in d.get(layer) or ())
        return cls(doc_id, text, d.get("source"), layers["criteria"], layers["entities"],
                   layers["thresholds"], meta, logic)


def _not_object(where: str, layer: str, i: int) -> Any:
    raise RecordError(f"{where}: {layer}[{i}] must be a JSON object")
