"""Shared fixtures. Corpora live in ``../shared`` beside the checkout; tests that need them skip without it."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLES = REPO / "examples"
ANNOTATIONS = REPO / "annotations"

needs_shared = pytest.mark.skipif(not (SHARED / "corpora").is_dir(),
                                  reason=f"corpora not available: {SHARED / 'corpora'} is absent")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared``; skips the test when the corpora are not beside the checkout."""
    if not (SHARED / "corpora").is_dir():
        pytest.skip(f"corpora not available: {SHARED / 'corpora'} is absent")
    return SHARED


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    """The five bundled seed pages, read byte-exact, by file stem."""
    return {p.stem: read_exact(p) for p in sorted(EXAMPLES.glob("*.txt"))}


def read_exact(path: Path) -> str:
    """A text file as stored (no newline translation), as offsets require."""
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()
