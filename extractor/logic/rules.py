"""The vocabularies of ``data/logic.json``, compiled and checked against the names the code reads."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extractor.resources import DataFile, DataFileError, data_path

#: The patterns the logic stage reads; the data file must define each exactly once.
PATTERN_NAMES: tuple[str, ...] = ("or_word", "and_word", "clause_break", "exception", "case")
_LOGIC_FILE = DataFile(required=frozenset({"name", "regex"}), optional=frozenset({"comment"}),
                       choices={"name": PATTERN_NAMES})


@dataclass(frozen=True)
class LogicRules:
    """Compiled patterns of ``data/logic.json`` (case-insensitive)."""

    or_word: re.Pattern[str]
    and_word: re.Pattern[str]
    clause_break: re.Pattern[str]
    exception: re.Pattern[str]
    case: re.Pattern[str]

    @classmethod
    def load(cls, path: Path | None = None) -> "LogicRules":
        """Read and validate the file; errors name the file and the pattern."""
        file = data_path("logic.json") if path is None else path
        compiled: dict[str, re.Pattern[str]] = {}
        for i, row in enumerate(_LOGIC_FILE.read_json(file, "patterns")):
            name = row["name"]
            if name in compiled:
                raise DataFileError(f"{file}, patterns[{i}]: {name!r} defined twice")
            try:
                compiled[name] = re.compile(row["regex"], re.IGNORECASE)
            except re.error as exc:
                raise DataFileError(f"{file}, patterns[{i}] ({name}): bad regex: {exc}") from exc
        missing = [name for name in PATTERN_NAMES if name not in compiled]
        if missing:
            raise DataFileError(f"{file}: missing pattern(s) {missing}")
        return cls(**compiled)


@lru_cache(maxsize=1)
def default_logic_rules() -> LogicRules:
    return LogicRules.load()
