"""The line-level rules of ``data/sections.json``, and the predicates that read one line's content with them.

Which line is a heading, a label, a pure lead-in or a connector is data (the vocabularies) plus these
small functions; ``lines.read_items`` applies them to a whole text in order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extractor.resources import DataFile, DataFileError, data_path

#: White space inside a line after a bullet, no-break and ideographic spaces, BOM and zero-width spaces included.
_PADDING = r"(?:[^\S\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]|[\ufeff\u200b\u2060])"
_ROLES = {"heading", "stop", "bullet", "filler", "constraint", "topic_label", "population_label", "alternatives",
          "universal", "set_table", "table_row", "admits_case", "restated_subject", "own_verdict", "exclusion_lead_in",
          "inclusion_lead_in"}
_RULES_FILE = DataFile(required=frozenset({"role", "regex"}), optional=frozenset({"kind", "comment"}),
                       choices={"role": tuple(sorted(_ROLES))})
_HEADING_KINDS = {"inclusion", "exclusion", "any"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*:?")
#: A topic label alone on its line heads a list when it says so ("Regulatory Requirements"); "Pregnancy" is an item.
_CRITERIA = re.compile(r"\bcriteri(?:a|on)\b", re.IGNORECASE)
HEADING_NOUN = re.compile(r"\b(?:criteria|requirements)\s*:?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SectionRules:
    """Compiled rules of ``data/sections.json``."""

    headings: tuple[tuple[re.Pattern[str], str], ...]
    stop: re.Pattern[str]
    bullet: re.Pattern[str]
    filler: re.Pattern[str]
    constraint: re.Pattern[str]
    topic_label: re.Pattern[str]
    population_label: re.Pattern[str]
    alternatives: re.Pattern[str]
    universal: re.Pattern[str]
    set_table: re.Pattern[str]
    table_row: re.Pattern[str]
    admits_case: re.Pattern[str]
    restated_subject: re.Pattern[str]
    own_verdict: re.Pattern[str]
    kind_lead_ins: tuple[tuple[re.Pattern[str], str], ...]

    @classmethod
    def load(cls, path: str | None = None) -> "SectionRules":
        """Read and validate the rule file; errors name the file and the rule."""
        file = data_path("sections.json") if path is None else path
        rows = _RULES_FILE.read_json(file, "rules")
        by_role: dict[str, list[tuple[str, str]]] = {role: [] for role in _ROLES}
        for i, row in enumerate(rows):
            role, kind = row["role"], row.get("kind")
            if (role == "heading") != (kind in _HEADING_KINDS):
                raise DataFileError(f"{file}, rules[{i}]: headings need a kind in {sorted(_HEADING_KINDS)}, "
                                    "other roles none")
            try:
                re.compile(row["regex"])
            except re.error as exc:
                raise DataFileError(f"{file}, rules[{i}]: bad regex: {exc}") from exc
            by_role[role].append((row["regex"], kind or ""))
        if not all(by_role[role] for role in _ROLES):
            raise DataFileError(f"{file}: needs at least one rule of each role {sorted(_ROLES)}")
        flags = re.IGNORECASE
        headings = tuple(
            (re.compile(rf"(?:{rx})(?:\s*[:.\-\u2013]?\s*$|\s*:\s*(?=\S))", flags), kind)
            for rx, kind in by_role["heading"])
        stop = re.compile(rf"(?:{'|'.join(rx for rx, _ in by_role['stop'])})\s*:?\s*$", flags)
        bullet = re.compile(rf"(?:{'|'.join(rx for rx, _ in by_role['bullet'])}){_PADDING}*", flags)
        filler, constraint = (re.compile("|".join(f"(?:{rx})" for rx, _ in by_role[role]), flags)
                              for role in ("filler", "constraint"))
        # A label is the whole line, or the start of a line up to its colon (the rest is a criterion).
        topic, population = (re.compile(rf"(?:{'|'.join(rx for rx, _ in by_role[role])})(?=\s*:\s*\S|\s*:?\s*$)",
                                        flags) for role in ("topic_label", "population_label"))
        alternatives, universal, set_table, table_row, admits_case, restated_subject, own_verdict = (
            re.compile("|".join(f"(?:{rx})" for rx, _ in by_role[role]), flags)
            for role in ("alternatives", "universal", "set_table", "table_row", "admits_case", "restated_subject",
                         "own_verdict"))
        kind_lead_ins = tuple((re.compile("|".join(f"(?:{rx})" for rx, _ in by_role[f"{kind}_lead_in"]), flags), kind)
                              for kind in ("exclusion", "inclusion"))
        return cls(headings, stop, bullet, filler, constraint, topic, population, alternatives, universal,
                   set_table, table_row, admits_case, restated_subject, own_verdict, kind_lead_ins)


@lru_cache(maxsize=1)
def default_rules() -> SectionRules:
    return SectionRules.load()


def match_heading(content: str, rules: SectionRules) -> tuple[str, int] | None:
    """(kind, length of the heading) when ``content`` starts with a section heading."""
    for pattern, kind in rules.headings:
        m = pattern.match(content)
        if m:
            return kind, m.end()
    return None


def lead_in_kind(content: str, rules: SectionRules) -> str | None:
    """The kind a whole-line lead-in gives the items after it ("… any of the following … is not eligible"), if any."""
    flat = " ".join(content.split())
    for pattern, kind in rules.kind_lead_ins:
        if pattern.search(flat):
            return kind
    return None


def is_population_heading(content: str, rules: SectionRules) -> bool:
    """A whole line that is a population, part or list label ("For Parts 1 and 3:", "Cohort B")."""
    m = rules.population_label.match(content)
    return m is not None and not content[m.end():].strip(" :")


def line_label(content: str, rules: SectionRules) -> tuple[int, bool] | None:
    """(length through its colon, is a population label) of a heading label opening an unbulleted line.

    A label both could be is a topic ("Regulatory Requirements"), unless it names criteria ("Organ Function
    Criteria"): only a list of criteria, or who, makes a section.
    """
    population, topic = rules.population_label.match(content), rules.topic_label.match(content)
    m = topic if topic is not None and (population is None or topic.end() >= population.end()
                                        and not _CRITERIA.search(content, 0, topic.end())) else population
    if m is None:
        return None
    colon = re.match(r"\s*:?", content[m.end():])
    return m.end() + (colon.end() if colon else 0), m is population


def skip_bullets(text: str, pos: int, end: int, rules: SectionRules) -> int:
    """The offset after white space and bullets from ``pos`` ("Inclusion Criteria:- Age …" has one)."""
    while True:
        pos += len(text[pos:end]) - len(text[pos:end].lstrip())
        m = rules.bullet.match(text, pos, end)
        if m is None or m.end() == pos:
            return pos
        pos = m.end()


def section_name(heading: str) -> str:
    """A heading as a criterion's ``section`` carries it: as written, without its colon and white space."""
    return heading.strip().rstrip(":.-\u2013").strip()


def connector_word(content: str) -> str | None:
    """The word of a bare "OR" / "AND" line between two items ("or", "and", "and/or"), else None."""
    word = content.rstrip(":").strip().lower()
    return word if word in ("or", "and", "and/or") else None


def is_connector(content: str) -> bool:
    """A bare "OR" / "AND" between two items joins them; it is no criterion."""
    return connector_word(content) is not None


def is_heading_only(content: str, rules: SectionRules, caseless: bool = False) -> bool:
    """A pure lead-in ("Patients must have:") or a category heading ("Renal:"), not a criterion.

    Capitals mark a heading ("RENAL:", "Age and Donor Status:") only in a text whose casing says something
    (``caseless`` false).
    """
    if not content.endswith(":"):
        return False
    words = _WORD.findall(content)
    if len(words) <= 3 and not any(ch.isdigit() for ch in content) and (content.isupper() and not caseless or not any(
            rules.constraint.fullmatch(w.rstrip(":").lower()) for w in words)):
        return True
    named = [w for w in words if not rules.filler.fullmatch(w.rstrip(":").lower())]
    ends_open = rules.filler.fullmatch(words[-1].rstrip(":").lower()) is not None if words else True
    if not caseless and not ends_open and len(words) <= 6 and len(named) >= 2 and not content.isupper() \
            and not any(ch.isdigit() for ch in content) and all(w[0].isupper() for w in named) \
            and not any(rules.constraint.fullmatch(w.rstrip(":").lower()) for w in named):
        return True     # a title ("Age and Donor Status:"), not a lead-in sentence ("Ann Arbor IA or IIA with:")
    return all(rules.filler.fullmatch(w.rstrip(":").lower()) for w in words)
