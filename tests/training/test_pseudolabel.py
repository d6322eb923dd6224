"""Silver data for self-training: criteria drawn from raw text, tagged by a trained tagger, written as gold files."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.cli import main
from extractor.entities import load_tagger
from extractor.entities.tagger import default_model_path
from extractor.entities.types import TrainingError
from extractor.evaluation.loaders import load_documents
from extractor.readers import ReadOptions
from extractor.records import Criterion, Document, Entity
from extractor.training.pseudolabel import pseudolabel, sample_criteria, silver_criteria, silver_document
from extractor.training.train import train
from extractor.validate import validate

REPO = Path(__file__).resolve().parents[2]

CSV = (
    "nct_id,eligibility_criteria\n"
    'NCT01,"Inclusion Criteria:\n- Age 18 years or older at screening\n- ECOG performance status 0-1\n'
    'Exclusion Criteria:\n- Pregnant or breastfeeding women\n"\n'
    'NCT02,"Inclusion Criteria:\n- Age 18 years or older at screening\n- Bilirubin < 1.5 x ULN\n"\n'
    'NCT03,"Inclusion Criteria:\n- Hidden test criterion of the test split\n"\n'
    'NCT04,"Extra field",oops\n'
    'NCT05,"Exclusion Criteria:\n- History of myocardial infarction within 6 months\n- HIV\n"\n'
)
OPTIONS = ReadOptions(id_field="nct_id", text_field="eligibility_criteria")
# distinct criteria of 20 characters or more, NCT03 left out; "HIV" is too short to teach anything
EXPECTED = {"Age 18 years or older at screening": ("NCT01", "inclusion"),
            "ECOG performance status 0-1": ("NCT01", "inclusion"),
            "Pregnant or breastfeeding women": ("NCT01", "exclusion"),
            "Bilirubin < 1.5 x ULN": ("NCT02", "inclusion"),
            "History of myocardial infarction within 6 months": ("NCT05", "exclusion")}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The CSV batch and a gold folder holding NCT03 (as a test split would)."""
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "trials.csv").write_text(CSV, encoding="utf-8")
    gold = folder / "test_split"
    gold.mkdir()
    text = "Hidden test criterion of the test split\n"
    doc = Document("NCT03_inc", text, criteria=[Criterion(0, len(text) - 1, "inclusion")], entities=[])
    (gold / "NCT03_inc.json").write_text(json.dumps(doc.to_dict()), encoding="utf-8")
    return folder / "trials.csv", gold


@pytest.mark.parametrize("limit, seed, min_chars, max_chars, n, eligible", [
    (10, 0, 1, 100, 4, 4),
    (2, 0, 1, 100, 2, 4),
    (10, 0, 4, 5, 2, 2),
    (10, 0, 100, 200, 0, 0),
])
def test_sample_criteria_draws_within_length_bounds(limit: int, seed: int, min_chars: int, max_chars: int,
                                                    n: int, eligible: int) -> None:
    records = [("NCT1", "inclusion", "a"), ("NCT1", "inclusion", "abcd"), ("NCT2", "exclusion", "abcde"),
               ("NCT3", "inclusion", "a" * 50)]
    drawn, count = sample_criteria(records, limit, seed, min_chars, max_chars)
    assert count == eligible and len(drawn) == n
    assert all(min_chars <= len(text) <= max_chars for _, _, text in drawn)
    assert drawn == sample_criteria(records, limit, seed, min_chars, max_chars)[0]  # the seed fixes the draw


def test_a_different_seed_draws_another_order() -> None:
    records = [("NCT1", "inclusion", f"eligibility criterion {i:02d}") for i in range(30)]
    assert sample_criteria(records, 30, 0)[0] != sample_criteria(records, 30, 1)[0]
    assert sorted(sample_criteria(records, 30, 1)[0]) == records


def test_silver_document_shifts_spans_to_its_criteria() -> None:
    records = [("NCT1", "inclusion", "Age 18 or older"), ("NCT2", "exclusion", "No HIV")]
    spans = [[(0, 3, "person"), (4, 15, "value")], [(0, 2, "negation"), (3, 6, "condition")]]
    doc = silver_document("silver_00007", records, spans, "teacher")
    assert doc.id == "silver_00007" and doc.text == "Age 18 or older\nNo HIV\n"
    assert [(doc.text[c.start:c.end], c.kind) for c in doc.criteria] == [("Age 18 or older", "inclusion"),
                                                                        ("No HIV", "exclusion")]
    assert [(doc.text[e.start:e.end], e.label) for e in doc.entities] == [
        ("Age", "person"), ("18 or older", "value"), ("No", "negation"), ("HIV", "condition")]
    assert doc.meta == {"trials": ["NCT1", "NCT2"], "tagger": "teacher"}


def test_pseudolabel_writes_what_the_tagger_says_leaves_excluded_trials_out_and_goes_past_a_bad_record(
        corpus: tuple[Path, Path], tmp_path: Path) -> None:
    csv, test_split = corpus
    summary = pseudolabel([str(csv)], tmp_path / "silver", model=default_model_path(), limit=4,
                          exclude=[test_split], per_document=3, options=OPTIONS)
    assert (summary.available, summary.criteria, summary.documents) == (5, 4, 2)
    assert [str(e) for e in summary.errors] == [f"{csv} record 4 (line 15): 3 fields, header has 2"]
    assert validate([tmp_path / "silver"]) == []  # they are gold-format files
    docs = load_documents(tmp_path / "silver")
    assert sorted(docs) == ["silver_00000", "silver_00001"]
    assert [len(docs[d].criteria) for d in sorted(docs)] == [3, 1]
    tagger = load_tagger(default_model_path())
    entities = 0
    for doc in docs.values():
        for criterion, trial in zip(doc.criteria, doc.meta["trials"]):
            text = doc.text[criterion.start:criterion.end]
            assert EXPECTED[text] == (trial, criterion.kind)
            inside = [(e.start - criterion.start, e.end - criterion.start, e.label) for e in doc.entities
                      if criterion.start <= e.start < criterion.end]
            assert inside == tagger.tag([text])[0]
            entities += len(inside)
    assert entities == summary.entities > 0
    texts, taggers = silver_criteria(tmp_path / "silver")  # read back in document order, with their teacher
    assert texts == [docs[d].text[c.start:c.end] for d in sorted(docs) for c in docs[d].criteria]
    assert taggers == {str(default_model_path())}


