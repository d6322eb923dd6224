"""``extractor convert brat CORPUS_DIR OUT_DIR --corpus chia|lct --split test|train|all``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from extractor.corpora.convert import CORPORA, SPLITS, ConversionError, convert_brat


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("convert", help="convert public corpora into gold files",
                                   description="Convert an annotated corpus into gold files of the annotation format.")
    formats = parser.add_subparsers(dest="format", required=True, metavar="FORMAT")
    brat = formats.add_parser("brat", help="Chia or LCT BRAT standoff (.txt + .ann)",
                              description="One gold JSON per document of the split; prints what was kept and dropped.")
    brat.add_argument("corpus_dir", type=Path, metavar="CORPUS_DIR")
    brat.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    brat.add_argument("--corpus", choices=CORPORA, required=True)
    brat.add_argument("--split", choices=SPLITS, default="test",
                      help="test: NCT number divisible by 5 (default); train: the others; all: both")
    brat.add_argument("--warnings", action="store_true", help="print every warning, not just their count")
    brat.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        report = convert_brat(args.corpus_dir, args.out_dir, args.corpus, args.split)
    except ConversionError as exc:
        print(f"extractor convert: {exc}", file=sys.stderr)
        return 2
    if args.warnings:
        print("\n".join(report.warnings), file=sys.stderr)
    print(report.summary())
    return 0
