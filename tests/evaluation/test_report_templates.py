"""The report templates of ``eval/templates`` rendered with fixed values: the branches a run of today's
corpora does not reach (listed lines, a met target, validation errors), rendered as the scripts wrote them."""
from __future__ import annotations

from pathlib import Path

import pytest

from extractor.evaluation.report import render_template, report_environment

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


def note(macro: str, *values: object) -> str:
    """One note of ENTITIES.md, as ``eval/templates/entity_notes.md.j2`` writes it."""
    template = report_environment(TEMPLATES.resolve()).get_template("entity_notes.md.j2")
    return str(getattr(template.module, macro)(*values))


@pytest.mark.parametrize("macro, values, expected", [
    ("verdict", (751.0, [("strict lenient", [("transformer `a`", 76.0), ("transformer `b`", 39.4)]),
                         ("", [("spaCy `c`", 771.2)])]),
     "Against the shipped spaCy NER on the Chia test split (751 criteria per second; each other tagger's in brackets): "
     "Better in strict and lenient F1: transformer `a` (76), transformer `b` (39). Better in neither F1: spaCy `c` (771)."),
    ("verdict", (751.0, []), "No other tagger was evaluated in this run."),
    ("goal", ({"baseline": "RoBERTa", "measures": [
        {"measure": "strict", "target": 0.658, "above": ["spaCy NER", "t"], "best": "t", "best_f1": 0.7},
        {"measure": "lenient", "target": 0.798, "above": [], "best": "t", "best_f1": 0.7961}]},),
     "Strict F1: above RoBERTa's 0.658 with spaCy NER, t. Lenient F1: not above RoBERTa's 0.798; the best, t, has 0.796."),
    ("final_models", (["a", "b"],), " `a`, `b` trained on the train split's every document, its dev trials included "
     "(`--dev-fraction 0`), with the recipe chosen on dev before: all epochs run and the last step is kept, so they "
     "have no dev score."),
    ("final_models", ([],), ""),
    ("decoding", ([], {}), "No evaluated tagger has a tuned decoding."),
    ("adaptation", ({"encoders": [], "dev": [], "test": []},),
     "No evaluated model was fine-tuned from an encoder adapted by `extractor pretrain`."),
    ("adaptation", ({"encoders": [{"models": ["a"], "base": "runs/m", "criteria": 114420, "excluded_trials": 392,
                                   "steps": 3576, "of_steps": 3576}], "dev": [("a", 0.7404)],
                     "test": [("a", {"strict": 0.668, "lenient": 0.78})]},),
     "`a` is fine-tuned from `runs/m`, an encoder adapted by `extractor pretrain` (114,420 distinct criteria, 392 "
     "test-split trials left out, 3,576 of 3,576 steps; its `pretrain.json`). Mean of strict and lenient dev F1 at "
     "each model's kept checkpoint (its `tagger.json`; seed 0's was measured under per-piece decoding, above): `a` "
     "0.740. Chia test, tagger alone, strict / lenient: `a` 0.668 / 0.780."),
    ("self_training", ([{"folder": "m", "criteria": 17154, "silver": 8000, "parts": [("runs/s8", 8000)],
                         "teachers": ["runs/t"], "twice": 0}],),
     "`m` trained on 17,154 criteria, 8,000 of them silver from `runs/s8`, tagged by `runs/t`. Silver criteria are "
     "drawn at random from ClinicalTrials.gov texts with the trials of the Chia splits and of LCT test left out "
     "(`extractor pseudolabel`); they train but never become dev, so checkpoints are still chosen on gold."),
    ("self_training", ([],), "No evaluated model was trained on silver documents."),
    ("dev_check", ([], None, 0, 0.1), "Not run (give `--chia-train`)."),
    ("dev_check", ([], "runs/t", 148, 0.1), "Chia dev (148 documents of `runs/t`, 10 % of its trials by CRC32 of the "
     "NCT id, which every model below held out), tagger alone, strict / lenient: no such model."),
])
def test_entity_notes(macro: str, values: tuple[object, ...], expected: str) -> None:
    assert note(macro, *values) == expected


def test_entity_notes_name_three_silver_folders_and_the_repeats() -> None:
    model = {"folder": "chia_ner", "criteria": 73154, "silver": 64000, "twice": 1503, "teachers": ["runs/e4"],
             "parts": [("runs/silver8k", 8000), ("runs/silver16k", 16000), ("runs/silver40k", 40000)]}
    assert note("self_training", [model]).startswith(
        "`chia_ner` trained on 73,154 criteria, 64,000 of them silver from `runs/silver8k` (8,000), `runs/silver16k` "
        "(16,000) and `runs/silver40k` (40,000), tagged by `runs/e4`; 1,503 of the silver criteria were drawn twice. ")


def test_entity_notes_decoding_with_and_without_an_untuned_twin() -> None:
    pair = {"strict": 0.687, "lenient": 0.807}
    tuned = [{"folder": "a_tuned", "weight": 0.35, "confidence": 0.65, "before": pair, "after": pair, "twin": "t `a`",
              "untuned": pair, "test": pair},
             {"folder": "b_tuned", "weight": 0.5, "confidence": 0.5, "before": pair, "after": pair, "twin": None,
              "untuned": None, "test": pair}]
    text = note("decoding", tuned, {"weights": (0, 0.5), "confidences": (0.3, 0.7)})
    assert "(grid: transition weight 0 to 0.5, minimum confidence none or 0.3 to 0.7;" in text
    assert text.endswith(" and test, tagger alone: `a_tuned`: transition weight 0.35, minimum confidence 0.65; dev "
                         "0.687 / 0.807 → 0.687 / 0.807; Chia test 0.687 / 0.807 (t `a`, the same models untuned) → "
                         "0.687 / 0.807. `b_tuned`: transition weight 0.5, minimum confidence 0.5; dev 0.687 / 0.807 → "
                         "0.687 / 0.807.")
