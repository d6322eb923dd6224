"""Entity tagging benchmark → ``eval/ENTITIES.md``: Chia test split and the seeds' gold, both backends.

One command (from the repository root, corpora in ``../shared``)::

    python eval/entities.py --transformer runs/chia_transformer

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

REPO = Path(__file__).resolve().parents[1]
CHIA = REPO.parent / "shared" / "corpora" / "chia"
BASELINES = (("PubMedBERT", 0.622, 0.744), ("RoBERTa", 0.658, 0.798))
REPRODUCE = """## Reproduce

```sh
extractor convert brat ../shared/corpora/chia runs/chia_train --corpus chia --split train
extractor train runs/chia_train models/chia_ner --config models/chia_ner.cfg --seed 0 --log runs/chia_ner.log
extractor train runs/chia_train runs/chia_transformer --backend transformer \\
    --config models/chia_transformer.json --seed 0 --log runs/chia_transformer.log
python eval/entities.py --transformer runs/chia_transformer
```

Both trainers carve their dev set (10 % of the training trials, by CRC32 of the NCT id) out of the
train split; test documents are never seen. Overlapping gold entities are resolved longest-first
for training (a NER or BIO tagger emits one label per token), which caps recall on nested Chia
mentions."""
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chia-test", type=Path, default=None,
                        help="converted Chia test split (default: convert ../shared/corpora/chia now)")
    parser.add_argument("--spacy", type=Path, default=None, help="spaCy model (default: the shipped one)")
    parser.add_argument("--transformer", type=Path, default=None, help="fine-tuned transformer folder")
    parser.add_argument("--seeds", type=Path, default=REPO / "annotations")
    parser.add_argument("--out", type=Path, default=REPO / "eval" / "ENTITIES.md")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)
    from extractor.entities import default_model_path, load_tagger
    from extractor.evaluation import load_documents

    with tempfile.TemporaryDirectory() as tmp:
        chia_dir = args.chia_test
        if chia_dir is None:
            from extractor.convert import convert_brat

            chia_dir = Path(tmp) / "chia_test"
            convert_brat(CHIA, chia_dir, "chia", "test")
        chia = load_documents(chia_dir)
    seeds = {k: d for k, d in load_documents(args.seeds).items() if d.entities is not None}
    backends = [("spaCy NER", args.spacy or default_model_path())]
    if args.transformer is not None:
        backends.append(("transformer", args.transformer))

    rows, details = [], []
    for name, path in backends:
        tagger = load_tagger(path)
        tagger.tag(["warm-up"])
        for rules in (False, True):
            pred, speed = predict(chia, tagger, rules)
            report = entity_report(chia, pred)
            seed_report = entity_report(seeds, predict(seeds, tagger, rules)[0])
            setup = f"{name}{' + rules' if rules else ''}"
            rows.append(f"| {setup} | {f(report['strict']['f1'])} | {f(report['lenient']['f1'])} | "
                        f"{f(report['negation_accuracy'])} | {f(seed_report['lenient']['f1'])} | "
                        f"{f(seed_report['negation_accuracy'])} | {speed:.0f} |")
            details += ["", f"### {setup}: Chia test, per label", ""] + label_table(report)
            print(setup, report["strict"]["f1"], report["lenient"]["f1"], f"{speed:.0f}/s", file=sys.stderr)
        details += ["", f"Model: `{Path(path).relative_to(REPO) if Path(path).is_relative_to(REPO) else path}`"]

    lines = ["# Entity tagging benchmark", "",
             f"Produced by `python eval/entities.py{' --transformer ' + str(args.transformer) if args.transformer else ''}`"
             f" on {len(chia)} Chia test documents ({sum(len(d.criteria or []) for d in chia.values())} criteria, "
             f"{sum(len(d.entities or []) for d in chia.values())} entities; NCT number divisible by 5) and "
             f"{len(seeds)} seed pages with gold entities. Taggers run on the gold criteria. Speed: criteria per "
             "second through `tag_entities` (tagger + rules + negation), one process, one CPU thread.", "",
             "| setup | Chia strict F1 | Chia lenient F1 | Chia negation acc. | seeds lenient F1 | "
             "seeds negation acc. | criteria/s |",
             "|---|---:|---:|---:|---:|---:|---:|"] + rows
    lines += [f"| {name} (published) | {s:.3f} | {r:.3f} | | | | |" for name, s, r in BASELINES]
    lines += ["", CITATION, "", REPRODUCE] + details
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
