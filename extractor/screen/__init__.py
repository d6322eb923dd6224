"""Patient screening: a patient's facts and answers against a trial's extracted (or gold) criteria.

Three-valued throughout (true / false / unknown), by the semantics of ``ANNOTATION_FORMAT.md``
("Structure and logic"): ``screen(record, patient)`` gives per criterion ``holds`` with its reason
and per trial ``eligible`` / ``ineligible`` / ``undetermined`` with the deciding criteria.
"""
from __future__ import annotations

from extractor.screen.patient import Fact, Patient, PatientError, patient_from_dict
from extractor.screen.trial import screen
from extractor.screen.verdict import Check, CriterionVerdict, ScreenResult

__all__ = ["Check", "CriterionVerdict", "Fact", "Patient", "PatientError", "ScreenResult", "patient_from_dict",
           "screen"]
