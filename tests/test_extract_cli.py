"""`extractor extract` end to end: outputs, overwrite protection, error reporting, workers, corpora."""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import jsonschema
import pytest

from conftest import ANNOTATIONS, EXAMPLES, SHARED, needs_shared
from extractor.batch import BatchSummary
from extractor.cli import main
from extractor.readers import ReadOptions, read_path
from extractor.segment import default_rules

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "extractor/schema/document.schema.json").read_text())


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_extract_examples_to_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(EXAMPLES), "-o", str(out), "--layers", "criteria"]) == 0
    docs = _lines(out)
    assert [len(d["criteria"]) for d in docs] == [3, 0, 19, 23, 0]
    gold_ids = [json.loads(p.read_text(encoding="utf-8"))["id"] for p in sorted(ANNOTATIONS.glob("*.json"))]
    assert [d["id"] for d in docs] == gold_ids
    for doc in docs:
        jsonschema.validate(doc, SCHEMA)
        assert "entities" not in doc and "thresholds" not in doc
    assert "documents: 5, criteria: 45" in capsys.readouterr().err


def test_never_overwrites_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n", encoding="utf-8")
    args = ["extract", str(EXAMPLES / "000_c1c6e084e10c328d.txt"), "-o", str(out), "--layers", "criteria"]
    assert main(args) == 2
    assert out.read_text(encoding="utf-8") == "precious\n"
    assert "use --force" in capsys.readouterr().err
    assert main(args + ["--force"]) == 0
    assert _lines(out)[0]["id"] == "000_c1c6e084e10c328d"


def test_split_writes_one_file_per_document(tmp_path: Path) -> None:
    batch = tmp_path / "b.jsonl"
    batch.write_text('{"id": "NCT/1", "text": "Inclusion Criteria:\\n- Adults"}\n'
                     '{"id": "NCT/1", "text": "Exclusion Criteria:\\n- Minors"}\n', encoding="utf-8")
    out = tmp_path / "docs"
    assert main(["extract", str(batch), "-o", str(out), "--split", "--layers", "criteria"]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == ["NCT_1-2.json", "NCT_1.json"]
    assert json.loads((out / "NCT_1-2.json").read_text())["criteria"][0]["kind"] == "exclusion"
    assert main(["extract", str(batch), "-o", str(out), "--split", "--layers", "criteria"]) == 2


def test_bad_records_are_reported_and_the_batch_goes_on(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "b.jsonl"
    batch.write_bytes(b'{"id": "A", "text": "Inclusion Criteria:\\n- Adults"}\n{"id": "B"}\n'
                      b'not json\n{"id": "C", "text": "Exclusion Criteria:\\n- Minors"}\n')
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(batch), "-o", str(out), "--layers", "criteria"]) == 1
    assert [d["id"] for d in _lines(out)] == ["A", "C"]
    err = capsys.readouterr().err
    assert f"{batch} line 2: missing or non-string text field 'text'" in err
    assert f"{batch} line 3: malformed JSON" in err
    assert "errors: 2" in err and "2 record(s) failed" in err


