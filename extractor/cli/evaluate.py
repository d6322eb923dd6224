"""``extractor eval GOLD_DIR [--pred PRED] [--json FILE] [--markdown FILE] [--errors N] [--layers ...]``."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from extractor.entities.types import ModelError
from extractor.evaluation import EvaluationError, LoadError, build_report, evaluate, render_errors, render_markdown
from extractor.records import LAYERS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval", help="score predictions (or the pipeline) against gold files",
        description="Score against gold in the annotation format. Without --pred, runs the pipeline "
                    "on the gold texts. Prints the per-layer table.")
    parser.add_argument("gold", type=Path, metavar="GOLD_DIR", help="folder of gold *.json (or a .jsonl)")
    parser.add_argument("--pred", type=Path, help="predictions: folder of *.json, a .json or a .jsonl file")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the JSON report here")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="write the Markdown tables here")
    parser.add_argument("--errors", type=int, default=0, metavar="N",
                        help="list up to N missed and spurious items per layer")
    parser.add_argument("--layers", nargs="+", choices=LAYERS, default=list(LAYERS),
                        help="score only these layers (the others count as not annotated)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        evaluation = evaluate(args.gold, args.pred, args.layers)
    except (LoadError, EvaluationError, ModelError) as exc:
        print(f"extractor eval: {exc}", file=sys.stderr)
        return 2
    report = build_report(evaluation)
    table = render_markdown(report)
    print(table, end="")
    if args.errors > 0:
        print()
        print(render_errors(evaluation.errors, args.errors), end="")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(table, encoding="utf-8")
    return 0
