"""Annotation specs -> gold files of the annotation format (v1.1), with every offset found by search.

An annotator writes a *spec* per trial: criteria and thresholds by their surface text, never by typed
offsets. This tool finds each span in the trial's text (white space in a snippet matches any run of
white space, so a snippet may ignore the registry's line wrapping), asserts the format's rules and the
guidelines' checks, and writes the gold document. It imports nothing from the extractor: annotators
use it without seeing the extractor, and the gold it writes is checked again by ``extractor validate``.

    python spec.py build SPEC_DIR TEXT_DIR OUT_DIR   # every SPEC_DIR/<id>.json
    python spec.py show SPEC.json TEXT.txt                      # one trial: the review listing

Spec (JSON):
    {"id": "NCT…", "notes": "…",
     "criteria": [{"kind": "inclusion", "section": "Inclusion Criteria", "any_of": null,
                   "start": "first words", "end": "last words",
                   "thresholds": [{"span": "…", "occurrence": 1, "variable": "age",
                                   "low": 18, "low_inclusive": true, "high": null, "high_inclusive": null,
                                   "unit": "a", "group": 0, "condition": null}]}]}
``start`` is searched from the end of the previous criterion; ``end`` (optional: without it the
criterion is exactly ``start``) from the end of ``start``; a threshold ``span`` inside its criterion,
where it must occur once unless ``occurrence`` (1-based) says which. A condition is
``{"text": "…", "negated": false, "thresholds": [records without span]}``.
Variable ids and unit codes are read from the tables of GUIDELINES.md (first column, in backticks).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any, Iterator

HERE = Path(__file__).resolve().parent
GUIDELINES = HERE.parent / "GUIDELINES.md"
KINDS = ("inclusion", "exclusion")
BOUND_KEYS = ("variable", "low", "low_inclusive", "high", "high_inclusive", "unit")
CRITERION_KEYS = {"kind", "section", "any_of", "start", "end", "thresholds", "comment"}
THRESHOLD_KEYS = {"span", "occurrence", "group", "condition", "comment", *BOUND_KEYS}
#: What may stand before a criterion on its line: white space, bullets and numbering.
MARKERS = re.compile(r"(?:\s|[-–—•*·▪◦●○o>]|\(?(?:\d{1,2}|[a-zA-Z]|[ivxIVX]{1,4})[.)](?=\s))*")
LEADING_MARKER = re.compile(r"(?:[-–—•*·▪◦●○]|\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)])\s")


class SpecError(ValueError):
    """A spec that cannot be turned into a faithful gold document; the message says where."""


def catalogue(path: Path = GUIDELINES) -> tuple[set[str], set[str]]:
    """(variable ids, unit codes) from the guidelines' tables headed 'Variables' and 'Units'."""
    variables: set[str] = set()
    units: set[str] = set()
    target: set[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lower()
            target = variables if "variables of the gold" in title else units if "units of the gold" in title \
                else None
        elif target is not None and line.startswith("| `"):
            target.update(code for code in re.findall(r"`([^`]+)`", line.split("|")[1]))
    if not variables or not units:
        raise SpecError(f"{path}: no 'Variables of the gold' or 'Units of the gold' table found")
    return variables, units


def pattern(snippet: str) -> re.Pattern[str]:
    """A snippet as a regex in which each run of white space matches any run of white space."""
    words = snippet.split()
    if not words:
        raise SpecError("empty snippet")
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def find(text: str, snippet: str, lo: int, hi: int, what: str) -> tuple[int, int]:
    m = pattern(snippet).search(text, lo, hi)
    if m is None:
        raise SpecError(f"{what} not found after offset {lo}: {snippet!r}")
    return m.start(), m.end()


def find_end(text: str, snippet: str, start: int, at_least: int, what: str) -> int:
    """End of the first match of ``snippet`` after ``start`` that ends at or after ``at_least``."""
    for m in pattern(snippet).finditer(text, start):
        if m.end() >= at_least:
            return m.end()
    raise SpecError(f"{what} not found after its start: {snippet!r}")


def locate_span(text: str, snippet: str, lo: int, hi: int, occurrence: int | None, what: str) -> tuple[int, int]:
    """The ``occurrence``-th match of ``snippet`` in text[lo:hi]; without it the match must be unique."""
    matches = list(pattern(snippet).finditer(text, lo, hi))
    if not matches:
        raise SpecError(f"{what} not found inside its criterion: {snippet!r}")
    if occurrence is None:
        if len(matches) > 1:
            raise SpecError(f"{what} occurs {len(matches)} times in its criterion; add \"occurrence\": "
                            f"{snippet!r}")
        return matches[0].start(), matches[0].end()
    if not 1 <= occurrence <= len(matches):
        raise SpecError(f"{what}: occurrence {occurrence} of {len(matches)}: {snippet!r}")
    return matches[occurrence - 1].start(), matches[occurrence - 1].end()


def check_bounds(record: dict[str, Any], variables: set[str], units: set[str], what: str) -> Iterator[str]:
    """Problems of one threshold's variable, bounds and unit (spans are checked elsewhere)."""
    if record.get("variable") not in variables:
        yield f"{what}: variable {record.get('variable')!r} is not in the guidelines' variable table"
    unit = record.get("unit")
    if unit is not None and unit not in units:
        yield f"{what}: unit {unit!r} is not in the guidelines' unit table"
    for bound in ("low", "high"):
        value, inclusive = record.get(bound), record.get(f"{bound}_inclusive")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            yield f"{what}: {bound} must be a number or null"
        if (value is None) != (inclusive is None) or inclusive not in (None, True, False):
            yield f"{what}: {bound}_inclusive must be true/false exactly when {bound} is set"
    if record.get("low") is None and record.get("high") is None:
        yield f"{what}: neither low nor high is set"
    elif record.get("low") is not None and record.get("high") is not None and record["low"] > record["high"]:
        yield f"{what}: low is greater than high"


def check_condition(condition: Any, variables: set[str], units: set[str], what: str) -> Iterator[str]:
    if condition is None:
        return
    if not isinstance(condition, dict) or set(condition) - {"text", "negated", "thresholds"}:
        yield f"{what}: condition must be null or an object with text, negated, thresholds"
        return
    if not isinstance(condition.get("text"), str) or not condition["text"].strip():
        yield f"{what}: condition text must be the condition as written"
    if not isinstance(condition.get("negated"), bool):
        yield f"{what}: condition negated must be true or false"
    bounds = condition.get("thresholds")
    if not isinstance(bounds, list):
        yield f"{what}: condition thresholds must be a list (empty when the condition is not numeric)"
        return
    for k, record in enumerate(bounds):
        if not isinstance(record, dict) or set(record) - set(BOUND_KEYS):
            yield f"{what}: condition threshold {k} must hold only {', '.join(BOUND_KEYS)}"
        else:
            yield from check_bounds(record, variables, units, f"{what} condition threshold {k}")


def build(spec: dict[str, Any], text: str, variables: set[str], units: set[str]) -> tuple[dict[str, Any], list[str]]:
    """The gold document of one spec, and warnings to review; raises SpecError on what cannot be right."""
    problems: list[str] = []
    warnings: list[str] = []
    criteria: list[dict[str, Any]] = []
    thresholds: list[dict[str, Any]] = []
    cursor = 0
    any_of_use: dict[int, int] = {}
    for i, crit in enumerate(spec.get("criteria", [])):
        where = f"criteria[{i}] {crit.get('start', '')[:40]!r}"
        unknown = set(crit) - CRITERION_KEYS
        if unknown:
            raise SpecError(f"{where}: unknown keys {sorted(unknown)}")
        start, first_end = find(text, crit["start"], cursor, len(text), f"{where} start")
        end = find_end(text, crit["end"], start, first_end, f"{where} end") if crit.get("end") else first_end
        if crit.get("kind") not in KINDS:
            problems.append(f"{where}: kind must be inclusion or exclusion")
        if crit.get("section") is not None and not isinstance(crit.get("section"), str):
            problems.append(f"{where}: section must be the heading as written, or null")
        if isinstance(crit.get("section"), str) and crit["section"].rstrip().endswith(":"):
            problems.append(f"{where}: section is written without its trailing colon")
        any_of = crit.get("any_of")
        if any_of is not None and (isinstance(any_of, bool) or not isinstance(any_of, int)):
            problems.append(f"{where}: any_of must be an integer or null")
        elif any_of is not None:
            any_of_use[any_of] = any_of_use.get(any_of, 0) + 1
        if LEADING_MARKER.match(text, start):
            problems.append(f"{where}: starts with a bullet or numbering; leave it out of the span")
        line_start = text.rfind("\n", 0, start) + 1
        before = text[line_start:start]
        if not MARKERS.fullmatch(before) and not (criteria and criteria[-1]["end"] > line_start):
            warnings.append(f"{where}: does not start its line (before it: {before.strip()[:50]!r})")
        criteria.append({"start": start, "end": end, "kind": crit.get("kind"), "section": crit.get("section"),
                         "any_of": any_of, "text": text[start:end]})
        groups: set[int] = set()
        for j, thr in enumerate(crit.get("thresholds", [])):
            twhere = f"{where} thresholds[{j}] {thr.get('span', '')[:40]!r}"
            unknown = set(thr) - THRESHOLD_KEYS
            if unknown:
                raise SpecError(f"{twhere}: unknown keys {sorted(unknown)}")
            t_start, t_end = locate_span(text, thr["span"], start, end, thr.get("occurrence"), twhere)
            problems += check_bounds(thr, variables, units, twhere)
            problems += check_condition(thr.get("condition"), variables, units, twhere)
            group = thr.get("group")
            if isinstance(group, bool) or not isinstance(group, int) or group < 0:
                problems.append(f"{twhere}: group must be an integer from 0")
            else:
                groups.add(group)
            thresholds.append({"start": t_start, "end": t_end, **{k: thr.get(k) for k in BOUND_KEYS},
                               "group": group, "condition": thr.get("condition"), "text": text[t_start:t_end]})
        if groups and groups != set(range(len(groups))):
            problems.append(f"{where}: groups must be numbered 0, 1, … without gaps, got {sorted(groups)}")
        cursor = end
    for value, count in any_of_use.items():
        if count < 2:
            problems.append(f"any_of {value} is used by one criterion only; alternatives need two or more")
    seen: set[tuple[Any, ...]] = set()
    for t in thresholds:
        key = (t["start"], t["end"], t["variable"])
        if key in seen:
            problems.append(f"two thresholds of {t['variable']!r} share the span {t['text']!r}")
        seen.add(key)
    if problems:
        raise SpecError("; ".join(problems))
    doc = {"id": spec["id"], "text": text, "criteria": criteria, "thresholds": thresholds}
    return doc, warnings


def uncovered_lines(doc: dict[str, Any]) -> list[str]:
    """Non-blank lines that no criterion touches: each should be a heading, a pure lead-in or a connector."""
    text, lines, pos = doc["text"], [], 0
    spans = [(c["start"], c["end"]) for c in doc["criteria"]]
    for line in text.split("\n"):
        lo, hi = pos, pos + len(line)
        if line.strip() and not any(s < hi and lo < e for s, e in spans):
            lines.append(line.strip())
        pos = hi + 1
    return lines


def review(doc: dict[str, Any], warnings: list[str]) -> str:
    """The listing an annotator reads back: criteria, thresholds under them, uncovered lines, warnings."""
    out = [f"# {doc['id']}: {len(doc['criteria'])} criteria, {len(doc['thresholds'])} thresholds"]
    for i, c in enumerate(doc["criteria"]):
        flat = " ".join(c["text"].split())
        out.append(f"[{i}] {c['kind'][:3]} section={c['section']!r} any_of={c['any_of']} | {flat[:110]}"
                   + ("…" if len(flat) > 110 else ""))
        for t in doc["thresholds"]:
            if c["start"] <= t["start"] and t["end"] <= c["end"]:
                condition = t["condition"]
                out.append(f"      g{t['group']} {t['variable']} {bounds(t)}  <- {' '.join(t['text'].split())!r}"
                           + (f"  IF{' NOT' if condition['negated'] else ''} {condition['text']!r} "
                              f"{[b['variable'] + ' ' + bounds(b) for b in condition['thresholds']]}"
                              if condition else ""))
    out.append("uncovered lines (each must be a heading, a pure lead-in or a connector):")
    out += [f"   | {line[:110]}" for line in uncovered_lines(doc)] or ["   (none)"]
    out += [f"warning: {w}" for w in warnings]
    return "\n".join(out)


def bounds(t: dict[str, Any]) -> str:
    low = "" if t["low"] is None else f"{'>=' if t['low_inclusive'] else '>'}{t['low']:g}"
    high = "" if t["high"] is None else f"{'<=' if t['high_inclusive'] else '<'}{t['high']:g}"
    return f"{' '.join(b for b in (low, high) if b)} {t['unit'] or ''}".rstrip()


def read_text(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as fh:  # byte-exact: offsets count every character
        return fh.read()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the gold file of every spec in SPEC_DIR")
    b.add_argument("specs", type=Path)
    b.add_argument("texts", type=Path)
    b.add_argument("out", type=Path)
    b.add_argument("--quiet", action="store_true", help="print only problems, not the review listings")
    s = sub.add_parser("show", help="build one spec and print its review listing")
    s.add_argument("spec", type=Path)
    s.add_argument("text", type=Path)
    args = parser.parse_args(argv)
    variables, units = catalogue()
    if args.command == "show":
        spec = json.loads(args.spec.read_text(encoding="utf-8"))
        doc, warnings = build(spec, read_text(args.text), variables, units)
        print(review(doc, warnings))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for path in sorted(args.specs.glob("*.json")):
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
            doc, warnings = build(spec, read_text(args.texts / f"{spec['id']}.txt"), variables, units)
        except (SpecError, KeyError, json.JSONDecodeError, OSError) as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            failed += 1
            continue
        doc = {"id": doc["id"], "source": f"ctgov/{doc['id']}", "text": doc["text"], "meta": {"eligibility": True},
               "criteria": doc["criteria"], "thresholds": doc["thresholds"]}
        (args.out / f"{doc['id']}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n",
                                                    encoding="utf-8")
        if not args.quiet:
            print(review(doc, warnings))
        else:
            for w in warnings:
                print(f"{path}: warning: {w}")
    print(f"{len(list(args.specs.glob('*.json'))) - failed} built, {failed} failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
