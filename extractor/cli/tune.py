"""``extractor tune MODEL TRAIN_DIR [TRAIN_DIR …] [--dev DEV_DIR]``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from extractor.cli.train import log_to
from extractor.entities.types import ModelError, TrainingError
from extractor.evaluation.loaders import LoadError
from extractor.training.tune import tune


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "tune", help="fit a transformer tagger's decoding on its dev trials",
        description="Choose, on the dev trials a transformer tagger (or ensemble folder) held out, the weight of "
                    "a label-transition prior counted on the gold training criteria and the confidence below "
                    "which an entity is dropped; both are written into the folder's tagger.json and used by "
                    "every later tagging. Give the gold the model trained on (not its silver).")
    parser.add_argument("model", type=Path, metavar="MODEL", help="transformer tagger or ensemble folder")
    parser.add_argument("train_dir", type=Path, nargs="+", metavar="TRAIN_DIR",
                        help="the gold folder(s) the model was trained on; its dev trials are carved as in training")
    parser.add_argument("--dev", type=Path, default=None, metavar="DEV_DIR",
                        help="dev documents the model never saw (default: the dev set its training record names)")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--log", type=Path, default=None, help="also write the tuning log to this file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    log_to(args.log)
    try:
        summary = tune(args.model, args.train_dir, args.dev, threads=args.threads)
    except (TrainingError, LoadError, ModelError, ValueError, OSError) as exc:
        print(f"extractor tune: {exc}", file=sys.stderr)
        return 2
    print(f"{args.model}: transition weight {summary.transition_weight}, min confidence {summary.min_confidence}; "
          f"dev F1 on {summary.dev_criteria} criteria strict {summary.before[0]:.4f} -> {summary.after[0]:.4f}, "
          f"lenient {summary.before[1]:.4f} -> {summary.after[1]:.4f}")
    return 0
