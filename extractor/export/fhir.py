"""Extractor documents → FHIR R5 EvidenceVariable resources, one per trial, as plain dicts.

Building dicts keeps the default pipeline free of ``fhir.resources``; :func:`validate_resource`
(the ``fhir`` extra) checks a resource against the R5 model. Mapping, following the v1.1 semantics
of ../shared/ANNOTATION_FORMAT.md:

- a criterion is a characteristic (``description``: its text, ``exclude``: exclusion kind,
  ``linkId``: its id); criteria sharing ``any_of`` become one ``any-of`` combination;
- its thresholds form an ``all-of`` combination of groups, a group of several thresholds an
  ``any-of`` combination (``group`` null: a group of its own); one threshold alone is the
  characteristic's own ``definitionByTypeAndValue``;
- a one-sided bound is a Quantity with comparator; a two-sided bound inclusive at both ends a
  Range (FHIR Ranges are inclusive); a two-sided bound with an exclusive end is an ``all-of`` of
  two comparator Quantities, which is exact where a Range is not;
- a conditional threshold T with condition C is the implication ``any-of [not C, T]`` (``not C``: a
  characteristic with ``exclude`` true); a negated condition gives ``any-of [C, T]``. C is its own
  bounds (all-of) or, when it has none, its text as description only.
"""
from __future__ import annotations

import re
from typing import Any

from extractor.catalogue import load_catalogue
from extractor.records import Bound, Condition, Criterion, Document, Threshold

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATALOGUE_SYSTEM = "urn:extractor:catalogue"
"""Code system of catalogue ids, for variables without a LOINC code."""
_ID_BAD = re.compile(r"[^A-Za-z0-9\-.]")


def resource_id(doc_id: str) -> str:
    """A FHIR id (``[A-Za-z0-9-.]{1,64}``) for a document id: other characters become "-"."""
    return _ID_BAD.sub("-", doc_id)[:64] or "document"


def variable_concept(variable: str) -> dict[str, Any]:
    """The characteristic's type: LOINC coding where the catalogue has one, else the catalogue id."""
    var = load_catalogue().variables.get(variable)
    name = var.name if var is not None else variable
    if var is not None and var.loinc:
        coding = {"system": LOINC, "code": var.loinc, "display": name}
    else:
        coding = {"system": CATALOGUE_SYSTEM, "code": variable, "display": name}
    return {"coding": [coding], "text": name}


def quantity(value: float, unit: str | None, comparator: str | None = None) -> dict[str, Any]:
    """A Quantity; UCUM-coded when the bound has a unit."""
    q: dict[str, Any] = {"value": value}
    if comparator is not None:
        q["comparator"] = comparator
    if unit is not None:
        q.update(unit=unit, system=UCUM, code=unit)
    return q


def _typed(variable: str, key: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"definitionByTypeAndValue": {"type": variable_concept(variable), key: value}}


def bound_definition(b: Bound | Threshold) -> dict[str, Any]:
    """Characteristic content (without description) for one bound; see the module docstring."""
    low, high = b.low, b.high
    if low is not None and high is not None:
        if b.low_inclusive is not False and b.high_inclusive is not False:
            return _typed(b.variable, "valueRange", {"low": quantity(low, b.unit), "high": quantity(high, b.unit)})
        return combination("all-of", [
            _typed(b.variable, "valueQuantity", quantity(low, b.unit, ">=" if b.low_inclusive else ">")),
            _typed(b.variable, "valueQuantity", quantity(high, b.unit, "<=" if b.high_inclusive else "<"))])
    if low is not None:
        return _typed(b.variable, "valueQuantity", quantity(low, b.unit, ">" if b.low_inclusive is False else ">="))
    if high is not None:
        return _typed(b.variable, "valueQuantity", quantity(high, b.unit, "<" if b.high_inclusive is False else "<="))
    return {"description": f"{b.variable} (no bound)"}


def combination(code: str, characteristics: list[dict[str, Any]]) -> dict[str, Any]:
    """A ``definitionByCombination`` (``all-of`` / ``any-of``), or the single member itself."""
    if len(characteristics) == 1:
        return characteristics[0]
    return {"definitionByCombination": {"code": code, "characteristic": characteristics}}


def condition_characteristic(c: Condition) -> dict[str, Any]:
    """The case a condition names: its own bounds (all-of), or its text alone when it has none."""
    if not c.thresholds:
        return {"description": c.text}
    return {"description": c.text, **combination("all-of", [bound_definition(b) for b in c.thresholds])}


def threshold_characteristic(t: Threshold) -> dict[str, Any]:
    """One threshold, as the implication of its condition where it has one."""
    own = {"description": t.text, **bound_definition(t)} if t.text else bound_definition(t)
    if t.condition is None:
        return own
    case = condition_characteristic(t.condition)
    if not t.condition.negated:
        case = {**case, "exclude": True}
    return {"definitionByCombination": {"code": "any-of", "characteristic": [case, own]}}


def criterion_characteristic(criterion: Criterion, thresholds: list[Threshold]) -> dict[str, Any]:
    """A criterion: its text, kind and the all-of of its threshold groups."""
    groups: dict[object, list[dict[str, Any]]] = {}
    for k, t in enumerate(thresholds):
        groups.setdefault(("group", t.group) if t.group is not None else ("alone", k), []).append(
            threshold_characteristic(t))
    char: dict[str, Any] = {"description": criterion.text or "(empty criterion)"}
    if criterion.id:
        char["linkId"] = criterion.id
    if groups:
        defined = combination("all-of", [combination("any-of", members) for members in groups.values()])
        char.update({k: v for k, v in defined.items() if k != "description"})
    char["exclude"] = criterion.kind == "exclusion"
    return char


def evidence_variable(doc: Document) -> dict[str, Any]:
    """The EvidenceVariable of one document (criteria and thresholds layers)."""
    criteria = doc.criteria or []
    by_criterion: dict[int, list[Threshold]] = {}
    for t in doc.thresholds or []:
        if t.criterion is not None:
            by_criterion.setdefault(t.criterion, []).append(t)
    characteristics: list[dict[str, Any]] = []
    sets: dict[int, dict[str, Any]] = {}
    for k, criterion in enumerate(criteria):
        char = criterion_characteristic(criterion, by_criterion.get(k, []))
        if criterion.any_of is None:
            characteristics.append(char)
            continue
        if criterion.any_of not in sets:
            sets[criterion.any_of] = {
                "description": f"at least one of the following ({criterion.kind} set {criterion.any_of})",
                "definitionByCombination": {"code": "any-of", "characteristic": []},
                "exclude": criterion.kind == "exclusion"}
            characteristics.append(sets[criterion.any_of])
        sets[criterion.any_of]["definitionByCombination"]["characteristic"].append(
            {key: value for key, value in char.items() if key != "exclude"})
    resource: dict[str, Any] = {"resourceType": "EvidenceVariable", "id": resource_id(doc.id),
                                "status": "draft", "title": f"Eligibility criteria of {doc.id}",
                                "identifier": [{"value": doc.id}]}
    if characteristics:
        resource["characteristic"] = characteristics
    return resource


def validate_resource(resource: dict[str, Any]) -> None:
    """Check ``resource`` against the FHIR R5 model; needs the ``fhir`` extra (``fhir.resources``)."""
    from fhir.resources.evidencevariable import EvidenceVariable

    EvidenceVariable.model_validate(resource)
