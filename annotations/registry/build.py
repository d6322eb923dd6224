"""Registry gold from its specs: the gold folders, the two passes' agreement, their disagreements.

The corpus texts are never copied into the repository: the gold is built from the reconciled specs
(``specs/<id>.json``, surface strings only) and the texts in ``../shared/corpora/ctgov``, as the Chia
and LCT gold is converted on the fly. Run from the repository root:

    .venv/bin/python annotations/registry/build.py gold OUT    # OUT/{dev,test,dev_page,test_page}/<id>.json
    .venv/bin/python annotations/registry/build.py agreement   # AGREEMENT.md: pass B scored against pass A
    .venv/bin/python annotations/registry/build.py diff OUT    # OUT/<id>.txt: every disagreement, to reconcile
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from itertools import combinations
from pathlib import Path
from typing import Any, Iterable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from page import page_variant  # noqa: E402
from selection import select  # noqa: E402
from spec import SpecError, build, catalogue  # noqa: E402

from extractor.evaluation import build_report, render_errors, score  # noqa: E402
from extractor.evaluation.logic import alternative_set, collapse, same_condition  # noqa: E402
from extractor.evaluation.report import fmt_score  # noqa: E402
from extractor.records import Document  # noqa: E402

SPECS = HERE / "specs"
PASSES = {"A": HERE / "passes" / "a", "B": HERE / "passes" / "b"}
#: The splits whose reconciled specs are all in ``specs/``.
SPLITS = ("dev", "test", "dev2", "dev3", "dev4", "dev5")


def trials() -> dict[str, tuple[str, str, str]]:
    """nct id -> (split, source CSV, text), by the selection rule, for the splits of ``SPLITS``."""
    return {t.nct_id: (split, t.source, t.text) for t, split in select() if split in SPLITS}


def gold_document(spec_path: Path, text: str, source: str) -> dict[str, Any]:
    """One spec built into a gold document of the format (registry field: ``meta.eligibility``)."""
    variables, units = catalogue()
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    try:
        doc, _ = build(spec, text, variables, units)
    except SpecError as exc:
        raise SpecError(f"{spec_path}: {exc}") from exc
    return {"id": doc["id"], "source": f"ctgov/{source}#{doc['id']}", "text": text,
            "meta": {"eligibility": True}, "criteria": doc["criteria"], "thresholds": doc["thresholds"]}


def documents(folder: Path, chosen: dict[str, tuple[str, str, str]]) -> dict[str, dict[str, Any]]:
    """The gold documents of the specs in ``folder`` (a pass, or the reconciled specs) of trials in ``SPLITS``."""
    docs = {}
    for path in sorted(folder.glob("*.json")):
        if path.stem not in chosen:
            continue    # a draw still being annotated (dev6) joins ``SPLITS`` once all its specs are reconciled
        split, source, text = chosen[path.stem]
        docs[path.stem] = gold_document(path, text, source)
    return docs


def write_gold(out: Path) -> dict[str, int]:
    """The four gold folders; the count of documents in each."""
    chosen = trials()
    docs = documents(SPECS, chosen)
    missing = sorted(set(chosen) - set(docs))
    if missing:
        raise SystemExit(f"{SPECS}: no reconciled spec for {len(missing)} trials: {' '.join(missing[:5])}…")
    counts: dict[str, int] = {}
    for doc_id, doc in docs.items():
        split = chosen[doc_id][0]
        for folder, item in ((split, doc), (f"{split}_page", page_variant(doc))):
            (out / folder).mkdir(parents=True, exist_ok=True)
            (out / folder / f"{doc_id}.json").write_text(json.dumps(item, ensure_ascii=False, indent=1) + "\n",
                                                         encoding="utf-8")
            counts[folder] = counts.get(folder, 0) + 1
    return counts


def as_documents(docs: dict[str, dict[str, Any]]) -> dict[str, Document]:
    return {doc_id: Document.from_dict(d) for doc_id, d in docs.items()}


def agreement_rows(report: dict[str, Any]) -> list[str]:
    """Table rows: the layers' measures and the logic measures of one report."""
    rows = []
    for layer, strategy in (("criteria", "exact"), ("criteria", "overlap"), ("thresholds", "full"),
                            ("thresholds", "variable"), ("logic", "any_of"), ("logic", "alternatives")):
        r = report[layer][strategy]
        name = f"{strategy} links" if layer == "logic" else strategy
        rows.append(f"| {layer} | {name} | {fmt_score(r['precision'])} | {fmt_score(r['recall'])} | "
                    f"{fmt_score(r['f1'])} | {r['tp']} | {r['fp']} | {r['fn']} |")
    for name in ("section", "condition"):
        r = report["logic"][name]
        rows.append(f"| logic | {name} accuracy | | | {fmt_score(r['accuracy'])} | {r['n']} matched | | |")
    return rows


