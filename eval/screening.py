"""Screening benchmark on the registry gold: verdicts from the gold records against verdicts from extraction.

For every gold threshold, patients are generated just inside its bound, just outside it and without
the fact, in the unit as written and in another unit of its group (a ×ULN bound: the raw value with
its ULN given, and once without it); a condition's own numeric bound is met by an extra fact so that
the threshold applies. Each patient is screened once against the gold document and once against the
extracted one. Per-criterion agreement compares the verdict (holds, applicable) on the criterion that
holds the threshold with the verdict on the extracted criterion overlapping it most (same kind; none
is a disagreement); trial-level agreement compares eligible / ineligible / undetermined. Only
aggregate numbers are printed, for dev and for the test split alike (never per-trial errors).

    .venv/bin/python eval/screening.py [--out eval/SCREENING.md]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
from registry import build_gold  # noqa: E402  (eval/registry.py: the gold as the registry run builds it)

from extractor.catalogue import load_catalogue  # noqa: E402
from extractor.evaluation import load_documents, predict  # noqa: E402
from extractor.evaluation.report import render_template  # noqa: E402
from extractor.records import Criterion, Document, Threshold  # noqa: E402
from extractor.screen import Patient, screen  # noqa: E402
from extractor.screen.patient import Fact  # noqa: E402
from extractor.screen.trial import thresholds_of  # noqa: E402
from extractor.units import convert, load_units  # noqa: E402

TEMPLATE = Path(__file__).resolve().parent / "templates" / "SCREENING.md.j2"
ULN = 40.0
SPLITS = ("dev", "dev2", "dev3", "dev4", "dev5", "test")


def _step(bound: float) -> float:
    return max(abs(bound) * 0.02, 0.01)


def inside(t: Threshold) -> float:
    """A value just inside the bounds (at an inclusive bound, on it)."""
    if t.low is not None:
        value = t.low if t.low_inclusive else t.low + _step(t.low)
        return min(value, t.high) if t.high is not None else value
    assert t.high is not None
    return t.high if t.high_inclusive else t.high - _step(t.high)


def outside(t: Threshold) -> float:
    """A value just outside the lower bound, or else the upper."""
    if t.low is not None:
        return t.low - _step(t.low)
    assert t.high is not None
    return t.high + _step(t.high)


def other_unit(unit: str | None) -> str | None:
    """Another unit of the same group (months for years, /uL for 10*9/L), or None when there is none."""
    table = load_units().units
    group = table[unit].group if unit in table else None
    return next((u.code for u in table.values() if group and u.group == group and u.code != unit), None)


def raw_unit(variable: str) -> str:
    """The unit a ×ULN fact is measured in: the variable's first concrete unit in the catalogue."""
    var = load_catalogue().variables.get(variable)
    return next((u for u in (var.units or ()) if not u.startswith("{")), "U/L") if var else "U/L"


def facts_for(t: Threshold, value: float) -> list[tuple[str, Fact]]:
    """(variant, fact) for one value: as written, and in another unit (×ULN: raw with and without ULN)."""
    facts = [("as written", Fact(value, t.unit))]
    if t.unit in ("{ULN}", "{LLN}"):
        key = "uln" if t.unit == "{ULN}" else "lln"
        facts.append((f"raw with {key}", Fact(value * ULN, raw_unit(t.variable), **{key: ULN})))
        facts.append((f"raw without {key}", Fact(value * ULN, raw_unit(t.variable))))
    elif (alt := other_unit(t.unit)) is not None:
        converted = convert(value, t.unit, alt)
        if converted is not None:
            facts.append(("other unit", Fact(converted, alt)))
    return facts


def condition_facts(t: Threshold) -> dict[str, Fact]:
    """Facts that meet a (non-negated) condition's own bounds on other variables, so the threshold applies."""
    if t.condition is None or t.condition.negated:
        return {}
    return {b.variable: Fact(inside(b), b.unit) for b in t.condition.thresholds  # type: ignore[arg-type]
            if b.variable != t.variable and (b.low is not None or b.high is not None)}


def patients_for(t: Threshold) -> list[tuple[str, Patient]]:
    """(scenario, patient) for one gold threshold."""
    if t.low is None and t.high is None:
        return []
    extra = condition_facts(t)
    found = [("missing", Patient("missing", dict(extra)))]
    for scenario, value in (("inside", inside(t)), ("outside", outside(t))):
        for variant, fact in facts_for(t, value):
            found.append((f"{scenario}, {variant}", Patient(scenario, {**extra, t.variable: fact})))
    return found


def matched(gold: Criterion, predicted: list[Criterion]) -> int | None:
    """Index of the predicted criterion of the same kind overlapping ``gold`` most, or None."""
    overlap = [(min(gold.end, c.end) - max(gold.start, c.start), k) for k, c in enumerate(predicted)
               if c.kind == gold.kind]
    best = max(overlap, default=(0, None))
    return best[1] if best[0] > 0 else None


def compare(gold: Document, pred: Document, tally: Counter[str]) -> None:
    """Screen every generated patient against both documents; count agreements by scenario."""
    owned = thresholds_of(gold.criteria or [], gold.thresholds or [])
    for k, pairs in enumerate(owned):
        m = matched((gold.criteria or [])[k], pred.criteria or [])
        for _, t in pairs:
            for scenario, patient in patients_for(t):
                g, e = screen(gold, patient), screen(pred, patient)
                gv = (g.criteria[k].holds, g.criteria[k].applicable)
                ev = None if m is None else (e.criteria[m].holds, e.criteria[m].applicable)
                for key in dict.fromkeys(("all", scenario.split(",")[0], scenario)):
                    tally[f"n|{key}"] += 1
                    tally[f"criterion|{key}"] += gv == ev
                    tally[f"trial|{key}"] += g.verdict == e.verdict
                tally[f"gold verdict|{g.verdict}"] += 1


def run_split(gold_root: Path, split: str) -> Counter[str]:
    gold = load_documents(gold_root / split)
    pred = predict(gold, ("criteria", "thresholds"))
    tally: Counter[str] = Counter()
    for doc_id, doc in gold.items():
        compare(doc, pred[doc_id], tally)
    return tally


def render(tallies: dict[str, Counter[str]]) -> str:
    """``eval/SCREENING.md``: agreement per split and scenario, and the gold verdicts' counts."""
    keys = sorted({k.split("|", 1)[1] for t in tallies.values() for k in t if k.startswith("n|")},
                  key=lambda k: (k != "all", "," in k, k))
    rows = [{"split": split, "scenario": key, "patients": tally[f"n|{key}"],
             "criterion": tally[f"criterion|{key}"] / tally[f"n|{key}"], "trial": tally[f"trial|{key}"] / tally[f"n|{key}"]}
            for split, tally in tallies.items() for key in keys if tally[f"n|{key}"]]
    verdicts = {split: [(k.split("|")[1], v) for k, v in sorted(tally.items()) if k.startswith("gold verdict")]
                for split, tally in tallies.items()}
    return render_template(TEMPLATE, rows=rows, verdicts=verdicts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "SCREENING.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        build_gold(Path(tmp))
        tallies = {split: run_split(Path(tmp), split) for split in SPLITS}
    args.out.write_text(render(tallies), encoding="utf-8")
    print(render(tallies))


if __name__ == "__main__":
    main()
