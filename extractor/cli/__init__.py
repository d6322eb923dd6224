"""``extractor`` command line: one thin module per command, each wrapping a library function.

Each module in ``COMMANDS`` defines ``register(subparsers)``, which adds its parser and
sets ``func`` to a callable taking the parsed namespace and returning an exit status.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from extractor import __version__

COMMANDS: tuple[str, ...] = (
    "extractor.cli.extract",
    "extractor.cli.render",
    "extractor.cli.evaluate",
    "extractor.cli.validate",
    "extractor.cli.convert",
    "extractor.cli.train",
    "extractor.cli.pretrain",
    "extractor.cli.pseudolabel",
    "extractor.cli.tune",
    "extractor.cli.export",
    "extractor.cli.screen",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="extractor", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"extractor {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except ModuleNotFoundError as exc:
        from extractor.entities.tagger import missing_extra

        if missing_extra(exc) is None:
            raise
        print(f"error: {missing_extra(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
