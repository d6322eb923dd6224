"""The JSON report of the format's Report section, and its Markdown renderings.

``build_report`` emits exactly the keys the format lists, nothing more, so a report
written here can be compared with one from any other implementation of the format.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from extractor.evaluation.counting import Evaluation, ScoringError, Tally, item_key
from extractor.evaluation.matching import STRATEGIES
from extractor.records import LAYERS, Threshold

#: Per-label breakdown key of each layer that has one.
BREAKDOWN = {"entities": "per_label", "thresholds": "per_variable"}


def build_report(evaluation: Evaluation) -> dict[str, Any]:
    """The report object: documents, then each layer's strategies (with breakdowns), negation accuracy."""
    report: dict[str, Any] = {"documents": evaluation.documents}
    for layer, tallies in evaluation.tallies.items():
        section: dict[str, Any] = {}
        for name, tally in tallies.items():
            section[name] = tally.total.as_dict()
            if layer in BREAKDOWN:
                section[name][BREAKDOWN[layer]] = _breakdown(tally)
        if layer == "entities":
            section["negation_accuracy"] = evaluation.negation_accuracy
        report[layer] = section
    report["logic"] = evaluation.logic.as_dict()
    return report


def _breakdown(tally: Tally) -> dict[str, dict[str, Any]]:
    return {key: counts.as_dict() for key, counts in sorted(tally.per_key.items())}


def report_field(report: dict[str, Any], path: str) -> Any:
    """A value of the report by its dotted path ("thresholds.full.f1", "logic.section.accuracy")."""
    value: Any = report
    for key in path.split("."):
        value = value[key]
    return value


def fmt_score(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


@lru_cache(maxsize=None)
def report_environment(folder: Path) -> Any:
    """The Jinja2 environment of a ``folder`` of report templates: Markdown, so nothing escaped; a value a
    template names but is not given is an error, not an empty string."""
    import jinja2  # here: scoring needs no template engine

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=False,
                                     trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                                     undefined=jinja2.StrictUndefined)
    environment.filters.update(score=fmt_score, repr=repr)
    return environment


def render_template(template: Path, **values: Any) -> str:
    """A Markdown report from its Jinja2 ``template`` file and the run's ``values``: the report's fixed
    and conditional prose lives in the template, so a script only measures; ``score`` formats a score
    as the tables do ("–" when undefined), ``repr`` quotes a text as Python would."""
    return report_environment(template.parent.resolve()).get_template(template.name).render(**values)


def render_markdown(report: dict[str, Any], title: str | None = None) -> str:
    """Per-layer table, then per-label and per-variable tables; undefined scores show as "–"."""
    lines = [f"## {title}", ""] if title else []
    lines += [f"Documents scored: {report['documents']}", "",
              "| layer | strategy | precision | recall | F1 | TP | FP | FN |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]
    for layer in LAYERS:
        for name in STRATEGIES[layer]:
            row = report[layer][name]
            lines.append(f"| {layer} | {name} | {fmt_score(row['precision'])} | {fmt_score(row['recall'])} | "
                         f"{fmt_score(row['f1'])} | {row['tp']} | {row['fp']} | {row['fn']} |")
    lines += ["", f"Negation accuracy (lenient entity matches whose gold has `negated`): "
                  f"{fmt_score(report['entities']['negation_accuracy'])}"]
    lines += render_logic(report["logic"])
    for layer in BREAKDOWN:
        table = breakdown_table(report[layer], layer)
        if table:
            lines += [""] + table
    return "\n".join(lines) + "\n"


def breakdown_table(section: dict[str, Any], layer: str, predicted: bool = True) -> list[str]:
    """A layer's per-label (per-variable) table from its report ``section``: P / R / F1 under both
    strategies and the gold count (and the predicted one); no lines when it has no labels."""
    key = BREAKDOWN[layer]
    # Every item is counted under every strategy, so both breakdowns have the same labels.
    strict, lenient = STRATEGIES[layer]
    labels = section[strict][key]
    if not labels:
        return []
    lines = [f"| {key.split('_')[1]} | {strict} P | {strict} R | {strict} F1 | "
             f"{lenient} P | {lenient} R | {lenient} F1 | gold |" + (" predicted |" if predicted else ""),
             "|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if predicted else "")]
    for label in labels:
        s = labels[label]
        row = section[lenient][key][label]
        lines.append(f"| {label} | {fmt_score(s['precision'])} | {fmt_score(s['recall'])} | {fmt_score(s['f1'])} | "
                     f"{fmt_score(row['precision'])} | {fmt_score(row['recall'])} | {fmt_score(row['f1'])} | "
                     f"{row['tp'] + row['fn']} |" + (f" {row['tp'] + row['fp']} |" if predicted else ""))
    return lines


def render_logic(logic: dict[str, Any]) -> list[str]:
    """The logic table (links as P/R/F1, keys as accuracy), or nothing when no gold carried the keys."""
    links = [name for name in ("any_of", "alternatives") if any(logic[name][k] for k in ("tp", "fp", "fn"))]
    accuracies = [name for name in ("section", "condition") if logic[name]["n"]]
    if not links and not accuracies:
        return []
    lines = ["", "| logic | precision | recall | F1 | TP | FP | FN |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name in ("any_of", "alternatives"):
        row = logic[name]
        lines.append(f"| {name} links | {fmt_score(row['precision'])} | {fmt_score(row['recall'])} | "
                     f"{fmt_score(row['f1'])} | {row['tp']} | {row['fp']} | {row['fn']} |")
    lines += ["", "| logic | accuracy | matched items |", "|---|---:|---:|"]
    lines += [f"| {name} | {fmt_score(logic[name]['accuracy'])} | {logic[name]['n']} |"
              for name in ("section", "condition")]
    return lines


def describe(item: Any) -> str:
    """One item in a line: span, kind/label/variable, and a threshold's bounds and unit."""
    head = f"[{item.start}, {item.end}) {getattr(item, 'kind', None) or item_key(item)}"
    if isinstance(item, Threshold):
        low = "" if item.low is None else f"{'≥' if item.low_inclusive else '>'} {item.low:g}"
        high = "" if item.high is None else f"{'≤' if item.high_inclusive else '<'} {item.high:g}"
        head += f" {' and '.join(b for b in (low, high) if b)} {item.unit or ''}".rstrip()
    elif getattr(item, "negated", None):
        head += " (negated)"
    return head


def render_errors(errors: list[ScoringError], limit: int) -> str:
    """Up to ``limit`` missed and spurious items per layer, with text and the lenient partner."""
    lines: list[str] = []
    for layer in LAYERS:
        of_layer = [e for e in errors if e.layer == layer]
        if not of_layer:
            continue
        lines.append(f"{layer} ({of_layer[0].strategy}): {len(of_layer)} errors"
                     + (f", first {limit}" if len(of_layer) > limit else ""))
        for e in of_layer[:limit]:
            text = " ".join(e.text.split())
            line = f"  {e.kind:8} {e.doc_id} {describe(e.item)} {text[:100]!r}"
            if e.closest is not None:
                line += f"  ~ {'predicted' if e.kind == 'missed' else 'gold'} {describe(e.closest)}"
            lines.append(line)
    return "\n".join(lines) + ("\n" if lines else "")
