"""Lead-ins: which variable a lead-in hands to the sub-items after it."""
from __future__ import annotations

import pytest

from extractor.thresholds import lead_in


@pytest.mark.parametrize("lead, variable, unit, bound", [
    ("Creatinine as defined by age as follows:", "creatinine", None, None),
    ("Age: Maximum serum creatinine (mg/dL)", None, None, None),  # a heading only refines a current lead
    ("Patients age:", "age", None, None),
    ("Adequate organ function as indicated by:", None, None, None),
    ("Platelets ≥ 100,000/µL", None, None, None),
])
def test_lead_in(lead: str, variable: str | None, unit: str | None, bound: str | None) -> None:
    found = lead_in(lead)
    if variable is None:
        assert found is None
    else:
        assert found is not None and (found.variable.id, found.unit, found.bound) == (variable, unit, bound)


def test_heading_refines_current_lead() -> None:
    current = lead_in("A serum creatinine based on age/gender as follows:")
    refined = lead_in("Age: Maximum serum creatinine (mg/dL)", current=current)
    assert refined is not None
    assert (refined.variable.id, refined.unit, refined.bound) == ("creatinine", "mg/dL", "high")
