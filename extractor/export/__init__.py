"""Exports of extractor output to other formats (FHIR R5 EvidenceVariable)."""
