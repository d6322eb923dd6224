"""Batch extraction: stream records from any inputs, extract, write JSONL or one file per document.

A bad record never stops a batch: it is reported (file and record named) and counted,
and the caller turns a non-zero error count into a non-zero exit status. Memory stays
flat: records are read lazily and handed to worker processes in bounded chunks.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import re
import sys
import time
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator

from extractor.api import Extractor, check_layers
from extractor.readers import InputRecord, ReadError, ReadOptions, read_inputs
from extractor.records import LAYERS, Document

_CHUNK_PER_WORKER = 32
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(slots=True)
class BatchSummary:
    """Counts of one batch run, and the errors it went past."""

    documents: int = 0
    criteria: int = 0
    entities: int = 0
    thresholds: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, doc: Document) -> None:
        self.documents += 1
        self.criteria += len(doc.criteria or [])
        self.entities += len(doc.entities or [])
        self.thresholds += len(doc.thresholds or [])

    def __str__(self) -> str:
        rate = self.documents / self.seconds if self.seconds else 0.0
        return (f"documents: {self.documents}, criteria: {self.criteria}, entities: {self.entities}, "
                f"thresholds: {self.thresholds}, errors: {len(self.errors)} "
                f"({self.seconds:.1f} s, {per_second(rate)} documents/s)")


def per_second(rate: float) -> str:
    """A throughput as read: whole numbers from 10 up, two decimals below (0.47/s, not "0/s")."""
    return f"{rate:.{0 if rate >= 10 else 2}f}"


class OutputExistsError(FileExistsError):
    """Refusing to overwrite an existing output without ``force``."""


_worker: Extractor | None = None


def _init_worker(layers: tuple[str, ...], model: str | None, backend: str) -> None:
    global _worker
    _worker = Extractor(layers, model, backend)


def _process(item: InputRecord | ReadError) -> Document | ReadError:
    """Extract one record in a worker; an unexpected failure becomes that record's error."""
    if isinstance(item, ReadError):
        return item
    assert _worker is not None
    try:
        return _worker(item.text, doc_id=item.id, section=item.section, eligibility=item.eligibility,
                       source=item.source, meta=item.meta)
    except Exception as exc:  # one record's failure must not end the batch
        return ReadError(item.source, f"extraction failed: {type(exc).__name__}: {exc}")


def _chunks(items: Iterable[InputRecord | ReadError], size: int) -> Iterator[list[InputRecord | ReadError]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def iter_documents(items: Iterable[InputRecord | ReadError], layers: Iterable[str] = LAYERS,
                   model: str | None = None, backend: str = "auto",
                   workers: int = 1) -> Iterator[Document | ReadError]:
    """Results in input order; ``workers`` > 1 uses that many processes."""
    chosen = check_layers(layers)
    _init_worker(chosen, model, backend)  # in the parent first: a bad model fails here, not in every worker
    if workers <= 1:
        yield from map(_process, items)
        return
    # Forked workers inherit the parent's loaded extractor; only spawned ones must load their own.
    fork = sys.platform != "win32"
    context = multiprocessing.get_context("fork" if fork else "spawn")
    with context.Pool(workers, initializer=None if fork else _init_worker,
                      initargs=() if fork else (chosen, model, backend)) as pool:
        for chunk in _chunks(items, workers * _CHUNK_PER_WORKER):
            yield from pool.imap(_process, chunk, chunksize=max(1, len(chunk) // (workers * 4)))


def extract(inputs: list[str], output: str | None = None, *, split: bool = False, force: bool = False,
            options: ReadOptions = ReadOptions(), layers: Iterable[str] = LAYERS, model: str | None = None,
            backend: str = "auto", workers: int = 1, progress: bool | None = None,
            on_error: Callable[[str], None] | None = None) -> BatchSummary:
    """Extract every record of ``inputs`` to ``output`` (JSONL file, stdout when None, or a folder with ``split``)."""
    if split and not output:
        raise ValueError("--split needs an output folder (-o)")
    _check_output(output, split, force)
    report = on_error or (lambda message: print(f"error: {message}", file=sys.stderr))
    summary = BatchSummary()
    started = time.perf_counter()
    results = iter_documents(read_inputs(inputs, options), layers, model, backend, workers)
    first = next(results, None)  # loads the models before any output is opened
    results = chain([] if first is None else [first], results)
    show = sys.stderr.isatty() if progress is None else progress
    if show:
        from tqdm import tqdm

        results = tqdm(results, unit="doc", file=sys.stderr, dynamic_ncols=True)
    with _Writer(output, split) as writer:
        for result in results:
            if isinstance(result, ReadError):
                summary.errors.append(str(result))
                report(str(result))
                continue
            writer.write(result)
            summary.add(result)
    summary.seconds = time.perf_counter() - started
    return summary


def _check_output(output: str | None, split: bool, force: bool) -> None:
    if output is None or force:
        return
    path = Path(output)
    if split and path.is_dir() and any(path.iterdir()):
        raise OutputExistsError(f"{output}: folder is not empty (use --force to overwrite)")
    if not split and path.exists():
        raise OutputExistsError(f"{output}: exists (use --force to overwrite)")


class _Writer:
    """JSONL to a file (written under a temporary name, then moved) or stdout, or one JSON per document."""

    def __init__(self, output: str | None, split: bool) -> None:
        self.output, self.split = output, split
        self._fh: IO[str] | None = None
        self._tmp: Path | None = None
        self._names: set[str] = set()

    def __enter__(self) -> "_Writer":
        if self.split:
            Path(self.output or ".").mkdir(parents=True, exist_ok=True)
        elif self.output is None:
            self._fh = sys.stdout
        else:
            target = Path(self.output)
            target.parent.mkdir(parents=True, exist_ok=True)
            self._tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            self._fh = open(self._tmp, "w", encoding="utf-8")
        return self

    def write(self, doc: Document) -> None:
        line = json.dumps(doc.to_dict(), ensure_ascii=False)
        if not self.split:
            assert self._fh is not None
            self._fh.write(line + "\n")
            return
        name = _UNSAFE_NAME.sub("_", doc.id) or "document"
        unique, n = name, 1
        while unique in self._names:
            n += 1
            unique = f"{name}-{n}"
        self._names.add(unique)
        Path(self.output or ".", f"{unique}.json").write_text(line + "\n", encoding="utf-8")

    def __exit__(self, *exc: object) -> None:
        if self._fh is None or self._fh is sys.stdout:
            if self._fh is sys.stdout:
                sys.stdout.flush()
            return
        self._fh.close()
        assert self._tmp is not None and self.output is not None
        os.replace(self._tmp, self.output)
