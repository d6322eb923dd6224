"""The grammar's data files: bad rows and broken group contracts fail at load, naming the file."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import bad_data_file_error
from extractor.resources import DataFileError
from extractor.thresholds import grammar


@pytest.mark.parametrize("rows, message", [
    # white space does not count: "> =" already matches ">="
    ("> =,prefix,low,yes\n>=,prefix,low,yes\n", "'>=' repeats or contradicts an earlier prefix row"),
    # one meaning per surface, in either position
    ("at least,prefix,low,yes\nat least,postfix,high,yes\n", "'at least' repeats or contradicts"),
    ("<,inside,high,no\n", "position 'inside' is not one of ['prefix', 'postfix']"),
    ("<,prefix,top,no\n", "bound 'top' is not one of"),
    ("<,prefix,high,maybe\n", "inclusive 'maybe' is not one of"),
])
def test_bad_comparator_rows_fail_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  rows: str, message: str) -> None:
    bad_data_file_error(monkeypatch, grammar, tmp_path / "comparators.csv",
                        "surface,position,bound,inclusive\n" + rows, grammar.read_comparators, message)


def test_the_same_surface_may_stand_before_and_after_the_number(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "comparators.csv"
    path.write_text("surface,position,bound,inclusive\nat least,prefix,low,yes\nat least,postfix,low,yes\n",
                    encoding="utf-8")
    monkeypatch.setattr(grammar, "data_path", lambda name: path)
    comparators, prefix, postfix = grammar.read_comparators()
    assert prefix == postfix == ["at least"] and list(comparators) == ["atleast"]


def load_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, grammar_data: dict[str, Any], message: str) -> None:
    """Loading the grammar with ``grammar_data`` as its file fails with ``message``, naming the file."""
    path = tmp_path / "threshold_grammar.json"
    path.write_text(json.dumps(grammar_data), encoding="utf-8")
    real_path = grammar.data_path
    monkeypatch.setattr(grammar, "data_path",
                        lambda name: path if name == "threshold_grammar.json" else real_path(name))
    with pytest.raises(DataFileError, match=re.escape(message)) as err:
        grammar.load_grammar.__wrapped__()
    assert str(path) in str(err.value)


@pytest.mark.parametrize("fragment, renamed, message", [
    # a renamed group used to load and then raise KeyError on every range
    ("between", "?P<b1>", "fragment 'between' lacks the named group(s) ['b1']"),
    ("cmp_before", "?P<cmp>", "fragment 'cmp_before' lacks the named group(s) ['cmp']"),
    ("trailing_unit", "?P<unit>", "fragment 'trailing_unit' lacks the named group(s) ['unit']"),
    ("value", "@stage@|", "fragment 'value' no longer holds the group(s) ['roman', 'roman2', 'scmp', 'spost', 'spre']"),
])
def test_grammar_group_contract_is_checked_at_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   fragment: str, renamed: str, message: str) -> None:
    real = grammar.data_path("threshold_grammar.json")
    data = json.loads(real.read_text(encoding="utf-8"))
    (row,) = [r for r in data["fragments"] if r["name"] == fragment]
    assert renamed in row["pattern"]
    row["pattern"] = row["pattern"].replace(renamed, "?P<renamed>" if renamed.startswith("?P") else "", 1)
    load_fails(tmp_path, monkeypatch, data, message)


def test_every_required_fragment_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fragment the contract names that the file lacks fails at load, not on the first criterion."""
    real = grammar.data_path("threshold_grammar.json")
    data = json.loads(real.read_text(encoding="utf-8"))
    data["fragments"] = [r for r in data["fragments"] if r["name"] != "lead_unit"]
    load_fails(tmp_path, monkeypatch, data, "fragment 'lead_unit' is missing")
