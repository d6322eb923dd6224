"""Library API: one-call extract, the reusable Extractor, and the spaCy pipeline of registered factories."""
from __future__ import annotations

import subprocess
import sys

import pytest

import extractor
from extractor.spacy_components import document_of

PAGE = ("Study summary: children under 25 years.\n\nInclusion Criteria:\n  • Age 1 to 21 years;\n"
        "  • Lansky ≥ 50 for patients ≤ 16 years;\nExclusion Criteria:\n  • Creatinine > 1.5 × ULN;\n\nContacts\n")


def test_extract_criteria_only_has_no_other_layers() -> None:
    doc = extractor.extract(PAGE, doc_id="p1", layers=["criteria"])
    assert doc.id == "p1" and doc.entities is None and doc.thresholds is None
    assert [(c.kind, c.text) for c in doc.criteria] == [
        ("inclusion", "Age 1 to 21 years;"), ("inclusion", "Lansky ≥ 50 for patients ≤ 16 years;"),
        ("exclusion", "Creatinine > 1.5 × ULN;")]


def test_unknown_layer_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown layer"):
        extractor.extract(PAGE, layers=["criteria", "relations"])


def test_spacy_pipeline_matches_the_extractor() -> None:
    nlp = extractor.load(layers=["criteria"])
    assert nlp.pipe_names == ["eligibility_criteria"]
    sdoc = nlp(PAGE)
    assert sdoc._.criteria == [c.to_dict() for c in extractor.extract(PAGE, layers=["criteria"]).criteria]
    assert [s.text for s in sdoc.spans["criteria"]] == [c["text"] for c in sdoc._.criteria]
    assert document_of(sdoc).to_dict()["criteria"] == sdoc._.criteria


def test_declared_section_in_the_pipeline() -> None:
    nlp = extractor.load(layers=["criteria"], section="exclusion")
    assert [c["kind"] for c in nlp("Pregnant\nActive infection")._.criteria] == ["exclusion", "exclusion"]


def test_factories_are_registered_by_entry_point() -> None:
    """``add_pipe`` finds the components by name in a fresh interpreter that never imported extractor."""
    code = ("import spacy; nlp = spacy.blank('en'); nlp.add_pipe('eligibility_criteria', "
            "config={'eligibility': True}); print([c['kind'] for c in nlp('Exclusion Criteria:\\n- HIV')._.criteria])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['exclusion']"


def test_a_transformer_command_without_the_extra_names_it() -> None:
    """As on a light install (no torch): the error says which extra to install, not ModuleNotFoundError."""
    code = ("import sys; sys.modules['torch'] = None; from extractor.cli import main; "
            "raise SystemExit(main(['pretrain', 'examples', 'unused_output']))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "pip install 'extractor[transformer]'" in run.stderr and "torch is not installed" in run.stderr
