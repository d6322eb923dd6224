"""``extractor screen``: patients against trials, a thin wrapper over :func:`extractor.screen.batch.screen_files`."""
from __future__ import annotations

import argparse
import sys

from extractor.batch import OutputExistsError
from extractor.screen.batch import screen_files


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "screen", help="screen patients against extracted trials",
        description="Read TRIALS (extractor output JSONL, as 'extractor extract' writes it; '-' for stdin) and "
                    "PATIENTS (JSONL, one patient a line) and write one screening result per trial and patient.")
    p.add_argument("trials", metavar="TRIALS")
    p.add_argument("patients", metavar="PATIENTS")
    p.add_argument("-o", "--output", help="JSONL file (default: stdout)")
    p.add_argument("--force", action="store_true", help="overwrite existing output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        summary = screen_files([args.trials], [args.patients], args.output, force=args.force)
    except (OutputExistsError, FileNotFoundError) as exc:
        print(f"extractor screen: {exc}", file=sys.stderr)
        return 2
    print(summary, file=sys.stderr)
    if summary.errors:
        print(f"{len(summary.errors)} record(s) failed:", file=sys.stderr)
        for message in summary.errors:
            print(f"  {message}", file=sys.stderr)
        return 1
    return 0