def write_agreement() -> str:
    """AGREEMENT.md: pass B scored against pass A, overall and per split and layout, before reconciliation."""
    chosen = trials()
    a, b = (as_documents(documents(folder, chosen)) for folder in PASSES.values())
    if set(a) != set(b):
        raise SystemExit(f"the passes cover different trials: {sorted(set(a) ^ set(b))[:5]}…")
    subsets = {f"all {len(a)} trials": set(a), **{f"{s} split": {i for i in a if chosen[i][0] == s} for s in SPLITS},
               "legacy XML layout (registry_sample.csv)": {i for i in a if chosen[i][1] == "registry_sample.csv"},
               "API layout (leukemia_trials.csv)": {i for i in a if chosen[i][1] == "leukemia_trials.csv"}}
    counts = {name: (sum(len(d.criteria or []) for d in docs.values()), sum(len(d.thresholds or []) for d in docs.values()))
              for name, docs in (("A", a), ("B", b))}
    lines = ["# Registry gold: agreement of the two passes before reconciliation", "",
             "Two annotators (passes A and B, helper sessions that saw only the texts, "
             f"`ANNOTATION_FORMAT.md` and `../GUIDELINES.md`) annotated all {len(a)} trials independently. "
             "Pass B is scored against pass A with the project's scorer (`extractor/evaluation`: one-to-one "
             "matching, larger overlap first, micro counts); the logic measures follow the format's Scoring "
             "section. Pass A holds {} criteria and {} thresholds, pass B {} and {}.".format(*counts["A"], *counts["B"]),
             "", f"Reproduce: `.venv/bin/python annotations/registry/build.py agreement` "
             f"({dt.date.today().isoformat()}; the raw specs of both passes are in `passes/a` and `passes/b`).", ""]
    for name, ids in subsets.items():
        report = build_report(score({i: a[i] for i in ids}, {i: b[i] for i in ids}))
        lines += [f"## {name} ({len(ids)} trials)", "",
                  "| layer | measure | precision | recall | F1 | TP | FP | FN |",
                  "|---|---|---:|---:|---:|---:|---:|---:|", *agreement_rows(report), ""]
    text = "\n".join(lines)
    (HERE / "AGREEMENT.md").write_text(text, encoding="utf-8")
    return text


def logic_disagreements(a: Document, b: Document) -> Iterable[str]:
    """Matched items whose structure or logic keys differ between the passes."""
    crit_b = {(c.start, c.end, c.kind): c for c in b.criteria or []}
    both = [(ca, crit_b[(ca.start, ca.end, ca.kind)]) for ca in a.criteria or [] if (ca.start, ca.end, ca.kind) in crit_b]
    for ca, cb in both:
        if collapse(ca.section) != collapse(cb.section):
            yield f"section  {flat(a, ca)!r}: A {ca.section!r}  B {cb.section!r}"
    for (a1, b1), (a2, b2) in combinations(both, 2):
        in_a = a1.any_of is not None and a1.any_of == a2.any_of
        in_b = b1.any_of is not None and b1.any_of == b2.any_of
        if in_a != in_b:
            yield f"any_of   {flat(a, a1)!r} and {flat(a, a2)!r}: alternatives in {'A' if in_a else 'B'} only"
    thr_b = {(t.start, t.end, t.variable): t for t in b.thresholds or []}
    pairs = [(ta, thr_b[(ta.start, ta.end, ta.variable)]) for ta in a.thresholds or []
             if (ta.start, ta.end, ta.variable) in thr_b]
    for ta, tb in pairs:
        if not same_condition(ta.condition, tb.condition):
            yield (f"condition {ta.variable} {flat(a, ta)!r}: A {ta.condition and ta.condition.to_dict()}  "
                   f"B {tb.condition and tb.condition.to_dict()}")
    for (a1, b1), (a2, b2) in combinations(pairs, 2):
        set_a1 = alternative_set(a, a1)
        set_b1 = alternative_set(b, b1)
        in_a = set_a1 is not None and set_a1 == alternative_set(a, a2)
        in_b = set_b1 is not None and set_b1 == alternative_set(b, b2)
        if in_a != in_b:
            yield (f"group    {a1.variable} {flat(a, a1)!r} and {a2.variable} {flat(a, a2)!r}: "
                   f"one group in {'A' if in_a else 'B'} only")


def flat(doc: Document, item: Any) -> str:
    text = " ".join(doc.text[item.start:item.end].split())
    return text if len(text) <= 90 else text[:87] + "…"


def write_diff(out: Path) -> int:
    """One listing per trial of every A/B disagreement (spans, kinds, records, logic); the number of trials."""
    chosen = trials()
    a, b = (as_documents(documents(folder, chosen)) for folder in PASSES.values())
    out.mkdir(parents=True, exist_ok=True)
    for doc_id in sorted(set(a) & set(b)):
        evaluation = score({doc_id: a[doc_id]}, {doc_id: b[doc_id]})
        errors = (render_errors(evaluation.errors, 10_000).replace("missed  ", "A only  ").replace("spurious", "B only  ")
                  .replace("~ predicted", "~ B").replace("~ gold", "~ A"))
        logic = list(logic_disagreements(a[doc_id], b[doc_id]))
        body = ["# Disagreements of pass A and pass B (records: A only / B only; '~' the nearest item of the "
                "other pass)", "", errors.rstrip() or "criteria and thresholds: none", "",
                "logic on items both passes share:", *(f"  {line}" for line in logic or ["none"])]
        (out / f"{doc_id}.txt").write_text("\n".join(body) + "\n", encoding="utf-8")
    return len(set(a) & set(b))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("gold", help="build the gold folders").add_argument("out", type=Path)
    sub.add_parser("agreement", help="write AGREEMENT.md")
    sub.add_parser("diff", help="write the disagreement listings").add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.command == "gold":
        print(", ".join(f"{folder}: {n}" for folder, n in sorted(write_gold(args.out).items())))
    elif args.command == "agreement":
        print(write_agreement())
    else:
        print(f"{write_diff(args.out)} listings in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
