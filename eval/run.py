"""Evaluation runs, one subcommand each; writes ``eval/reports/<name>.md`` and ``.json``.

    .venv/bin/python eval/run.py seeds   # the project's gold (annotations/)
    .venv/bin/python eval/run.py chia    # Chia test split, converted from ../shared/corpora/chia
    .venv/bin/python eval/run.py lct     # LCT test split, converted from ../shared/corpora/lct
    .venv/bin/python eval/run.py registry  # registry gold (annotations/registry): dev and test, field and page

Without ``--pred`` the pipeline runs on every gold text (``extractor eval`` does the
same). Every number in a report comes from this run, except the published results,
which are cited from ``../shared/corpora/README.md`` (``eval/published.json``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from extractor.corpora.convert import convert_brat
from extractor.entities.tagger import default_model_path, detect_backend
from extractor.evaluation import build_report, evaluate, render_errors, render_markdown
from extractor.evaluation.report import fmt_score, render_template, report_field
from extractor.records import LAYERS
from provenance import commit_label
from registry import build_gold, registry_values, run_registry

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
REPORTS = REPO / "eval" / "reports"
TEMPLATES = REPO / "eval" / "templates"
RUNS = ("chia", "lct", "registry", "seeds")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=RUNS)
    parser.add_argument("--pred", type=Path, help="score these predictions instead of running the pipeline")
    parser.add_argument("--errors", type=int, default=20, help="errors listed per layer in the report")
    parser.add_argument("--layers", nargs="+", choices=LAYERS, default=list(LAYERS),
                        help="score only these layers (the others are reported as not scored)")
    args = parser.parse_args(argv)
    if args.name == "registry":
        return registry_main(args)
    with tempfile.TemporaryDirectory() as tmp:
        if args.name == "seeds":
            gold, conversion = REPO / "annotations", None
        else:
            if not (CORPORA / args.name).is_dir():
                print(f"{CORPORA / args.name}: corpus not available", file=sys.stderr)
                return 2
            gold = Path(tmp)
            conversion = convert_brat(CORPORA / args.name, gold, args.name, "test").summary()
        started = time.perf_counter()
        evaluation = evaluate(gold, args.pred, args.layers)
        seconds = time.perf_counter() - started
    report = build_report(evaluation)
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{args.name}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    markdown = render_report(args, report, conversion, seconds, render_errors(evaluation.errors, args.errors))
    (REPORTS / f"{args.name}.md").write_text(markdown, encoding="utf-8")
    print(render_markdown(report), end="")
    print(f"wrote {REPORTS / args.name}.md and .json")
    return 0


def registry_main(args: argparse.Namespace) -> int:
    """``registry``: gold built from the specs, four variants scored, one report (JSON: a report per variant)."""
    if args.pred:
        print("registry: --pred is not supported (each variant has its own texts)", file=sys.stderr)
        return 2
    if not (CORPORA / "ctgov").is_dir():
        print(f"{CORPORA / 'ctgov'}: corpus not available", file=sys.stderr)
        return 2
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        build_gold(Path(tmp))
        reports, errors = run_registry(Path(tmp))
    seconds = time.perf_counter() - started
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "registry.json").write_text(json.dumps(reports, indent=2) + "\n", encoding="utf-8")
    values = registry_values(reports, errors)
    markdown = render_template(TEMPLATES / "registry.md.j2", commit=commit_label(), date=dt.date.today().isoformat(),
                               model=default_model_path().name, seconds=seconds, **values)
    (REPORTS / "registry.md").write_text(markdown, encoding="utf-8")
    print(values["summary"])
    print(f"wrote {REPORTS / 'registry'}.md and .json")
    return 0


def render_report(args: argparse.Namespace, report: dict[str, Any], conversion: str | None,
                  seconds: float, errors: str) -> str:
    """The committed report: provenance, our tables, published results beside ours, first errors."""
    command = (f"python eval/run.py {args.name}" + (f" --pred {args.pred}" if args.pred else "")
               + (f" --layers {' '.join(args.layers)}" if set(args.layers) != set(LAYERS) else ""))
    model = None if args.pred else default_model_path()  # with --pred no tagger runs: none is looked for
    published = json.loads((REPO / "eval" / "published.json").read_text(encoding="utf-8"))[args.name]
    for row in published:
        row.update(fields=row["ours"], ours=" / ".join(fmt_score(report_field(report, path)) for path in row["ours"]))
    return render_template(TEMPLATES / "report.md.j2", name=args.name, command=command, commit=commit_label(),
                           date=dt.date.today().isoformat(), pred=args.pred, model=model and model.name,
                           backend=model and detect_backend(model), layers=args.layers, seconds=seconds,
                           documents=report["documents"], conversion=conversion,
                           tables=render_markdown(report, "This project").rstrip("\n"), published=published,
                           errors=errors.rstrip())


if __name__ == "__main__":
    raise SystemExit(main())
