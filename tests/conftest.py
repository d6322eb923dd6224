"""Shared fixtures. Corpora live in ``../shared`` beside the checkout; tests that need them skip without it."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLES = REPO / "examples"
ANNOTATIONS = REPO / "annotations"

#: Why a test of the transformer backend skips in the light install, and how to run it.
TRANSFORMER_EXTRA = ("needs the transformer extra: make test-transformer, or "
                     ".venv/bin/pip install -c constraints.txt -e '.[transformer,dev]'")


def needs_extra(module: str) -> Any:
    """``module`` of the transformer extra, or a skip that says how to install it."""
    return pytest.importorskip(module, reason=TRANSFORMER_EXTRA)


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


def bad_data_file_error(monkeypatch: pytest.MonkeyPatch, module: Any, path: Path, content: str,
                        load: Callable[[], object], message: str) -> str:
    """Load ``content`` as ``module``'s data file at ``path``; the error must match ``message`` and name the file.

    Returns the error text for further checks (the row it names).
    """
    from extractor.resources import DataFileError

    path.write_text(content, encoding="utf-8")
    monkeypatch.setattr(module, "data_path", lambda name: path)
    with pytest.raises(DataFileError, match=re.escape(message)) as err:
        load()
    assert str(path) in str(err.value)
    return str(err.value)
