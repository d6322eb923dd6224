"""Chia and LCT (BRAT standoff) → gold files of the annotation format, one JSON per document.

:mod:`.brat` reads the standoff, :mod:`.criteria`, :mod:`.entities` and :mod:`.lct_thresholds`
derive each layer, :mod:`.report` counts what was kept and dropped.

Decisions, each counted in :class:`ConversionReport` so that nothing is lost silently:

- Split: a document is *test* when the integer of its NCT number is divisible by 5
  (``../shared/corpora/README.md``); ``split="all"`` keeps both.
- Labels: ``data/brat_label_map.json`` maps BRAT labels to the format's entity labels;
  unmapped labels are dropped and counted per label.
- Spans are trimmed of surrounding white space (the format forbids it) and
  identical (span, label) pairs are kept once.
- Discontinuous entities (Chia "breast and ovarian cancer" → "breast … cancer") become
  their covering span, which is how a contiguous tagger marks a coordination, unless
  that span would nest or cross another entity of the same label or a line break; then
  they are dropped with a warning.
- ``negated``: Chia sets it from ``Has_negation`` relations (Arg1 is the negated
  entity), LCT from ``Negation`` events' ``Negates`` arguments; the other concept
  entities get ``False``, values, temporals and cues get none.
- Criteria: Chia puts one criterion per line and separates inclusion and exclusion
  into ``_inc``/``_exc`` documents, so every non-empty line is a criterion of the
  file's kind (``meta.section`` records it for the evaluation harness). LCT texts are
  registry criteria fields (``meta.eligibility`` says so, as ``extractor.readers`` reads
  it) with both sections and their headings in one text: lines under a recognised
  heading are criteria, bullets stripped; a line ending in ":" with nothing tagged in
  it is a lead-in. A document whose layout the rules cannot read faithfully (text
  before the first heading, an unrecognised heading, several enumerated items on one
  line) gets no criteria layer, so it is not scored on criteria rather than scored
  against a guess. The rules are in ``data/brat_layout.json``, independent of the
  pipeline's segmenter.
- Thresholds (LCT only; Chia has no operator attributes): an ``Eq-Comparison`` in the
  ``Numeric-Filter`` role of an ``Age`` event, or of an ``Observation``/``Condition``
  whose name (or an ``Abbrev-Of`` partner's) is a catalogue alias of one variable
  (a family alias only where its context decides), becomes a record:
  operator attribute → bounds and inclusivity, ``Eq-Value`` numbers, ``Eq-Unit``/
  ``Eq-Temporal-Unit`` → UCUM; a value written without unit is in the variable's
  catalogue ``default_unit`` (years for an age, kg/m2 for a BMI), else unitless. A
  comparison on a catalogue variable that cannot be converted faithfully (unknown
  operator, unit or number) makes the document's thresholds layer absent; otherwise
  the layer is present, possibly empty. Chia documents have no thresholds layer.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from extractor.corpora.brat import BratDocument, read_brat
from extractor.corpora.criteria import chia_criteria, lct_criteria
from extractor.corpora.entities import CORPORA, map_entities
from extractor.corpora.lct_thresholds import lct_thresholds
from extractor.corpora.report import ConversionReport
from extractor.records import Criterion, Document

SPLITS: tuple[str, ...] = ("test", "train", "all")
_NCT = re.compile(r"NCT(\d{8})")


class ConversionError(ValueError):
    """A corpus folder or option the converter cannot work with."""


def split_of(doc_id: str) -> str | None:
    """``test`` or ``train`` by the corpora README's rule; ``None`` without an NCT number."""
    m = _NCT.search(doc_id)
    if m is None:
        return None
    return "test" if int(m.group(1)) % 5 == 0 else "train"


def convert_brat(corpus_dir: str | Path, out_dir: str | Path, corpus: str = "chia",
                 split: str = "test") -> ConversionReport:
    """Write one gold JSON per document of ``split`` to ``out_dir``; return what was kept and dropped."""
    if corpus not in CORPORA:
        raise ConversionError(f"unknown corpus {corpus!r}; expected one of {', '.join(CORPORA)}")
    if split not in SPLITS:
        raise ConversionError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    corpus_dir, out_dir = Path(corpus_dir), Path(out_dir)
    files = sorted(corpus_dir.rglob("*.txt"))
    if not files:
        raise ConversionError(f"{corpus_dir}: no BRAT .txt files found")
    out_dir.mkdir(parents=True, exist_ok=True)
    report = ConversionReport()
    for txt in files:
        doc_split = split_of(txt.stem)
        if doc_split is None:
            report.warnings.append(f"{txt}: no NCT number in the file name, so no split; skipped")
            continue
        if split != "all" and doc_split != split:
            report.other_split += 1
            continue
        if not txt.with_suffix(".ann").is_file():
            report.warnings.append(f"{txt}: no .ann file, so nothing is known about its annotations; skipped")
            continue
        brat = read_brat(txt)
        report.warnings += brat.warnings
        doc = convert_document(brat, corpus, report)
        doc.source = f"{corpus_dir.name}/{txt.relative_to(corpus_dir).as_posix()}"
        with open(out_dir / f"{doc.id}.json", "w", encoding="utf-8") as fh:
            json.dump(doc.to_dict(), fh, ensure_ascii=False, indent=1)
        report.documents += 1
    return report


def convert_document(brat: BratDocument, corpus: str, report: ConversionReport) -> Document:
    """One BRAT document as a gold document (``source`` left for the caller)."""
    entities = map_entities(brat, corpus, report)
    if corpus == "chia":
        kind = "exclusion" if brat.id.endswith("_exc") else "inclusion"
        criteria: list[Criterion] | None = chia_criteria(brat.text, kind)
        doc = Document(brat.id, brat.text, criteria=criteria, entities=entities, meta={"section": kind})
    else:
        criteria = lct_criteria(brat.text, entities)
        if criteria is None:
            report.criteria_absent += 1
        thresholds = lct_thresholds(brat, report)
        if thresholds is None:
            report.thresholds_absent += 1
        else:
            report.thresholds.update(t.variable for t in thresholds)
        doc = Document(brat.id, brat.text, criteria=criteria, entities=entities, thresholds=thresholds,
                       meta={"eligibility": True})
    report.criteria += len(doc.criteria or [])
    report.entities.update(e.label for e in entities)
    return doc
