"""One newline convention: "\\r\\n" and a lone "\\r" read as "\\n", so that no character window of the
grammar ("at most 100 characters between a variable and its comparator") counts a line break twice."""
from __future__ import annotations

import bisect
import re

_CRLF = re.compile("\r\n")


class LineBreaks:
    """Where a text's "\\r\\n" became one "\\n": offsets of the LF text map back to the original and on."""

    def __init__(self, crlf_starts: list[int]) -> None:
        self._original = crlf_starts  # offset of each "\r\n" in the original
        self._lf = [p - k for k, p in enumerate(crlf_starts)]  # and of its "\n" in the LF text

    def to_lf(self, offset: int) -> int:
        """The LF text's offset of an original offset (one inside "\\r\\n" stands before its "\\n")."""
        return offset - bisect.bisect_left(self._original, offset)

    def to_original(self, offset: int) -> int:
        """The original offset of an LF text's offset (the "\\n" of a "\\r\\n" maps to its "\\r")."""
        return offset + bisect.bisect_left(self._lf, offset)


def as_lf(text: str) -> tuple[str, LineBreaks | None]:
    """``text`` with LF line breaks, and how its offsets map back (``None``: it had no "\\r", nothing changed)."""
    if "\r" not in text:
        return text, None
    crlf_starts = [m.start() for m in _CRLF.finditer(text)]
    return text.replace("\r\n", "\n").replace("\r", "\n"), LineBreaks(crlf_starts)
