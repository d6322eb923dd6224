"""The registry gold run of ``eval/run.py registry``: dev and test, registry field and page variant.

The gold is built on the fly from the reconciled specs in ``annotations/registry`` and the texts in
``../shared/corpora/ctgov`` (never copied into the repository). The pipeline runs once per variant;
subsets (layouts) are scored from the same predictions. Errors are listed for the dev split only: the
test split is report-only, and reading its errors to change a rule would spoil it.
"""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

from extractor.evaluation import build_report, load_documents, predict, render_errors, render_markdown, score
from extractor.evaluation.report import fmt_score, report_field
from extractor.records import Document

REPO = Path(__file__).resolve().parents[1]
REGISTRY = REPO / "annotations" / "registry"
LAYERS = ("criteria", "thresholds")
VARIANTS = ("dev", "dev_page", "dev2", "dev2_page", "dev3", "dev3_page", "dev4", "dev4_page", "dev5", "dev5_page",
            "test", "test_page")
#: Report names in the order the summary lists them.
TITLES = {"test": "test, registry field", "test_page": "test, page variant",
          "dev": "dev, registry field", "dev_page": "dev, page variant",
          "dev2": "dev2, registry field", "dev2_page": "dev2, page variant",
          "dev3": "dev3, registry field", "dev3_page": "dev3, page variant",
          "dev4": "dev4, registry field", "dev4_page": "dev4, page variant",
          "dev5": "dev5, registry field", "dev5_page": "dev5, page variant",
          "test_legacy": "test, registry field, legacy XML layout",
          "test_api": "test, registry field, API layout (the leukaemia trials)",
          "test_lower": "test, registry field, lower-cased", "test_upper": "test, registry field, upper-cased"}
#: Summary columns: (heading, report path).
COLUMNS = (("criteria exact F1", "criteria.exact.f1"), ("thresholds full F1", "thresholds.full.f1"),
           ("variable F1", "thresholds.variable.f1"), ("any_of links F1", "logic.any_of.f1"),
           ("alternatives links F1", "logic.alternatives.f1"), ("section accuracy", "logic.section.accuracy"),
           ("condition accuracy", "logic.condition.accuracy"))


def build_gold(out: Path) -> None:
    sys.path.insert(0, str(REGISTRY))
    from build import write_gold  # annotations/registry/build.py: offline tooling, not the library

    write_gold(out)


def source_of(doc: Document) -> str:
    return "leukemia_trials.csv" if "leukemia_trials.csv" in (doc.source or "") else "registry_sample.csv"


def recased(text: str, casing: str) -> str:
    """``text`` in one casing, character for character (a character whose other case is longer stays), so
    that the gold's offsets hold."""
    change = str.lower if casing == "lower" else str.upper
    return "".join(c2 if len(c2 := change(c)) == 1 else c for c in text)


def recased_document(doc: Document, casing: str) -> Document:
    """The gold document with its text, and the headings its criteria carry as ``section``, in one casing."""
    criteria = [dataclasses.replace(c, text=recased(c.text, casing),
                                    section=None if c.section is None else recased(c.section, casing))
                for c in doc.criteria or []]
    return dataclasses.replace(doc, text=recased(doc.text, casing), criteria=criteria)


def run_registry(gold_root: Path) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Reports by name (the four variants and the test split's layout subsets), and dev error listings."""
    reports: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    for variant in (v for v in VARIANTS if (gold_root / v).is_dir()):
        gold = load_documents(gold_root / variant)
        pred = predict(gold, LAYERS)
        evaluation = score(gold, pred)
        reports[variant] = build_report(evaluation)
        if variant.startswith("dev"):
            errors[variant] = render_errors(evaluation.errors, 10_000)
        if variant == "test":
            for name, source in (("test_legacy", "registry_sample.csv"), ("test_api", "leukemia_trials.csv")):
                ids = [i for i, doc in gold.items() if source_of(doc) == source]
                reports[name] = build_report(score({i: gold[i] for i in ids}, pred))
            for casing in ("lower", "upper"):
                cased = {i: recased_document(doc, casing) for i, doc in gold.items()}
                reports[f"test_{casing}"] = build_report(score(cased, predict(cased, LAYERS)))
    return reports, errors


def registry_values(reports: dict[str, dict[str, Any]], errors: dict[str, str]) -> dict[str, Any]:
    """What ``eval/templates/registry.md.j2`` shows: the summary table, the test and dev tables (per
    variable), the dev error listings."""
    lines = ["| gold | documents | " + " | ".join(h for h, _ in COLUMNS) + " |",
             "|---|---:|" + "---:|" * len(COLUMNS)]
    for name in sorted(reports, key=list(TITLES).index):
        report = reports[name]
        lines.append(f"| {TITLES[name]} | {report['documents']} | "
                     + " | ".join(fmt_score(report_field(report, path)) for _, path in COLUMNS) + " |")
    sections = [render_markdown(reports[name], TITLES[name]).rstrip() for name in ("test", "test_page", "dev", "dev_page")]
    return {"summary": "\n".join(lines), "sections": sections,
            "errors": [(TITLES[name], listing.rstrip()) for name, listing in errors.items()]}
