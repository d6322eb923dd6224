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


def document_files(path: str | Path) -> list[Path]:
    """The files a gold or prediction path stands for: a folder's ``*.json`` (non-recursive), or the file."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise LoadError(f"{path}: folder holds no *.json documents")
        return files
    if path.is_file():
        return [path]
    raise LoadError(f"{path}: no such file or folder")


def read_records(file: Path) -> Iterator[tuple[str, Any]]:
    """``(where, JSON object)`` per document of one file: a ``.jsonl`` line, a ``.json`` object or list item."""
    if file.suffix == ".jsonl":
        with open(file, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, start=1):
                if line.strip():
                    yield f"{file}:{lineno}", _parse(line, f"{file}:{lineno}")
        return
    try:
        content = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(f"{file}: not valid UTF-8: {exc}") from exc
    data = _parse(content, str(file))
    if isinstance(data, list):
        for i, obj in enumerate(data):
            yield f"{file}[{i}]", obj
    else:
        yield str(file), data


def _parse(content: str, where: str) -> Any:
    try:
        return json.loads(content)
    except json.JSONDecodeError as exc:
        raise LoadError(f"{where}: not valid JSON: {exc}") from exc


def iter_documents(path: str | Path) -> Iterator[tuple[str, Document | LoadError]]:
    """``(where, document)`` of every record at ``path``, or ``(where, error)`` for what cannot be read.

    Errors are yielded, not raised, so the validator can list them all; ``load_documents`` stops
    at the first.
    """
    try:
        files = document_files(path)
    except LoadError as exc:
        yield str(path), exc
        return
    for file in files:
        try:
            records = list(read_records(file))
        except LoadError as exc:
            yield str(file), exc
            continue
        for where, obj in records:
            try:
                doc: Document | LoadError = Document.from_dict(obj)
            except RecordError as exc:
                doc = LoadError(f"{where}: {exc}")
            yield where, doc


def load_documents(path: str | Path) -> dict[str, Document]:
    """Documents by id from a folder (non-recursive ``*.json``), a ``.jsonl`` or a ``.json`` file."""
    documents: dict[str, Document] = {}
    where_of: dict[str, str] = {}
    for where, doc in iter_documents(path):
        if isinstance(doc, LoadError):
            raise doc
        if doc.id in documents:
            raise LoadError(f"{where}: document id {doc.id!r} already read from {where_of[doc.id]}")
        documents[doc.id] = doc
        where_of[doc.id] = where
    return documents
