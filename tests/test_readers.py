"""Readers: one table row per input form, and bad records that become named errors."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from conftest import needs_shared, SHARED
from extractor.readers import InputRecord, ReadError, ReadOptions, read_inputs, read_path

API_STUDY = {"protocolSection": {
    "identificationModule": {"nctId": "NCT00000001"},
    "eligibilityModule": {"eligibilityCriteria": "Inclusion Criteria:\n\n* Age ≥ 18", "minimumAge": "18 Years",
                          "maximumAge": "75 Years", "sex": "ALL"}}}
XML = ("<clinical_study><id_info><nct_id>NCT00000002</nct_id></id_info><eligibility><criteria><textblock>\n"
       "        Inclusion Criteria:\n\n          -  Age 1 to 21\n      </textblock></criteria>"
       "<gender>All</gender><minimum_age>1 Year</minimum_age></eligibility></clinical_study>")
GOLD = {"id": "G1", "text": "Pregnant", "criteria": [], "meta": {"section": "exclusion"}}

# name, file name, content, options, expected [(id, text start, eligibility, section, meta subset)]
CASES = [
    ("txt", "page.txt", "Who can enter\n  • Adults\n", ReadOptions(),
     [("page", "Who can enter", False, "auto", {})]),
    ("txt_naming_its_trial", "page.txt", "NCT ID NCT04787263\nWho can enter\n  • Adults\n", ReadOptions(),
     [("NCT04787263", "NCT ID", False, "auto", {})]),
    ("txt_citing_two_trials", "review.txt", "See NCT04787263 and NCT04325841.", ReadOptions(),
     [("review", "See", False, "auto", {})]),
    ("api_single", "study.json", json.dumps(API_STUDY), ReadOptions(),
     [("NCT00000001", "Inclusion Criteria:", True, "auto", {"minimumAge": "18 Years", "sex": "ALL"})]),
    ("api_list", "studies.json", json.dumps([API_STUDY, API_STUDY]), ReadOptions(),
     [("NCT00000001", "Inclusion", True, "auto", {}), ("NCT00000001", "Inclusion", True, "auto", {})]),
    ("api_page", "page.json", json.dumps({"studies": [API_STUDY], "nextPageToken": "x"}), ReadOptions(),
     [("NCT00000001", "Inclusion", True, "auto", {"maximumAge": "75 Years"})]),
    ("legacy_xml", "NCT00000002.xml", XML, ReadOptions(),
     [("NCT00000002", "\n        Inclusion", True, "auto", {"gender": "All", "minimum_age": "1 Year"})]),
    ("csv_default_fields", "batch.csv", "id,text\nA,Age > 18\nB,Pregnant\n", ReadOptions(),
     [("A", "Age > 18", False, "auto", {}), ("B", "Pregnant", False, "auto", {})]),
    ("csv_hash_header_named_fields", "aact.csv",
     '#nct_id,eligibility_criteria,minimum_age\nNCT1,"Inclusion Criteria:\n\nAge ≥ 1",1 Year\n',
     ReadOptions(id_field="nct_id", text_field="eligibility_criteria"),
     [("NCT1", "Inclusion Criteria:", True, "auto", {"minimum_age": "1 Year"})]),
    ("jsonl", "batch.jsonl", '{"id": "A", "text": "Age > 18"}\n\n{"id": 7, "text": "x"}\n', ReadOptions(),
     [("A", "Age > 18", False, "auto", {}), ("7", "x", False, "auto", {})]),
    ("jsonl_named_fields", "b.jsonl", '{"nct": "N1", "criteria": "Age > 18"}\n',
     ReadOptions(id_field="nct", text_field="criteria"), [("N1", "Age > 18", True, "auto", {})]),
    ("gold_document", "gold.json", json.dumps(GOLD), ReadOptions(), [("G1", "Pregnant", False, "exclusion", {})]),
    ("gold_registry_text", "lct.json", json.dumps({"id": "L1", "text": "Age > 18", "meta": {"eligibility": True}}),
     ReadOptions(), [("L1", "Age > 18", True, "auto", {"eligibility": True})]),
    ("declared_section", "chia_exc.txt", "Pregnant\n", ReadOptions(section="exclusion"),
     [("chia_exc", "Pregnant", False, "exclusion", {})]),
]


@pytest.mark.parametrize("name,content,options,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_readers(tmp_path: Path, name: str, content: str, options: ReadOptions, expected: list) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8", newline="")
    records = list(read_path(str(path), options))
    assert all(isinstance(r, InputRecord) for r in records), records
    assert len(records) == len(expected)
    for record, (doc_id, start, eligibility, section, meta) in zip(records, expected):
        assert (record.id, record.eligibility, record.section) == (doc_id, eligibility, section)
        assert record.text.startswith(start)
        assert meta.items() <= record.meta.items()
        assert str(path) in record.source


BAD = [
    ("malformed_json", "bad.json", b'{"id": "A", "text": ', "malformed JSON at line 1"),
    ("malformed_xml", "bad.xml", b"<clinical_study><id_info>", "malformed XML"),
    ("xml_without_criteria", "n.xml", b"<clinical_study><id_info><nct_id>N</nct_id></id_info></clinical_study>",
     "no eligibility/criteria/textblock"),
    ("undecodable_txt", "bad.txt", b"Age \xff 18", "not valid UTF-8"),
    ("api_without_criteria", "s.json", json.dumps({"protocolSection": {"identificationModule": {"nctId": "N9"}}})
     .encode(), "no protocolSection.eligibilityModule"),
    ("csv_missing_column", "c.csv", b"id,body\nA,x\n", "no column 'text'"),
    # issue 23, found by a fuzzer: each used to end the batch with a traceback
    ("api_protocol_not_object", "p.json", b'{"protocolSection": 5}', "'protocolSection' must be a JSON object"),
    ("api_module_not_object", "m.json", b'{"protocolSection": {"eligibilityModule": []}}',
     "'eligibilityModule' must be a JSON object"),
    ("json_nested_100000_deep", "d.json", b"[" * 100000 + b"]" * 100000, "nested too deeply"),
    ("json_5000_digit_integer", "i.json", b'{"id": "A", "text": "x", "n": ' + b"1" * 5000 + b"}", "4300 digits"),
    ("json_lone_surrogate", "u.json", b'{"id": "A", "text": "x \\ud800"}', "lone surrogate"),
    ("json_infinity", "f.json", b'{"id": "A", "text": "x", "v": Infinity}', "Infinity is not valid JSON"),
    ("csv_cut_in_quoted_field", "q.csv", b'id,text\nA,"cut', "unexpected end of data"),
]


@pytest.mark.parametrize("name,content,message", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_is_a_named_error(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    (error,) = list(read_path(str(path)))
    assert isinstance(error, ReadError)
    assert message in error.message and str(path) in error.source


def test_batch_goes_on_past_bad_records(tmp_path: Path) -> None:
    """Bad lines and rows are errors naming their record; the good ones around them are kept."""
    jsonl = tmp_path / "b.jsonl"
    jsonl.write_bytes(b'{"id": "A", "text": "ok"}\n{"id": "B", "text": \n{"id": "C"}\n'
                      b'{"id": "D", "text": "\xff"}\n{"id": "E", "text": "ok"}\n')
    csv_path = tmp_path / "b.csv"
    csv_path.write_bytes(b"id,text\nA,ok\nB,\xff\xfe\nC,ok,extra\nD,ok\n")
    items = list(read_inputs([str(jsonl), str(csv_path)]))
    good = [i.id for i in items if isinstance(i, InputRecord)]
    errors = [str(i) for i in items if isinstance(i, ReadError)]
    assert good == ["A", "E", "A", "D"]
    assert [e.split(": ", 1)[0] for e in errors] == [
        f"{jsonl} line 2", f"{jsonl} line 3", f"{jsonl} line 4",
        f"{csv_path} record 2 (line 3)", f"{csv_path} record 3 (line 4)"]


def test_folder_glob_and_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"id": "B", "text": "y"}\n', encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    assert [r.id for r in read_inputs([str(tmp_path)])] == ["a", "B"]
    assert [r.id for r in read_inputs([str(tmp_path / "*.txt")])] == ["a"]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(API_STUDY).encode())))
    assert [r.id for r in read_inputs(["-"])] == ["NCT00000001"]
    with pytest.raises(FileNotFoundError, match="no such file"):
        list(read_inputs([str(tmp_path / "missing*.csv")]))


@needs_shared
@pytest.mark.parametrize("name,id_field", [("leukemia_trials.csv", "nct_id"), ("registry_sample.csv", "nct_id")])
def test_corpus_csvs_read_with_field_options_only(name: str, id_field: str) -> None:
    options = ReadOptions(id_field=id_field, text_field="eligibility_criteria")
    items = list(read_path(str(SHARED / "corpora" / "ctgov" / name), options))
    assert not [i for i in items if isinstance(i, ReadError)]
    assert all(i.eligibility and i.id.startswith("NCT") for i in items)
    assert len(items) == {"leukemia_trials.csv": 406, "registry_sample.csv": 4868}[name]


def test_csv_blank_lines_are_not_records(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(b"id,text\n\nA,x\n\n\nB,y\n\n")
    assert [r.id for r in read_path(str(path))] == ["A", "B"]


@pytest.mark.parametrize("data, ids", [
    (b'id,text\nA,"Age > 18"\nB,x\n', ["A", "B"]),           # CSV header naming the fields: CSV
    (b"Age, sex, weight: see below\n", ["stdin"]),            # commas, but no id/text column: text
])
def test_stdin_csv_is_detected_by_its_header(monkeypatch: pytest.MonkeyPatch, data: bytes, ids: list) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert [r.id for r in read_inputs(["-"])] == ids
