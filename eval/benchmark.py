"""Throughput of ``extractor extract`` end to end on the registry sample; writes eval/BENCHMARK.md.

Each run is a fresh ``extractor extract`` process (reading the CSV, segmenting, extracting,
writing JSONL), timed by wall clock; its peak memory comes from ``os.wait4`` on that process,
which on Linux covers its worker processes too. Counts are read back from the output, not
taken from the CLI's own summary. The goal (issue 4) is segmentation plus thresholds at
600 trials/s or more in one process. ``--with-entities`` adds one run of every layer (the
entity tagger included) over the registry sample and the leukemia trials: the end-to-end
check that every trial of both corpus files passes with zero errors. ``--transformer PATH``
adds one run of every layer with that transformer tagger on the leukemia trials, so that the
report gives the speed of both entity backends.

    .venv/bin/python eval/benchmark.py                    # 3 runs per configuration
    .venv/bin/python eval/benchmark.py --with-entities    # + all layers, once, on both CSVs
    .venv/bin/python eval/benchmark.py --with-entities --transformer runs/chia_transformer
    .venv/bin/python eval/benchmark.py --runs 1 --input OTHER.csv
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from provenance import commit_label

from extractor.batch import per_second
from extractor.evaluation.report import render_template

REPO = Path(__file__).resolve().parents[1]
DEFAULT_INPUT = REPO.parent / "shared" / "corpora" / "ctgov" / "registry_sample.csv"
LEUKEMIA_INPUT = DEFAULT_INPUT.with_name("leukemia_trials.csv")
ALL_LAYERS = "criteria,thresholds,entities"
GOAL_TRIALS_PER_S = 600.0
CONFIGS: tuple[tuple[str, str, int], ...] = (
    # (name, layers, workers)
    ("criteria + thresholds, 1 process", "criteria,thresholds", 1),
    ("criteria + thresholds, --workers 2", "criteria,thresholds", 2),
    ("criteria only, 1 process (reference)", "criteria", 1),
)


@dataclass(frozen=True)
class Run:
    """One timed ``extractor extract`` process."""

    seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    documents: int
    criteria: int
    thresholds: int
    entities: int


def command(input_path: Path, output: Path, layers: str, workers: int, model: Path | None = None) -> list[str]:
    """The exact command line that is timed."""
    cmd = [str(REPO / ".venv" / "bin" / "extractor"), "extract", str(input_path),
           "--id-field", "nct_id", "--text-field", "eligibility_criteria", "--layers", layers,
           "-o", str(output), "--force", "--no-progress"]
    return cmd + (["--workers", str(workers)] if workers > 1 else []) + (["--model", str(model)] if model else [])


def shown(cmd: list[str], output: Path) -> str:
    """The command as a reader would type it from the repository root."""
    parts = ["OUT.jsonl" if arg == str(output) else os.path.relpath(arg, REPO) if os.path.isabs(arg) else arg
             for arg in cmd]
    return " ".join(parts)


def run_once(cmd: list[str], output: Path) -> Run:
    """Time one process and count what it wrote."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            detail = err.read().decode("utf-8", "replace")
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{detail}")
    documents = criteria = thresholds = entities = 0
    with open(output, encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            documents += 1
            criteria += len(doc.get("criteria") or [])
            thresholds += len(doc.get("thresholds") or [])
            entities += len(doc.get("entities") or [])
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, documents, criteria, thresholds,
               entities)


def machine_facts() -> dict[str, object]:
    """What the numbers depend on, as measured now."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "system": platform.system(),
            "release": platform.release(), "load": os.getloadavg(), "commit": commit_label()}


def table_row(name: str, runs: list[Run]) -> dict[str, object]:
    """One configuration's row: the first run's counts, medians of its times, every run's wall time."""
    t = statistics.median(r.seconds for r in runs)
    r0 = runs[0]
    cpu = statistics.median(r.cpu_seconds for r in runs)
    return {"name": name, "documents": r0.documents, "criteria": r0.criteria, "thresholds": r0.thresholds,
            "entities": r0.entities, "wall": t, "trials_per_s": per_second(r0.documents / t),
            "criteria_per_s": per_second(r0.criteria / t), "cpu": cpu, "trials_per_cpu_s": per_second(r0.documents / cpu),
            "peak": max(r.peak_rss_mib for r in runs), "each": [r.seconds for r in runs]}


def report(input_path: Path, results: dict[str, list[Run]], cmds: dict[str, str], facts: dict[str, object],
           transformer: Path | None = None) -> str:
    """BENCHMARK.md: one row per configuration, median of its runs, and every run's time."""
    return render_template(REPO / "eval" / "templates" / "BENCHMARK.md.j2", input=os.path.relpath(input_path, REPO),
                           goal=GOAL_TRIALS_PER_S, rows=[table_row(name, runs) for name, runs in results.items()],
                           commands=cmds, machine=facts, runs=len(next(iter(results.values()))),
                           with_entities=any(ALL_LAYERS in cmd for cmd in cmds.values()),
                           transformer=transformer and os.path.relpath(transformer, REPO))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "eval" / "BENCHMARK.md")
    parser.add_argument("--with-entities", action="store_true",
                        help="also run every layer once on the registry sample and the leukemia trials")
    parser.add_argument("--transformer", type=Path,
                        help="a transformer tagger folder: also run every layer once with it on the leukemia trials")
    args = parser.parse_args(argv)
    if not args.input.is_file():
        print(f"input not found: {args.input}", file=sys.stderr)
        return 2
    facts = machine_facts()
    results: dict[str, list[Run]] = {}
    cmds: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "out.jsonl"
        leukemia = os.path.relpath(LEUKEMIA_INPUT, REPO)
        plan = [(name, args.input, layers, workers, args.runs, None) for name, layers, workers in CONFIGS]
        if args.with_entities:
            plan += [("all layers (entity tagger included), 1 process", args.input, ALL_LAYERS, 1, 1, None),
                     (f"all layers, 1 process, `{leukemia}`", LEUKEMIA_INPUT, ALL_LAYERS, 1, 1, None)]
        if args.transformer:
            plan.append((f"all layers, transformer tagger `{os.path.relpath(args.transformer.resolve(), REPO)}`, "
                         f"1 process, `{leukemia}`", LEUKEMIA_INPUT, ALL_LAYERS, 1, 1, args.transformer.resolve()))
        for name, input_path, layers, workers, runs, model in plan:
            cmd = command(input_path.resolve(), output, layers, workers, model)
            cmds[name] = shown(cmd, output)
            results[name] = [run_once(cmd, output) for _ in range(runs)]
            best = min(r.seconds for r in results[name])
            print(f"{name}: {', '.join(f'{r.seconds:.2f}' for r in results[name])} s (best {best:.2f})",
                  file=sys.stderr)
    text = report(args.input.resolve(), results, cmds, facts, args.transformer)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
