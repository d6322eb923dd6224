"""Trained models shipped with the package (installed as ``extractor_models``)."""
