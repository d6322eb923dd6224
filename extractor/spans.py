"""Character spans of plain text: lines without their surrounding white space.

Shared by the corpus converter (a Chia criterion is a line) and training (a gold document
without a criteria layer trains on its lines), so that neither imports the other.
"""
from __future__ import annotations

import re
from typing import Iterator


def line_spans(text: str) -> Iterator[tuple[int, int]]:
    """``[start, end)`` of every line's content, white space trimmed, empty lines skipped."""
    for m in re.finditer(r"[^\r\n]+", text):
        start, end = strip_space(text, m.start(), m.end())
        if start < end:
            yield start, end


def strip_space(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without surrounding white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
