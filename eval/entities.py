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
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads: speeds are one thread's

from extractor.corpora.convert import convert_brat  # noqa: E402
from extractor.entities import default_model_path, load_tagger, tag_entities  # noqa: E402
from extractor.entities.transformer_backend import read_settings, tagger_members  # noqa: E402
from extractor.evaluation import build_report, load_documents, score  # noqa: E402
from extractor.evaluation.report import breakdown_table, fmt_score, render_template  # noqa: E402
from extractor.records import Document  # noqa: E402
from extractor.training.checkpoints import recorded_dev  # noqa: E402
from extractor.training.examples import DEV_FRACTION, criterion_examples, split_dev  # noqa: E402
from entity_notes import GRID, adaptation, baselines, decoding, dev_check, final_models, goal, self_training, verdict  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CHIA = REPO.parent / "shared" / "corpora" / "chia"
TEMPLATE = REPO / "eval" / "templates" / "ENTITIES.md.j2"
RECIPE = REPO / "eval" / "entities_reproduce.sh"


def recipe() -> str:
    """The commands of ``eval/entities_reproduce.sh``: what follows its header (up to the first blank line)."""
    return RECIPE.read_text(encoding="utf-8").split("\n\n", 1)[1].rstrip("\n")


def predict(gold: dict[str, Any], tagger: Any, rules: bool) -> tuple[dict[str, Any], float]:
    """Predicted documents (gold criteria, tagged entities) and the tagging speed in criteria per second."""
    out, criteria = {}, 0
    started = time.perf_counter()
    for doc in gold.values():
        entities = tag_entities(doc.text, doc.criteria or [], tagger, rules=rules)
        out[doc.id] = Document(doc.id, doc.text, criteria=doc.criteria, entities=entities)
        criteria += len(doc.criteria or [])
    return out, criteria / (time.perf_counter() - started)


def folder_mb(path: Path) -> float:
    """Size of a model folder; of an ensemble, the sum of its members'."""
    return sum(f.stat().st_size for folder in tagger_members(path) for f in folder.rglob("*") if f.is_file()) / 1e6


def load_chia_test(path: Path | None) -> dict[str, Any]:
    """The converted Chia test split; converted from ``../shared`` into a temporary folder when not given."""
    if path is not None:
        return load_documents(path)
    with tempfile.TemporaryDirectory() as tmp:
        convert_brat(CHIA, Path(tmp), "chia", "test")
        return load_documents(tmp)


def benchmark(name: str, path: Path, chia: dict[str, Any], seeds: dict[str, Any],
              dev: dict[str, Any] | None) -> tuple[list[str], list[tuple[str, str]], dict[str, Any]]:
    """Table rows (tagger alone, then with rules), per-label tables (by setup), and the tagger-alone Chia F1s (on
    ``dev`` too, when given)."""
    tagger = load_tagger(path)
    tagger.tag(["warm-up"])
    rows, details, alone = [], [], {}
    for rules in (False, True):
        pred, speed = predict(chia, tagger, rules)
        report = build_report(score(chia, pred))["entities"]
        seed_report = build_report(score(seeds, predict(seeds, tagger, rules)[0]))["entities"]
        setup = f"{name}{' + rules' if rules else ''}"
        scores = [report["strict"]["f1"], report["lenient"]["f1"], report["negation_accuracy"],
                  seed_report["lenient"]["f1"], seed_report["negation_accuracy"]]
        rows.append(f"| {setup} | {' | '.join(map(fmt_score, scores))} | {speed:.0f} |")
        details.append((setup, "\n".join(breakdown_table(report, "entities", predicted=False))))
        alone = alone or {"strict": report["strict"]["f1"], "lenient": report["lenient"]["f1"], "speed": speed}
        print(setup, report["strict"]["f1"], report["lenient"]["f1"], f"{speed:.0f}/s", file=sys.stderr)
    if dev is not None:
        report = build_report(score(dev, predict(dev, tagger, rules=False)[0]))["entities"]
        alone["dev"] = (report["strict"]["f1"], report["lenient"]["f1"])
    shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
    return rows, details, {**alone, "mb": folder_mb(path), "path": str(shown)}


def member_runs(paths: list[Path]) -> dict[Path, dict[str, Any]]:
    """The ``tagger.json`` of every fine-tuned model behind ``paths`` (ensembles opened), each once."""
    folders = dict.fromkeys(f for p in paths for f in tagger_members(p.resolve()))
    return {f: read_settings(f) for f in folders
            if (f / "tagger.json").is_file()}


def held_out_dev(train_dir: Path | None) -> dict[str, Any] | None:
    """The dev documents ``extractor train`` carves out of Chia train by default (None without ``train_dir``)."""
    if train_dir is None:
        return None
    return {d.id: d for d in split_dev(list(load_documents(train_dir).values()))[1]}


def carved_the_default_dev(run: dict[str, Any]) -> bool:
    """Whether a model held out the trials :func:`held_out_dev` scores: it chose checkpoints on the
    default share of Chia train (runs written before ``tagger.json`` recorded its ``dev`` all did)."""
    return bool(run.get("dev_f1")) and recorded_dev(run) == {"fraction": DEV_FRACTION}


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
    import torch

    torch.set_num_threads(1)
    chia = load_chia_test(args.chia_test)
    seeds = {k: d for k, d in load_documents(args.seeds).items() if d.entities is not None}
    backends = [("spaCy NER", default_model_path().resolve())]
    backends += [(f"spaCy `{path.name}`", path.resolve()) for path in args.spacy]
    backends += [(f"transformer `{path.name}`", path.resolve()) for path in args.transformer]
    runs = member_runs([path for _, path in backends])
    dev = held_out_dev(args.chia_train)
    rows, details, summary = [], [], {}
    for name, path in backends:
        held_out = all(carved_the_default_dev(runs.get(m, {})) for m in tagger_members(path))
        more_rows, more_details, summary[name] = benchmark(name, path, chia, seeds, dev if held_out else None)
        rows += more_rows
        details += more_details

    negatable = [e.negated for d in chia.values() for e in d.entities or [] if e.negated is not None]
    total = sum(len(d.entities or []) for d in chia.values())
    nested = total - sum(len(spans) for _, spans in criterion_examples(list(chia.values())))
    command = ("python eval/entities.py" + (f" --chia-test {args.chia_test}" if args.chia_test else "")
               + (f" --chia-train {args.chia_train}" if args.chia_train else "")
               + "".join(f" --spacy {p}" for p in args.spacy)
               + "".join(f" --transformer {p}" for p in args.transformer))
    report = render_template(TEMPLATE, command=command, documents=len(chia), entities=total, seeds=len(seeds),
                             criteria=sum(len(d.criteria or []) for d in chia.values()), rows="\n".join(rows),
                             baselines=baselines(), reproduce=recipe(), summary=summary, wins=verdict(summary),
                             goal=goal(summary), adaptation=adaptation(runs, summary), final=final_models(runs),
                             decoding=decoding(summary), grid=GRID, self_training=self_training(runs),
                             dev_check=dev_check(summary), train_dir=args.chia_train, dev_documents=len(dev or {}),
                             dev_fraction=DEV_FRACTION, all_false=negatable.count(False) / max(1, len(negatable)),
                             nested=nested, nested_share=nested / max(1, total),
                             details=details)
    args.out.write_text(report, encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
