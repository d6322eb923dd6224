"""The screening output: per threshold a check, per criterion a verdict, per trial and patient a result.

``extractor/schema/screening.schema.json`` describes ``ScreenResult.to_dict``; the CLI writes one per line.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extractor.screen.tri import Tri

VERDICTS: tuple[str, ...] = ("eligible", "ineligible", "undetermined")


@dataclass(frozen=True, slots=True)
class Check:
    """One bound tested against one fact: the fact in the bound's unit, and whether it lies within."""

    variable: str
    low: float | None
    low_inclusive: bool | None
    high: float | None
    high_inclusive: bool | None
    unit: str | None
    value: float | str | None
    holds: Tri
    why: str
    threshold: int | None = None
    applies: Tri = True

    def to_dict(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "variable": self.variable, "low": self.low,
                "low_inclusive": self.low_inclusive, "high": self.high, "high_inclusive": self.high_inclusive,
                "unit": self.unit, "value": self.value, "holds": self.holds, "applies": self.applies,
                "why": self.why}

    def describe(self) -> str:
        """"platelets 60 10*9/L vs ≥ 75: false" — the reason line of a verdict."""
        bounds = []
        if self.low is not None:
            bounds.append(f"{'≥' if self.low_inclusive else '>'} {self.low:g}")
        if self.high is not None:
            bounds.append(f"{'≤' if self.high_inclusive else '<'} {self.high:g}")
        value = self.value if self.value is None or isinstance(self.value, str) else f"{self.value:g}"
        state = {True: "holds", False: "fails", None: "unknown"}[self.holds]
        applies = "" if self.applies is True else f" (applies: {self.applies})"
        return f"{self.variable} {value} vs {' and '.join(bounds)} {self.unit or ''}".rstrip() + \
            f": {state}{applies} [{self.why}]"


@dataclass(frozen=True, slots=True)
class CriterionVerdict:
    """Whether a criterion holds for the patient (``None``: unknown) and whether it says anything about
    them at all (``applicable`` false: every threshold's condition excludes the patient)."""

    id: str
    kind: str
    holds: Tri
    applicable: Tri
    reason: str
    any_of: int | None = None
    checks: tuple[Check, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "any_of": self.any_of, "holds": self.holds,
                "applicable": self.applicable, "reason": self.reason,
                "checks": [c.to_dict() for c in self.checks]}


@dataclass(frozen=True, slots=True)
class ScreenResult:
    """One trial screened for one patient: the verdict, the criteria that decide it, every criterion's verdict."""

    trial: str
    patient: str
    verdict: str
    deciding: tuple[str, ...]
    criteria: tuple[CriterionVerdict, ...]
    constraints: tuple[CriterionVerdict, ...] = field(default=())

    @property
    def id(self) -> str:
        """File-name stem when results are written one per file."""
        return f"{self.trial}__{self.patient}"

    def to_dict(self) -> dict[str, Any]:
        return {"trial": self.trial, "patient": self.patient, "verdict": self.verdict,
                "deciding": list(self.deciding), "criteria": [c.to_dict() for c in self.criteria],
                "constraints": [c.to_dict() for c in self.constraints]}
