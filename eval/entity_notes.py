"""What the notes of ``eval/ENTITIES.md`` say that depends on which taggers a run scores, each read off the
models' own records (``tagger.json``, ``pretrain.json``, silver folders) and the run's scores; the
notes' prose is ``eval/templates/entity_notes.md.j2`` (the report's, ``eval/templates/ENTITIES.md.j2``),
the recipe ``eval/entities_reproduce.sh``."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from extractor.entities.transformer_backend import read_settings, tagger_members
from extractor.training.pseudolabel import silver_criteria
from extractor.training.tune import MIN_CONFIDENCES, TRANSITION_WEIGHTS

REPO = Path(__file__).resolve().parents[1]


def baselines() -> list[tuple[str, float, float]]:
    """The published Chia entity results (strict, relaxed F1) of ``eval/published.json``, as eval/run.py cites them."""
    rows = json.loads((REPO / "eval" / "published.json").read_text(encoding="utf-8"))["chia"]
    return [(row["system"].split(" (")[0], *map(float, row["value"].split(" / ")))
            for row in rows if row["metric"] == "entity recognition, strict / relaxed F1"]


#: The measures another tagger beats the shipped spaCy NER in, as ``entity_notes.md.j2`` names them, in its order.
WINS = ("strict lenient", "strict", "lenient", "")


def verdict(summary: dict[str, dict[str, Any]]) -> list[tuple[str, list[tuple[str, float]]]]:
    """How the other setups compare with the shipped spaCy NER on the Chia test split, tagger alone: for
    each set of measures beaten (``WINS``), the taggers (and speeds) that beat it in exactly those."""
    s = summary["spaCy NER"]
    beaten = {name: " ".join(m for m in ("strict", "lenient") if t[m] > s[m])
              for name, t in summary.items() if name != "spaCy NER"}
    groups = [(wins, [(name, summary[name]["speed"]) for name, won in beaten.items() if won == wins]) for wins in WINS]
    return [(wins, group) for wins, group in groups if group]


def final_models(runs: dict[Path, dict[str, Any]]) -> list[str]:
    """Which evaluated models trained on the dev split as well (``--dev-fraction 0``: no dev score)."""
    return [f.name for f, run in runs.items() if run.get("dev_f1", {}) is None]


def decoding(summary: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Which evaluated taggers decode as `extractor tune` fitted them on dev: the settings chosen, their dev
    F1 before and after (the ``tagger.json`` record), and the test F1 of the same members decoded untuned."""
    folders = {name: (REPO / v["path"]).resolve() for name, v in summary.items()}
    settings = {name: read_settings(folder) for name, folder in folders.items()}
    members = {name: tagger_members(folder) for name, folder in folders.items()}
    tuned = []
    for name, v in summary.items():
        chosen = settings[name].get("decoding", {})
        if "tuned" not in chosen:
            continue
        twin = next((n for n in summary if "decoding" not in settings[n] and members[n] == members[name]), None)
        tuned.append({"folder": folders[name].name, "weight": chosen["transition_weight"],
                      "confidence": chosen["min_confidence"], "before": chosen["tuned"]["dev_f1_untuned"],
                      "after": chosen["tuned"]["dev_f1"], "twin": twin, "untuned": summary[twin] if twin else None,
                      "test": v})
    return tuned


#: The grid `extractor tune` searches, as the report states it.
GRID = {"weights": (TRANSITION_WEIGHTS[0], TRANSITION_WEIGHTS[-1]), "confidences": (MIN_CONFIDENCES[1], MIN_CONFIDENCES[-1])}


def goal(summary: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Which setups (tagger alone) beat the best published baseline on the Chia test split, per measure."""
    name, strict, lenient = max(baselines(), key=lambda b: b[1])
    measures = []
    for measure, target in (("strict", strict), ("lenient", lenient)):
        best = max(summary, key=lambda s: summary[s][measure])
        measures.append({"measure": measure, "target": target, "best": best, "best_f1": summary[best][measure],
                         "above": [s for s, v in summary.items() if v[measure] > target]})
    return {"baseline": name, "measures": measures}


def adaptation(runs: dict[Path, dict[str, Any]], summary: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What the models' own files say of domain adaptation: each adapted model's `pretrain.json`,
    every model's dev F1 at its kept checkpoint, and the test F1 of those evaluated alone. Transformers only:
    their encoder is what `extractor pretrain` adapts."""
    runs = {folder: run for folder, run in runs.items() if run.get("backend") == "transformer"}
    adapted: dict[Path, list[str]] = {}
    for folder, run in runs.items():
        adapted.setdefault(Path(run.get("base_model", "")), []).append(folder.name)
    encoders = []
    for base, names in adapted.items():
        record = (base if base.is_absolute() else REPO / base) / "pretrain.json"
        if record.is_file():
            encoders.append({"base": str(base), "models": names, **json.loads(record.read_text(encoding="utf-8"))})
    dev = [(f.name, (r["dev_f1"]["strict"] + r["dev_f1"]["lenient"]) / 2) for f, r in runs.items() if r.get("dev_f1")]
    tested = {Path(v["path"]).name: v for v in summary.values()}
    test = [(name, v) for name, v in tested.items() if Path(REPO / v["path"]).resolve() in runs]
    return {"encoders": encoders, "dev": dev, "test": test}


def self_training(runs: dict[Path, dict[str, Any]]) -> list[dict[str, Any]]:
    """What the models' `tagger.json` say of silver data: how many of their training criteria came from
    which `extractor pseudolabel` folder, tagged by which teacher."""
    read: dict[str, tuple[list[str], set[str]]] = {}  # silver folder → (criterion texts, teachers); often shared

    def silver_of(silver: str) -> tuple[list[str], set[str]]:
        if silver not in read:
            read[silver] = silver_criteria(silver if Path(silver).is_absolute() else REPO / silver)
        return read[silver]

    models = []
    for folder, run in runs.items():
        parts = {silver: silver_of(silver) for silver in run.get("silver", [])}
        if not parts:
            continue
        texts = [text for criteria, _ in parts.values() for text in criteria]
        models.append({"folder": folder.name, "criteria": run["training_criteria"], "silver": len(texts),
                       "parts": [(silver, len(criteria)) for silver, (criteria, _) in parts.items()],
                       "teachers": sorted(set().union(*(t for _, t in parts.values()))),
                       "twice": len(texts) - len(set(texts))})
    return models


def dev_check(summary: dict[str, dict[str, Any]]) -> list[tuple[str, tuple[float, float]]]:
    """The dev F1s :func:`benchmark` measured: ensembles are chosen on these figures, never on the test split's."""
    return [(Path(v["path"]).name, v["dev"]) for v in summary.values() if "dev" in v]
