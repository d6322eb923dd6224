"""``extractor export --format fhir IN -o OUT``: extractor output → one FHIR R5 EvidenceVariable per line."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from extractor.evaluation.loaders import LoadError, iter_documents
from extractor.export.fhir import evidence_variable, validate_resource


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="export extracted documents to FHIR R5 EvidenceVariable (JSONL)",
        description="Read extractor output (JSONL, JSON or a folder of *.json, with criteria and thresholds "
                    "layers) and write one FHIR R5 EvidenceVariable per document, one JSON resource a line.")
    parser.add_argument("input", type=Path, metavar="IN", help="extractor output")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="OUT", help="JSONL file to write")
    parser.add_argument("--format", choices=("fhir",), default="fhir", help="target format (default: fhir)")
    parser.add_argument("--validate", action="store_true",
                        help="check every resource with fhir.resources (install the 'fhir' extra)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    written, errors = 0, []
    with args.output.open("w", encoding="utf-8") as out:
        for where, doc in iter_documents(args.input):
            if isinstance(doc, LoadError):
                errors.append(str(doc))
                continue
            resource = evidence_variable(doc)
            if args.validate:
                try:
                    validate_resource(resource)
                except ValueError as exc:  # pydantic's ValidationError is a ValueError
                    errors.append(f"{where}: not a valid EvidenceVariable: {exc}")
                    continue
            out.write(json.dumps(resource, ensure_ascii=False) + "\n")
            written += 1
    for error in errors:
        print(error, file=sys.stderr)
    print(f"{written} resource(s) written to {args.output}" + (f", {len(errors)} record(s) failed" if errors else ""),
          file=sys.stderr)
    return 1 if errors else 0
