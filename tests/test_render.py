"""`extractor render`: the view's pieces and records, the page's structure, and the page in a real browser.

The browser test drives Debian's Chromium headless (``apt-get install -y chromium``) and skips, saying
so, where no Chromium binary is found.
"""
from __future__ import annotations

import json
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES
from extractor.cli import main
from extractor.records import Bound, Condition, Criterion, Document, Entity, Threshold
from extractor.render import Piece, bound_view, document_view, pieces, render_html

TEXT = ("Inclusion Criteria:\n- Age >= 18 years\n- ALT <= 3 x ULN unless liver metastases\n"
        "Exclusion Criteria:\n- No active <HIV> infection\n- Pregnant\n- Breast feeding")


def at(word: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(word, start + 1)
    return start, start + len(word)


def line(word: str) -> tuple[int, int]:
    start = TEXT.index(word)
    return start, TEXT.index("\n", start) if "\n" in TEXT[start:] else len(TEXT)


def sample() -> Document:
    """Two inclusion criteria (one with a conditional threshold), three exclusion, two of them any-of."""
    spans = [line("Age"), line("ALT"), line("No active"), line("Pregnant"), line("Breast")]
    kinds = ["inclusion", "inclusion", "exclusion", "exclusion", "exclusion"]
    ids = ["I1", "I2", "E1", "E2", "E3"]
    criteria = [Criterion(s, e, k, TEXT[s:e], section=f"{k.capitalize()} Criteria", any_of=1 if i > 2 else None,
                          id=cid) for i, ((s, e), k, cid) in enumerate(zip(spans, kinds, ids))]
    hiv = at("<HIV> infection")
    entities = [Entity(*at("Age"), "person", False, "Age", 0), Entity(*hiv, "condition", True, TEXT[slice(*hiv)], 2),
                Entity(*at("<HIV>"), "measurement", False, "<HIV>", 2)]
    age, alt = at("Age >= 18 years"), at("ALT <= 3 x ULN")
    condition = Condition("liver metastases", True, (Bound("age", 18, True, None, None, "a"),))
    thresholds = [Threshold(*age, "age", 18, True, None, None, "a", TEXT[slice(*age)], 0, group=0),
                  Threshold(*alt, "alt", None, None, 3.0, True, "{ULN}", TEXT[slice(*alt)], 1, group=0,
                            condition=condition)]
    return Document("NCT00000001", TEXT, "sample.txt", criteria, entities, thresholds)


@pytest.mark.parametrize("entities, thresholds, expected", [
    ([], [], [Piece("No active <HIV> infection")]),
    ([Entity(*at("<HIV>"), "condition", True)], [],
     [Piece("No active "), Piece("<HIV>", "condition", True, ("condition (negated)",)), Piece(" infection")]),
    # overlapping mentions: the shorter one colours the run, both are named
    ([Entity(*at("<HIV> infection"), "condition"), Entity(*at("<HIV>"), "measurement")], [],
     [Piece("No active "), Piece("<HIV>", "measurement", False, ("measurement", "condition")),
      Piece(" infection", "condition", False, ("condition",))]),
    # a threshold underlines its run; an entity reaching out of the criterion is cut at its edge
    ([Entity(at("Exclusion")[0], at("No")[0] + 2, "negation")], [Threshold(*at("active"), "age")],
     [Piece("No", "negation", False, ("negation",)), Piece(" "), Piece("active", threshold=True),
      Piece(" <HIV> infection")]),
])
def test_pieces_cut_a_criterion_at_every_boundary(entities: list[Entity], thresholds: list[Threshold],
                                                  expected: list[Piece]) -> None:
    start, end = line("No active")
    assert pieces(TEXT, start, end, entities, thresholds) == expected
    assert "".join(p.text for p in pieces(TEXT, start, end, entities, thresholds)) == TEXT[start:end]


@pytest.mark.parametrize("bound, reading, low, high", [
    (Bound("age", 18, True, None, None, "a"), "age ≥ 18 a", "≥ 18", ""),
    (Bound("age", 18.0, False, 65, False, "a"), "18 < age < 65 a", "> 18", "< 65"),
    (Bound("alt", None, None, 2.5, True, "{ULN}"), "alt ≤ 2.5 {ULN}", "", "≤ 2.5"),
    (Bound("ecog", 0, True, 2, True, None), "0 ≤ ecog ≤ 2", "≥ 0", "≤ 2"),
    (Bound("wbc", 100000.0, True, None, None, "/uL"), "wbc ≥ 100000 /uL", "≥ 100000", ""),
])
def test_bound_view_reads_inclusivity(bound: Bound, reading: str, low: str, high: str) -> None:
    view = bound_view(bound)
    assert (view.reading, view.low, view.high, view.unit) == (reading, low, high, bound.unit or "")


def test_document_view_groups_by_kind_and_section_and_lists_any_of_sets() -> None:
    view = document_view(sample())
    assert [(kind, [s.name for s in sections]) for kind, sections in view.kinds] == [
        ("inclusion", ["Inclusion Criteria"]), ("exclusion", ["Exclusion Criteria"])]
    assert [c.id for _, sections in view.kinds for s in sections for c in s.criteria] == ["I1", "I2", "E1", "E2",
                                                                                         "E3"]
    assert view.any_of == ((1, ("E2", "E3")),)
    assert view.counts == {"criteria": 5, "entities": 3, "thresholds": 2}


class Tree(HTMLParser):
    """Tags with their attributes and the text inside each, enough to check the page's structure."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.open: list[tuple[str, dict[str, str], list[str]]] = []
        self.texts: list[tuple[str, dict[str, str], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag not in ("meta", "br"):
            self.open.append((tag, attributes, []))

    def handle_endtag(self, tag: str) -> None:
        name, attributes, text = self.open.pop()
        assert name == tag, f"</{tag}> closes <{name}>"
        self.texts.append((tag, attributes, "".join(text)))
        if self.open:
            self.open[-1][2].append("".join(text))

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1][2].append(data)

    def text_of(self, tag: str, cls: str) -> list[str]:
        return [" ".join(text.split()) for name, attrs, text in self.texts
                if name == tag and cls in attrs.get("class", "").split()]


@pytest.fixture(scope="module")
def page() -> str:
    return render_html([sample()], title="sample")


def parsed(html: str) -> Tree:
    tree = Tree()
    tree.feed(html)
    tree.close()
    assert not tree.open, "unclosed elements"
    return tree


def test_page_is_self_contained_and_escapes_the_text(page: str) -> None:
    tree = parsed(page)
    assert not [t for t, attrs in tree.tags if t in ("script", "link", "img", "iframe", "object")]
    assert not [attrs for _, attrs in tree.tags if "src" in attrs or attrs.get("href", "#").startswith(("http", "//"))]
    assert "url(" not in page and "@import" not in page
    assert "&lt;HIV&gt;" in page and "<HIV>" not in page


def test_page_lists_criteria_by_kind_with_ids_entities_and_records(page: str) -> None:
    tree = parsed(page)
    assert [text for tag, _, text in tree.texts if tag == "h3"] == ["Inclusion criteria", "Exclusion criteria",
                                                                    "Any-of sets"]
    assert [a["data-kind"] for t, a in tree.tags if t == "section" and "data-kind" in a] == ["inclusion", "exclusion"]
    assert [a["data-id"] for t, a in tree.tags if t == "li" and "data-id" in a] == ["I1", "I2", "E1", "E2", "E3"]
    assert tree.text_of("span", "cid") == ["I1", "I2", "E1", "E2", "E3"]
    assert tree.text_of("h4", "section-name") == ["Inclusion Criteria", "Exclusion Criteria"]
    marks = [(a["data-label"], a["data-negated"], a["title"]) for t, a in tree.tags if t == "mark" and "data-label" in a]
    assert marks == [("person", "false", "person"), ("measurement", "false", "measurement, condition (negated)"),
                     ("condition", "true", "condition (negated)")]
    assert tree.text_of("td", "reading") == ["age ≥ 18 a", "alt ≤ 3 {ULN}"]
    assert tree.text_of("td", "unit") == ["a", "{ULN}"]
    assert tree.text_of("td", "group") == ["0", "0"]
    assert [text[:25] for text in tree.text_of("td", "condition")] == ["", "unless “liver metastases”"]
    assert tree.text_of("span", "cond-bound") == ["age ≥ 18 a"]
    assert tree.text_of("li", "any-of") == ["set 1: at least one of E2, E3"]
    assert tree.text_of("span", "anyof") == ["any of #1", "any of #1"]


def test_a_document_without_criteria_or_layers_says_so() -> None:
    tree = parsed(render_html([Document("d", "A news summary.", criteria=[])]))
    assert tree.text_of("p", "empty") == ["No criteria: the text has no eligibility section."]
    assert "entities: not extracted" in tree.text_of("p", "meta")[0]


def test_render_command_extracts_pages_and_shows_saved_output_as_it_is(tmp_path: Path) -> None:
    page_file = tmp_path / "page.html"
    assert main(["render", str(EXAMPLES / "003_942a271a7edc3373.txt"), "-o", str(page_file),
                 "--layers", "criteria,thresholds"]) == 0
    tree = parsed(page_file.read_text(encoding="utf-8"))
    assert len(tree.text_of("li", "criterion")) == 23 and "life_expectancy ≥ 60 d" in tree.text_of("td", "reading")
    saved = tmp_path / "saved.jsonl"
    saved.write_text(json.dumps(sample().to_dict()) + "\n", encoding="utf-8")
    assert main(["render", str(saved), "-o", str(page_file)]) == 2  # never overwrites without --force
    assert main(["render", str(saved), "-o", str(page_file), "--force"]) == 0
    assert parsed(page_file.read_text(encoding="utf-8")).text_of("li", "any-of") == ["set 1: at least one of E2, E3"]


def test_render_command_reports_a_bad_record_and_renders_the_rest(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"id": "a", "text": "Inclusion Criteria:\\n- Adults"}\n{"id": \n', encoding="utf-8")
    out = tmp_path / "page.html"
    assert main(["render", str(batch), "-o", str(out), "--layers", "criteria"]) == 1
    assert "line 2" in capsys.readouterr().err
    assert parsed(out.read_text(encoding="utf-8")).text_of("span", "cid") == ["I1"]
    batch.write_text('{"id": \n', encoding="utf-8")
    assert main(["render", str(batch), "-o", str(tmp_path / "none.html")]) == 2
    assert not (tmp_path / "none.html").exists()


CHROMIUM = next((path for name in ("chromium", "chromium-browser", "google-chrome") if (path := shutil.which(name))),
                None)
#: What the page says about itself once a real browser has laid it out (run inside the browser only).
PROBE = """<script>
const style = (selector, property) => getComputedStyle(document.querySelector(selector))[property];
const box = document.querySelector("table.thresholds").getBoundingClientRect();
document.body.setAttribute("data-probe", JSON.stringify({
  resources: performance.getEntriesByType("resource").length,
  condition: style("mark.ent-condition.neg", "backgroundColor"),
  negated: style("mark.neg", "textDecorationLine"),
  inclusion: style(".kind-inclusion li.criterion", "borderLeftColor"),
  table: [Math.round(box.width), Math.round(box.height)],
  criteria: document.querySelectorAll("li.criterion").length}));
</script>"""


def chromium(*args: str, user_data: Path) -> subprocess.CompletedProcess[str]:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={user_data}", "--window-size=1000,900"]
    return subprocess.run([CHROMIUM or "chromium", *flags, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH (Debian: apt-get install -y chromium)")
def test_page_in_a_headless_browser(tmp_path: Path, page: str) -> None:
    """Chromium lays the page out with its inlined style, fetches nothing, and screenshots it."""
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = chromium("--dump-dom", probed.as_uri(), user_data=tmp_path / "profile").stdout
    body = next(attrs for tag, attrs in parsed(dom).tags if tag == "body")
    report: dict[str, Any] = json.loads(body["data-probe"])
    assert report["resources"] == 0
    assert report["condition"] == "rgb(255, 214, 214)" and report["negated"] == "line-through"
    assert report["inclusion"] == "rgb(91, 179, 129)"
    assert report["criteria"] == 5 and report["table"][0] > 300 and report["table"][1] > 40
    shot = tmp_path / "page.png"
    plain = tmp_path / "page.html"
    plain.write_text(page, encoding="utf-8")
    chromium(f"--screenshot={shot}", plain.as_uri(), user_data=tmp_path / "profile")
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", header[16:24]) == (1000, 900)
