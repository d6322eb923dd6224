"""Validated loading of the package's data files (rules, catalogue, unit tables).

Every data file under ``extractor/data`` is read through :class:`DataFile`, which
rejects unknown or missing keys and names the file (and row) in each error, so a
typo in a rule table fails loudly at load time instead of silently matching nothing.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

DATA_DIR = Path(__file__).parent / "data"


class DataFileError(ValueError):
    """A data file that does not follow its schema."""


@dataclass(frozen=True)
class DataFile:
    """Schema of one data file: which keys every row must have, which it may have, and the values a key
    may take (``choices``: an enumeration the code branches on, so a value outside it is a typo)."""

    required: frozenset[str]
    optional: frozenset[str] = frozenset()
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def check_row(self, row: dict[str, Any], where: str) -> dict[str, Any]:
        keys = set(row)
        unknown = keys - self.required - self.optional
        if unknown:
            raise DataFileError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: "
                                f"{sorted(self.required | self.optional)}")
        missing = {k for k in self.required if row.get(k) in (None, "")}
        if missing:
            raise DataFileError(f"{where}: missing value for {sorted(missing)}")
        for key, allowed in self.choices.items():
            if row.get(key) not in (None, "") and row[key] not in allowed:
                raise DataFileError(f"{where}: {key} {row[key]!r} is not one of {list(allowed)}")
        return row

    def read_csv(self, path: Path) -> list[dict[str, str]]:
        """Rows of a CSV file; lines starting with ``#`` are comments."""
        with open(path, encoding="utf-8", newline="") as fh:
            lines = [line for line in fh if not line.lstrip().startswith("#") and line.strip()]
        reader = csv.DictReader(lines)
        header = set(reader.fieldnames or [])
        unknown = header - self.required - self.optional
        if unknown or not self.required <= header:
            raise DataFileError(f"{path}: header has unknown {sorted(unknown)} or lacks "
                                f"{sorted(self.required - header)}")
        rows = []
        for i, row in enumerate(reader, start=2):
            if None in row:
                raise DataFileError(f"{path}, row {i}: more fields than the header names")
            rows.append(self.check_row({k: (v or "").strip() for k, v in row.items()}, f"{path}, row {i}"))
        return rows

    def read_json(self, path: Path, list_key: str) -> list[dict[str, Any]]:
        """Rows of a JSON file shaped ``{list_key: [ {...}, ... ]}``."""
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except json.JSONDecodeError as exc:
            raise DataFileError(f"{path}: not valid JSON: {exc}") from exc
        if not isinstance(data, dict) or set(data) - {list_key, "comment"} or list_key not in data:
            raise DataFileError(f"{path}: expected an object with the key {list_key!r} (and an optional 'comment')")
        rows = data[list_key]
        if not isinstance(rows, list):
            raise DataFileError(f"{path}: {list_key!r} must be a list")
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                raise DataFileError(f"{path}, {list_key}[{i}]: must be an object")
            self.check_row(row, f"{path}, {list_key}[{i}]")
        return rows


@lru_cache(maxsize=None)
def data_path(name: str) -> Path:
    """Path of a bundled data file, checked to exist."""
    path = DATA_DIR / name
    if not path.is_file():
        raise DataFileError(f"{path}: bundled data file is missing")
    return path
