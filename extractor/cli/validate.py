"""``extractor validate PATH...``: check gold files; exit status 1 when any problem is found."""
from __future__ import annotations

import argparse
from pathlib import Path

from extractor.validate import validate


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate", help="check gold files against the annotation format",
        description="Check gold files (or folders of *.json): offsets, white space, labels, kinds, "
                    "catalogue ids, units, bounds, items inside criteria, duplicates.")
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="gold file or folder")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    problems = validate(args.paths)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)" if problems else "no problems")
    return 1 if problems else 0
