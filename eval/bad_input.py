"""Every bad-input class of issue 23 run through ``extractor extract``: exit status, error line, records kept.

Each case writes its input to a temporary folder, runs the CLI in a subprocess (as a user
would), and records what happened; ``eval/BAD_INPUT.md`` is the table. Goal: every good
record kept, no traceback, a previous output never damaged.
Reproduce: ``.venv/bin/python eval/bad_input.py``.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from extractor.evaluation.report import render_template

REPO = Path(__file__).resolve().parents[1]
_TMP = ["/"]  # the run's temporary folder, written as $TMP in the table
GOOD = b'{"id": "G", "text": "Inclusion Criteria:\\n- Age >= 18 years"}\n'
LAYERS = ["--layers", "criteria,thresholds"]

# name, file name, content, extra arguments
CASES: list[tuple[str, str, bytes, list[str]]] = [
    ("API JSON, protocolSection not an object", "s.json", b'[{"protocolSection": 5}, ' + GOOD.strip() + b"]", []),
    ("JSONL line nested 100,000 deep", "b.jsonl", b"[" * 100000 + b"]" * 100000 + b"\n" + GOOD, []),
    ("5,000-digit integer", "b.jsonl", b'{"id": "A", "text": "x", "n": ' + b"1" * 5000 + b"}\n" + GOOD, []),
    ("lone surrogate \\ud800", "b.jsonl", b'{"id": "A", "text": "x \\ud800"}\n' + GOOD, []),
    ("non-UTF-8 bytes", "b.jsonl", b'{"id": "A", "text": "\xff"}\n' + GOOD, []),
    ("NaN in a record", "b.jsonl", b'{"id": "A", "text": "x", "v": NaN}\n' + GOOD, []),
    ("CSV cut inside a quoted field", "b.csv", b'id,text\nG,"Inclusion Criteria:\n- Adults"\nA,"cut', []),
    ("blank lines in a CSV", "b.csv", b'id,text\n\nG,"Inclusion Criteria:\n- Adults"\n\n', []),
    ("empty input", "empty.txt", b"", []),
    ("threshold bound 1e309", "b.jsonl", b'{"id": "A", "text": "Inclusion Criteria:\\n- Age > 1e309 years"}\n'
     + GOOD, []),
]


def _cli(args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "extractor", "extract", *args], cwd=REPO, input=stdin,
                          capture_output=True, timeout=600)


def _kept(path: Path) -> str:
    if not path.exists():
        return "no output"
    ids = [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]
    return ", ".join(ids) or "none"


def _first(stderr: bytes, prefix: str = "error:") -> str:
    lines = stderr.decode("utf-8", "replace").splitlines()
    line = next((ln for ln in lines if ln.startswith(prefix) or "Traceback" in ln),
                next((ln for ln in lines if ln.startswith("warning:")), lines[-1] if lines else ""))
    return (line.replace(_TMP[0], "$TMP")[:150] or "(none)").replace("|", "\\|")


def _file_cases(tmp: Path) -> list[tuple[str, int, str, str]]:
    rows = []
    for name, file_name, content, extra in CASES:
        path, out = tmp / file_name, tmp / "out.jsonl"
        path.write_bytes(content)
        out.unlink(missing_ok=True)
        done = _cli([str(path), "-o", str(out), *LAYERS, *extra])
        rows.append((name, done.returncode, _first(done.stderr), _kept(out)))
    done = _cli(["-", *LAYERS], stdin=b'id,text\nA,"Inclusion Criteria:\n- Adults"\nB,Pregnant\n')
    ids = ", ".join(json.loads(line)["id"] for line in done.stdout.decode().splitlines())
    rows.append(("CSV on stdin without --format", done.returncode, _first(done.stderr, "records:"), ids))
    return rows


def _output_cases(tmp: Path) -> list[tuple[str, int, str, str]]:
    rows = []
    good, previous = tmp / "good.jsonl", tmp / "previous.jsonl"
    good.write_bytes(GOOD)
    (tmp / "folder").mkdir(exist_ok=True)
    previous.write_text("previous output\n", encoding="utf-8")
    for name, args in (("-o naming a folder", ["-o", str(tmp / "folder")]),
                       ("-o under a file", ["-o", str(good / "out.jsonl")]),
                       ("a missing input among several, --force",
                        [str(tmp / "missing.txt"), "-o", str(previous), "--force"])):
        done = _cli([str(good), *args, *LAYERS])
        rows.append((name, done.returncode, _first(done.stderr, "extractor extract:"), _previous(previous, tmp)))
    split = tmp / "split"
    split.mkdir(exist_ok=True)
    (split / "STALE.json").write_text("{}", encoding="utf-8")
    done = _cli([str(good), "-o", str(split), "--split", "--force", *LAYERS])
    rows.append(("--split --force over a stale file", done.returncode, _first(done.stderr, "records:"),
                 ", ".join(sorted(p.name for p in split.iterdir()))))
    return rows


def _previous(previous: Path, tmp: Path) -> str:
    intact = previous.read_text(encoding="utf-8") == "previous output\n"
    temporary = [p.name for p in tmp.iterdir() if p.name.endswith(".tmp")]
    return f"previous output {'untouched' if intact else 'CHANGED'}, temporary files: {len(temporary)}"


def _big_batch(tmp: Path, n: int = 3000) -> Path:
    path = tmp / "big.jsonl"
    path.write_text("".join(json.dumps({"id": f"R{i}", "text": "Inclusion Criteria:\n- Age >= 18 years\n"
                                        "- Hemoglobin > 9 g/dL\n" * 20}) + "\n" for i in range(n)))
    return path


def _signal_cases(tmp: Path) -> list[tuple[str, int, str, str]]:
    rows = []
    big, previous = _big_batch(tmp), tmp / "previous.jsonl"
    for name, sig in (("SIGTERM during the run", signal.SIGTERM), ("Ctrl-C (SIGINT) during the run", signal.SIGINT)):
        previous.write_text("previous output\n", encoding="utf-8")
        proc = subprocess.Popen([sys.executable, "-m", "extractor", "extract", str(big), "-o", str(previous),
                                 "--force", *LAYERS], cwd=REPO, stderr=subprocess.PIPE)
        time.sleep(3)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
        rows.append((name, proc.returncode, _first(err, "interrupted"), _previous(previous, tmp)))
    out = tmp / "workers.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "extractor", "extract", str(big), "-o", str(out), "--force",
                             "--workers", "2", *LAYERS], cwd=REPO, stderr=subprocess.PIPE)
    killed = _kill_a_worker(proc.pid)
    _, err = proc.communicate(timeout=600)
    kept = len(out.read_text(encoding="utf-8").splitlines()) if out.exists() else 0
    rows.append((f"--workers 2, one worker SIGKILLed ({'killed' if killed else 'NOT killed'})", proc.returncode,
                 _first(err), f"{kept} of 3000 records kept"))
    return rows


def _kill_a_worker(pid: int) -> bool:
    """SIGKILL one worker process of ``pid`` (as the OOM killer would) once it has two at work."""
    for _ in range(600):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if len(children) >= 2:
            time.sleep(1)
            os.kill(int(children[-1]), signal.SIGKILL)
            return True
        time.sleep(0.1)
    return False


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        _TMP[0] = folder
        rows = _file_cases(tmp) + _output_cases(tmp) + _signal_cases(tmp)
    report = render_template(REPO / "eval" / "templates" / "BAD_INPUT.md.j2", rows=rows)
    (REPO / "eval" / "BAD_INPUT.md").write_text(report, encoding="utf-8")
    print(report, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
