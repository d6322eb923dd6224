"""``extractor pretrain INPUT [INPUT …] OUTPUT [--exclude GOLD_DIR] [--config FILE]``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from extractor.cli.train import log_to
from extractor.entities.types import TrainingError
from extractor.evaluation.loaders import LoadError
from extractor.readers import ReadOptions
from extractor.training.pretrain import pretrain


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pretrain", help="adapt an encoder to eligibility text (masked-language-model training)",
        description="Continue the masked-language-model training of a local encoder on the criteria of "
                    "any inputs `extractor extract` reads, before `extractor train --base-model`. "
                    "Leave the test splits' trials out with --exclude.")
    add_corpus_arguments(parser, "folder the adapted encoder is written to")
    parser.add_argument("--config", type=Path, default=None, help="JSON of masked-LM settings (models/*.json)")
    parser.add_argument("--base-model", type=Path, default=None, help="local encoder folder (default: MiniLM-L6)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=None, help="stop training after this long")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--log", type=Path, default=None, help="also write the training log to this file")
    parser.set_defaults(func=run)


def add_corpus_arguments(parser: argparse.ArgumentParser, output: str) -> None:
    """INPUT… OUTPUT, --exclude and the batch field names: the options of every command that reads raw criteria."""
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or globs of eligibility text")
    parser.add_argument("output", type=Path, metavar="OUTPUT", help=output)
    parser.add_argument("--exclude", type=Path, action="append", default=[], metavar="GOLD_DIR",
                        help="gold folder whose trials are left out (repeatable; e.g. the test splits)")
    parser.add_argument("--id-field", default="id", help="id column/field of CSV and JSONL batches (default: id)")
    parser.add_argument("--text-field", default="text", help="text column/field of CSV and JSONL batches (default: text)")


def run(args: argparse.Namespace) -> int:
    log_to(args.log)
    try:
        out = pretrain(args.inputs, args.output, exclude=args.exclude, config=args.config,
                       base_model=args.base_model, seed=args.seed, max_seconds=args.max_seconds,
                       threads=args.threads, options=ReadOptions(id_field=args.id_field, text_field=args.text_field))
    except (TrainingError, LoadError, FileNotFoundError) as exc:
        print(f"extractor pretrain: {exc}", file=sys.stderr)
        return 2
    print(f"adapted encoder written to {out}")
    return 0
