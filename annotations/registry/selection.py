"""Choose the 120 registry trials of the registry gold, by a seeded, documented rule.

Run from the repository root (reads ``../shared/corpora/ctgov``, writes ``selection.csv`` here):

    .venv/bin/python annotations/registry/selection.py [--texts DIR]

The rule, in full (nothing else decides which trial is chosen or where it goes):
1. 80 trials from ``registry_sample.csv`` (legacy XML layout) that are not in ``leukemia_trials.csv``:
   each trial gets one therapeutic area, the first of ``AREAS`` whose rule matches (healthy volunteers
   and paediatric trials first, since they cut across diseases); ``QUOTA`` trials per area.
2. 40 trials from ``leukemia_trials.csv`` (API single-newline layout): 20 whose minimum age is under
   18 years and 20 of the others.
3. Within a stratum (an area, or a leukaemia age group) trials are taken in the order of
   ``sha256(SEED:nct_id)``, cycling over the phase bins of ``PHASE_BINS`` so that phases are mixed
   (the leukaemia CSV has no phase: one bin). Nothing filters on length, so texts of every length come.
4. Split (systematic sampling of the stratified list): the 120 are listed stratum after stratum, in the
   order of ``QUOTA`` then ``LEUKEMIA_QUOTA``, each stratum in the order it was taken; every third from
   the first is **dev** (40, about a third of every stratum), the others **test** (80). Dev may be tuned
   on and read freely; test is report-only.

5. A second draw (**dev2**, 30 trials, drawn on 2026-12-03 after the rules had been tuned on dev): from
   each stratum, after the trials of the first draw, the next ``DEV2_QUOTA`` trials by the same ordering.
   Its first score is an estimate on text no rule was tuned on; after that it is dev, read freely.
6. Later draws (**dev3**, **dev4**, **dev5**, 30 trials each, the same day, each made before any rule
   was tuned on the draw before it): the next ``DEV3_QUOTA`` trials of each stratum after those of the
   draws before, by the same ordering.
7. **dev6** (30 trials, drawn on 2026-12-04 after rules had been tuned on dev5): the next ``DEV3_QUOTA``
   trials of each stratum after those of dev5, by the same ordering.

No text is read by a rule except the paediatric one (age bounds and age-group words in the text).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CTGOV = HERE.parents[2] / "shared" / "corpora" / "ctgov"
SEED = "registry-gold-2026"

#: (area, regex on the lower-cased conditions list), first match wins; paediatric is decided on the text.
AREAS: tuple[tuple[str, str], ...] = (
    ("healthy volunteers", r"^\['healthy|healthy (?:volunteers?|subjects?|adults?)|^\['volunteers?"),
    ("paediatric", ""),
    ("oncology", r"cancer|carcinom|tumou?r|neoplas|lymphom|leuka?emi|myelom|melanom|sarcom|gliom|glioblastom"
                 r"|myelodysplas|blastom|malignan|metasta|mesotheliom"
                 r"|myelofibros|polycyth|myeloprolif|thrombocyth"),
    ("cardiovascular", r"heart|cardi|coronary|hypertension|atrial|myocard|stroke|vascular|thrombos|embol"
                       r"|atheroscl|angina|arrhythm|aneurysm|hypercholesterol|dyslipid|hyperlipid"),
    ("metabolic / endocrine", r"diabet|obes|metabolic|thyroid|insulin|glucose|overweight|lipodystroph"
                              r"|osteopor|growth hormone|vitamin d|hypogonad|menopaus"),
    ("infectious", r"hiv|hepatitis|influenza|infect|bacter|viral|virus|malaria|tuberculos|sepsis|pneumonia"
                   r"|vaccin|covid|herpes|fung|candid|papilloma|cytomegalo"),
    ("neurology / psychiatry", r"depress|schizo|alzheimer|parkinson|multiple sclerosis|epilep|seizure|migraine|bipolar"
                               r"|anxiety|autis|attention deficit|adhd|dementia|insomnia|pain|neuropath"
                               r"|alcohol|smoking|nicotine|opioid|cocaine|substance|psych|cognit|restless legs|headache"),
    ("respiratory", r"asthma|pulmonary|copd|lung|bronch|cystic fibrosis|respirat|rhinitis|emphysema"),
    ("renal / transplant / urology", r"kidney|renal|transplant|dialysis|nephr|bladder|urinar|prostat"
                                     r"|incontinen|graft"),
    ("immunology / dermatology", r"arthritis|psoria|lupus|dermatit|eczema|urticaria|spondyl|crohn|colitis"
                                 r"|inflammatory bowel|allerg|vasculitis|sjogren|scleroderma|acne|alopecia"),
    ("other", r"."),
)
QUOTA: dict[str, int] = {
    "healthy volunteers": 8, "paediatric": 7, "oncology": 10, "cardiovascular": 8,
    "metabolic / endocrine": 8, "infectious": 8, "neurology / psychiatry": 8, "respiratory": 7,
    "renal / transplant / urology": 6, "immunology / dermatology": 5, "other": 5,
}
LEUKEMIA_QUOTA = {"leukaemia, minimum age under 18": 20, "leukaemia, adult": 20}
#: The second draw: two trials per area, four per leukaemia age group.
DEV2_QUOTA = {**{area: 2 for area in QUOTA}, **{name: 4 for name in LEUKEMIA_QUOTA}}
DEV3_QUOTA = DEV2_QUOTA
PHASE_BINS = {"early phase 1": "1", "phase 1": "1", "phase 1/phase 2": "2", "phase 2": "2",
              "phase 2/phase 3": "3", "phase 3": "3", "phase 4": "4"}

#: Paediatric: an age bound that only children meet, or age-group words used at least twice.
_CHILD_WORDS = re.compile(r"\b(?:child|children|paediatric|pediatric|infants?|neonates?|newborns?|"
                          r"adolescents?|toddlers?|boys|girls)\b", re.I)
_CHILD_AGES = re.compile(r"\b(?:aged?|ages)\s+(?:between\s+|from\s+)?(\d+)\s*(?:months?|years?)?\s*"
                         r"(?:to|-|–|and|through)\s*(\d+)\s*(?:years?|months?)", re.I)
_UNDER = re.compile(r"\b(?:under|younger than|less than|<|≤)\s*(\d+)\s*years", re.I)


@dataclass(frozen=True)
class Trial:
    nct_id: str
    source: str
    stratum: str
    phase: str
    minimum_age: str
    length: int
    text: str


def digest(nct_id: str) -> str:
    return hashlib.sha256(f"{SEED}:{nct_id}".encode()).hexdigest()


def is_paediatric(text: str) -> bool:
    ages = [(int(a), int(b)) for a, b in _CHILD_AGES.findall(text)]
    if any(high <= 17 or low < 12 for low, high in ages):
        return True
    if any(int(n) <= 18 for n in _UNDER.findall(text)):
        return True
    return len(_CHILD_WORDS.findall(text)) >= 2


def area_of(conditions: str, text: str) -> str:
    conditions = conditions.lower()
    for area, rule in AREAS:
        if area == "paediatric":
            if is_paediatric(text):
                return area
        elif re.search(rule, conditions):
            return area
    raise AssertionError("the last area matches everything")


def read_csv(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def take(trials: list[Trial], quota: int, skip: int = 0) -> list[Trial]:
    """``quota`` trials in hash order, cycling over the phase bins so that phases mix, after the first ``skip``."""
    by_bin: dict[str, list[Trial]] = defaultdict(list)
    for t in sorted(trials, key=lambda t: digest(t.nct_id)):
        by_bin[PHASE_BINS.get(t.phase, "-")].append(t)
    chosen: list[Trial] = []
    while len(chosen) < skip + quota and any(by_bin.values()):
        for key in sorted(by_bin):
            if by_bin[key] and len(chosen) < skip + quota:
                chosen.append(by_bin[key].pop(0))
    if len(chosen) < skip + quota:
        raise SystemExit(f"stratum too small for its quota {quota}")
    return chosen[skip:]


def select(ctgov: Path = CTGOV) -> list[tuple[Trial, str]]:
    """The 270 trials with their split, in the order of the rule (see the module docstring)."""
    leukemia_rows = read_csv(ctgov / "leukemia_trials.csv")
    leukemia_ids = {row["#nct_id"] for row in leukemia_rows}
    strata: dict[str, list[Trial]] = defaultdict(list)
    for row in read_csv(ctgov / "registry_sample.csv"):
        if row["nct_id"] in leukemia_ids:
            continue
        text = row["eligibility_criteria"]
        strata[area_of(row["conditions"], text)].append(
            Trial(row["nct_id"], "registry_sample.csv", "", row["phase"], "", len(text), text))
    for row in leukemia_rows:
        young = row["minimum_age"].strip() != "" and float(row["minimum_age"]) < 18
        name = "leukaemia, minimum age under 18" if young else "leukaemia, adult"
        text = row["eligibility_criteria"]
        strata[name].append(Trial(row["#nct_id"], "leukemia_trials.csv", "", "", row["minimum_age"], len(text), text))
    listed = [Trial(t.nct_id, t.source, name, t.phase, t.minimum_age, t.length, t.text)
              for name, quota in {**QUOTA, **LEUKEMIA_QUOTA}.items() for t in take(strata[name], quota)]
    first = [(t, "dev" if i % 3 == 0 else "test") for i, t in enumerate(listed)]
    quotas = {**QUOTA, **LEUKEMIA_QUOTA}
    second = [(Trial(t.nct_id, t.source, name, t.phase, t.minimum_age, t.length, t.text), "dev2")
              for name, quota in DEV2_QUOTA.items() for t in take(strata[name], quota, skip=quotas[name])]
    later = [(Trial(t.nct_id, t.source, name, t.phase, t.minimum_age, t.length, t.text), split)
             for n, split in enumerate(("dev3", "dev4", "dev5", "dev6"))
             for name, quota in DEV3_QUOTA.items()
             for t in take(strata[name], quota, skip=quotas[name] + DEV2_QUOTA[name] + n * quota)]
    return first + second + later


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=Path, help="also write each trial's text to DIR/<nct_id>.txt, byte-exact")
    args = parser.parse_args(argv)
    chosen = select()
    with open(HERE / "selection.csv", "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["nct_id", "split", "source", "stratum", "phase", "minimum_age", "characters"])
        for t, split in sorted(chosen, key=lambda c: (c[1], c[0].source, c[0].stratum, c[0].nct_id)):
            out.writerow([t.nct_id, split, t.source, t.stratum, t.phase, t.minimum_age, t.length])
    if args.texts:
        args.texts.mkdir(parents=True, exist_ok=True)
        for t, _ in chosen:
            (args.texts / f"{t.nct_id}.txt").write_text(t.text, encoding="utf-8", newline="")
    splits = [s for _, s in chosen]
    print(f"wrote {HERE / 'selection.csv'}: {splits.count('dev')} dev, {splits.count('test')} test, "
          f"{splits.count('dev2')} dev2, {splits.count('dev3')} dev3, {splits.count('dev4')} dev4, "
          f"{splits.count('dev5')} dev5, {splits.count('dev6')} dev6")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