@pytest.mark.parametrize("workers", ["1", "2"])
def test_missing_model_is_one_clear_error_before_any_output(tmp_path: Path, workers: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    missing = tmp_path / "no_model"
    assert main(["extract", str(EXAMPLES), "--model", str(missing), "-o", str(out), "--workers", workers]) == 2
    assert not out.exists()
    assert capsys.readouterr().err.strip() == f"extractor extract: {missing}: tagger model folder not found"


def test_workers_give_the_same_output(tmp_path: Path) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    base = ["extract", str(EXAMPLES), "--layers", "criteria", "-o"]
    assert main(base + [str(one)]) == 0
    assert main(base + [str(two), "--workers", "2"]) == 0
    assert one.read_text(encoding="utf-8") == two.read_text(encoding="utf-8")


def _sample(name: str, k: int, seed: int) -> list:
    records = list(read_path(str(SHARED / "corpora/ctgov" / name),
                             ReadOptions(id_field="nct_id", text_field="eligibility_criteria")))
    return random.Random(seed).sample(records, k)


@needs_shared
@pytest.mark.parametrize("name", ["leukemia_trials.csv", "registry_sample.csv"])
def test_corpus_sample_offsets_are_valid(tmp_path: Path, name: str) -> None:
    """Every criterion of a sample is text[start:end], stripped, inside the text, in order, without overlap."""
    out = tmp_path / "out.jsonl"
    args = ["extract", str(SHARED / "corpora/ctgov" / name), "--id-field", "nct_id",
            "--text-field", "eligibility_criteria", "--layers", "criteria", "-o", str(out)]
    assert main(args) == 0
    docs = _lines(out)
    assert len(docs) == {"leukemia_trials.csv": 406, "registry_sample.csv": 4868}[name]
    for doc in random.Random(7).sample(docs, 300):
        text, previous_end = doc["text"], 0
        assert doc["criteria"], doc["id"]
        for c in doc["criteria"]:
            assert previous_end <= c["start"] < c["end"] <= len(text)
            assert text[c["start"]:c["end"]] == c["text"] == c["text"].strip()
            previous_end = c["end"]


_NEXT_LINE = re.compile(r"[^\n]*\n([^\n]*)")


@needs_shared
def test_legacy_wrapped_lines_are_joined_into_one_criterion() -> None:
    """In the legacy layout a criterion runs to its paragraph's end: the next line is blank, a bullet or a heading."""
    rules = default_rules()
    from extractor.segment import find_criteria

    joined = 0
    for record in _sample("registry_sample.csv", 300, seed=11):
        for c in find_criteria(record.text, eligibility=True):
            joined += "\n" in c.text
            m = _NEXT_LINE.match(record.text, c.end)
            if not m or not m.group(1).strip():
                continue
            tail = record.text[c.end:m.start(1) - 1]
            if tail.strip():
                continue      # an item split from a run-on line
            nxt = m.group(1).strip()
            assert rules.bullet.match(nxt) or any(p.match(nxt) for p, _ in rules.headings), (record.id, c.text, nxt)
    assert joined > 300


@pytest.mark.parametrize("documents, seconds, rate", [
    (5, 10.6, "0.47 documents/s"),
    (4868, 7.98, "610 documents/s"),
    (0, 0.0, "0.00 documents/s"),
])
def test_summary_rate_keeps_its_digits_below_ten(documents: int, seconds: float, rate: str) -> None:
    assert str(BatchSummary(documents=documents, seconds=seconds)).endswith(f"s, {rate})")


_GOOD = b'{"id": "G", "text": "Inclusion Criteria:\\n- Adults"}\n'
# name, input file, content, records kept, message in an error line (None: no error, exit 0). Source: issue 23.
BAD_INPUT = [
    ("api_protocol_not_object", "s.json", b'[{"protocolSection": 5}, ' + _GOOD.strip() + b"]", ["G"],
     "'protocolSection' must be a JSON object"),
    ("jsonl_nested_100000_deep", "b.jsonl", b"[" * 100000 + b"]" * 100000 + b"\n" + _GOOD, ["G"],
     "nested too deeply"),
    ("jsonl_5000_digit_integer", "b.jsonl", b'{"id": "A", "text": "x", "n": ' + b"1" * 5000 + b"}\n" + _GOOD,
     ["G"], "4300 digits"),
    ("jsonl_lone_surrogate", "b.jsonl", b'{"id": "A", "text": "x \\ud800"}\n' + _GOOD, ["G"], "lone surrogate"),
    ("jsonl_nan", "b.jsonl", b'{"id": "A", "text": "x", "v": NaN}\n' + _GOOD, ["G"], "NaN is not valid JSON"),
    ("jsonl_not_utf8", "b.jsonl", b'{"id": "A", "text": "\xff"}\n' + _GOOD, ["G"], "not valid UTF-8"),
    ("csv_cut_in_quoted_field", "b.csv", b'id,text\nG,"Inclusion Criteria:\n- Adults"\nA,"cut', ["G"],
     "unexpected end of data"),
    ("csv_blank_lines", "b.csv", b'id,text\n\nG,"Inclusion Criteria:\n- Adults"\n\n', ["G"], None),
    ("empty_txt", "empty.txt", b"", ["empty"], None),
]


@pytest.mark.parametrize("name,content,kept,message", [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_an_error_line_and_the_batch_goes_on(tmp_path: Path, name: str, content: bytes,
                                                          kept: list[str], message: str | None,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path, out = tmp_path / name, tmp_path / "out.jsonl"
    path.write_bytes(content)
    status = main(["extract", str(path), "-o", str(out), "--layers", "criteria,thresholds"])
    assert status == (0 if message is None else 1)
    assert [d["id"] for d in _lines(out)] == kept
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if message is not None:
        assert f"error: {path}" in err and message in err


def test_csv_on_stdin_is_read_as_csv(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io
    import sys

    data = b'id,text\nA,"Inclusion Criteria:\n- Adults"\nB,Pregnant\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["extract", "-", "--layers", "criteria"]) == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == ["A", "B"]


def test_failed_run_leaves_previous_output_and_no_temporary_file(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n", encoding="utf-8")
    args = ["extract", str(EXAMPLES), str(tmp_path / "missing.txt"), "-o", str(out), "--force"]
    assert main(args + ["--layers", "criteria"]) == 2
    assert out.read_text(encoding="utf-8") == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize("output, split, message", [
    ("folder", False, "is a folder"),          # -o naming a folder without --split
    ("file.txt/out.jsonl", False, "is a file, not a folder"),  # a path under a file
    ("file.txt", True, "is a file, --split needs a folder"),
])
def test_unwritable_output_is_a_clear_error(tmp_path: Path, output: str, split: bool, message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    args = ["extract", str(EXAMPLES), "-o", str(tmp_path / output), "--layers", "criteria"]
    assert main(args + (["--split"] if split else [])) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_split_force_leaves_no_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "STALE.json").write_text("{}", encoding="utf-8")
    (out / "notes.md").write_text("kept", encoding="utf-8")
    assert main(["extract", str(EXAMPLES), "-o", str(out), "--split", "--force", "--layers", "criteria"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert "STALE.json" not in names and "notes.md" in names and len(names) == 6
    assert [p.name for p in tmp_path.iterdir()] == ["docs"]


class _Failing:
    """An extractor whose entity layer fails (as one criterion over 1,000,000 characters did) or whose
    worker dies (as the OOM killer kills it), by the record's text."""

    def __init__(self, *args: object) -> None:
        from extractor.api import Extractor

        self._real = Extractor(("criteria", "thresholds"))

    def run(self, text: str, **kwargs: object) -> object:
        import os
        import signal

        if text == "KILL":
            os.kill(os.getpid(), signal.SIGKILL)
        doc, layout = self._real.run(text, **kwargs)  # type: ignore[arg-type]
        if text.endswith("BIG"):
            kwargs["on_layer_error"]("entities", ValueError("text too long"))  # type: ignore[operator]
        return doc, layout


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_failing_layer_or_a_dead_worker_loses_only_its_part(tmp_path: Path, workers: str,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    import extractor.batch

    monkeypatch.setattr(extractor.batch, "Extractor", _Failing)
    texts = ["Inclusion Criteria:\n- Age > 18 years BIG"] + (["KILL"] if workers == "2" else []) + ["Pregnant"] * 40
    batch, out = tmp_path / "b.jsonl", tmp_path / "out.jsonl"
    batch.write_text("".join(json.dumps({"id": f"R{i}", "text": t}) + "\n" for i, t in enumerate(texts)))
    assert main(["extract", str(batch), "-o", str(out), "--workers", workers]) == 1
    docs = _lines(out)
    assert len(docs) == len(texts) - (workers == "2")
    assert docs[0]["criteria"] and "thresholds" in docs[0]
    err = capsys.readouterr().err
    assert "line 1: entities layer failed, left out: ValueError: text too long" in err
    if workers == "2":
        assert "line 2: worker process died" in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    import extractor

    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"extractor {extractor.__version__}"
