"""Build the reconciled gold annotations of the five seed pages.

The gold is written down here as surface strings, never as typed offsets: every offset is
found by searching the seed text and asserted, so a span cannot silently drift from its
text. The spec is the reconciliation of two independent annotation passes (see
GUIDELINES.md for the rules it follows and AGREEMENT.md for how the passes compared).

Run from the repository root:  .venv/bin/python annotations/reconcile.py
It reads examples/<seed>.txt and (re)writes annotations/<seed>.json.
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractor.catalogue import load_catalogue
from extractor.records import Document
from extractor.units import load_units
from extractor.validate import check_document

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples"
OUT = ROOT / "annotations"

C, D, P, M, O, PE, V, T, N = ("condition", "drug", "procedure", "measurement", "observation",
                              "person", "value", "temporal", "negation")
# A bullet / numbering prefix that may precede a criterion on its line ("  • ", "- • 12. ").
BULLET_PREFIX = re.compile(r"[\s\-•*]*(?:\d+\.\s*)?")


@dataclass(frozen=True)
class Ent:
    """An entity by surface; found left to right inside its criterion."""

    surface: str
    label: str
    negated: bool = False


@dataclass(frozen=True)
class Thr:
    """A threshold by the surface of its span (unique inside its criterion)."""

    variable: str
    surface: str
    low: float | None
    low_inclusive: bool | None
    high: float | None
    high_inclusive: bool | None
    unit: str | None


@dataclass(frozen=True)
class Crit:
    """A criterion from the first characters `start` to the last characters `end`
    (`end` empty: `start` is the whole span); `after` moves the search cursor first."""

    kind: str
    start: str
    end: str = ""
    after: str = ""
    ents: tuple[Ent, ...] = ()
    thrs: tuple[Thr, ...] = ()


@dataclass(frozen=True)
class DocSpec:
    """One seed page: its id (the page's own NCT id when it names one) and criteria."""

    id: str
    anchor: str = ""
    crits: tuple[Crit, ...] = ()


def uln(variable: str, surface: str, inclusive: bool) -> Thr:
    """'… 1.5 times (the) normal …' as a one-sided multiple of the upper limit of normal."""
    return Thr(variable, surface, 1.5, inclusive, None, None, "{ULN}")


SPECS: dict[str, DocSpec] = {
    # CABRIO page of the Princess Máxima Center: no NCT id; "Who can enter" list = inclusion.
    "000_c1c6e084e10c328d": DocSpec("000_c1c6e084e10c328d", "Who can enter", (
        Crit("inclusion", "Children and young adults up to 25 years old treated with CAR T therapy "
                          "in the Princess Máxima Center",
             ents=(Ent("Children", PE), Ent("young adults", PE), Ent("up to 25 years old", V),
                   Ent("CAR T therapy", P)),
             thrs=(Thr("age", "Children and young adults up to 25 years old", None, None, 25, True, "a"),)),
        Crit("inclusion", "Children that received CAR T therapy in another hospital and come to the "
                          "Maxima for follow-up can also enter",
             ents=(Ent("Children", PE), Ent("CAR T therapy", P))),
        Crit("inclusion", "The research focuses on the first year after CAR T-cell therapy",
             ents=(Ent("first year", T), Ent("CAR T-cell therapy", P))),
    )),
    # Plain-language summary naming its study ("NCT ID NCT04787263"); no eligibility section.
    "001_77236224bd72c819": DocSpec("NCT04787263"),
    "002_a63e54a76087ac3e": DocSpec("NCT04325841", "Inclusion Criteria:", (
        Crit("inclusion", "Patients who were diagnosed as primary refractory or relapsed B-ALL.",
             end="(>95% CD19 positive);",
             ents=(Ent("B-ALL", C), Ent("ALL", C), Ent("morphological evaluation", P),
                   Ent("immunophenotype analysis", P), Ent("flow cytometry", P), Ent("FCM", P),
                   Ent("cytogenetic analysis", P), Ent("G-banding karyotype analysis", P),
                   Ent("leukemia-related fusion genes", M),
                   Ent("multiplex nested reverse transcriptase-polymerase chain reaction", P),
                   Ent("RT-PCR", P), Ent("fusion genes", M), Ent("real-time PCR", P),
                   Ent("Extramedullary diseases", C), Ent("EMDs", C), Ent("CD19+", M), Ent("FCM", P),
                   Ent("positron emission tomography/computed tomography", P), Ent("PET/CT", P),
                   Ent("CT", P), Ent("MRI", P), Ent("ultrasonography", P),
                   Ent("relapsed", C), Ent("chemotherapy", P), Ent("re-induction chemotherapy", P),
                   Ent("first and second-generation TKIs", D), Ent("relapse", C),
                   Ent("positive", V), Ent("minimal residual disease", M), Ent("MRD", M),
                   Ent("for three months", T), Ent("positive", V),
                   Ent("CD19 expression on leukemia blasts", M), Ent("FCM", P),
                   Ent(">95%", V), Ent("CD19 positive", M)),
             thrs=(Thr("cd19_positive", ">95% CD19 positive", 95, False, None, None, "%"),)),
        Crit("inclusion", "Age from 0 to 18 years old;",
             ents=(Ent("Age", PE), Ent("from 0 to 18 years old", V)),
             thrs=(Thr("age", "Age from 0 to 18 years old", 0, True, 18, True, "a"),)),
        Crit("inclusion", "Children candidates can be recruited after the legal guardian or patient "
                          "advocate has signed the treatment consent form and voluntary consent form;",
             ents=(Ent("Children", PE),)),
        Crit("exclusion", "Intracranial hypertension or unconscious;", after="Exclusion Criteria:",
             ents=(Ent("Intracranial hypertension", C), Ent("unconscious", C))),
        Crit("exclusion", "Acute heart failure or severe arrhythmia;",
             ents=(Ent("Acute heart failure", C), Ent("arrhythmia", C))),
        Crit("exclusion", "Acute respiratory failure;", ents=(Ent("Acute respiratory failure", C),)),
        Crit("exclusion", "Other types of malignant tumors;", ents=(Ent("malignant tumors", C),)),
        Crit("exclusion", "Diffuse intravascular coagulation;",
             ents=(Ent("Diffuse intravascular coagulation", C),)),
        Crit("exclusion", "Serum creatinine and/or blood urea nitrogen over 1.5 times than normal range;",
             ents=(Ent("Serum creatinine", M), Ent("blood urea nitrogen", M),
                   Ent("over 1.5 times than normal range", V)),
             thrs=(uln("creatinine", "Serum creatinine and/or blood urea nitrogen over 1.5 times than "
                                     "normal range", False),
                   uln("bun", "blood urea nitrogen over 1.5 times than normal range", False))),
        Crit("exclusion", "Sepsis or other uncontrolled infection;",
             ents=(Ent("Sepsis", C), Ent("infection", C))),
        Crit("exclusion", "Uncontrolled diabetes mellitus;", ents=(Ent("diabetes mellitus", C),)),
        Crit("exclusion", "Severe psychological disorder;", ents=(Ent("psychological disorder", C),)),
        Crit("exclusion", "Obvious cranial lesions with cranial MRI;",
             ents=(Ent("cranial lesions", C), Ent("cranial MRI", P))),
        Crit("exclusion", "More than 20 counts/ul leukemic cells in cerebrospinal fluid;",
             ents=(Ent("More than 20 counts/ul", V), Ent("leukemic cells in cerebrospinal fluid", M)),
             thrs=(Thr("blasts_csf", "More than 20 counts/ul leukemic cells in cerebrospinal fluid",
                       20, False, None, None, "/uL"),)),
        Crit("exclusion", "More than 30% leukemic cells in the blood;",
             ents=(Ent("More than 30%", V), Ent("leukemic cells in the blood", M)),
             thrs=(Thr("blasts_blood", "More than 30% leukemic cells in the blood",
                       30, False, None, None, "%"),)),
        Crit("exclusion", "Stage III WHO/ECOG score;",
             ents=(Ent("Stage III", V), Ent("WHO/ECOG score", M)),
             thrs=(Thr("ecog", "Stage III WHO/ECOG score", 3, True, 3, True, None),)),
        Crit("exclusion", "Organ recipients;", ents=(Ent("Organ recipients", P),)),
        Crit("exclusion", "Pregnant or breastfeeding;", ents=(Ent("Pregnant", PE), Ent("breastfeeding", PE))),
        Crit("exclusion", "Active, uncontrolled infection, including hepatitis B, hepatitis C or human "
                          "immunodeficiency virus (HIV);",
             ents=(Ent("infection", C), Ent("hepatitis B", C), Ent("hepatitis C", C),
                   Ent("human immunodeficiency virus", C), Ent("HIV", C))),
    )),
    # ClinConnect page of the Beijing GoBroad CIK trial: no NCT id anywhere on the page.
    "003_942a271a7edc3373": DocSpec("003_942a271a7edc3373", "Eligibility criteria", (
        Crit("inclusion", "A confirmed diagnosis of refractory or relapsed B-ALL (criteria reference: NCCN, 2024.4)",
             end="as well as cytogenetic and clinical risk groups.",
             ents=(Ent("B-ALL", C), Ent("acute lymphoblastic leukemia", C),
                   Ent("hematopathological examination", P), Ent("bone marrow aspirate", P),
                   Ent("biopsy tissue", P), Ent("≥20%", V), Ent("lymphoblasts in the bone marrow", M),
                   Ent("flow cytometry", P), Ent("FCM", P), Ent("immunotyping", P),
                   Ent("minimal residual disease analysis", P),
                   Ent("G-banded metaphase chromosome karyotype analysis", P),
                   Ent("interphase fluorescence in situ hybridization", P), Ent("FISH", P),
                   Ent("reverse transcription polymerase chain reaction", P), Ent("RT-PCR", P),
                   Ent("next-generation sequencing", P), Ent("NGS", P),
                   Ent("fusion genes", M), Ent("pathogenic mutations", M),
                   Ent("acute lymphoblastic leukemia", C)),
             thrs=(Thr("blasts_marrow", "≥20% lymphoblasts in the bone marrow", 20, True, None, None, "%"),)),
        Crit("inclusion", "Loss of CAR-T cell activity within 6 months after previous CAR-T therapy and no relapse.",
             ents=(Ent("Loss of CAR-T cell activity", C), Ent("within 6 months", T), Ent("previous", T),
                   Ent("CAR-T therapy", P), Ent("no", N), Ent("relapse", C, negated=True))),
        Crit("inclusion", "Age between 1 and 39 years old.",
             ents=(Ent("Age", PE), Ent("between 1 and 39 years old", V)),
             thrs=(Thr("age", "Age between 1 and 39 years old", 1, True, 39, True, "a"),)),
        Crit("inclusion", "No severe allergic constitution.",
             ents=(Ent("No", N), Ent("allergic constitution", C, negated=True))),
        Crit("inclusion", "Eastern Cooperative Oncology Group (ECOG) performance status score of 0-2.",
             ents=(Ent("Eastern Cooperative Oncology Group (ECOG) performance status score", M), Ent("0-2", V)),
             thrs=(Thr("ecog", "Eastern Cooperative Oncology Group (ECOG) performance status score of 0-2",
                       0, True, 2, True, None),)),
        Crit("inclusion", "Life expectancy, as judged by the investigator, of at least 60 days.",
             ents=(Ent("Life expectancy", O), Ent("at least 60 days", V)),
             thrs=(Thr("life_expectancy", "Life expectancy, as judged by the investigator, of at least 60 days",
                       60, True, None, None, "d"),)),
        # Consent rule: the ages only delimit who signs (patient or guardian) -> no age threshold.
        Crit("inclusion", "Patients with self-awareness between 8 and 39 years of age voluntarily sign",
             end="under 18 years of age voluntarily signs an informed consent.",
             ents=(Ent("self-awareness", O), Ent("between 8 and 39 years of age", V),
                   Ent("child", PE), Ent("under 18 years of age", V))),
        Crit("exclusion", "Received bendamustine treatment within the past 9 months;", after="Exclusion Criteria:",
             ents=(Ent("bendamustine", D), Ent("within the past 9 months", T))),
        Crit("exclusion", "Intracranial hypertension or impaired consciousness in the brain;",
             ents=(Ent("Intracranial hypertension", C), Ent("impaired consciousness", C))),
        Crit("exclusion", "Symptomatic heart failure or severe arrhythmia;",
             ents=(Ent("heart failure", C), Ent("arrhythmia", C))),
        Crit("exclusion", "Symptoms of severe respiratory failure;", ents=(Ent("respiratory failure", C),)),
        Crit("exclusion", "With other types of malignant tumors;", ents=(Ent("malignant tumors", C),)),
        Crit("exclusion", "Disseminated intravascular coagulation;",
             ents=(Ent("Disseminated intravascular coagulation", C),)),
        Crit("exclusion", "Serum creatinine and/or blood urea nitrogen ≥ 1.5 times the normal value;",
             ents=(Ent("Serum creatinine", M), Ent("blood urea nitrogen", M),
                   Ent("≥ 1.5 times the normal value", V)),
             thrs=(uln("creatinine", "Serum creatinine and/or blood urea nitrogen ≥ 1.5 times the normal value",
                       True),
                   uln("bun", "blood urea nitrogen ≥ 1.5 times the normal value", True))),
        Crit("exclusion", "Suffering from sepsis or other uncontrollable infections;",
             ents=(Ent("sepsis", C), Ent("infections", C))),
        Crit("exclusion", "Uncontrollable diabetes;", ents=(Ent("diabetes", C),)),
        Crit("exclusion", "Severe mental disorders;", ents=(Ent("mental disorders", C),)),
        Crit("exclusion", "Significant lesions in the brain as detected by head magnetic resonance imaging;",
             ents=(Ent("lesions in the brain", C), Ent("head magnetic resonance imaging", P))),
        Crit("exclusion", "Leukemic cells in the cerebrospinal fluid \\>20 cells/μL;",
             ents=(Ent("Leukemic cells in the cerebrospinal fluid", M), Ent("\\>20 cells/μL", V)),
             thrs=(Thr("blasts_csf", "Leukemic cells in the cerebrospinal fluid \\>20 cells/μL",
                       20, False, None, None, "/uL"),)),
        Crit("exclusion", "Peripheral blood leukemic cell proportion \\>30%;",
             ents=(Ent("Peripheral blood leukemic cell proportion", M), Ent("\\>30%", V)),
             thrs=(Thr("blasts_blood", "Peripheral blood leukemic cell proportion \\>30%",
                       30, False, None, None, "%"),)),
        Crit("exclusion", "Have undergone organ transplantation;", ents=(Ent("organ transplantation", P),)),
        Crit("exclusion", "Female patients (those with childbearing potential) are pregnant or lactating;",
             ents=(Ent("Female", PE), Ent("childbearing potential", PE), Ent("pregnant", PE),
                   Ent("lactating", PE))),
        Crit("exclusion", "Active or uncontrollable infectious diseases, such as hepatitis (HBV, HCV), HIV, or syphilis.",
             ents=(Ent("infectious diseases", C), Ent("hepatitis", C), Ent("HBV", C), Ent("HCV", C),
                   Ent("HIV", C), Ent("syphilis", C))),
    )),
    # Review article: statements about an approved product, no study eligibility.
    "004_3545e069e36368bf": DocSpec("004_3545e069e36368bf"),
}


def find(text: str, surface: str, lo: int, hi: int, what: str) -> int:
    """Offset of `surface` in text[lo:hi]; fails loudly with what was looked for."""
    at = text.find(surface, lo, hi)
    if at < 0:
        raise AssertionError(f"{what} not found: {surface!r}")
    return at


def build_criterion(text: str, crit: Crit, cursor: int) -> tuple[dict[str, Any], list[dict[str, Any]],
                                                                 list[dict[str, Any]]]:
    """Offsets of one criterion, its entities (in order) and thresholds (unique surfaces)."""
    if crit.after:
        cursor = find(text, crit.after, cursor, len(text), "anchor")
    start = find(text, crit.start, cursor, len(text), "criterion start")
    end = (find(text, crit.end, start, len(text), "criterion end") + len(crit.end)) if crit.end \
        else start + len(crit.start)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    assert BULLET_PREFIX.fullmatch(text[line_start:start]), f"not a whole item: {text[line_start:start]!r}"
    assert not text[end:line_end].strip(), f"criterion stops mid-line: {text[end:line_end]!r}"
    ents, pos = [], start
    for ent in crit.ents:
        at = find(text, ent.surface, pos, end, f"entity in {crit.start[:40]!r}")
        pos = at + len(ent.surface)
        ents.append({"start": at, "end": pos, "label": ent.label, "negated": ent.negated})
    thrs = []
    for thr in crit.thrs:
        at = find(text, thr.surface, start, end, "threshold span")
        assert text.find(thr.surface, at + 1, end) < 0, f"ambiguous threshold span {thr.surface!r}"
        assert (thr.low is None) == (thr.low_inclusive is None)
        assert (thr.high is None) == (thr.high_inclusive is None)
        thrs.append({"start": at, "end": at + len(thr.surface), "variable": thr.variable,
                     "low": thr.low, "low_inclusive": thr.low_inclusive, "high": thr.high,
                     "high_inclusive": thr.high_inclusive, "unit": thr.unit})
    return {"start": start, "end": end, "kind": crit.kind}, ents, thrs


def check(doc: dict[str, Any]) -> None:
    """The format's rules (the project's validator) plus the guidelines' own policies."""
    problems = list(check_document(Document.from_dict(doc), load_catalogue().variables, load_units().units))
    assert not problems, f"{doc['id']}: {problems}"
    ents = sorted(doc["entities"], key=lambda e: (e["start"], e["end"]))
    for a, b in zip(ents, ents[1:]):
        assert a["end"] <= b["start"], f"{doc['id']}: overlapping entities {a} {b}"
    assert all(e["negated"] is False for e in ents if e["label"] == N)


def build(stem: str, spec: DocSpec) -> dict[str, Any]:
    """The gold document of one seed page."""
    with open(SEEDS / f"{stem}.txt", encoding="utf-8", newline="") as fh:  # byte-exact offsets
        text = fh.read()
    cursor = find(text, spec.anchor, 0, len(text), "section anchor") if spec.anchor else 0
    crits, ents, thrs = [], [], []
    for crit in spec.crits:
        c, e, t = build_criterion(text, crit, cursor)
        crits.append(c)
        ents += e
        thrs += t
        cursor = c["end"]
    doc = {"id": spec.id, "source": f"seeds/{stem}.txt", "text": text, "criteria": crits,
           "entities": sorted(ents, key=lambda e: (e["start"], e["end"])), "thresholds": thrs}
    check(doc)
    return doc


def main() -> int:
    for stem, spec in SPECS.items():
        doc = build(stem, spec)
        (OUT / f"{stem}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n",
                                          encoding="utf-8")
        labels = Counter(e["label"] for e in doc["entities"])
        print(f"{stem} {doc['id']}: criteria {len(doc['criteria'])} entities {len(doc['entities'])} "
              f"thresholds {len(doc['thresholds'])} {dict(sorted(labels.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
