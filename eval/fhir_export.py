"""FHIR export of the whole ctgov corpus: extract criteria and thresholds, export, validate each resource.

Run from the repository root: ``python eval/fhir_export.py`` (needs the ``fhir`` extra; in a worktree
prefix ``PYTHONPATH=.`` so that its code is imported). Writes
eval/FHIR.md: documents exported, resources that fail R5 validation (goal: none), and times.
"""
from __future__ import annotations

import argparse
import glob
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from extractor.evaluation.loaders import LoadError, iter_documents
from extractor.evaluation.report import render_template
from extractor.export.fhir import evidence_variable, validate_resource

CORPUS = "../shared/corpora/ctgov/*.csv"


def extract(inputs: list[str], out: Path) -> float:
    """Run ``extractor extract --layers criteria,thresholds``; seconds taken."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "extractor", "extract", "--layers", "criteria,thresholds",
                    "--id-field", "nct_id", "--text-field", "eligibility_criteria",
                    "--no-progress", "--force", "-o", str(out), *inputs], check=True)
    return time.perf_counter() - start


def export(path: Path) -> tuple[Counter[str], list[str], float]:
    """Export and validate every document; counts, error messages and seconds taken."""
    counts: Counter[str] = Counter()
    errors: list[str] = []
    start = time.perf_counter()
    for where, doc in iter_documents(path):
        if isinstance(doc, LoadError):
            errors.append(f"{where}: {doc}")
            continue
        resource = evidence_variable(doc)
        counts["documents"] += 1
        counts["characteristics"] += len(resource.get("characteristic", []))
        counts["thresholds"] += len(doc.thresholds or [])
        counts["LOINC codings"] += str(resource).count("'http://loinc.org'")
        try:
            validate_resource(resource)
        except ValueError as exc:
            errors.append(f"{where}: {str(exc).splitlines()[0]}")
    return counts, errors, time.perf_counter() - start


def report(inputs: list[str], counts: Counter[str], errors: list[str], extract_s: float, export_s: float) -> str:
    return render_template(Path(__file__).resolve().parent / "templates" / "FHIR.md.j2",
                           inputs=[Path(i).name for i in inputs], counts=counts, errors=errors,
                           extract_s=extract_s, export_s=export_s)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=Path("eval/FHIR.md"))
    args = parser.parse_args()
    inputs = sorted(glob.glob(CORPUS))
    with tempfile.TemporaryDirectory() as tmp:
        extracted = Path(tmp) / "extracted.jsonl"
        extract_s = extract(inputs, extracted)
        counts, errors, export_s = export(extracted)
    args.report.write_text(report(inputs, counts, errors, extract_s, export_s), encoding="utf-8")
    print(args.report.read_text(encoding="utf-8"))
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
