"""``extractor train TRAIN_DIR [TRAIN_DIR …] OUTPUT [--dev DEV_DIR] [--backend spacy|transformer] [--config FILE]``."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from extractor.entities.types import TrainingError
from extractor.evaluation.loaders import LoadError
from extractor.training.examples import DEV_FRACTION
from extractor.training.train import BACKENDS, train


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train", help="train an entity tagger on gold files",
        description="Train an entity tagger on a folder of gold documents (e.g. from `extractor convert brat "
                    "… --split train`). The shipped model is `--config models/chia_ner.cfg --seed 0` with the "
                    "three `--silver` folders its config names (Chia train alone: models/chia_ner_gold.cfg).")
    parser.add_argument("train_dir", type=Path, nargs="+", metavar="TRAIN_DIR",
                        help="folder(s) of gold JSON documents (e.g. Chia and LCT train)")
    parser.add_argument("output", type=Path, metavar="OUTPUT", help="folder the trained model is written to")
    parser.add_argument("--silver", type=Path, action="append", default=[], metavar="SILVER_DIR",
                        help="folder of machine-tagged documents (`extractor pseudolabel`) that train but never "
                             "become dev (repeatable)")
    parser.add_argument("--dev", type=Path, default=None, metavar="DEV_DIR",
                        help="dev documents for model selection (default: a share of TRAIN_DIR's trials)")
    parser.add_argument("--dev-fraction", type=float, default=DEV_FRACTION,
                        help="share of trials carved out as dev; 0: every document trains and the last step is kept")
    parser.add_argument("--backend", choices=BACKENDS, default="spacy")
    parser.add_argument("--config", type=Path, default=None,
                        help="spaCy .cfg (spacy) or JSON of fine-tuning settings (transformer)")
    parser.add_argument("--base-model", type=Path, default=None,
                        help="local encoder folder for the transformer backend (default: MiniLM-L6)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=None, help="stop training after this long")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--log", type=Path, default=None, help="also write the training log to this file")
    parser.set_defaults(func=run)


def log_to(file: Path | None) -> None:
    """Progress to stderr and, when ``file`` is given, also there (a training run outlives its terminal)."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(file, encoding="utf-8"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", handlers=handlers)


def run(args: argparse.Namespace) -> int:
    log_to(args.log)
    try:
        out = train(args.train_dir, args.dev, args.output, backend=args.backend, config=args.config,
                    seed=args.seed, dev_fraction=args.dev_fraction, max_seconds=args.max_seconds,
                    threads=args.threads, base_model=args.base_model, silver=args.silver)
    except (TrainingError, LoadError) as exc:
        print(f"extractor train: {exc}", file=sys.stderr)
        return 2
    print(f"model written to {out}")
    return 0
