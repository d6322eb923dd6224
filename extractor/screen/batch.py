"""Batch screening: every trial of extractor output JSONL against every patient of a patients JSONL.

Trials stream (one document in memory at a time); patients are read and validated once, up front,
because each trial is screened against all of them. A bad trial or patient record is reported
(file and record named) and skipped; the caller turns a non-zero error count into a non-zero exit.
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, TypeVar

from extractor.batch import per_second
from extractor.output import Writer, check_output
from extractor.readers import ReadError, expand_paths, parse_json
from extractor.records import Document, RecordError
from extractor.screen.patient import Patient, PatientError, patient_from_dict
from extractor.screen.trial import screen

T = TypeVar("T")


@dataclass(slots=True)
class ScreenSummary:
    """Counts of one screening run, and the errors it went past."""

    trials: int = 0
    patients: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def __str__(self) -> str:
        pairs = sum(self.verdicts.values())
        rate = pairs / self.seconds if self.seconds else 0.0
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(self.verdicts.items()))
        return (f"trials: {self.trials}, patients: {self.patients}, {counts or 'no verdicts'}, "
                f"errors: {len(self.errors)} ({self.seconds:.1f} s, {per_second(rate)} pairs/s)")


def iter_json_lines(paths: Iterable[str]) -> Iterator[tuple[str, object]]:
    """(where, decoded object or ReadError) per non-blank line of JSONL files (``-``: stdin)."""
    for path in expand_paths(paths):
        stream = sys.stdin.buffer if path == "-" else open(path, "rb")
        name = "<stdin>" if path == "-" else path
        try:
            for lineno, raw in enumerate(stream, start=1):
                if raw.strip():
                    yield f"{name} line {lineno}", parse_json(raw, f"{name} line {lineno}")
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()


def _parsed(paths: Iterable[str], parse: Callable[[Any, str], T],
            error: type[ValueError]) -> Iterator[T | ReadError]:
    """Records of JSONL files built by ``parse``; one that fails with ``error`` becomes a ReadError."""
    for where, obj in iter_json_lines(paths):
        if isinstance(obj, ReadError):
            yield obj
            continue
        try:
            yield parse(obj, where)
        except error as exc:
            yield ReadError(where, str(exc).removeprefix(where).lstrip(": "))


def read_patients(paths: Iterable[str]) -> Iterator[Patient | ReadError]:
    """Validated patients, or a ReadError naming the file and record."""
    return _parsed(paths, patient_from_dict, PatientError)


def read_trials(paths: Iterable[str]) -> Iterator[Document | ReadError]:
    """Documents of extractor output (or gold-format) JSONL, or a ReadError naming the file and record."""
    return _parsed(paths, Document.from_dict, RecordError)


def screen_files(trials: list[str], patients: list[str], output: str | None = None, *, force: bool = False,
                 on_error: Callable[[str], None] | None = None) -> ScreenSummary:
    """Screen every trial of ``trials`` against every patient of ``patients``, one result per line to ``output``."""
    check_output(output, False, force)
    report = on_error or (lambda message: print(f"error: {message}", file=sys.stderr))
    summary = ScreenSummary()
    started = time.perf_counter()
    cohort: list[Patient] = []
    for item in read_patients(patients):
        if isinstance(item, ReadError):
            summary.errors.append(str(item))
            report(str(item))
        else:
            cohort.append(item)
    summary.patients = len(cohort)
    with Writer(output, False) as writer:
        for doc in read_trials(trials):
            if isinstance(doc, ReadError):
                summary.errors.append(str(doc))
                report(str(doc))
                continue
            summary.trials += 1
            for patient in cohort:
                result = screen(doc, patient)
                writer.write(result.id, json.dumps(result.to_dict(), ensure_ascii=False, allow_nan=False))
                summary.verdicts[result.verdict] = summary.verdicts.get(result.verdict, 0) + 1
    summary.seconds = time.perf_counter() - started
    return summary
