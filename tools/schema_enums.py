"""Write the catalogue's variable ids and the unit table's codes into the JSON Schema's enums.

The schema rejects unknown variables and units; its lists come from the tables
(``extractor/data/variables.csv``, ``extractor/data/units.csv``) by this script, never by
hand, and ``tests/test_validate.py`` fails when they drift. Run after editing a table:
``.venv/bin/python tools/schema_enums.py``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from extractor.catalogue import load_catalogue
from extractor.units import load_units

SCHEMA = Path(__file__).resolve().parents[1] / "extractor" / "schema" / "document.schema.json"


def with_enums(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the ``variable`` and ``unit`` definitions listing the tables' ids."""
    defs = schema["$defs"]
    defs["variable"] = {"enum": sorted(load_catalogue().variables),
                        "description": "catalogue id (extractor/data/variables.csv)"}
    defs["unit"] = {"enum": [*sorted(load_units().units), None],
                    "description": "UCUM code of the unit table (extractor/data/units.csv), null for unitless"}
    for name in ("threshold", "bound"):
        defs[name]["properties"]["variable"] = {"$ref": "#/$defs/variable"}
        defs[name]["properties"]["unit"] = {"$ref": "#/$defs/unit"}
    return schema


def main() -> int:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    SCHEMA.write_text(json.dumps(with_enums(schema), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
