"""``extractor pseudolabel INPUT [INPUT …] OUTPUT --model TAGGER --limit N [--exclude GOLD_DIR]
[--skip-drawn SILVER_DIR]``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from extractor.cli.pretrain import add_corpus_arguments
from extractor.cli.train import log_to
from extractor.entities.types import ModelError, TrainingError
from extractor.evaluation.loaders import LoadError
from extractor.readers import ReadOptions
from extractor.training.pseudolabel import pseudolabel


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pseudolabel", help="tag unannotated criteria with a trained tagger (silver data for self-training)",
        description="Draw criteria at random from any inputs `extractor extract` reads, tag them with a trained "
                    "tagger (best an ensemble) and write them as gold-format documents, for `extractor train "
                    "--silver`. Leave the test splits' and the gold training set's trials out with --exclude.")
    add_corpus_arguments(parser, "folder the silver documents are written to")
    parser.add_argument("--model", type=Path, required=True, help="tagger folder (spaCy, transformer or ensemble)")
    parser.add_argument("--limit", type=int, required=True, help="number of criteria to draw and tag")
    parser.add_argument("--skip-drawn", type=Path, action="append", default=[], metavar="SILVER_DIR",
                        help="earlier silver folder whose criteria are not drawn again (repeatable)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random draw")
    parser.add_argument("--per-document", type=int, default=50, help="criteria per written document (default: 50)")
    parser.add_argument("--log", type=Path, default=None, help="also write the progress log to this file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    log_to(args.log)
    try:
        summary = pseudolabel(args.inputs, args.output, model=args.model, limit=args.limit, exclude=args.exclude,
                              skip_drawn=args.skip_drawn, seed=args.seed, per_document=args.per_document,
                              options=ReadOptions(id_field=args.id_field, text_field=args.text_field))
    except (TrainingError, LoadError, ModelError, FileNotFoundError) as exc:
        print(f"extractor pseudolabel: {exc}", file=sys.stderr)
        return 2
    print(f"{summary.criteria} of {summary.available} criteria tagged ({summary.entities} entities) into "
          f"{summary.documents} documents in {args.output}")
    for error in summary.errors:
        print(f"skipped {error}", file=sys.stderr)
    if summary.errors:
        print(f"{len(summary.errors)} unreadable records skipped", file=sys.stderr)
    return 0
