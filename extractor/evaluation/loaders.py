"""Reading gold or predicted documents: a folder of ``*.json``, one ``.json`` file, or a JSONL file.

Errors name the file (and the line, for JSONL) and the record, because a gold set
is edited by hand and a bare ``KeyError`` would leave the annotator guessing.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from extractor.records import Document, RecordError


class LoadError(ValueError):
    """A gold or prediction file that cannot be read as documents of the annotation format."""


def load_documents(path: str | Path) -> dict[str, Document]:
    """Documents by id from a folder (non-recursive ``*.json``), a ``.jsonl`` or a ``.json`` file."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise LoadError(f"{path}: folder holds no *.json documents")
        records = ((f"{file}", _read_json(file)) for file in files)
    elif path.is_file():
        records = _read_jsonl(path) if path.suffix == ".jsonl" else _objects_of(path, _read_json(path))
    else:
        raise LoadError(f"{path}: no such file or folder")
    documents: dict[str, Document] = {}
    where_of: dict[str, str] = {}
    for where, obj in records:
        try:
            doc = Document.from_dict(obj)
        except RecordError as exc:
            raise LoadError(f"{where}: {exc}") from exc
        if doc.id in documents:
            raise LoadError(f"{where}: document id {doc.id!r} already read from {where_of[doc.id]}")
        documents[doc.id] = doc
        where_of[doc.id] = where
    return documents


def _read_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LoadError(f"{path}: not valid UTF-8 JSON: {exc}") from exc


def _objects_of(path: Path, data: Any) -> Iterator[tuple[str, Any]]:
    """A ``.json`` file holds one document or a list of them."""
    if isinstance(data, list):
        for i, obj in enumerate(data):
            yield f"{path}[{i}]", obj
    else:
        yield str(path), data


def _read_jsonl(path: Path) -> Iterator[tuple[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield f"{path}:{lineno}", json.loads(line)
            except json.JSONDecodeError as exc:
                raise LoadError(f"{path}:{lineno}: not valid JSON: {exc}") from exc

