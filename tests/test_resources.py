"""Data-file schemas (:class:`extractor.resources.DataFile`): keys, values and enumerations checked at load."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.resources import DataFile, DataFileError

SCHEMA = DataFile(frozenset({"name", "kind"}), frozenset({"mode"}), choices={"kind": ("a", "b"), "mode": ("x",)})


@pytest.mark.parametrize("row, message", [
    ({"name": "n", "kind": "a"}, None),
    ({"name": "n", "kind": "b", "mode": "x"}, None),
    ({"name": "n", "kind": "c"}, "rows[0]: kind 'c' is not one of ['a', 'b']"),
    ({"name": "n", "kind": "a", "mode": "y"}, "rows[0]: mode 'y' is not one of ['x']"),
    ({"name": "n"}, "rows[0]: missing value for ['kind']"),
    ({"name": "n", "kind": "a", "kinds": "a"}, "rows[0]: unknown key(s) ['kinds']; allowed: ['kind', 'mode', 'name']"),
])
def test_json_rows_are_checked_for_keys_and_enumerated_values(tmp_path: Path, row: dict, message: str | None) -> None:
    path = tmp_path / "table.json"
    path.write_text(json.dumps({"rows": [row]}), encoding="utf-8")
    if message is None:
        assert SCHEMA.read_json(path, "rows") == [row]
    else:
        with pytest.raises(DataFileError) as info:
            SCHEMA.read_json(path, "rows")
        assert str(info.value) == f"{path}, {message}"


@pytest.mark.parametrize("line, message", [
    ("n,a,\n", None),             # an optional enumerated column may stay empty
    ("n,b,x\n", None),
    ("n,z,\n", "row 2: kind 'z' is not one of ['a', 'b']"),
])
def test_csv_rows_are_checked_for_enumerated_values(tmp_path: Path, line: str, message: str | None) -> None:
    path = tmp_path / "table.csv"
    path.write_text("name,kind,mode\n" + line, encoding="utf-8")
    if message is None:
        assert len(SCHEMA.read_csv(path)) == 1
    else:
        with pytest.raises(DataFileError) as info:
            SCHEMA.read_csv(path)
        assert str(info.value) == f"{path}, {message}"
