"""Where a batch writes: strict JSON lines, and output that appears only when the run completed.

A JSONL file is written under a temporary name in its own folder and moved over the final
name (``os.replace``) at the end; ``--split`` files go to a temporary folder beside the
target and are moved in at the end, the target's other ``*.json`` files (stale output of an
earlier run, overwritten only with ``--force``) removed then. A run that fails or is
interrupted removes its temporary file or folder and leaves the previous output untouched.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import IO, Callable

from extractor.records import Document

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class OutputExistsError(FileExistsError):
    """Refusing to overwrite an existing output without ``force``."""


class OutputPathError(ValueError):
    """An output path that cannot be written: a folder for a file, a path under a file."""


def check_output(output: str | None, split: bool, force: bool) -> None:
    """Refuse, before anything is read, an output that could not be written or would be overwritten."""
    if output is None:
        return
    path = Path(output)
    if not split and path.is_dir():
        raise OutputPathError(f"{output}: is a folder (name a file, or use --split to write one file per document)")
    if split and path.exists() and not path.is_dir():
        raise OutputPathError(f"{output}: is a file, --split needs a folder")
    ancestor = path.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputPathError(f"{output}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK):
        raise OutputPathError(f"{output}: cannot write in {ancestor}")
    if force:
        return
    if split and path.is_dir() and any(path.iterdir()):
        raise OutputExistsError(f"{output}: folder is not empty (use --force to overwrite)")
    if not split and path.exists():
        raise OutputExistsError(f"{output}: exists (use --force to overwrite)")


def json_line(doc: Document, on_layer: Callable[[str, str], None]) -> str:
    """``doc`` as one line of strict JSON (no NaN or Infinity, encodable as UTF-8).

    A layer that cannot be written so (a threshold bound of 1e309 read as infinity) is left
    out of the document and reported through ``on_layer``; the rest is kept.
    """
    for layer in ("thresholds", "entities"):
        items = getattr(doc, layer)
        if items is None:
            continue
        try:
            _strict([item.to_dict() for item in items])
        except ValueError as exc:
            setattr(doc, layer, None)
            on_layer(layer, f"not valid JSON ({exc})")
    return _strict(doc.to_dict())


def _strict(value: object) -> str:
    line = json.dumps(value, ensure_ascii=False, allow_nan=False)
    line.encode("utf-8")
    return line


class Writer:
    """JSONL to a file or stdout, or one JSON file per document in a folder; see the module's docstring."""

    def __init__(self, output: str | None, split: bool) -> None:
        self.output, self.split = output, split
        self._fh: IO[str] | None = None
        self._tmp: Path | None = None
        self._names: set[str] = set()

    def __enter__(self) -> "Writer":
        if self.output is None:
            self._fh = sys.stdout
            return self
        target = Path(self.output)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        if self.split:
            self._tmp.mkdir()
        else:
            self._fh = open(self._tmp, "w", encoding="utf-8")
        return self

    def write(self, doc_id: str, line: str) -> None:
        if not self.split:
            assert self._fh is not None
            self._fh.write(line + "\n")
            return
        name = _UNSAFE_NAME.sub("_", doc_id) or "document"
        unique, n = name, 1
        while unique in self._names:
            n += 1
            unique = f"{name}-{n}"
        self._names.add(unique)
        assert self._tmp is not None
        (self._tmp / f"{unique}.json").write_text(line + "\n", encoding="utf-8")

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if self._fh is sys.stdout:
            sys.stdout.flush()
            return
        if self._fh is not None:
            self._fh.close()
        assert self._tmp is not None and self.output is not None
        if kind is not None:
            _remove(self._tmp)
        elif self.split:
            _move_files(self._tmp, Path(self.output))
        else:
            os.replace(self._tmp, self.output)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _move_files(tmp: Path, target: Path) -> None:
    """The completed ``--split`` files into ``target``, whose stale ``*.json`` files go."""
    target.mkdir(parents=True, exist_ok=True)
    written = {p.name for p in tmp.iterdir()}
    for stale in target.glob("*.json"):
        if stale.name not in written:
            stale.unlink()
    for name in sorted(written):
        os.replace(tmp / name, target / name)
    tmp.rmdir()
