"""Which code a committed report's numbers come from (shared by the eval scripts)."""
from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def commit_label() -> str:
    """Short HEAD, marked when code differs from it (reports a run rewrites do not count)."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                          text=True).stdout.strip() or "unknown"
    changed = subprocess.run(["git", "status", "--porcelain", "--", ".", ":!eval/reports", ":!eval/*.md"],
                             cwd=REPO, capture_output=True, text=True).stdout.strip()
    return head + ("+uncommitted changes" if changed else "")
