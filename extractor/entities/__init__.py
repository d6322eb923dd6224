"""Entity tagging of criteria (layer 2 of the annotation format): a trained tagger, rules, negation.

``load_tagger()`` loads the model shipped in ``models/`` (or any spaCy / transformers
folder); ``tag_entities(text, criteria, tagger)`` tags each criterion and sets
``negated``; :mod:`extractor.training` trains either backend from gold-format documents.
"""
from __future__ import annotations

from extractor.entities.negation import is_negated, negation_scopes
from extractor.entities.rules import merge_rules
from extractor.entities.tagger import DEFAULT_MODEL, default_model_path, load_tagger
from extractor.entities.tagging import NEGATABLE, tag_entities, trim_entity
from extractor.entities.types import ModelError, Span, Tagger

__all__ = ["DEFAULT_MODEL", "NEGATABLE", "ModelError", "Span", "Tagger", "default_model_path", "is_negated",
           "load_tagger", "merge_rules", "negation_scopes", "tag_entities", "trim_entity"]
