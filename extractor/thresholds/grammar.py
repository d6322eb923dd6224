"""The threshold grammar, compiled once per process from its data files.

``data/threshold_grammar.json`` holds the regex fragments; comparators, number words, units and
the variable catalogue are CSV tables. The named groups the code reads are a contract with the
data (:data:`REQUIRED_GROUPS`), checked at load so that a renamed group fails naming the file
and fragment instead of raising ``KeyError`` on every range later.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from extractor.catalogue import Catalogue, Variable, is_case_sensitive, load_catalogue
from extractor.patterns import trie_alternation
from extractor.resources import DataFile, DataFileError, data_path
from extractor.units import load_units

COMPARATORS_FILE = DataFile(frozenset({"surface", "position", "bound", "inclusive"}),
                            choices={"position": ("prefix", "postfix"), "bound": ("low", "high", "eq"),
                                     "inclusive": ("yes", "no")})
NUMBER_WORDS_FILE = DataFile(frozenset({"word", "value", "kind"}),
                             choices={"kind": ("unit", "tens", "scale", "roman")})
GRAMMAR_FILE = DataFile(frozenset({"name", "pattern"}), frozenset({"comment"}))

LOW, HIGH, EQ = "low", "high", "eq"
#: Words before a limit of normal that can start a value without a number ("above the ULN").
_NORMAL_LIMIT_ANCHOR = (r"(?:(?:(?:must|should|shall|may|does|do|can|will)\s+)?not\s+(?:to\s+)?(?:exceed(?:s|ing)?|"
                        r"be\s+(?:above|over|greater\s+than|higher\s+than|more\s+than))|cannot\s+exceed|"
                        r"above|over|exceed(?:s|ing)?|greater\s+than|more\s+than|higher\s+than|below|under|"
                        r"less\s+than|lower\s+than)(?=(?:\s+or\s+(?:below|under|less\s+than|lower\s+than))?"
                        r"\s+(?:the\s+)?(?:(?:institutional|institution'?s|local|"
                        r"laboratory|site)\s+)?(?:upper|lower|uln|lln|normal)\b)")
#: Fragments matched between items ("gaps") or as cues, compiled one by one.
GAPS = ("tight_gap", "cmp_gap", "coord_gap", "inherit_gap", "before_gap", "prefix_gap", "merge_gap",
        "negated_cmp", "subgroup_cue", "age_cue", "age_unit", "age_words", "rate_tail", "outside_range",
        "bare_low_cue", "bare_high_cue",
        "lead_end", "lead_unit", "consent_subgroup", "context_tail", "unknown_unit", "trailing_unit",
        "not_participant_age", "cmp_before", "uln", "person", "or_gap", "subgroup_lead", "heading_gap",
        "cmp_gap_unitless")
#: The data <-> code contract: the named groups the code reads, per fragment that must define them.
REQUIRED_GROUPS: dict[str, frozenset[str]] = {
    "between": frozenset({"bage", "b1", "bu1", "b2", "bu2"}),
    "cmp_range": frozenset({"cmp", "cage", "c1", "cu1", "cc2", "c2", "cu2"}),
    "stage": frozenset({"spre", "scmp", "roman", "roman2", "spost"}),
    "normal_limit": frozenset({"ncmp", "nbelow", "nside"}),
    "reversed_cmp": frozenset({"vn", "vu", "vc"}),
    "number_forms": frozenset({"n1", "u1", "rc2", "r2", "ru2", "post", "ltail", "lu"}),
    "cmp_before": frozenset({"cmp"}),
    "lead_unit": frozenset({"unit"}),
    "trailing_unit": frozenset({"unit"}),
}
#: The fragments whose groups the value grammar must still hold once expanded.
VALUE_PARTS = ("between", "cmp_range", "stage", "normal_limit", "reversed_cmp", "number_forms")


@dataclass(frozen=True)
class Comparator:
    """What a comparator says about the number next to it."""

    bound: str
    inclusive: bool


@dataclass(frozen=True)
class Grammar:
    """Everything compiled once per process."""

    value: re.Pattern[str]
    anchor: re.Pattern[str]
    mention: re.Pattern[str]
    abbreviation: re.Pattern[str]
    time_unit: re.Pattern[str]
    candidate: re.Pattern[str]
    num: re.Pattern[str]
    number_any: re.Pattern[str]
    comparators: dict[str, Comparator]
    words: dict[str, tuple[int, str]]
    gaps: dict[str, re.Pattern[str]]
    catalogue: Catalogue
    age: Variable

    def comparator(self, surface: str) -> Comparator:
        """The comparator written as ``surface`` (any spacing, any case)."""
        return self.comparators[comparator_key(surface)]


def is_time(unit: str | None) -> bool:
    """Whether ``unit`` is a unit of time (a duration or an age)."""
    u = load_units().units.get(unit or "")
    return u is not None and u.group == "time"


def scan(pattern: re.Pattern[str], text: str, pos: int) -> re.Match[str] | None:
    """Next match of a scanner whose word matches must start at a word boundary."""
    while (m := pattern.search(text, pos)) is not None:
        start = m.start()
        before = text[start - 1] if start else " "
        if not m.group()[0].isalpha() or not (before.isalnum() or before == "_"):
            return m
        pos = start + 1
    return None


_DIGIT = re.compile(r"\d")


def has_candidate(lowered: str, grammar: Grammar) -> bool:
    """A digit, a number word or "stage": the cheap test that lets most criteria skip the rest."""
    return _DIGIT.search(lowered) is not None or scan(grammar.candidate, lowered, 0) is not None


def comparator_key(surface: str) -> str:
    """Comparator lookup key: the regex lets white space vary, so the key drops it."""
    return "".join(surface.lower().split())


def _alias_pattern(alias: str, separator: str, start_boundary: bool = True) -> str:
    """Regex of one alias: literal words, ``separator`` between them, word boundaries at word ends."""
    words = [w for w in re.split(separator and r"[\s\-]+" or r"\s+", alias.strip()) if w]
    body = (separator or r"\s*").join(re.escape(w) for w in words)
    start = r"(?<!\w)" if start_boundary and alias[0].isalnum() else ""
    end = r"(?!\w)" if alias[-1].isalnum() else ""
    return start + body + end


def _word_trie(words: list[str]) -> str:
    return trie_alternation([_alias_pattern(w, "", False) for w in words])


def read_comparators() -> tuple[dict[str, Comparator], list[str], list[str]]:
    """``data/comparators.csv``: lookup by :func:`comparator_key`, and the prefix and postfix surfaces."""
    path = data_path("comparators.csv")
    comparators: dict[str, Comparator] = {}
    prefix: list[str] = []
    postfix: list[str] = []
    for row in COMPARATORS_FILE.read_csv(path):
        key, comparator = comparator_key(row["surface"]), Comparator(row["bound"], row["inclusive"] == "yes")
        surfaces = prefix if row["position"] == "prefix" else postfix
        # the pattern lets white space vary, so "> =" is ">=" again; one meaning per key, either position
        if comparators.get(key, comparator) != comparator or any(comparator_key(s) == key for s in surfaces):
            raise DataFileError(f"{path}: comparator {row['surface']!r} repeats or contradicts an earlier "
                                f"{row['position']} row (white space does not count)")
        comparators[key] = comparator
        surfaces.append(row["surface"])
    return comparators, prefix, postfix


def read_number_words() -> dict[str, tuple[int, str]]:
    """``data/number_words.csv``: word (roman numerals as written, others lower case) → (value, kind)."""
    path = data_path("number_words.csv")
    words: dict[str, tuple[int, str]] = {}
    for row in NUMBER_WORDS_FILE.read_csv(path):
        if not row["value"].isdigit():
            raise DataFileError(f"{path}: word {row['word']!r}: value must be an integer")
        words[row["word"] if row["kind"] == "roman" else row["word"].lower()] = (int(row["value"]), row["kind"])
    return words


def _fragments(words: dict[str, tuple[int, str]], prefix: list[str], postfix: list[str],
               path: Path) -> dict[str, str]:
    """The grammar file's fragments plus those built from the tables (@word@, @roman@, @unit@, …)."""
    kinds = {k: "|".join(sorted((w for w, (_, kind) in words.items() if kind == k), key=len, reverse=True))
             for k in ("unit", "tens", "scale", "roman")}
    word = (rf"(?<![\w-])(?:(?:{kinds['tens']})(?:[\s-](?:{kinds['unit']}))?|(?:{kinds['unit']}))"
            rf"(?:\s+(?:{kinds['scale']}))?(?![\w-])")
    # lower case: the trie is matched case-insensitively, and "mL" beside "ml/mn" would end its branch early
    unit_aliases = trie_alternation([
        r"[\s\-]*".join(re.escape(w) for w in alias.lower().split()).replace("/", r"\s*/\s*")
        + (r"(?![a-z])" if alias[-1].isalnum() else "")
        for alias, _ in load_units().text_aliases])
    fragments = {row["name"]: row["pattern"] for row in GRAMMAR_FILE.read_json(path, "fragments")}
    fragments.update({
        "word": word, "roman": f"(?-i:{kinds['roman']})",
        "cmp_words": trie_alternation([_alias_pattern(c, "") for c in prefix]),
        "post_words": trie_alternation([_alias_pattern(c, "") for c in postfix]),
        "unit": r"(?:@pow@|@uln@|(?:cells?\s*(?=/))?" + unit_aliases + ")",
    })
    return fragments


