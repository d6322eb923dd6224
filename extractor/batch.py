"""Batch extraction: stream records from any inputs, extract, write JSONL or one file per document.

A bad record never stops a batch: it is reported (file and record named) and counted,
and the caller turns a non-zero error count into a non-zero exit status. A layer that
fails on a record loses only that layer (an error line says so); a worker process that
dies (killed by the system) is an error for its record, and the batch goes on in a fresh
pool. Output is strict JSON and appears under its final name only when the run completed
(:mod:`extractor.output`). Memory stays flat: records are read lazily, a bounded number in flight.
"""
from __future__ import annotations

import multiprocessing
import signal
import sys
import threading
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from extractor.api import Extractor, check_layers
from extractor.output import OutputExistsError, Writer, check_output, json_line
from extractor.readers import InputRecord, ReadError, ReadOptions, expand_paths, read_inputs
from extractor.evaluation.loaders import LoadError, read_records
from extractor.records import LAYERS, Document, RecordError
from extractor.segment import unexplained_lines

__all__ = ["BatchSummary", "Outcome", "OutputExistsError", "extract", "given_documents", "iter_extracted",
           "iter_given_or_extracted", "iter_outcomes",
           "per_second"]

_CHUNK = 8
_CHUNKS_PER_WORKER = 4
_SHOWN = 5
_DIED = "worker process died on this record (killed by the system, e.g. out of memory)"


@dataclass(slots=True)
class Outcome:
    """What one record gave: its document (None when it failed), its JSON line, the errors met."""

    source: str
    document: Document | None = None
    line: str | None = None
    errors: tuple[str, ...] = ()
    unexplained: int = 0


@dataclass(slots=True)
class BatchSummary:
    """Counts of one batch run, the errors it went past, and the documents worth a look."""

    documents: int = 0
    criteria: int = 0
    entities: int = 0
    thresholds: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    no_criteria: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)
    records: int = 0

    def add(self, doc: Document, unexplained: int = 0) -> None:
        self.documents += 1
        self.criteria += len(doc.criteria or [])
        self.entities += len(doc.entities or [])
        self.thresholds += len(doc.thresholds or [])
        if not doc.criteria:
            self.no_criteria.append(doc.id)
        if unexplained:
            self.unexplained.append(doc.id)

    def __str__(self) -> str:
        rate = self.documents / self.seconds if self.seconds else 0.0
        return (f"records: {self.records}, documents: {self.documents}, criteria: {self.criteria}, "
                f"entities: {self.entities}, thresholds: {self.thresholds}, errors: {len(self.errors)}, "
                f"with no criteria: {_listed(self.no_criteria)}, with unexplained lines: "
                f"{_listed(self.unexplained)} ({self.seconds:.1f} s, {per_second(rate)} documents/s)")


def _listed(ids: list[str]) -> str:
    shown = ", ".join(ids[:_SHOWN]) + (", …" if len(ids) > _SHOWN else "")
    return f"{len(ids)} ({shown})" if ids else "0"


def per_second(rate: float) -> str:
    """A throughput as read: whole numbers from 10 up, two decimals below (0.47/s, not "0/s")."""
    return f"{rate:.{0 if rate >= 10 else 2}f}"


_worker: Extractor | None = None


def _init_worker(layers: tuple[str, ...], model: str | None, backend: str) -> None:
    global _worker
    _worker = Extractor(layers, model, backend)


def _start_worker(load: tuple[Any, ...] | None) -> None:
    """In a worker: Ctrl-C and SIGTERM are the parent's to handle; load the extractor unless forked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if load is not None:
        _init_worker(*load)


def _process(item: InputRecord | ReadError) -> Outcome:
    """Extract one record; an unexpected failure becomes that record's error, a layer's only that layer's."""
    if isinstance(item, ReadError):
        return Outcome(item.source, errors=(str(item),))
    assert _worker is not None
    errors: list[str] = []
    try:
        doc, layout = _worker.run(
            item.text, doc_id=item.id, section=item.section, eligibility=item.eligibility, source=item.source,
            meta=item.meta, on_layer_error=lambda layer, exc: errors.append(
                f"{item.source}: {layer} layer failed, left out: {type(exc).__name__}: {exc}"))
        line = json_line(doc, lambda layer, why: errors.append(f"{item.source}: {layer} layer left out: {why}"))
    except Exception as exc:  # one record's failure must not end the batch
        return Outcome(item.source, errors=(f"{item.source}: extraction failed: {type(exc).__name__}: {exc}",))
    return Outcome(item.source, doc, line, tuple(errors), len(unexplained_lines(item.text, layout)))