def test_a_second_draw_skips_the_criteria_of_earlier_draws(corpus: tuple[Path, Path], tmp_path: Path,
                                                           capsys: pytest.CaptureFixture) -> None:
    csv, test_split = corpus
    first = pseudolabel([str(csv)], tmp_path / "first", model=default_model_path(), limit=2, seed=0,
                        exclude=[test_split], options=OPTIONS)
    # the same seed would draw the same two again, were they not skipped
    args = ["pseudolabel", str(csv), str(tmp_path / "second"), "--model", str(default_model_path()), "--limit", "5",
            "--exclude", str(test_split), "--skip-drawn", str(tmp_path / "first"), "--seed", "0",
            "--id-field", "nct_id", "--text-field", "eligibility_criteria"]
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("3 of 3 criteria tagged")
    texts = {name: {doc.text[c.start:c.end] for doc in load_documents(tmp_path / name).values() for c in doc.criteria}
             for name in ("first", "second")}
    assert first.criteria == len(texts["first"]) == 2
    assert texts["first"].isdisjoint(texts["second"]) and texts["first"] | texts["second"] == set(EXPECTED)


def test_pseudolabel_refuses_bad_sizes_and_empty_inputs(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    csv, test_split = corpus
    with pytest.raises(TrainingError, match="must be positive"):
        pseudolabel([str(csv)], tmp_path, model=default_model_path(), limit=0, options=OPTIONS)
    empty = tmp_path / "empty.csv"
    empty.write_text("nct_id,eligibility_criteria\nNCT09,\"Inclusion Criteria:\n- HIV\n\"\n", encoding="utf-8")
    with pytest.raises(TrainingError, match="no criterion to tag"):
        pseudolabel([str(empty)], tmp_path / "out", model=default_model_path(), limit=5, options=OPTIONS)


def test_cli_reports_counts_and_the_skipped_record(corpus: tuple[Path, Path], tmp_path: Path,
                                                   capsys: pytest.CaptureFixture) -> None:
    csv, test_split = corpus
    args = ["pseudolabel", str(csv), str(tmp_path / "silver"), "--model", str(default_model_path()),
            "--limit", "2", "--exclude", str(test_split), "--id-field", "nct_id", "--text-field",
            "eligibility_criteria"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert out.startswith("2 of 5 criteria tagged") and "into 1 documents" in out
    assert "record 4 (line 15)" in err and "1 unreadable records skipped" in err
    assert main(args[:4] + [str(tmp_path / "no_model")] + args[5:]) == 2
    assert "no_model: tagger model folder not found" in capsys.readouterr().err


@pytest.mark.training
def test_silver_documents_train_but_never_become_dev(corpus: tuple[Path, Path], tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    from spacy.util import load_config

    csv, test_split = corpus
    for folder, limit in (("silver", 5), ("more", 2)):  # two silver folders: their document ids must not clash
        pseudolabel([str(csv)], tmp_path / folder, model=default_model_path(), limit=limit, per_document=1,
                    exclude=[test_split], options=OPTIONS)
    gold = tmp_path / "gold"
    gold.mkdir()
    text = "No history of diabetes mellitus\n"
    for trial in ("NCT11", "NCT12"):
        doc = Document(f"{trial}_inc", text, criteria=[Criterion(0, len(text) - 1, "inclusion")],
                       entities=[Entity(14, 31, "condition")])
        (gold / f"{doc.id}.json").write_text(json.dumps(doc.to_dict()), encoding="utf-8")
    config = load_config(REPO / "models" / "chia_ner.cfg",
                         overrides={"training.max_epochs": 1, "training.eval_frequency": 1})
    config.to_disk(tmp_path / "tiny.cfg")
    with caplog.at_level("INFO", logger="extractor"):
        train(gold, None, tmp_path / "model", config=tmp_path / "tiny.cfg", dev_fraction=0.5,
              silver=[tmp_path / "silver", tmp_path / "more"])
    # a 0.5 split by CRC32 sends NCT12 to dev, and would send silver_00000 to silver_00003 too
    # were silver carved like gold: all seven train, and dev is gold alone
    assert "8 training and 1 dev criteria from 8 + 1 documents (7 of them silver)" in caplog.text


@pytest.mark.parametrize("block", [1, 3])
def test_tagging_in_blocks_writes_the_same_documents(corpus: tuple[Path, Path], tmp_path: Path, block: int) -> None:
    """A block is rounded down to whole documents (at least one): 3 → 2 criteria, 1 → 2."""
    csv, test_split = corpus
    written = {}
    for name, size in (("whole", 10_000), ("parts", block)):
        pseudolabel([str(csv)], tmp_path / name, model=default_model_path(), limit=5, per_document=2,
                    block=size, exclude=[test_split], options=OPTIONS)
        written[name] = [(d.text, d.criteria, d.entities, d.meta["trials"])
                         for d in load_documents(tmp_path / name).values()]
    assert len(written["parts"]) == 3 and written["parts"] == written["whole"]
