"""extractor: clinical-trial eligibility text → sections, criteria, entities and numeric thresholds.

>>> import extractor
>>> doc = extractor.extract("Inclusion Criteria:\\n- Age >= 18 years", layers=["criteria"])
>>> [(c.kind, c.text) for c in doc.criteria]
[('inclusion', 'Age >= 18 years')]
"""
from extractor.api import Extractor, extract, load
from extractor.records import Criterion, Document, Entity, Threshold

__version__ = "0.1.0"
__all__ = ["Criterion", "Document", "Entity", "Extractor", "Threshold", "extract", "load", "__version__"]
