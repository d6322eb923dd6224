"""Write the JSON Schema of the output (``extractor/schema/document.schema.json``) from the typed records.

The schema is generated (``extractor.format_schema``), never edited by hand: run this after changing
``extractor/records.py``, ``extractor/data/schema_fields.json``, the catalogue or the unit table
(``.venv/bin/python tools/schema.py``); ``tests/test_validate.py`` fails while the file differs.
"""
from __future__ import annotations

import json
from pathlib import Path

from extractor.format_schema import document_schema

SCHEMA = Path(__file__).resolve().parents[1] / "extractor" / "schema" / "document.schema.json"


def main() -> int:
    SCHEMA.write_text(json.dumps(document_schema(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
