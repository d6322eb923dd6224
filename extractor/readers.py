"""Streaming readers for every form eligibility text comes in.

Each reader yields :class:`InputRecord` (a text to process) or :class:`ReadError` (a bad
record, named by file and record) one at a time, so a batch never holds more than one
file's worth of records and one bad record never stops the others. Formats: plain text,
ClinicalTrials.gov API v2 JSON (one study, a list, or a ``{"studies": [...]}`` page),
legacy ClinicalTrials.gov XML, CSV and JSONL batches, and gold-format documents.
"""
from __future__ import annotations

import csv
import glob
import io
import json
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

from extractor.records import Document, RecordError
from extractor.segment import SECTION_CHOICES

FORMATS: tuple[str, ...] = ("auto", "txt", "json", "jsonl", "csv", "xml")
_EXTENSIONS = {".txt": "txt", ".text": "txt", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
               ".csv": "csv", ".xml": "xml"}
_ELIGIBILITY_FIELD_HINTS = ("criteria", "eligib")
_NCT = re.compile(r"\bNCT\d{8}\b")
_SURROGATE = re.compile("[\udc80-\udcff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_GOLD_ONLY_KEYS = frozenset({"criteria", "entities", "thresholds", "source", "meta"})
csv.field_size_limit(2**31 - 1)


@dataclass(slots=True)
class InputRecord:
    """One document to process.

    ``eligibility`` marks text that is eligibility text by nature (a registry's criteria
    field): it has criteria even without headings. ``section`` is a declared kind.
    """

    id: str
    text: str
    source: str
    section: str = "auto"
    eligibility: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ReadError:
    """A record that could not be read; ``source`` names the file and the record."""

    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


Item = InputRecord | ReadError


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How to read inputs: format, batch field names, declared section."""

    format: str = "auto"
    id_field: str = "id"
    text_field: str = "text"
    section: str = "auto"

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, got {self.format!r}")
        if self.section not in SECTION_CHOICES:
            raise ValueError(f"section must be one of {SECTION_CHOICES}, got {self.section!r}")


def expand_paths(inputs: Iterable[str]) -> Iterator[str]:
    """Files named by paths, folders (their files, sorted, non-recursive) and globs; ``-`` is stdin."""
    for spec in inputs:
        if spec == "-":
            yield spec
            continue
        path = Path(spec)
        if path.is_dir():
            yield from (str(p) for p in sorted(path.iterdir())
                        if p.is_file() and p.suffix.lower() in _EXTENSIONS)
        elif path.exists():
            yield spec
        else:
            matches = sorted(glob.glob(spec, recursive=True))
            if not matches:
                raise FileNotFoundError(f"{spec}: no such file, folder or glob match")
            yield from matches


def read_inputs(inputs: Iterable[str], options: ReadOptions = ReadOptions()) -> Iterator[Item]:
    """Records of all inputs, streamed in order."""
    for path in expand_paths(inputs):
        yield from read_path(path, options)


def read_path(path: str, options: ReadOptions = ReadOptions()) -> Iterator[Item]:
    """Records of one file (``-`` reads stdin).

    Whatever a reader meets, the file ends with an error naming it, never the batch: a
    fault no reader foresaw is reported as such, with the records read before it kept.
    """
    name = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
            fmt = options.format if options.format != "auto" else _sniff(data, options)
            yield from _READERS[fmt](io.BytesIO(data), name, options)
            return
        fmt = options.format
        if fmt == "auto":
            fmt = _EXTENSIONS.get(Path(path).suffix.lower(), "txt")
        with open(path, "rb") as fh:
            yield from _READERS[fmt](fh, path, options)
    except OSError as exc:
        yield ReadError(name, f"cannot read: {exc.strerror or exc}")
    except (ValueError, RecursionError, LookupError, TypeError, AttributeError) as exc:
        yield ReadError(name, f"reading stopped at an unexpected fault: {type(exc).__name__}: {exc}")


def _sniff(data: bytes, options: ReadOptions) -> str:
    """The format of stdin: XML, JSON or JSONL by their first character, CSV by a header that
    names the id or text field (``id,text``), otherwise plain text."""
    if _is_csv_header(data.lstrip().split(b"\n", 1)[0], options):
        return "csv"
    head = data.lstrip()[:1]
    if head == b"<":
        return "xml"
    if head == b"[":
        return "json"
    if head == b"{":
        first_line = data.lstrip().split(b"\n", 1)[0]
        try:
            json.loads(first_line)
            return "jsonl"
        except ValueError:
            return "json"
    return "txt"


def _is_csv_header(line: bytes, options: ReadOptions) -> bool:
    """Whether ``line`` reads as a CSV header of two or more columns naming the id or text field."""
    try:
        names = next(csv.reader([line.decode("utf-8-sig").rstrip("\r")]), [])
    except (UnicodeDecodeError, csv.Error):
        return False
    fields = {options.id_field.lstrip("#"), options.text_field.lstrip("#")}
    return len(names) >= 2 and not fields.isdisjoint(name.strip().lstrip("#") for name in names)


def _decode(data: bytes, where: str) -> str | ReadError:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return ReadError(where, f"not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r})")


def _read_txt(fh: BinaryIO, path: str, options: ReadOptions) -> Iterator[Item]:
    text = _decode(fh.read(), path)
    if isinstance(text, ReadError):
        yield text
        return
    stem = Path(path).stem if path != "<stdin>" else "stdin"
    yield InputRecord(page_id(text, stem), text, path, options.section, eligibility=False)


def page_id(text: str, fallback: str) -> str:
    """The trial's NCT number when a page names exactly one (its own), else ``fallback``.

    Gold files and registry exports key documents by NCT number; a page that cites
    several trials (a review) cannot say which is its own, so it keeps the file name.
    """
    found = set(_NCT.findall(text))
    return found.pop() if len(found) == 1 else fallback


def parse_json(raw: bytes, where: str) -> Any:
    """Decoded JSON of ``raw``, or a ReadError naming ``where`` and the fault.

    Strict JSON only: ``NaN``/``Infinity`` are refused here (they would make the output
    invalid JSON), as are lone surrogates (``"\\ud800"``: no UTF-8 file can hold them),
    nesting deeper than Python's recursion limit and integers beyond its digit limit.
    """
    text = _decode(raw, where)
    if isinstance(text, ReadError):
        return text
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        return ReadError(where, f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
    except RecursionError:
        return ReadError(where, "JSON nested too deeply to read")
    except ValueError as exc:  # int digit limit, NaN/Infinity
        return ReadError(where, f"unreadable JSON value: {exc}")
    if (bad := _lone_surrogate(data)) is not None:
        return ReadError(where, f"string with a lone surrogate {bad!r} (\\u escape of half a UTF-16 pair)")
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON (non-finite number)")


def _lone_surrogate(data: Any) -> str | None:
    """The first string (key or value) in ``data`` holding a lone surrogate, if any; walked without recursion."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _LONE_SURROGATE.search(value):
                return value[:40]
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return None


def _read_json(fh: BinaryIO, path: str, options: ReadOptions) -> Iterator[Item]:
    data = parse_json(fh.read(), path)
    if isinstance(data, ReadError):
        yield data
        return
    if isinstance(data, dict) and isinstance(data.get("studies"), list):
        data = data["studies"]
    records = data if isinstance(data, list) else [data]
    for i, obj in enumerate(records):
        where = f"{path} [record {i}]" if isinstance(data, list) else path
        yield _from_object(obj, where, options)


def _read_jsonl(fh: BinaryIO, path: str, options: ReadOptions) -> Iterator[Item]:
    for lineno, raw in enumerate(fh, start=1):
        if raw.strip():
            obj = parse_json(raw, f"{path} line {lineno}")
            yield obj if isinstance(obj, ReadError) else _from_object(obj, f"{path} line {lineno}", options)


def _from_object(obj: Any, where: str, options: ReadOptions) -> Item:
    """A registry API study, a gold-format document, or a ``{id, text}`` batch record."""
    if not isinstance(obj, dict):
        return ReadError(where, f"expected a JSON object, got {type(obj).__name__}")
    if "protocolSection" in obj:
        return _from_api_study(obj, where, options)
    if "text" in obj and "id" in obj and not _GOLD_ONLY_KEYS.isdisjoint(obj):
        try:
            doc = Document.from_dict(obj, where)
        except RecordError as exc:
            return ReadError(where, str(exc))
        section, eligibility = gold_reading(doc.meta, options.section)
        return InputRecord(doc.id, doc.text, where, section, eligibility, meta=dict(doc.meta))
    return _from_fields(obj, where, options)


def gold_reading(meta: dict[str, Any], default: str = "auto") -> tuple[str, bool]:
    """(section, eligibility) a gold file declares for its text.

    Chia's _inc/_exc documents are one declared section; LCT's are registry criteria
    fields (eligibility text with no page around it); anything else is read as a page.
    """
    section = meta.get("section", default)
    return (section if section in SECTION_CHOICES else default), meta.get("eligibility") is True


def _from_fields(obj: dict[str, Any], where: str, options: ReadOptions) -> Item:
    text, doc_id = obj.get(options.text_field), obj.get(options.id_field)
    if not isinstance(text, str):
        return ReadError(where, f"missing or non-string text field {options.text_field!r}")
    if doc_id is None or doc_id == "":
        return ReadError(where, f"missing id field {options.id_field!r}")
    meta = {k: v for k, v in obj.items() if k not in (options.text_field, options.id_field)}
    eligibility = any(h in options.text_field.lower() for h in _ELIGIBILITY_FIELD_HINTS)
    return InputRecord(str(doc_id), text, where, options.section, eligibility, meta)


def _from_api_study(obj: dict[str, Any], where: str, options: ReadOptions) -> Item:
    protocol = _member(obj, "protocolSection")
    identification, module = _member(protocol, "identificationModule"), _member(protocol, "eligibilityModule")
    if isinstance(identification, ReadError) or isinstance(module, ReadError):
        return ReadError(where, (identification if isinstance(identification, ReadError) else module).message)
    nct = identification.get("nctId")
    text = module.get("eligibilityCriteria")
    label = f"{where} ({nct})" if isinstance(nct, str) and nct else where
    if not isinstance(text, str):
        return ReadError(label, "no protocolSection.eligibilityModule.eligibilityCriteria text")
    if not isinstance(nct, str) or not nct:
        return ReadError(where, "no protocolSection.identificationModule.nctId string")
    meta = {key: module[key] for key in ("minimumAge", "maximumAge", "sex", "healthyVolunteers", "stdAges")
            if key in module}
    return InputRecord(nct, text, label, options.section, eligibility=True, meta=meta)


def _member(obj: dict[str, Any] | ReadError, key: str) -> dict[str, Any] | ReadError:
    """``obj[key]`` of an API study when an object (absent or null: empty), else the error saying what it is."""
    if isinstance(obj, ReadError):
        return obj
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        return ReadError("", f"{key!r} must be a JSON object, got {type(value).__name__}")
    return value


def _read_xml(fh: BinaryIO, path: str, options: ReadOptions) -> Iterator[Item]:
    try:
        root = ET.parse(fh).getroot()
    except ET.ParseError as exc:
        yield ReadError(path, f"malformed XML: {exc}")
        return
    studies = [root] if root.tag == "clinical_study" else root.findall(".//clinical_study")
    if not studies:
        yield ReadError(path, "no clinical_study element")
    for i, study in enumerate(studies):
        nct = (study.findtext("id_info/nct_id") or "").strip()
        where = f"{path} ({nct})" if nct else f"{path} [study {i}]"
        text = study.findtext("eligibility/criteria/textblock")
        if text is None:
            yield ReadError(where, "no eligibility/criteria/textblock")
            continue
        if not nct:
            yield ReadError(where, "no id_info/nct_id")
            continue
        meta = {tag: value.strip() for tag in ("gender", "minimum_age", "maximum_age", "healthy_volunteers")
                if (value := study.findtext(f"eligibility/{tag}")) is not None}
        yield InputRecord(nct, text, where, options.section, eligibility=True, meta=meta)


def _read_csv(fh: BinaryIO, path: str, options: ReadOptions) -> Iterator[Item]:
    """Rows as records; blank lines are skipped, a malformed row is its own error and reading goes on.

    ``strict``: a file cut inside a quoted field is an error ("unexpected end of data"), not a
    last record silently ending where the file does.
    """
    stream = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.reader(stream, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield ReadError(f"{path} header", f"malformed CSV: {exc}")
        return
    # "#nct_id" (AACT exports) answers to "nct_id": a leading '#' is a comment mark, not a name.
    names = [name.strip().lstrip("#") for name in header]
    id_field, text_field = options.id_field.lstrip("#"), options.text_field.lstrip("#")
    missing = [f for f in (id_field, text_field) if f not in names]
    if missing:
        yield ReadError(f"{path} header", f"no column {' or '.join(map(repr, missing))}; columns: {names}")
        return
    row_no = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # the reader starts afresh on the next line
            yield ReadError(f"{path} record {row_no} (line {reader.line_num})", f"malformed CSV: {exc}")
            row_no += 1
            continue
        if not row:
            continue
        row_no += 1
        where = f"{path} record {row_no - 1} (line {reader.line_num})"
        if len(row) != len(names):
            yield ReadError(where, f"{len(row)} fields, header has {len(names)}")
            continue
        fields = dict(zip(names, row))
        bad = next((k for k, v in fields.items() if _has_surrogates(v)), None)
        if bad is not None:
            yield ReadError(where, f"field {bad!r} is not valid UTF-8")
            continue
        yield _from_fields(fields, where, ReadOptions(options.format, id_field, text_field, options.section))


def _has_surrogates(value: str) -> bool:
    """Whether decoding with ``surrogateescape`` met bytes that are not UTF-8."""
    return _SURROGATE.search(value) is not None


_READERS = {"txt": _read_txt, "json": _read_json, "jsonl": _read_jsonl, "csv": _read_csv, "xml": _read_xml}
