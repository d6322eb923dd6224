"""Segmentation coverage over every corpus text: lines lost without a word; writes eval/COVERAGE.md.

Every non-blank line of a found eligibility section must lie in a criterion or be a heading, a
pure lead-in or a connector (``extractor.segment.unexplained_lines``); a criterion must not start
with a bullet character. Both CSVs of ``../shared/corpora/ctgov`` are read as ``extractor extract``
reads them (registry criteria fields: eligibility text by nature). No gold is involved, so the
counts say nothing about whether criteria are split right, only whether text is lost or leaks.

    .venv/bin/python eval/coverage.py [--list N]
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
from collections import Counter
from pathlib import Path

from provenance import commit_label

from extractor.evaluation.report import render_template
from extractor.readers import InputRecord, ReadOptions, read_path
from extractor.segment import segment, unexplained_lines

REPO = Path(__file__).resolve().parents[1]
CTGOV = REPO.parent / "shared" / "corpora" / "ctgov"
INPUTS = (("registry_sample.csv", "nct_id"), ("leukemia_trials.csv", "nct_id"))
BULLET_START = re.compile(r"[-–—•·∙◦▪*]\s|[-–—•*](?=[A-Za-z])")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", type=int, default=200, help="unexplained lines listed in the report")
    args = parser.parse_args(argv)
    totals: Counter[str] = Counter()
    unexplained: list[tuple[str, str]] = []
    bulleted: list[tuple[str, str]] = []
    for name, id_field in INPUTS:
        options = ReadOptions("csv", id_field, "eligibility_criteria")
        for record in read_path(str(CTGOV / name), options):
            if not isinstance(record, InputRecord):
                totals["read errors"] += 1
                continue
            layout = segment(record.text, record.section, record.eligibility)
            totals["documents"] += 1
            totals["criteria"] += len(layout.criteria)
            totals["section lines"] += len(layout.section_lines)
            totals["documents with no criteria"] += not layout.criteria
            lost = unexplained_lines(record.text, layout)
            totals["unexplained lines"] += len(lost)
            totals["documents with unexplained lines"] += bool(lost)
            unexplained += [(record.id, record.text[s:e].strip()) for s, e in lost]
            starts = [c.text for c in layout.criteria if BULLET_START.match(c.text)]
            totals["criteria starting with a bullet"] += len(starts)
            bulleted += [(record.id, text) for text in starts]
    table = "\n".join(["| count | value |", "|---|---:|", *(f"| {key} | {value} |" for key, value in totals.items())])
    report = render_template(REPO / "eval" / "templates" / "COVERAGE.md.j2", commit=commit_label(),
                             date=dt.date.today().isoformat(), table=table, unexplained=unexplained,
                             bulleted=bulleted, limit=args.list)
    (REPO / "eval" / "COVERAGE.md").write_text(report, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
