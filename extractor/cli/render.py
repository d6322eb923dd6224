"""``extractor render INPUT... -o OUT.html``: one self-contained HTML page viewing the documents.

INPUT is what ``extract`` reads, or extractor output (a ``.json``/``.jsonl`` of documents with
layers), which is shown as it is. Exit status as ``extract``: 1 when a record failed (the page is
written with the others), 2 when nothing was written.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from extractor.batch import iter_given_or_extracted
from extractor.cli.extract import add_reading_arguments, chosen_layers, read_options
from extractor.entities.tagger import ModelError
from extractor.output import Writer, check_output
from extractor.readers import expand_paths
from extractor.render import render_html


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "render", help="write an HTML view of documents (criteria, entities, thresholds)",
        description="Extract INPUT files (as `extract` reads them; extractor output JSON/JSONL is shown as it "
                    "is) and write one self-contained HTML page: criteria by kind and section with their ids, "
                    "entities highlighted, thresholds with their normalized records, any-of sets.")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("-o", "--output", help="HTML file (default: stdout)")
    p.add_argument("--title", help="page title (default: the input names)")
    add_reading_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        check_output(args.output, False, args.force)
        paths = list(expand_paths(args.inputs))
        documents, errors = [], []
        for outcome in iter_given_or_extracted(paths, read_options(args), chosen_layers(args), args.model,
                                               args.backend):
            errors += outcome.errors
            if outcome.document is not None:
                documents.append(outcome.document)
        if not documents:
            raise ValueError("no document to render" + (f": {errors[0]}" if errors else ""))
        page = render_html(documents, args.title or ", ".join(Path(p).name for p in args.inputs))
        with Writer(args.output, split=False) as writer:
            writer.write("", page)
    except (OSError, ValueError, ModelError) as exc:
        print(f"extractor render: {exc}", file=sys.stderr)
        return 2
    for message in errors:
        print(f"error: {message}", file=sys.stderr)
    print(f"rendered {len(documents)} document(s)" + (f" to {args.output}" if args.output else ""),
          file=sys.stderr)
    return 1 if errors else 0
