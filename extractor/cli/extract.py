"""``extractor extract``: batch extraction, a thin wrapper over :func:`extractor.batch.extract`.

Exit status: 0 when every record was read and extracted (warnings, e.g. empty text or a document
with no criteria, do not change it); 1 when any record, or any layer of one, failed (each named in
an error line, the others written); 2 when nothing was written (bad output path, missing input,
bad model); 130 on Ctrl-C and 143 on SIGTERM, the previous output untouched.
"""
from __future__ import annotations

import argparse
import sys

from extractor.batch import extract
from extractor.entities.types import ModelError
from extractor.readers import FORMATS, ReadOptions
from extractor.records import LAYERS
from extractor.segment import SECTION_CHOICES


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "extract", help="extract criteria, entities and thresholds from files",
        description="Read INPUT files (txt, ClinicalTrials.gov API JSON or legacy XML, CSV/JSONL batches, "
                    "gold-format JSON; folders, globs, '-' for stdin) and write one JSON document per record.")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("-o", "--output", help="JSONL file, or a folder with --split (default: stdout)")
    p.add_argument("--split", action="store_true", help="write one JSON file per document into the -o folder")
    add_reading_arguments(p)
    p.add_argument("--workers", type=int, default=1, help="worker processes (default: 1)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    p.set_defaults(func=run)


def add_reading_arguments(p: argparse.ArgumentParser) -> None:
    """The options on how inputs are read and extracted, shared with ``extractor render``."""
    p.add_argument("--force", action="store_true", help="overwrite existing output")
    p.add_argument("--format", choices=FORMATS, default="auto", help="input format (default: by extension)")
    p.add_argument("--id-field", default="id", help="id column/field of CSV and JSONL batches (default: id)")
    p.add_argument("--text-field", default="text", help="text column/field of CSV and JSONL batches (default: text)")
    p.add_argument("--section", choices=SECTION_CHOICES, default="auto",
                   help="declare the inputs to be an inclusion or exclusion section already (default: auto)")
    p.add_argument("--layers", default=",".join(LAYERS),
                   help=f"comma-separated layers to produce (default: {','.join(LAYERS)})")
    p.add_argument("--model", help="entity model folder (default: the model shipped with the package)")
    p.add_argument("--backend", choices=("auto", "spacy", "transformer"), default="auto",
                   help="entity tagger backend (default: by the model folder)")


def read_options(args: argparse.Namespace) -> ReadOptions:
    return ReadOptions(args.format, args.id_field, args.text_field, args.section)


def chosen_layers(args: argparse.Namespace) -> list[str]:
    return [layer.strip() for layer in args.layers.split(",") if layer.strip()]


def run(args: argparse.Namespace) -> int:
    try:
        summary = extract(
            args.inputs, args.output, split=args.split, force=args.force,
            options=read_options(args), layers=chosen_layers(args),
            model=args.model, backend=args.backend, workers=args.workers,
            progress=False if args.no_progress else None)
    except (OSError, ValueError, ModelError) as exc:  # before anything was written, or the output undone
        print(f"extractor extract: {exc}", file=sys.stderr)
        return 2
    print(summary, file=sys.stderr)
    if summary.errors:
        print(f"{len(summary.errors)} record(s) failed:", file=sys.stderr)
        for message in summary.errors:
            print(f"  {message}", file=sys.stderr)
        return 1
    return 0
