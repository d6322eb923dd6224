"""extractor: clinical-trial eligibility text → sections, criteria, entities and numeric thresholds.

>>> import extractor
>>> doc = extractor.extract("Inclusion Criteria:\\n- Age >= 18 years", layers=["criteria"])
>>> [(c.kind, c.text) for c in doc.criteria]
[('inclusion', 'Age >= 18 years')]
"""
from extractor.api import Extractor, extract, load
from extractor.records import Criterion, Document, Entity, Threshold
from extractor.screen import Patient, screen

__version__ = "0.1.0"
__all__ = ["Criterion", "Document", "Entity", "Extractor", "Patient", "Threshold", "extract", "load", "screen",
           "__version__"]