def _anchor(words: dict[str, tuple[int, str]], prefix: list[str]) -> re.Pattern[str]:
    """Where a value can start: the value grammar is tried only there, not at every character."""
    spelled = [w for w, (_, kind) in words.items() if kind != "roman"]
    # A word can only start a value when a number follows it closely ("at least 18", "stage III").
    starting_words = [c.lower() for c in prefix if c[:1].isalpha()] + [
        "between", "from", "stage", "grade", "classification", "class"]
    number_next = (r"(?=[\s(:]*(?:(?:the\s+)?ages?(?:\s+of)?\s+)?(?:\(\s*[<>≤≥=/]{1,3}\s*\)\s*)?"
                   r"(?:[<>≤≥=/]{1,3}\s*)?(?:\d|\.\d|[iv]+\b|" + _word_trie(spelled) + "))")
    # "NYHA class III-IV": the mention holds "class", the numeral follows it.
    return re.compile(r"\d|\.\d|[<>≤≥=~]|(?:" + _word_trie(starting_words) + ")" + number_next + "|"
                      + _word_trie(spelled) + r"|(?:(?<=class\s)|(?<=nyha\s)|(?<=classification\s))[iv]+\b|"
                      + _NORMAL_LIMIT_ANCHOR)


@lru_cache(maxsize=1)
def load_grammar() -> Grammar:
    """Compile the grammar from the data files."""
    catalogue = load_catalogue()
    if "age" not in catalogue.variables:
        raise DataFileError(f"{data_path('variables.csv')}: the catalogue must define 'age'")
    comparators, prefix, postfix = read_comparators()
    words = read_number_words()
    path = data_path("threshold_grammar.json")
    fragments = _fragments(words, prefix, postfix, path)

    def compiled(name: str) -> re.Pattern[str]:
        try:
            return re.compile(_expand(fragments, name, path), re.IGNORECASE)
        except re.error as exc:
            raise DataFileError(f"{path}: fragment {name!r} does not compile: {exc}") from exc

    # Scanners: tries without a leading look-behind (``scan`` checks the word boundary), matched
    # case-sensitively, over lower-cased text except the short abbreviations (ALT, Cr, PS).
    aliases = [a for v in catalogue.variables.values() for a in v.aliases]
    mention = re.compile(trie_alternation(
        [_alias_pattern(a.lower(), r"[\s\-]+", False) for a in aliases if not is_case_sensitive(a)]))
    abbreviation = re.compile(trie_alternation(
        [_alias_pattern(a, r"[\s\-]+", False) for a in aliases if is_case_sensitive(a)]))
    spelled = [w for w, (_, kind) in words.items() if kind != "roman"]
    classed = [a.lower() for v in catalogue.variables.values() if v.classes for a in v.aliases]  # "Child-Pugh C"
    candidate = re.compile(_word_trie(["stage", "class", "classification", "grade", "nyha", "normal", "uln", "lln",
                                       *spelled, *classed]))
    # Without a mention or a lead, only an implied age can make a record, and that needs a time unit.
    time_unit = re.compile(_word_trie([alias.lower() for alias, code in load_units().text_aliases if is_time(code)]))
    value = compiled("value")
    _check_groups(fragments, compiled, value, path)
    return Grammar(value, _anchor(words, prefix), mention, abbreviation, time_unit, candidate, compiled("num"),
                   compiled("number_any"), comparators, words, {name: compiled(name) for name in GAPS},
                   catalogue, catalogue.variables["age"])


