"""The paragraphs of ``eval/ENTITIES.md`` that depend on which taggers a run scores, each read off the
models' own records (``tagger.json``, ``pretrain.json``, silver folders) and the run's scores; the
report's fixed prose is ``eval/ENTITIES.template.md``, its recipe ``eval/entities_reproduce.sh``."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from extractor.entities.transformer_backend import read_settings, tagger_members
from extractor.training.examples import DEV_FRACTION
from extractor.training.pseudolabel import silver_criteria
from extractor.training.tune import MIN_CONFIDENCES, TRANSITION_WEIGHTS

REPO = Path(__file__).resolve().parents[1]


def baselines() -> list[tuple[str, float, float]]:
    """The published Chia entity results (strict, relaxed F1) of ``eval/published.json``, as eval/run.py cites them."""
    rows = json.loads((REPO / "eval" / "published.json").read_text(encoding="utf-8"))["chia"]
    return [(row["system"].split(" (")[0], *map(float, row["value"].split(" / ")))
            for row in rows if row["metric"] == "entity recognition, strict / relaxed F1"]


WINS = {("strict", "lenient"): "strict and lenient F1", ("strict",): "strict F1 only",
        ("lenient",): "lenient F1 only", (): "neither F1"}


def verdict(summary: dict[str, dict[str, Any]]) -> str:
    """How the other setups compare with the shipped spaCy NER on the Chia test split, tagger alone."""
    s = summary["spaCy NER"]
    said = []
    for measures, how in WINS.items():
        group = [f"{name} ({t['speed']:.0f})" for name, t in summary.items() if name != "spaCy NER"
                 and tuple(m for m in ("strict", "lenient") if t[m] > s[m]) == measures]
        if group:
            said.append(f"Better in {how}: {', '.join(group)}.")
    if not said:
        return "No other tagger was evaluated in this run."
    return (f"Against the shipped spaCy NER on the Chia test split ({s['speed']:.0f} criteria per second; each "
            f"other tagger's in brackets): " + " ".join(said))


def final_models(runs: dict[Path, dict[str, Any]]) -> str:
    """Which evaluated models trained on the dev split as well (``--dev-fraction 0``: no dev score)."""
    final = [f"`{f.name}`" for f, run in runs.items() if run.get("dev_f1", {}) is None]
    if not final:
        return ""
    return (f" {', '.join(final)} trained on the train split's every document, its dev trials included "
            "(`--dev-fraction 0`), with the recipe chosen on dev before: all epochs run and the last step is kept, "
            "so they have no dev score.")


def decoding(summary: dict[str, dict[str, Any]]) -> str:
    """Which evaluated taggers decode as `extractor tune` fitted them on dev: the settings chosen, their dev
    F1 before and after (the ``tagger.json`` record), and the test F1 of the same members decoded untuned."""
    folders = {name: (REPO / v["path"]).resolve() for name, v in summary.items()}
    settings = {name: read_settings(folder) for name, folder in folders.items()}
    members = {name: tagger_members(folder) for name, folder in folders.items()}
    said = []
    for name, v in summary.items():
        chosen = settings[name].get("decoding", {})
        if "tuned" not in chosen:
            continue
        twin = next((n for n in summary if "decoding" not in settings[n] and members[n] == members[name]), None)
        before, after = chosen["tuned"]["dev_f1_untuned"], chosen["tuned"]["dev_f1"]
        said.append(f"`{folders[name].name}`: transition weight {chosen['transition_weight']:g}, minimum "
                    f"confidence {chosen['min_confidence']:g}; dev {before['strict']:.3f} / "
                    f"{before['lenient']:.3f} → {after['strict']:.3f} / {after['lenient']:.3f}"
                    + (f"; Chia test {summary[twin]['strict']:.3f} / {summary[twin]['lenient']:.3f} ({twin}, the "
                       f"same models untuned) → {v['strict']:.3f} / {v['lenient']:.3f}" if twin else "") + ".")
    if not said:
        return "No evaluated tagger has a tuned decoding."
    return ("`extractor tune` fits two settings of a transformer tagger's decoding on the dev criteria its "
            f"models held out (grid: transition weight {TRANSITION_WEIGHTS[0]:g} to {TRANSITION_WEIGHTS[-1]:g}, "
            f"minimum confidence none or {MIN_CONFIDENCES[1]:g} to {MIN_CONFIDENCES[-1]:g}; chosen by "
            "the mean of strict and lenient dev F1, as checkpoints are): Viterbi adds the weight times the "
            "label-bigram PMI of the gold training criteria to its label-to-label scores, and an entity whose "
            "words average less than the minimum probability of its label is dropped. The `_tuned` folders name "
            "the same members as the folder before `_tuned` (a single model: one member) and add the decoding; "
            "dev strict / lenient as `extractor tune` recorded it (nested gold resolved longest-first, as "
            "training scores its checkpoints) and test, tagger alone: " + " ".join(said))


def goal(summary: dict[str, dict[str, Any]]) -> str:
    """Which setups (tagger alone) beat the best published baseline on the Chia test split, per measure."""
    name, strict, lenient = max(baselines(), key=lambda b: b[1])
    said = []
    for measure, target in (("strict", strict), ("lenient", lenient)):
        above = [s for s, v in summary.items() if v[measure] > target]
        best = max(summary, key=lambda s: summary[s][measure])
        said.append(f"{measure.capitalize()} F1: " + (f"above {name}'s {target:.3f} with {', '.join(above)}."
                                                      if above else
                                                      f"not above {name}'s {target:.3f}; the best, {best}, "
                                                      f"has {summary[best][measure]:.3f}."))
    return " ".join(said)


def adaptation(runs: dict[Path, dict[str, Any]], summary: dict[str, dict[str, Any]]) -> str:
    """What the models' own files say of domain adaptation: each adapted model's `pretrain.json`,
    every model's dev F1 at its kept checkpoint, and the test F1 of those evaluated alone. Transformers only:
    their encoder is what `extractor pretrain` adapts."""
    runs = {folder: run for folder, run in runs.items() if run.get("backend") == "transformer"}
    tested = {Path(v["path"]).name: v for v in summary.values()}
    adapted: dict[Path, list[str]] = {}
    for folder, run in runs.items():
        adapted.setdefault(Path(run.get("base_model", "")), []).append(f"`{folder.name}`")
    said = []
    for base, names in adapted.items():
        record = (base if base.is_absolute() else REPO / base) / "pretrain.json"
        if not record.is_file():
            continue
        pre = json.loads(record.read_text(encoding="utf-8"))
        said.append(f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} fine-tuned from `{base}`, an encoder "
                    f"adapted by `extractor pretrain` ({pre['criteria']:,} distinct criteria, "
                    f"{pre['excluded_trials']} test-split trials left out, {pre['steps']:,} of {pre['of_steps']:,} "
                    "steps; its `pretrain.json`).")
    if not said:
        return "No evaluated model was fine-tuned from an encoder adapted by `extractor pretrain`."
    dev = ", ".join(f"`{f.name}` {(r['dev_f1']['strict'] + r['dev_f1']['lenient']) / 2:.3f}"
                    for f, r in runs.items() if r.get("dev_f1"))
    test = ", ".join(f"`{name}` {v['strict']:.3f} / {v['lenient']:.3f}" for name, v in tested.items()
                     if Path(REPO / v["path"]).resolve() in runs)
    return (" ".join(said) + f" Mean of strict and lenient dev F1 at each model's kept checkpoint (its "
            f"`tagger.json`; seed 0's was measured under per-piece decoding, above): {dev}. Chia test, "
            f"tagger alone, strict / lenient: {test}.")


def self_training(runs: dict[Path, dict[str, Any]]) -> str:
    """What the models' `tagger.json` say of silver data: how many of their training criteria came from
    which `extractor pseudolabel` folder, tagged by which teacher."""
    read: dict[str, tuple[list[str], set[str]]] = {}  # silver folder → (criterion texts, teachers); often shared

    def silver_of(silver: str) -> tuple[list[str], set[str]]:
        if silver not in read:
            read[silver] = silver_criteria(silver if Path(silver).is_absolute() else REPO / silver)
        return read[silver]

    said = []
    for folder, run in runs.items():
        parts = {silver: silver_of(silver) for silver in run.get("silver", [])}
        if not parts:
            continue
        texts = [text for criteria, _ in parts.values() for text in criteria]
        named = [f"`{silver}`" + (f" ({len(criteria):,})" if len(parts) > 1 else "")
                 for silver, (criteria, _) in parts.items()]
        shares = " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
        teachers = ", ".join(f"`{t}`" for t in sorted(set().union(*(t for _, t in parts.values()))))
        twice = len(texts) - len(set(texts))
        said.append(f"`{folder.name}` trained on {run['training_criteria']:,} criteria, {len(texts):,} of them "
                    f"silver from {shares}, tagged by {teachers}"
                    f"{f'; {twice:,} of the silver criteria were drawn twice' if twice else ''}.")
    if not said:
        return "No evaluated model was trained on silver documents."
    return (" ".join(said) + " Silver criteria are drawn at random from ClinicalTrials.gov texts with the trials "
            "of the Chia splits and of LCT test left out (`extractor pseudolabel`); they train but never become "
            "dev, so checkpoints are still chosen on gold.")


def dev_check(summary: dict[str, dict[str, Any]], train_dir: Path | None, documents: int) -> str:
    """The dev F1s :func:`benchmark` measured: ensembles are chosen on these figures, never on the test split's."""
    if train_dir is None:
        return "Not run (give `--chia-train`)."
    said = [f"`{Path(v['path']).name}` {v['dev'][0]:.3f} / {v['dev'][1]:.3f}" for v in summary.values() if "dev" in v]
    return (f"Chia dev ({documents} documents of `{train_dir}`, {DEV_FRACTION * 100:g} % of its trials by CRC32 of "
            f"the NCT id, which every model below held out), tagger alone, strict / lenient: "
            f"{', '.join(said) or 'no such model'}.")
