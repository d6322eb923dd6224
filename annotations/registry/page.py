"""Page variants of registry gold: the same eligibility text inside web-page furniture, gold shifted.

A user often has the criteria as a page dump, not as the registry field: cookie banners, trial badges,
summaries (which restate eligibility in prose), FAQs and footers around them. The furniture here is cut,
verbatim, from the seed pages in ``examples/`` by the first and last line of each piece, so it is the
noise real pages carry. The eligibility text keeps every character; only its offset changes, and the
page's eligibility heading becomes the ``section`` of criteria the text itself lists under no heading.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@dataclass(frozen=True)
class Piece:
    """Lines ``first``..``last`` (whole lines, both included) of a seed page."""

    seed: str
    first: str
    last: str


PIECES: dict[str, Piece] = {
    "banner": Piece("000_c1c6e084e10c328d", "Our website uses cookies.", "Our website uses cookies."),
    "skip": Piece("004_3545e069e36368bf", "Skip to main content", "Skip to main content"),
    "badges": Piece("002_a63e54a76087ac3e", "Image", "Powered by AI"),
    "overview": Piece("002_a63e54a76087ac3e", "Overview", "The investigators will conduct"),
    "clinconnect": Piece("003_942a271a7edc3373", "Trial Information", "To be eligible for the trial"),
    "plain_summary": Piece("001_77236224bd72c819", "Summary", "This is an early-phase trial"),
    "study_details": Piece("002_a63e54a76087ac3e", "Study details", "Refractory Acute Lymphoblastic Leukemia"),
    "faq": Piece("002_a63e54a76087ac3e", "FAQs", "Clinical trials follow strict ethical guidelines"),
    "notes_ui": Piece("002_a63e54a76087ac3e", "Add a private note", "• Send it to people"),
    "get_updates": Piece("001_77236224bd72c819", "Get updates", "By submitting, you agree"),
    "contacts": Piece("003_942a271a7edc3373", "Contacts", "Not reported"),
    "last_reviewed": Piece("000_c1c6e084e10c328d", "In order to participate", "September 23, 2025"),
}

#: (pieces before, the page's eligibility heading (a seed's own), pieces after); chosen per trial by hash.
TEMPLATES: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = (
    (("banner", "badges", "overview"), "Eligibility", ("study_details", "faq", "notes_ui")),
    (("skip", "clinconnect"), "Eligibility criteria", ("contacts",)),
    (("banner", "plain_summary"), "Who can enter", ("get_updates", "last_reviewed")),
)


def cut(piece: Piece, examples: Path = EXAMPLES) -> str:
    """The piece's lines (found with their indentation ignored), verbatim; fails loudly when a seed lacks them."""
    with open(examples / f"{piece.seed}.txt", encoding="utf-8", newline="") as fh:
        lines = fh.read().split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(piece.first))
    end = next(i for i in range(start, len(lines)) if lines[i].strip().startswith(piece.last))
    return "\n".join(lines[start:end + 1]).strip()


def template_of(doc_id: str) -> int:
    return int(hashlib.sha256(f"page:{doc_id}".encode()).hexdigest(), 16) % len(TEMPLATES)


def page_variant(doc: dict[str, Any], examples: Path = EXAMPLES) -> dict[str, Any]:
    """The gold document as a page: furniture around its text, every span shifted, no ``eligibility`` meta."""
    before, heading, after = TEMPLATES[template_of(doc["id"])]
    head = "\n\n".join(cut(PIECES[name], examples) for name in before) + f"\n\n{heading}\n"
    tail = "\n\n" + "\n\n".join(cut(PIECES[name], examples) for name in after) + "\n"
    shift = len(head)
    criteria = [{**c, "start": c["start"] + shift, "end": c["end"] + shift,
                 "section": heading if c.get("section") is None else c["section"]} for c in doc["criteria"]]
    thresholds = [{**t, "start": t["start"] + shift, "end": t["end"] + shift} for t in doc["thresholds"]]
    page = {"id": doc["id"], "source": f"{doc['source']} in page furniture {template_of(doc['id'])}",
            "text": head + doc["text"] + tail, "criteria": criteria, "thresholds": thresholds}
    for item in (*criteria, *thresholds):
        assert page["text"][item["start"]:item["end"]] == doc["text"][item["start"] - shift:item["end"] - shift]
    return page