def _process_chunk(chunk: list[InputRecord | ReadError]) -> list[Outcome]:
    return [_process(item) for item in chunk]


def _chunks(items: Iterable[InputRecord | ReadError], size: int) -> Iterator[list[InputRecord | ReadError]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class _Pool:
    """A process pool that a dead worker does not end: it is replaced by a fresh one."""

    def __init__(self, workers: int, load: tuple[Any, ...]) -> None:
        # Forked workers inherit the parent's loaded extractor; only spawned ones must load their own.
        fork = sys.platform != "win32"
        self._args = dict(max_workers=workers, mp_context=multiprocessing.get_context("fork" if fork else "spawn"),
                          initializer=_start_worker, initargs=(None if fork else load,))
        self.executor = ProcessPoolExecutor(**self._args)  # type: ignore[arg-type]

    def submit(self, chunk: list[InputRecord | ReadError]) -> Future[list[Outcome]]:
        return self.executor.submit(_process_chunk, chunk)

    def renew(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = ProcessPoolExecutor(**self._args)  # type: ignore[arg-type]

    def isolated(self, item: InputRecord | ReadError) -> Outcome:
        """One record alone in the pool: when the worker dies now, this record is the one."""
        try:
            return self.submit([item]).result()[0]
        except BrokenProcessPool:
            self.renew()
            return Outcome(item.source, errors=(f"{item.source}: {_DIED}",))


def _pooled(items: Iterable[InputRecord | ReadError], pool: _Pool, window: int) -> Iterator[Outcome]:
    pending: deque[tuple[list[InputRecord | ReadError], Future[list[Outcome]]]] = deque()
    for chunk in _chunks(items, _CHUNK):
        pending.append((chunk, pool.submit(chunk)))
        if len(pending) >= window:
            yield from _head(pending, pool)
    while pending:
        yield from _head(pending, pool)


def _head(pending: deque[tuple[list[InputRecord | ReadError], Future[list[Outcome]]]], pool: _Pool) -> list[Outcome]:
    """The outcomes of the oldest chunk; after a worker's death its records run one by one, the rest again."""
    chunk, future = pending.popleft()
    try:
        return future.result()
    except BrokenProcessPool:
        pool.renew()
        outcomes = [pool.isolated(item) for item in chunk]
        for i, (other, waiting) in enumerate(pending):
            if isinstance(waiting.exception(), BrokenProcessPool):
                pending[i] = (other, pool.submit(other))
        return outcomes


def iter_outcomes(items: Iterable[InputRecord | ReadError], layers: Iterable[str] = LAYERS,
                  model: str | None = None, backend: str = "auto", workers: int = 1) -> Iterator[Outcome]:
    """Outcomes in input order; ``workers`` > 1 uses that many processes."""
    chosen = check_layers(layers)
    _init_worker(chosen, model, backend)  # in the parent first: a bad model fails here, not in every worker
    if workers <= 1:
        yield from map(_process, items)
        return
    pool = _Pool(workers, (chosen, model, backend))
    try:
        yield from _pooled(items, pool, workers * _CHUNKS_PER_WORKER)
    finally:
        pool.executor.shutdown(wait=False, cancel_futures=True)


def iter_extracted(items: Iterable[InputRecord | ReadError], layers: Iterable[str] = LAYERS,
                   model: str | None = None, backend: str = "auto",
                   workers: int = 1) -> Iterator[Document | ReadError]:
    """Documents (or the error of a record that gave none) in input order."""
    for outcome in iter_outcomes(items, layers, model, backend, workers):
        if outcome.document is not None:
            yield outcome.document
        else:
            yield ReadError(outcome.source, outcome.errors[0].removeprefix(f"{outcome.source}: "))


def iter_given_or_extracted(paths: Iterable[str], options: ReadOptions = ReadOptions(),
                            layers: Iterable[str] = LAYERS, model: str | None = None,
                            backend: str = "auto") -> Iterator[Outcome]:
    """Outcomes of the inputs in order: a JSON file of documents with layers (extractor output, gold) as
    it is, any other input extracted, so that a view shows a saved extraction without redoing it."""
    waiting: list[str] = []
    for path in paths:
        given = given_documents(path)
        if given is not None and waiting:
            yield from iter_outcomes(read_inputs(waiting, options), layers, model, backend)
            waiting = []
        if given is None:
            waiting.append(path)
        else:
            yield from given
    if waiting:
        yield from iter_outcomes(read_inputs(waiting, options), layers, model, backend)


def given_documents(path: str) -> list[Outcome] | None:
    """The documents of a ``.json``/``.jsonl`` file whose every record carries ``criteria``; None otherwise."""
    if Path(path).suffix.lower() not in (".json", ".jsonl"):
        return None
    try:
        records = list(read_records(Path(path)))
    except (LoadError, OSError, RecursionError):
        return None  # the readers report what is wrong with it
    if not records or not all(isinstance(obj, dict) and isinstance(obj.get("criteria"), list) for _, obj in records):
        return None
    outcomes = []
    for where, obj in records:
        try:
            outcomes.append(Outcome(where, Document.from_dict(obj, where)))
        except RecordError as exc:
            outcomes.append(Outcome(where, errors=(str(exc),)))
    return outcomes


class _Terminated(SystemExit):
    """SIGTERM, raised where the run is, so that the writer's clean-up runs (exit status 143)."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated(128 + signum)


def extract(inputs: list[str], output: str | None = None, *, split: bool = False, force: bool = False,
            options: ReadOptions = ReadOptions(), layers: Iterable[str] = LAYERS, model: str | None = None,
            backend: str = "auto", workers: int = 1, progress: bool | None = None,
            on_error: Callable[[str], None] | None = None,
            on_warning: Callable[[str], None] | None = None) -> BatchSummary:
    """Extract every record of ``inputs`` to ``output`` (JSONL file, stdout when None, or a folder with ``split``).

    Every input is found and the output checked before anything is read or written; the
    output appears under its name only when the run completed (on an error, Ctrl-C or
    SIGTERM the previous output stays as it was and no temporary file is left).
    """
    if split and not output:
        raise ValueError("--split needs an output folder (-o)")
    check_output(output, split, force)
    paths = list(expand_paths(inputs))
    report = on_error or (lambda message: print(f"error: {message}", file=sys.stderr))
    warn = on_warning or (lambda message: print(f"warning: {message}", file=sys.stderr))
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if main_thread else None
    try:
        return _run(paths, output, split, options, check_layers(layers), model, backend, workers,
                    progress, report, warn)
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


def _run(paths: list[str], output: str | None, split: bool, options: ReadOptions, layers: tuple[str, ...],
         model: str | None, backend: str, workers: int, progress: bool | None,
         report: Callable[[str], None], warn: Callable[[str], None]) -> BatchSummary:
    summary = BatchSummary()
    started = time.perf_counter()
    outcomes = iter_outcomes(read_inputs(paths, options), layers, model, backend, workers)
    first = next(outcomes, None)  # loads the models before any output is opened
    results: Iterable[Outcome] = chain([] if first is None else [first], outcomes)
    if sys.stderr.isatty() if progress is None else progress:
        from tqdm import tqdm

        results = tqdm(results, unit="doc", file=sys.stderr, dynamic_ncols=True)
    with Writer(output, split) as writer:
        for outcome in results:
            summary.records += 1
            for message in outcome.errors:
                summary.errors.append(message)
                report(message)
            if outcome.document is None or outcome.line is None:
                continue
            if not outcome.document.text.strip():
                warn(f"{outcome.source}: empty text, no criteria")
            writer.write(outcome.document.id, outcome.line)
            summary.add(outcome.document, outcome.unexplained)
    if summary.records == 0:
        warn("no records in the inputs")
    summary.seconds = time.perf_counter() - started
    return summary
