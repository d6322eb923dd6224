"""The report templates of ``eval/templates`` rendered with fixed values: the branches a run of today's
corpora does not reach (listed lines, a met target, validation errors), rendered as the scripts wrote them."""
from __future__ import annotations

from pathlib import Path

import pytest

from extractor.evaluation.report import render_template

TEMPLATES = Path(__file__).resolve().parents[2] / "eval" / "templates"


def test_coverage_lists_lines_and_says_none() -> None:
    text = render_template(TEMPLATES / "COVERAGE.md.j2", commit="abc", date="2026-01-01", table="| t |",
                           unexplained=[("NCT1", "a 'line'"), ("NCT2", "x" * 200)], bulleted=[], limit=1)
    assert text.endswith("| t |\n\n## Unexplained lines (2; first 1)\n\n- `NCT1`: \"a 'line'\"\n\n"
                         "## Criteria starting with a bullet (0; first 0)\n\nnone\n")


@pytest.mark.parametrize("criterion, said", [(0.96, "is not met. The engine"), (0.97, "is met on every split.")])
def test_screening_target_follows_the_numbers(criterion: float, said: str) -> None:
    rows = [{"split": "dev", "scenario": "all", "patients": 10, "criterion": criterion, "trial": 1.0}]
    text = render_template(TEMPLATES / "SCREENING.md.j2", rows=rows, verdicts={"dev": [("eligible", 3), ("ineligible", 7)]})
    assert "| dev | all | 10 | " + f"{criterion:.3f} | 1.000 |" in text
    assert f"(per-criterion agreement ≥ 0.97) {said}" in text
    assert text.endswith("pairs:\n\n- dev: eligible 3, ineligible 7\n")


def test_fhir_lists_errors() -> None:
    text = render_template(TEMPLATES / "FHIR.md.j2", inputs=["a.csv"], counts={"documents": 2},
                           errors=["1: bad"], extract_s=2.0, export_s=1.0)
    assert "| validation errors | 1 |\n" in text
    assert text.endswith("| export + validation / extract | 0.500 |\n\n## Errors (first 20)\n\n- 1: bad\n")


def test_report_without_published_results_or_errors_ends_at_the_tables() -> None:
    text = render_template(TEMPLATES / "report.md.j2", name="seeds", command="python eval/run.py seeds --pred p",
                           commit="abc", date="d", pred="p", model="m", backend="b", layers=["criteria"],
                           seconds=1.25, documents=3, conversion=None, tables="## This project", published=[],
                           errors="")
    assert "scored: predictions from p; layers scored: criteria; wall time 1.2 s for 3 documents.\n\n" in text
    assert text.endswith("\n\n## This project\n")
