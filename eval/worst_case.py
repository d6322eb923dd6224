"""Worst-case timing (issue 23): segmentation, thresholds and the default pipeline on adversarial text.

Each adversarial text is built at 10k, 100k and 1M characters; each stage is timed on it and its
time per character is compared with the 10k run of the same invocation (same host, same load).
Target: linear, within a factor 2 per decade of input size (at most 2 at 100k, 4 at 1M). A stage
whose extrapolated time would pass ``--budget`` seconds is not run at the larger size.
Reproduce: ``.venv/bin/python eval/worst_case.py`` (writes ``eval/WORST_CASE.md``);
``--sizes 10000,100000`` for a quick look.
"""
from __future__ import annotations

import argparse
import platform
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from extractor.api import Extractor
from extractor.segment import segment
from extractor.thresholds import extract_thresholds

REPO = Path(__file__).resolve().parents[1]
SIZES = (10_000, 100_000, 1_000_000)
HEAD = "Inclusion Criteria:\n- "


def _repeat(unit: str, size: int, head: str = HEAD, tail: str = "") -> str:
    """``head`` + ``unit`` repeated + ``tail``, ``size`` characters in all."""
    body = unit * ((size - len(head) - len(tail)) // len(unit) + 1)
    return head + body[:size - len(head) - len(tail)] + tail


def _nested_parentheses(size: int) -> str:
    depth = (size - len(HEAD) - 30) // 2
    return HEAD + "Creatinine " + "(" * depth + "≤ 1.5 mg/dL" + ")" * depth


def _nested_indentation(size: int) -> str:
    """Each sub-item one space deeper than the one before ("- ", " - ", "  - ", …)."""
    lines, total, depth = ["Inclusion Criteria:"], 20, 0
    while total < size:
        line = " " * depth + "- ANC ≥ 1,500/µL"
        lines.append(line)
        total += len(line) + 1
        depth += 1
    return "\n".join(lines)[:size]


#: name → builder of a text of the given number of characters.
TEXTS: dict[str, Callable[[int], str]] = {
    'number list after a variable ("Platelets 1, 1, 1, …")': lambda n: _repeat("1, ", n, HEAD + "Platelets "),
    "one unbroken criterion of ordinary values": lambda n: _repeat(
        "ANC ≥ 1,500/µL, platelets ≥ 100,000/µL and creatinine ≤ 1.5 x ULN for patients over 60 years, ", n),
    "one unbroken criterion without punctuation": lambda n: _repeat("age 18 years and ", n),
    "many short lines": lambda n: _repeat("- Age ≥ 18 years\n", n, "Inclusion Criteria:\n"),
    "many short lines, CRLF": lambda n: _repeat("- Hemoglobin > 9 g/dL\r\n", n, "Inclusion Criteria:\r\n"),
    "deep nesting: parentheses": _nested_parentheses,
    "deep nesting: indented sub-items": _nested_indentation,
}


def _timed(run: Callable[[], object]) -> float:
    """Seconds of one run; short runs are repeated (best of up to 5) so that the 10k baseline is not noise."""
    best, spent = float("inf"), 0.0
    for _ in range(5):
        start = time.perf_counter()
        run()
        elapsed = time.perf_counter() - start
        best, spent = min(best, elapsed), spent + elapsed
        if spent > 1.0:
            break
    return best


def _stages(extractor: Extractor) -> dict[str, Callable[[str], Callable[[], object]]]:
    """stage name → (text → a call that runs the stage on it); thresholds get the criteria precomputed."""
    def thresholds(text: str) -> Callable[[], object]:
        criteria = segment(text).criteria
        return lambda: extract_thresholds(text, criteria)

    return {"segmentation": lambda text: lambda: segment(text),
            "thresholds": thresholds,
            "default pipeline": lambda text: lambda: extractor(text)}


def measure(sizes: tuple[int, ...], budget: float) -> list[tuple[str, str, list[float | None]]]:
    """Per text and stage, the seconds at each size (``None``: not run, over ``budget``)."""
    extractor = Extractor()
    extractor(HEAD + "Age ≥ 18 years")  # loads the grammar and the tagger outside the timings
    rows = []
    for name, build in TEXTS.items():
        texts = [build(n) for n in sizes]
        for stage, prepare in _stages(extractor).items():
            seconds: list[float | None] = []
            for n, text in zip(sizes, texts):
                last = next((s for s in reversed(seconds) if s is not None), None)
                if last is not None and last * n / sizes[len(seconds) - 1] * 2 > budget or None in seconds:
                    seconds.append(None)
                    continue
                seconds.append(_timed(prepare(text)))
                print(f"{name} | {stage} | {n}: {seconds[-1]:.3f} s", flush=True)
            rows.append((name, stage, seconds))
    return rows


def _ratio(seconds: list[float | None], sizes: tuple[int, ...], k: int) -> float | None:
    base, this = seconds[0], seconds[k]
    if base is None or this is None or base == 0:
        return None
    return (this / sizes[k]) / (base / sizes[0])


def report(rows: list[tuple[str, str, list[float | None]]], sizes: tuple[int, ...]) -> str:
    labels = [f"{n // 1000}k" if n < 1_000_000 else f"{n // 1_000_000}M" for n in sizes]
    head = ["text", "stage", *(f"{label} s" for label in labels),
            *(f"per char {label} / {labels[0]}" for label in labels[1:]), "within 2× per decade"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * 2 + "---:|" * (len(head) - 3) + "---|"]
    worst: dict[str, float] = {}  # stage → the largest growth of time per character per decade
    for name, stage, seconds in rows:
        ratios = [_ratio(seconds, sizes, k) for k in range(1, len(sizes))]
        ok = all(r is not None and r <= 2 ** k for k, r in enumerate(ratios, start=1))
        worst[stage] = max([worst.get(stage, 0.0),
                            *(r ** (1 / k) for k, r in enumerate(ratios, start=1) if r is not None)])
        cells = [f"{s:.3f}" if s is not None else "not run" for s in seconds]
        cells += [f"{r:.2f}" if r is not None else "–" for r in ratios]
        verdict = "not measured" if None in seconds else "yes" if ok else "**no**"
        lines.append("| " + " | ".join([name, stage, *cells, verdict]) + " |")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                            text=True).stdout.strip()
    return "\n".join([
        "# Worst-case timing: adversarial text at 10k / 100k / 1M characters", "",
        "Reproduce: `.venv/bin/python eval/worst_case.py` (`eval/worst_case.py` says how each text is built). "
        "Time per character of each size is divided by that of the 10k run in the same invocation; "
        "linear time is 1.0, the target is at most 2 per decade of size (2 at 100k, 4 at 1M). "
        "Thresholds are timed on the criteria segmentation found; the default pipeline is "
        "`extractor.api.Extractor()` (criteria, thresholds, entities). \"not run\": the run, extrapolated "
        "linearly from the size before and doubled, would have passed `--budget` seconds.", "",
        f"Commit {commit}, Python {platform.python_version()}, {platform.machine()}. Largest growth of time per "
        "character per decade of size: " + ", ".join(f"{stage} {w:.2f}" for stage, w in worst.items()) + ".",
        "", *lines, ""])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated character counts")
    parser.add_argument("--budget", type=float, default=300.0, help="seconds a single run may be expected to take")
    parser.add_argument("--out", type=Path, default=REPO / "eval" / "WORST_CASE.md")
    args = parser.parse_args()
    sizes = tuple(int(s) for s in args.sizes.split(","))
    text = report(measure(sizes, args.budget), sizes)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