def _check_groups(fragments: dict[str, str], compiled: Callable[[str], re.Pattern[str]],
                  value: re.Pattern[str], path: Path) -> None:
    """Every fragment of :data:`REQUIRED_GROUPS` defines its groups, and the value grammar holds them all."""
    for name, groups in REQUIRED_GROUPS.items():
        if name not in fragments:
            raise DataFileError(f"{path}: fragment {name!r} is missing")
        missing = groups - set(compiled(name).groupindex)
        if missing:
            raise DataFileError(f"{path}: fragment {name!r} lacks the named group(s) {sorted(missing)} "
                                f"that the code reads")
    missing = set().union(*(REQUIRED_GROUPS[name] for name in VALUE_PARTS)) - set(value.groupindex)
    if missing:
        raise DataFileError(f"{path}: fragment 'value' no longer holds the group(s) {sorted(missing)} "
                            f"(it must include {', '.join('@' + n + '@' for n in VALUE_PARTS)})")


def _expand(fragments: dict[str, str], name: str, path: Path, depth: int = 0) -> str:
    """A fragment with every ``@other@`` replaced by that fragment, recursively."""
    if name not in fragments or depth > 12:
        raise DataFileError(f"{path}: fragment {name!r} is missing or refers to itself")
    return re.sub(r"@(\w+)@", lambda m: _expand(fragments, m.group(1), path, depth + 1), fragments[name])
