"""Offline tooling that turns public corpora (Chia and LCT, BRAT standoff) into gold files of the
annotation format; ``extractor convert brat`` runs it.

The runtime stages never import this package (``tests/test_layout.py`` checks that).
"""
