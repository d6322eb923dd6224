"""Numeric thresholds of eligibility criteria: "ANC ≥ 1,500/µL" → anc, low 1500 incl., unit /uL.

Rules, not a model: every threshold feeds a patient screen, so each record must be
explainable. The grammar (``data/threshold_grammar.json``), comparators, number words,
units and the variable catalogue are data; this module assembles and applies them.

Per criterion: fold the text to one spelling with the same offsets (:func:`fold`), find
value expressions and variable mentions, link each value to its variable (the mention
before it and mentions coordinated with that one, a mention right after it, the variable
of the value before it, the category heading it is listed under ("Age:", "Life expectancy:"),
an implied age, or the lead-in of a list of sub-items), then turn
each link into :class:`~extractor.records.Threshold` records, as written (never flipped
by the criterion's kind). A criterion without a digit or number word costs one regex
search, which is what keeps a whole registry fast (``eval/benchmark.py``).
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

from extractor.casing import is_caseless, recase
from extractor.catalogue import Catalogue, Variable, is_case_sensitive, load_catalogue
from extractor.patterns import trie_alternation
from extractor.logic import apply_logic
from extractor.records import Bound, Criterion, Threshold
from extractor.resources import DataFile, DataFileError, data_path
from extractor.units import convert, fold_table, load_units, normalize_unit

COMPARATORS_FILE = DataFile(frozenset({"surface", "position", "bound", "inclusive"}))
NUMBER_WORDS_FILE = DataFile(frozenset({"word", "value", "kind"}))
GRAMMAR_FILE = DataFile(frozenset({"name", "pattern"}))

# Symbol-font artefacts of converted documents: "³ 18 years" is "≥ 18 years", "£ 2" is "≤ 2";
# any other ³ is a cube ("/mm³") and any other £ is money.
_SYMBOL_FONT = {"³": "≥", "£": "≤"}
_UNDERLINED = re.compile(r"(?<=[<>])_")
# "Â³" is the same ³ mis-decoded ("â³" once a text is lower-cased).
_SYMBOL_FONT_RE = re.compile(r"(?P<symbol>(?:[Ââ]|(?<![\w/^]))[³£](?=\s?\d))|³")
_LOW, _HIGH, _EQ = "low", "high", "eq"
#: Words of the normal_limit fragment that put a value above a limit of normal (the others: below it).
_ABOVE = frozenset({"above", "over", "exceeding", "exceeds", "exceed", "greater", "more", "higher"})
#: Words before a limit of normal that can start a value without a number ("above the ULN").
_NORMAL_LIMIT_ANCHOR = (r"(?:above|over|exceed(?:s|ing)?|greater\s+than|more\s+than|higher\s+than|below|under|"
                        r"less\s+than|lower\s+than)(?=(?:\s+or\s+(?:below|under|less\s+than|lower\s+than))?"
                        r"\s+(?:the\s+)?(?:(?:institutional|institution'?s|local|"
                        r"laboratory|site)\s+)?(?:upper|lower|uln|lln|normal)\b)")
_TIGHT_FORMS = frozenset({"bare", "list", "range", "stage", "post"})
_GAPS = ("tight_gap", "cmp_gap", "coord_gap", "inherit_gap", "before_gap", "prefix_gap", "merge_gap",
         "negated_cmp", "subgroup_cue", "age_cue", "age_unit", "age_words", "bare_low_cue", "bare_high_cue",
         "lead_end", "lead_unit", "consent_subgroup", "context_tail", "unknown_unit", "trailing_unit",
         "not_participant_age", "cmp_before", "uln", "person", "or_gap", "subgroup_lead", "heading_gap",
         "cmp_gap_unitless")
#: The data <-> code contract: the named groups the code reads, per fragment that must define them.
#: Checked at load, so a renamed group fails naming the file and fragment instead of a later KeyError.
REQUIRED_GROUPS: dict[str, frozenset[str]] = {
    "between": frozenset({"bage", "b1", "bu1", "b2", "bu2"}),
    "cmp_range": frozenset({"cmp", "cage", "c1", "cu1", "cc2", "c2", "cu2"}),
    "stage": frozenset({"roman", "roman2"}),
    "normal_limit": frozenset({"ncmp", "nbelow", "nside"}),
    "number_forms": frozenset({"n1", "u1", "rc2", "r2", "ru2", "post", "ltail", "lu"}),
    "cmp_before": frozenset({"cmp"}),
    "lead_unit": frozenset({"unit"}),
    "trailing_unit": frozenset({"unit"}),
}
#: The fragments whose groups the value grammar must still hold once expanded.
_VALUE_PARTS = ("between", "cmp_range", "stage", "normal_limit", "number_forms")


@dataclass(frozen=True)
class Comparator:
    """What a comparator says about the number next to it."""

    bound: str
    inclusive: bool


@dataclass(frozen=True)
class Lead:
    """What a lead-in ("Creatinine as defined by age as follows:") passes on to the sub-items after it."""

    variable: Variable
    unit: str | None = None
    bound: str | None = None


@dataclass
class _Mention:
    """A variable mention and the variables its alias may name."""

    start: int
    end: int
    candidates: tuple[Variable, ...]


@dataclass
class _Value:
    """A value expression; ``links`` are the mentions it constrains once linked."""

    start: int
    end: int
    form: str
    low: float | None
    low_inclusive: bool | None
    high: float | None
    high_inclusive: bool | None
    unit: str | None
    high_unit: str | None
    age_like: bool
    age_phrase: bool
    unknown_tail: bool
    links: list[_Mention] = field(default_factory=list)
    subgroup: tuple[int, int] | None = None
    from_lead: bool = False
    inherited: bool = False
    merged: bool = False


@dataclass(frozen=True)
class _Grammar:
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


def fold(text: str) -> str:
    """One spelling of comparators, signs, dashes and superscripts; same length as ``text``."""
    table, pattern = fold_table()
    text = pattern.sub(lambda m: table[m.group()], text)
    if "³" in text or "£" in text:
        text = _SYMBOL_FONT_RE.sub(_symbol_font, text)
    if "_" in text:  # "<_1.6": an underlined "<", i.e. "≤", typed without the symbol
        text = _UNDERLINED.sub("=", text)
    return text


def _symbol_font(m: re.Match[str]) -> str:
    if not m.group("symbol"):
        return "3"
    return " " * (len(m.group()) - 1) + _SYMBOL_FONT[m.group()[-1]]


def lower(folded: str) -> str:
    """Lower case with the same offsets (the rare character whose lower case is longer stays as is).

    Scanners run case-sensitively over this text: ``re`` then skips ahead by first character,
    several times faster than an IGNORECASE scan over the original.
    """
    low = folded.lower()
    return low if len(low) == len(folded) else "".join(c if len(c.lower()) != 1 else c.lower() for c in folded)


_DIGIT = re.compile(r"\d")


def _has_candidate(low: str, g: _Grammar) -> bool:
    """A digit, a number word or "stage": the cheap test that lets most criteria skip the rest."""
    return _DIGIT.search(low) is not None or _scan(g.candidate, low, 0) is not None


def _scan(pattern: re.Pattern[str], text: str, pos: int) -> re.Match[str] | None:
    """Next match of a scanner whose word matches must start at a word boundary."""
    while (m := pattern.search(text, pos)) is not None:
        start = m.start()
        before = text[start - 1] if start else " "
        if not m.group()[0].isalpha() or not (before.isalnum() or before == "_"):
            return m
        pos = start + 1
    return None


def _key(surface: str) -> str:
    """Comparator lookup key: the regex lets white space vary, so the key drops it."""
    return "".join(surface.lower().split())


def _alias_pattern(alias: str, separator: str, start_boundary: bool = True) -> str:
    """Regex of one alias: literal words, ``separator`` between them, word boundaries at word ends."""
    words = [w for w in re.split(separator and r"[\s\-]+" or r"\s+", alias.strip()) if w]
    body = (separator or r"\s*").join(re.escape(w) for w in words)
    start = r"(?<!\w)" if start_boundary and alias[0].isalnum() else ""
    end = r"(?!\w)" if alias[-1].isalnum() else ""
    return start + body + end


def _read_comparators() -> tuple[dict[str, Comparator], list[str], list[str]]:
    """``data/comparators.csv``: lookup by :func:`_key`, and the prefix and postfix surfaces."""
    path = data_path("comparators.csv")
    comparators: dict[str, Comparator] = {}
    prefix: list[str] = []
    postfix: list[str] = []
    for row in COMPARATORS_FILE.read_csv(path):
        if row["position"] not in ("prefix", "postfix") or row["bound"] not in (_LOW, _HIGH, _EQ) \
                or row["inclusive"] not in ("yes", "no"):
            raise DataFileError(f"{path}: comparator {row['surface']!r}: position/bound/inclusive must be "
                                f"prefix|postfix, low|high|eq, yes|no")
        key, comparator = _key(row["surface"]), Comparator(row["bound"], row["inclusive"] == "yes")
        surfaces = prefix if row["position"] == "prefix" else postfix
        # the pattern lets white space vary, so "> =" is ">=" again; one meaning per key, either position
        if comparators.get(key, comparator) != comparator or any(_key(s) == key for s in surfaces):
            raise DataFileError(f"{path}: comparator {row['surface']!r} repeats or contradicts an earlier "
                                f"{row['position']} row (white space does not count)")
        comparators[key] = comparator
        surfaces.append(row["surface"])
    return comparators, prefix, postfix


def _read_number_words() -> dict[str, tuple[int, str]]:
    """``data/number_words.csv``: word (roman numerals as written, others lower case) → (value, kind)."""
    path = data_path("number_words.csv")
    words: dict[str, tuple[int, str]] = {}
    for row in NUMBER_WORDS_FILE.read_csv(path):
        if row["kind"] not in ("unit", "tens", "scale", "roman") or not row["value"].isdigit():
            raise DataFileError(f"{path}: word {row['word']!r}: kind must be unit|tens|scale|roman, "
                                f"value an integer")
        words[row["word"] if row["kind"] == "roman" else row["word"].lower()] = (int(row["value"]), row["kind"])
    return words


@lru_cache(maxsize=1)
def load_grammar() -> _Grammar:
    """Compile the grammar from the data files."""
    catalogue = load_catalogue()
    if "age" not in catalogue.variables:
        raise DataFileError(f"{data_path('variables.csv')}: the catalogue must define 'age'")
    comparators, prefix, postfix = _read_comparators()
    words = _read_number_words()
    kinds = {k: "|".join(sorted((w for w, (_, kind) in words.items() if kind == k), key=len, reverse=True))
             for k in ("unit", "tens", "scale", "roman")}
    word = (rf"(?<![\w-])(?:(?:{kinds['tens']})(?:[\s-](?:{kinds['unit']}))?|(?:{kinds['unit']}))"
            rf"(?:\s+(?:{kinds['scale']}))?(?![\w-])")
    unit_aliases = trie_alternation([
        r"[\s\-]*".join(re.escape(w) for w in alias.split()).replace("/", r"\s*/\s*")
        + (r"(?![a-z])" if alias[-1].isalnum() else "")
        for alias, _ in load_units().text_aliases])
    path = data_path("threshold_grammar.json")
    fragments = {row["name"]: row["pattern"] for row in GRAMMAR_FILE.read_json(path, "fragments")}
    fragments.update({
        "word": word, "roman": f"(?-i:{kinds['roman']})",
        "cmp_words": trie_alternation([_alias_pattern(c, "") for c in prefix]),
        "post_words": trie_alternation([_alias_pattern(c, "") for c in postfix]),
        "unit": r"(?:@pow@|@uln@|(?:cells?\s*(?=/))?" + unit_aliases + ")",
    })

    def compiled(name: str) -> re.Pattern[str]:
        try:
            return re.compile(_expand(fragments, name, path), re.IGNORECASE)
        except re.error as exc:
            raise DataFileError(f"{path}: fragment {name!r} does not compile: {exc}") from exc

    # Scanners: tries without a leading look-behind (``_scan`` checks the word boundary), matched
    # case-sensitively, over :func:`lower` text except the short abbreviations (ALT, Cr, PS).
    aliases = [a for v in catalogue.variables.values() for a in v.aliases]
    mention = re.compile(trie_alternation(
        [_alias_pattern(a.lower(), r"[\s\-]+", False) for a in aliases if not is_case_sensitive(a)]))
    abbreviation = re.compile(trie_alternation(
        [_alias_pattern(a, r"[\s\-]+", False) for a in aliases if is_case_sensitive(a)]))
    # Where a value can start: the value grammar is tried only there, not at every character.
    spelled = [w for w, (_, kind) in words.items() if kind != "roman"]
    # A word can only start a value when a number follows it closely ("at least 18", "stage III").
    lead_words = [c.lower() for c in prefix if c[:1].isalpha()] + ["between", "from", "stage", "grade", "classification", "class"]
    number_next = (r"(?=[\s(:]*(?:(?:the\s+)?ages?(?:\s+of)?\s+)?(?:\(\s*[<>≤≥=/]{1,3}\s*\)\s*)?"
                   r"(?:[<>≤≥=/]{1,3}\s*)?(?:\d|\.\d|[iv]+\b|" + _word_trie(spelled) + "))")
    # "NYHA class III-IV": the mention holds "class", the numeral follows it.
    anchor = re.compile(r"\d|\.\d|[<>≤≥=~]|(?:" + _word_trie(lead_words) + ")" + number_next + "|"
                        + _word_trie(spelled) + r"|(?:(?<=class\s)|(?<=nyha\s)|(?<=classification\s))[iv]+\b|" + _NORMAL_LIMIT_ANCHOR)
    candidate = re.compile(_word_trie(["stage", "class", "classification", "grade", "nyha", "normal", "uln", "lln", *spelled]))
    # Without a mention or a lead, only an implied age can make a record, and that needs a time unit.
    time_aliases = [alias.lower() for alias, code in load_units().text_aliases if _is_time(code)]
    time_unit = re.compile(_word_trie(time_aliases))
    value = compiled("value")
    _check_groups(fragments, value, path)
    return _Grammar(value, anchor, mention, abbreviation, time_unit, candidate, compiled("num"),
                    compiled("number_any"), comparators, words, {name: compiled(name) for name in _GAPS},
                    catalogue, catalogue.variables["age"])


def _check_groups(fragments: dict[str, str], value: re.Pattern[str], path: object) -> None:
    """Every fragment of :data:`REQUIRED_GROUPS` defines its groups, and the value grammar holds them all."""
    for name, groups in REQUIRED_GROUPS.items():
        if name not in fragments:
            raise DataFileError(f"{path}: fragment {name!r} is missing")
        missing = groups - set(re.findall(r"\(\?P<(\w+)>", fragments[name]))
        if missing:
            raise DataFileError(f"{path}: fragment {name!r} lacks the named group(s) {sorted(missing)} "
                                f"that the code reads")
    missing = set().union(*(REQUIRED_GROUPS[name] for name in _VALUE_PARTS)) - set(value.groupindex)
    if missing:
        raise DataFileError(f"{path}: fragment 'value' no longer holds the group(s) {sorted(missing)} "
                            f"(it must include {', '.join('@' + n + '@' for n in _VALUE_PARTS)})")


def _word_trie(words: list[str]) -> str:
    return trie_alternation([_alias_pattern(w, "", False) for w in words])


def _expand(fragments: dict[str, str], name: str, path: object, depth: int = 0) -> str:
    """A fragment with every ``@other@`` replaced by that fragment, recursively."""
    if name not in fragments or depth > 12:
        raise DataFileError(f"{path}: fragment {name!r} is missing or refers to itself")
    return re.sub(r"@(\w+)@", lambda m: _expand(fragments, m.group(1), path, depth + 1), fragments[name])


# ------------------------------------------------------------------------------ numbers, values


def roman_value(surface: str) -> int | None:
    """Value of a roman numeral as written ("III" → 3; case matters: "vi" is no numeral), else ``None``."""
    value, kind = load_grammar().words.get(surface.strip(), (None, None))
    return value if kind == "roman" else None


def parse_number(surface: str) -> float | None:
    """Value of a number as written: "25,000" → 25000, "1,5" → 1.5, "six (6)" → 6, "twenty-one" → 21."""
    g = load_grammar()
    digits = g.num.search(surface)
    if digits:
        s = digits.group()
        if re.fullmatch(r"\d{1,3}(?:[, ]\d{3})+(?:\.\d+)?", s):
            return float(s.replace(",", "").replace(" ", ""))
        return float(s.replace(",", "."))
    total = current = 0
    found = False
    for w in re.findall(r"[a-z]+", surface.lower()):
        if w in g.words:
            found = True
            value, kind = g.words[w]
            if kind == "scale":
                total, current = total + max(current, 1) * value, 0
            else:
                current += value
    return float(total + current) if found else None


def _parse_value(m: re.Match[str], g: _Grammar) -> _Value | None:
    """Bounds and units of one match of the value grammar; ``None`` when it cannot be a constraint."""
    gd = m.groupdict()
    low = high = None
    low_inc = high_inc = None
    cmp_word = ""
    if gd["b1"] is not None or gd["r2"] is not None:
        between = gd["b1"] is not None
        low, high = parse_number(gd["b1" if between else "n1"]), parse_number(gd["b2" if between else "r2"])
        u1, u2 = (gd["bu1"], gd["bu2"]) if between else (gd["u1"], gd["ru2"])
        low_inc, high_inc = True, between or gd["rc2"] is None or g.comparators[_key(gd["rc2"])].inclusive
        surfaces, form = (u1 or u2, u2 or u1), "range"
    elif gd["cmp"] is not None:
        comparator = g.comparators[_key(gd["cmp"])]
        cmp_word = gd["cmp"]
        number = parse_number(gd["c1"])
        surfaces, form = (gd["cu1"], gd["cu1"]), "cmp"
        if gd["c2"] is not None:  # "≥ 6 months to ≤ 18 years", "=18.5 to =29.9"
            low, high = number, parse_number(gd["c2"])
            low_inc = comparator.inclusive if comparator.bound == _LOW else True
            high_inc = gd["cc2"] is None or g.comparators[_key(gd["cc2"])].inclusive
            surfaces = (gd["cu1"] or gd["cu2"], gd["cu2"] or gd["cu1"])
        elif comparator.bound in (_LOW, _EQ):
            low, low_inc = number, comparator.inclusive
        if comparator.bound in (_HIGH, _EQ) and gd["c2"] is None:
            high, high_inc = number, comparator.inclusive
    elif gd["ncmp"] is not None:
        return _normal_limit_value(m)
    elif gd["roman"] is not None:    # "grade III", "class III-IV", "class III or IV"
        low = float(g.words[gd["roman"]][0])
        high = float(g.words[gd["roman2"]][0]) if gd["roman2"] else low
        low_inc = high_inc = True
        surfaces, form = (None, None), "stage"
    elif gd["post"] is not None:
        comparator = g.comparators[_key(gd["post"])]
        cmp_word = gd["post"]
        number = parse_number(gd["n1"])
        surfaces, form = (gd["u1"], gd["u1"]), "post"
        if comparator.bound == _LOW:
            low, low_inc = number, comparator.inclusive
        else:
            high, high_inc = number, comparator.inclusive
    elif gd["ltail"] is not None:
        listed = gd["n1"] + gd["ltail"]
        values = [v for v in (parse_number(n.group()) for n in g.number_any.finditer(listed)) if v is not None]
        low, high, low_inc, high_inc = min(values), max(values), True, True
        surfaces, form = (gd["lu"], gd["lu"]), "list"
    else:
        low = high = parse_number(gd["n1"])
        low_inc = high_inc = True
        surfaces, form = (gd["u1"], gd["u1"]), "bare"
    if low is None and high is None:
        return None
    units = [_unit_code(s, g) if s else None for s in surfaces]
    if any(s and u is None for s, u in zip(surfaces, units)):
        return None  # a unit the table does not know: better no record than a wrong one
    unit, high_unit = (units[0] if low is not None else units[1]), (units[1] if high is not None else units[0])
    if low is not None and high is not None and low > (convert(high, high_unit, unit) or high):
        return None  # runs backwards ("6 months to < 1 year" does not): not a range
    # "under the age of 18", "between the ages of 18 and 65"
    age_phrase = bool(gd.get("cage") or gd.get("bage"))
    age_like = age_phrase or _is_time(unit or high_unit) and bool(
        any(s and g.gaps["age_unit"].search(s) for s in surfaces) or g.gaps["age_words"].search(cmp_word))
    # "3x upper normal", "140/90", "135 mEq/dL": followed by something that reads as a unit we do not know.
    unknown_tail = form != "stage" and surfaces[1] is None \
        and g.gaps["unknown_unit"].match(m.string, m.end()) is not None
    return _Value(m.start(), m.end(), form, low, low_inc, high, high_inc, unit, high_unit, age_like, age_phrase,
                  unknown_tail)


def _normal_limit_value(m: re.Match[str]) -> _Value:
    """A comparison with a limit of normal and no number: "above the upper limit of normal" → > 1 {ULN},
    "< LLN" → < 1 {LLN}; a bare "normal limit" is the upper one above and the lower one below it, and
    "above or below" a limit that is not the upper one gives both."""
    cmp_word, side = m.group("ncmp").lower(), m.group("nside").lower()
    above = cmp_word[0] in ">≥" or cmp_word.split()[0] in _ABOVE
    inclusive = cmp_word in ("≥", "≤")
    named = "{ULN}" if "upper" in side or side == "uln" else "{LLN}" if "lower" in side or side == "lln" else None
    if named != "{ULN}" and above and m.group("nbelow"):
        return _Value(m.start(), m.end(), "normal", 1.0, False, 1.0, False, "{ULN}", "{LLN}", False, False, False)
    unit = named or ("{ULN}" if above else "{LLN}")
    low, low_inc, high, high_inc = (1.0, inclusive, None, None) if above else (None, None, 1.0, inclusive)
    return _Value(m.start(), m.end(), "normal", low, low_inc, high, high_inc, unit, unit, False, False, False)


def _unit_code(surface: str, g: _Grammar) -> str | None:
    """UCUM code of a unit as matched: the grammar's spellings of "× ULN" first ("2.5 x UL" is no
    "/uL"), then the unit table."""
    return "{ULN}" if g.gaps["uln"].fullmatch(surface.strip()) else normalize_unit(surface)


def _is_time(unit: str | None) -> bool:
    u = load_units().units.get(unit or "")
    return u is not None and u.group == "time"


# ------------------------------------------------------------------------------ variables


def _fits(var: Variable, value: _Value) -> bool:
    """Whether a value can constrain ``var``: a unit of the right kind, numbers in the plausible range."""
    for number, unit in ((value.low, value.unit), (value.high, value.high_unit)):
        if number is None:
            continue
        if unit is not None:
            if _is_time(var.unit) != _is_time(unit) or not var.accepts(unit):
                return False
            number = convert(number, unit, var.unit)  # None for {ULN} & co.: no range to check
        if number is not None and not var.low <= number <= var.high:
            return False
    return True


def _commensurable(var: Variable, value: _Value) -> bool:
    return value.unit is not None and convert(1.0, value.unit, var.unit) is not None


def _resolve(mention: _Mention, value: _Value, folded: str, g: _Grammar) -> list[tuple[Variable, int, int]]:
    """The variables a linked mention constrains, each with its span.

    All candidates, or one member of a family: the one whose context words are nearest the
    mention ("in the bone marrow"), then a member without context (the default), then the
    first whose unit fits the value's. A context right before the mention joins the span
    ("Peripheral blood leukemic cells"), and so does one right after a mention that follows its
    value ("≥20% lymphoblasts in the bone marrow").
    """
    start, end = min(mention.start, value.start), max(mention.end, value.end)
    fitting = [v for v in mention.candidates if _fits(v, value)]
    families = {v.family for v in mention.candidates}
    if len(families) != 1 or None in families:
        return [(v, start, end) for v in fitting]
    window_start = max(0, start - 60)
    window = folded[window_start:end + 60]
    centre = (mention.start + mention.end) / 2

    def rank(item: tuple[int, Variable]) -> tuple[int, float, int, int]:
        order, var = item
        if var.context is None:
            return (1, 0.0, 0 if _commensurable(var, value) else 1, order)
        hits = [abs(window_start + (m.start() + m.end()) / 2 - centre) for m in var.context.finditer(window)]
        if hits:
            return (0, min(hits), 0, order)
        return (2, 0.0, 0 if _commensurable(var, value) else 1, order)

    if not fitting:
        return []
    chosen = min(enumerate(fitting), key=rank)[1]
    if chosen.context is not None:
        before = [m for m in chosen.context.finditer(folded, max(0, mention.start - 30), mention.start)
                  if not folded[m.end():mention.start].strip()]
        if before and mention.start <= value.start:
            start = before[0].start()
        after = chosen.context.search(folded, mention.end, mention.end + 40)
        if after and value.end <= mention.start \
                and g.gaps["context_tail"].match(folded, mention.end, after.start()):
            end = after.end()
    return [(chosen, start, end)]


def _mentions(folded: str, low: str, g: _Grammar) -> list[_Mention]:
    """Variable mentions, longest first where aliases and abbreviations overlap."""
    found = []
    for pattern, text in ((g.mention, low), (g.abbreviation, folded)):
        pos = 0
        while (m := _scan(pattern, text, pos)) is not None:
            pos = m.end()
            found.append((m.start(), m.end(), m.group()))
    # Of overlapping mentions the longest wins ("post-bronchodilator FEV1/FVC ratio" is the ratio, not FEV1).
    found.sort(key=lambda f: (f[0] - f[1], f[0]))
    out: list[_Mention] = []
    for start, end, surface in found:
        if any(start < m.end and m.start < end for m in out):
            continue
        candidates = tuple(v for v in g.catalogue.lookup(surface)
                           if v.requires is None or v.requires.search(folded))
        if candidates:
            out.append(_Mention(start, end, candidates))
    return _join_ratios(sorted(out, key=lambda m: m.start), folded, g.catalogue)


_RATIO_SLASH = re.compile(r"\s*\)?\s*/\s*")
_OPEN_PAREN = re.compile(r"\s*\(\s*")


def _join_ratios(mentions: list[_Mention], folded: str, catalogue: Catalogue) -> list[_Mention]:
    """"FEV1 (…) / forced vital capacity": two mentions around a slash that name a ratio are that ratio."""
    out: list[_Mention] = []
    for m in mentions:
        prev = out[-1] if out else None
        if prev is not None and _RATIO_SLASH.fullmatch(folded, prev.end, m.start):
            ratio = next((r for x in prev.candidates for y in m.candidates
                          if (r := catalogue.ratio(x.id, y.id)) is not None), None)
            if ratio is not None:
                out[-1] = _Mention(prev.start, m.end, (ratio,))
                continue
        if prev is not None and len(prev.candidates) == 1 and prev.candidates[0].ratio_of is not None \
                and _OPEN_PAREN.fullmatch(folded, prev.end, m.start) \
                and any(v.id in prev.candidates[0].ratio_of for v in m.candidates):
            out[-1] = _Mention(prev.start, m.end, prev.candidates)   # "FEV1/FVC (forced vital capacity)"
            continue
        out.append(m)
    return out


# ------------------------------------------------------------------------------ linking


def _link(items: list[_Mention | _Value], folded: str, lead: Lead | None, heading: Lead | None,
          g: _Grammar) -> None:
    """Give each value the mentions it constrains, or mark it a subgroup condition of another value."""
    gaps = g.gaps
    prefix_subgroup: tuple[int, int] | None = None
    last_record: _Value | None = None
    for i, item in enumerate(items):
        if not isinstance(item, _Value):
            continue
        v = item
        prev = items[i - 1] if i > 0 else None
        nxt = items[i + 1] if i + 1 < len(items) else None
        is_time = _is_time(v.unit) or _is_time(v.high_unit) or v.age_phrase
        # "(for patients ≤ 16 years)" after a value: a subgroup condition, not an age threshold; it
        # qualifies the value before it when that one is a record ("HCT-CI =< 5 for patients over 60
        # years" has none).
        if is_time:
            before = prev
            cue_end = v.start
            named = isinstance(prev, _Mention) and g.age in prev.candidates and i > 1
            if named:
                before, cue_end = items[i - 2], prev.start
            cue = (gaps["subgroup_cue"].search(folded, before.end, cue_end)
                   if isinstance(before, _Value) else None)
            # After a value that is no record, the condition must follow it directly ("HCT-CI =< 5 for
            # patients over 60 years"), or any number before it would swallow an age limit.
            if cue and cue.end() == cue_end and (named or v.age_like or gaps["person"].search(cue.group())) \
                    and (before.links or gaps["subgroup_lead"].fullmatch(folded, before.end, cue.start())):
                if before is last_record:
                    start = cue.start() + (1 if folded[cue.start()] == "(" else 0)
                    start += len(folded[start:cue_end]) - len(folded[start:cue_end].lstrip())
                    before.subgroup = (start, v.end)
                continue
        # "1 to < 2 years: ≤ 0.6 mg/dL", "Age ≥ 16 years: ECOG ≤ 1": an age band heading what follows.
        if is_time and nxt is not None and any(isinstance(x, _Value) for x in items[i + 1:]) \
                and gaps["prefix_gap"].match(folded, v.end, nxt.start):
            named = isinstance(prev, _Mention) and g.age in prev.candidates \
                and gaps["tight_gap"].match(folded, prev.end, v.start)
            prefix_subgroup = (prev.start if named else v.start, v.end)
            continue
        if _link_one(v, i, items, folded, lead, heading, g):
            if prefix_subgroup is not None and v.subgroup is None:
                v.subgroup = prefix_subgroup
            last_record = v


def _link_one(v: _Value, i: int, items: list[_Mention | _Value], folded: str, lead: Lead | None,
              heading: Lead | None, g: _Grammar) -> bool:
    """Link ``v`` (``items[i]``) by the first rule that applies; ``True`` when it was linked."""
    right = _right_mention(v, i, items, folded, g)
    # A heading before the implied readings: "At least 5 years" under "Life expectancy:" is no age.
    return (_link_left(v, i, items, folded, g, right) or _link_right(v, right, folded, g)
            or _link_previous(v, items[i - 1] if i else None, folded, g)
            or _link_heading(v, items[i - 1].end if i else 0, folded, heading, g)
            or _link_implied_age(v, folded, g) or _link_implied_by_unit(v, g) or _link_lead(v, lead))


def _right_mention(v: _Value, i: int, items: list[_Mention | _Value], folded: str,
                   g: _Grammar) -> _Mention | None:
    """The mention right after a value that comes first: "> 95% CD19 positive", "≥20% lymphoblasts"."""
    nxt = items[i + 1] if i + 1 < len(items) else None
    if isinstance(nxt, _Mention) and v.form != "bare" and g.gaps["before_gap"].match(folded, v.end, nxt.start):
        return nxt
    return None


def _link_left(v: _Value, i: int, items: list[_Mention | _Value], folded: str, g: _Grammar,
               right: _Mention | None) -> bool:
    """The mention before the value, with the mentions coordinated with it ("creatinine and/or BUN")."""
    prev = items[i - 1] if i else None
    opening = folded.rfind("(", 0, prev.start) if isinstance(prev, _Mention) else -1
    if opening >= 0 and folded[opening + 1:prev.start].strip() \
            and _closes_parenthesis(folded, prev.end, v.start):
        # "DLCO (corrected for Hgb) ≥ 50%": a mention inside an aside is not the subject.
        before = [item for item in items[:i] if item.end <= opening]
        prev = before[-1] if before and isinstance(before[-1], _Mention) else None
        i = items.index(prev) + 1 if prev is not None else i
    if not isinstance(prev, _Mention):
        return False
    # A value written without a comparator must sit right by its mention; one with a comparator may
    # be further off ("Life expectancy, as judged by the investigator, of at least 60 days"), less so
    # without a unit.
    far = g.gaps["cmp_gap" if v.unit or v.high_unit else "cmp_gap_unitless"]
    if not g.gaps["tight_gap"].match(folded, prev.end, v.start) and (
            v.form in _TIGHT_FORMS or right is not None or not far.match(folded, prev.end, v.start)):
        return False
    group = [prev]
    j = i - 1
    while j > 0 and isinstance(items[j - 1], _Mention) \
            and g.gaps["coord_gap"].match(folded, items[j - 1].end, items[j].start):
        group.insert(0, items[j - 1])
        j -= 1
    v.links = group
    if v.form == "bare":
        _bare_cue(v, folded, group[0].start, g)
    return True


def _link_right(v: _Value, right: _Mention | None, folded: str, g: _Grammar) -> bool:
    """The mention after the value, taking a unit written after it ("> 50,000 white blood cells/mcL")."""
    if right is None:
        return False
    v.links = [right]
    tail = g.gaps["trailing_unit"].match(folded, right.end) if v.unit is None and v.high_unit is None else None
    code = _unit_code(tail.group("unit"), g) if tail else None
    if tail and code:
        v.unit = v.high_unit = code
        v.end = tail.end()
    return True


def _link_previous(v: _Value, prev: _Mention | _Value | None, folded: str, g: _Grammar) -> bool:
    """The variable of the value just before: "ALT ≤ 2.5 × ULN (≤ 5 × ULN if liver metastases)"."""
    if v.form == "bare" or not isinstance(prev, _Value) or not prev.links \
            or not g.gaps["inherit_gap"].match(folded, prev.end, v.start):
        return False
    v.links = prev.links
    v.inherited = True
    return True


def _link_implied_age(v: _Value, folded: str, g: _Grammar) -> bool:
    """Age, when a person stands for it ("Children … up to 25 years old"), the unit says so ("years
    old"), or the criterion is nothing but the band ("0 to 55 years"); not for consent rules."""
    if not (_is_time(v.unit) or _is_time(v.high_unit) or v.age_phrase) or v.form == "bare":
        return False
    cue = g.gaps["age_cue"].search(folded, max(0, v.start - 80), v.start)
    alone = folded.strip(" .;:,-") == folded[v.start:v.end]
    if not (cue or v.age_like or alone) or g.gaps["consent_subgroup"].search(folded):
        return False
    v.links = [_Mention(cue.start() if cue else v.start, v.start, (g.age,))]
    return True


def _link_implied_by_unit(v: _Value, g: _Grammar) -> bool:
    """A variable that its unit alone names ("Patients must be >= 15 kg" is a weight)."""
    if v.form == "bare" or v.unit is None:
        return False
    for var in g.catalogue.variables.values():
        if var.implied and convert(1.0, v.unit, var.unit) is not None:
            v.links = [_Mention(v.start, v.start, (var,))]
            return True
    return False


def _link_heading(v: _Value, start: int, folded: str, heading: Lead | None, g: _Grammar) -> bool:
    """The variable of the category heading, for a value that opens the sub-item or follows the
    value before it, after at most a short label ("WHO 0-1", "Cohort II: 9 - 11 mo"): a
    sentence under "Age:" ("Duration of symptoms ≤ 96 hours") is about something else. A heading
    names its variable, so a unitless value takes it too ("Under 80" under "Age:")."""
    return heading is not None and g.gaps["heading_gap"].match(folded, start, v.start) is not None \
        and _link_lead(v, heading, unitless=True)


def _link_lead(v: _Value, lead: Lead | None, unitless: bool = False) -> bool:
    """The variable of the list's lead-in, for a value with a unit that variable takes, a bare
    table cell under a heading that gave the unit ("2 to < 6 years: 0.8"), or, when ``unitless``,
    a unitless value of a variable that needs no unit (age in years, ECOG)."""
    if lead is None or v.form == "stage" or not (
            (v.unit is not None and lead.variable.accepts(v.unit))
            or (v.unit is None and v.form == "bare" and lead.unit is not None)
            or (unitless and v.unit is None and v.high_unit is None and v.form != "bare" and lead.unit is None
                and _unitless_ok(lead.variable))):
        return False
    if v.unit is None:
        v.unit = v.high_unit = lead.unit
    if v.form == "bare" and lead.bound == _HIGH:
        v.low = v.low_inclusive = None
    elif v.form == "bare" and lead.bound == _LOW:
        v.high = v.high_inclusive = None
    v.links = [_Mention(v.start, v.start, (lead.variable,))]
    v.from_lead = True
    return True


def _unitless_ok(var: Variable) -> bool:
    """Whether a number without a unit can be a value of ``var``: it has a default unit (age in
    years) or is a score without units (ECOG)."""
    return var.default_unit is not None or var.units == ()


def _closes_parenthesis(folded: str, start: int, end: int) -> bool:
    """Whether ``folded[start:end]`` closes a parenthesis it did not open."""
    depth = 0
    for c in folded[start:end]:
        depth += (c == "(") - (c == ")")
        if depth < 0:
            return True
    return False


def _bare_cue(v: _Value, folded: str, mention_start: int, g: _Grammar) -> None:
    """A bound stated before the variable: "Minimum age: 18", "> CTCAE grade 1"."""
    before = folded[max(0, mention_start - 30):v.start]
    comparator = g.gaps["cmp_before"].search(folded, max(0, mention_start - 30), mention_start)
    if comparator:
        c = g.comparators[_key(comparator.group("cmp"))]
        if c.bound == _LOW:
            v.low_inclusive, v.high = c.inclusive, None
            v.high_inclusive = None
        elif c.bound == _HIGH:
            v.high_inclusive, v.low = c.inclusive, None
            v.low_inclusive = None
    elif g.gaps["bare_low_cue"].search(before):
        v.high = v.high_inclusive = None
    elif g.gaps["bare_high_cue"].search(before):
        v.low = v.low_inclusive = None


def _merge(values: list[_Value], folded: str, g: _Grammar) -> None:
    """Join "≥ 18 and ≤ 65 years" into one range when both halves constrain the same variable.

    The first half may be unlinked and unitless ("Men or women ≥ 18 and ≤ 80 years old"): it
    takes the variable and unit of the second.
    """
    for a, b in zip(values, values[1:]):
        if a.merged or not b.links or (a.links and _candidate_ids(a) != _candidate_ids(b)) \
                or (not a.links and (a.unit not in (None, b.high_unit) or a.form != "cmp")):
            continue
        one_sided = (a.high is None and b.low is None and a.low is not None and b.high is not None)
        gap_end = min([m.start for m in b.links if m.start > a.end] + [b.start])
        or_gap = g.gaps["or_gap"].match(folded, a.end, gap_end)
        if not a.links and or_gap and (a.low is not None and b.high is None
                                       or a.high is not None and a.low is None and b.low is not None):
            # "Participants <20 or >75 years of age": two alternatives on the variable of the second.
            a.links, a.unit, a.high_unit, a.inherited = b.links, b.unit, b.unit, True
            continue
        if not one_sided or not g.gaps["merge_gap"].match(folded, a.end, gap_end):
            continue
        if a.unit is not None and b.high_unit is not None and a.unit != b.high_unit:
            continue
        if a.low > (convert(b.high, b.high_unit, a.unit or b.high_unit) or b.high):
            continue  # "more than 140 and less than 100": contradicting halves stay two records, no low > high
        a.links = a.links or b.links
        a.high, a.high_inclusive, a.end = b.high, b.high_inclusive, b.end
        a.unit = a.high_unit = a.unit or b.high_unit
        b.merged = True


def _candidate_ids(v: _Value) -> frozenset[str]:
    return frozenset(c.id for m in v.links for c in m.candidates)


# ------------------------------------------------------------------------------ public API


def folded_text(text: str) -> str:
    """``text`` folded for matching (:func:`fold`), in its usual casing first when it has none (casing.py)."""
    return fold(recase(text) if is_caseless(text) else text)


def criterion_thresholds(text: str, lead: Lead | None = None) -> list[Threshold]:
    """Thresholds stated by one criterion; offsets relative to ``text``."""
    folded = folded_text(text)
    return _extract(text, folded, lower(folded), lead)[0]


def _values(folded: str, low: str, g: _Grammar) -> list[_Value]:
    """Value expressions, left to right; the grammar is tried only where a value can start."""
    out: list[_Value] = []
    pos = 0
    while (anchor := _scan(g.anchor, low, pos)) is not None:
        m = g.value.match(folded, anchor.start())
        if m is None or m.end() == m.start():
            pos = anchor.end()
            continue
        value = _parse_value(m, g)
        if value is not None:
            if value.form == "cmp" and g.gaps["negated_cmp"].search(low, max(0, value.start - 40), value.start):
                _negate(value)
            out.append(value)
        pos = m.end()
    return out


def _negate(v: _Value) -> None:
    """A one-sided bound under a negation ("must not have received more than 2 regimens") → its complement."""
    if (v.low is None) == (v.high is None):
        return
    if v.low is not None:
        v.high, v.high_inclusive, v.high_unit = v.low, not v.low_inclusive, v.unit
        v.low = v.low_inclusive = None
    else:
        v.low, v.low_inclusive, v.unit = v.high, not v.high_inclusive, v.high_unit
        v.high = v.high_inclusive = None


def _extract(text: str, folded: str, low: str, lead: Lead | None,
             heading: Lead | None = None) -> tuple[list[Threshold], bool]:
    """Records of one criterion (``folded`` = ``fold(text)``, ``low`` = ``lower(folded)``), and
    whether any came from ``lead``, or from ``heading`` (the lead of the heading the criterion is
    listed under) when there is no ``lead`` and the criterion names no variable itself."""
    g = load_grammar()
    if not _has_candidate(low, g):
        return [], False
    mentions = _mentions(folded, low, g)
    if lead is not None or mentions:
        heading = None
    if not mentions and lead is None and heading is None and _scan(g.time_unit, low, 0) is None:
        return [], False
    values = _values(folded, low, g)
    if not values:
        return [], False
    # A value followed by an unknown unit is dropped, unless what follows is a mention ("> 5 WBC/mcL").
    starts = {m.start for m in mentions}
    values = [v for v in values if not v.unknown_tail or len(folded) - len(folded[v.end:].lstrip()) in starts]
    mentions = [m for m in mentions if not any(v.start <= m.start and m.end <= v.end for v in values)
                and not (g.age in m.candidates  # "onset before the age of 50": not the participant's age
                         and g.gaps["not_participant_age"].search(folded, max(0, m.start - 20), m.start))]
    for v in values:  # "NYHA class III-IV": the mention took the keyword of the value, the numerals are the value
        if v.form == "stage":
            for m in mentions:
                if m.start <= v.start < m.end < v.end:
                    v.start = m.end + len(folded[m.end:v.end]) - len(folded[m.end:v.end].lstrip())
    values = [v for v in values if not any(m.start < v.end and v.start < m.end for m in mentions)]
    items: list[_Mention | _Value] = sorted([*mentions, *values], key=lambda x: x.start)
    _link(items, folded, lead, heading, g)
    _merge(values, folded, g)
    records: list[Threshold] = []
    for v in values:
        if not v.links or v.merged:
            continue
        seen: set[str] = set()
        for mention in v.links:
            for var, start, end in _resolve(mention, v, folded, g):
                if var.id in seen:
                    continue
                seen.add(var.id)
                if v.inherited:  # "Hb > 8.5 g/dL for men and > 8.0 g/dL for women": the value alone
                    start, end = v.start, v.end
                records.extend(_records(var, start, end, v, text))
    records.sort(key=lambda t: (t.start, t.end, t.variable))
    return records, any(v.from_lead and v.links for v in values)


def _records(var: Variable, start: int, end: int, v: _Value, text: str) -> list[Threshold]:
    """One record, or two one-sided ones when the bounds are written in different units."""
    span = text[start:end]
    subgroup = text[v.subgroup[0]:v.subgroup[1]] if v.subgroup else None
    unit = v.unit if v.unit is not None else var.default_unit
    high_unit = v.high_unit if v.high_unit is not None else var.default_unit
    if v.low is not None and v.high is not None and unit != high_unit:
        return [Threshold(start, end, var.id, v.low, v.low_inclusive, None, None, unit, span,
                          subgroup=subgroup),
                Threshold(start, end, var.id, None, None, v.high, v.high_inclusive, high_unit, span,
                          subgroup=subgroup)]
    return [Threshold(start, end, var.id, v.low, v.low_inclusive, v.high, v.high_inclusive,
                      unit if v.low is not None else high_unit, span, subgroup=subgroup)]


def lead_in(text: str, records: Sequence[Threshold] = (), current: Lead | None = None) -> Lead | None:
    """The variable a lead-in hands to the sub-items after it, if ``text`` is one.

    A lead-in ends with ":" or "as follows" and names a variable that none of its own
    ``records`` uses ("Creatinine as defined by age as follows:"). While a lead is
    ``current``, a heading without numbers ("Age: Maximum serum creatinine (mg/dL)")
    refines it with a unit and a bound.
    """
    folded = folded_text(text)
    return _lead_in(folded, lower(folded), records, current)


def _lead_in(folded: str, low: str, records: Sequence[Threshold], current: Lead | None) -> Lead | None:
    g = load_grammar()
    end = len(folded.rstrip())
    if not g.gaps["lead_end"].search(folded, max(0, end - 40), end) and (
            current is None or _has_candidate(low, g)):
        return None
    free = [m for m in _mentions(folded, low, g) if not any(t.start <= m.start < t.end for t in records)]
    if not free:
        return None
    # "Creatinine as defined by age as follows:": age is the banding, the variable is the other one.
    last = ([m for m in free if g.age not in m.candidates] or free)[-1]
    family_pick = [v for v in last.candidates if v.context is not None and v.context.search(folded)]
    variable = (family_pick or list(last.candidates))[0]
    unit_match = g.gaps["lead_unit"].search(folded, last.end)
    unit = normalize_unit(unit_match.group("unit")) if unit_match else None
    bound = _HIGH if g.gaps["bare_high_cue"].search(folded, 0, last.end) else (
        _LOW if g.gaps["bare_low_cue"].search(folded, 0, last.end) else None)
    return Lead(variable, unit, bound)


@lru_cache(maxsize=4096)
def condition_bounds(case: str) -> tuple[Bound, ...]:
    """The bounds a condition's text states ("for patients ≤ 16 years" → age ≤ 16 a)."""
    return tuple(Bound(t.variable, t.low, t.low_inclusive, t.high, t.high_inclusive, t.unit)
                 for t in criterion_thresholds(case))


@lru_cache(maxsize=4096)
def _heading_lead(heading: str) -> Lead | None:
    """:func:`lead_in` of a criterion's ``lead_in`` line, once per distinct line: registries repeat
    their category headings ("Age:", "Life expectancy:") in every record."""
    return lead_in(heading, criterion_thresholds(heading))


def _bare_value(t: Threshold) -> Threshold:
    """An inclusion criterion's value without a comparator, read as the catalogue says ("Life expectancy 3 months")."""
    variable = load_catalogue().variables.get(t.variable)
    if variable is None or variable.bare_value != "at_least" or t.low is None or t.low != t.high:
        return t
    return dataclasses.replace(t, high=None, high_inclusive=None)


def extract_thresholds(text: str, criteria: Sequence[Criterion]) -> list[Threshold]:
    """Thresholds of a document's criteria, offsets into ``text``, ``criterion`` = index in ``criteria``.

    Criteria are read in order so that a sub-item ("1 to < 2 years: ≤ 0.6 mg/dL") gets the
    variable of the lead-in before it. A criterion that names no variable takes the variable
    of the category heading it is listed under (``Criterion.lead_in`` that is no criterion:
    "Under 80" under "Age:"); a lead-in that is a criterion of its own passes its variable on
    only as above, or every sub-item of "one of the following conditions applies:" would take
    whatever that sentence happens to mention. Text outside every criterion yields nothing.
    """
    folded = folded_text(text)
    low = lower(folded)
    out: list[Threshold] = []
    lead: Lead | None = None
    listed: set[str] = set()
    for index, criterion in enumerate(criteria):
        s, e = criterion.start, criterion.end
        listed.add(text[s:e])
        heading_text = criterion.lead_in
        heading = _heading_lead(heading_text) if heading_text and heading_text not in listed else None
        records, used_lead = _extract(text[s:e], folded[s:e], low[s:e], lead, heading)
        if lead is None or not used_lead:
            lead = _lead_in(folded[s:e], low[s:e], records, lead)
        if criterion.kind == "inclusion":
            records = [_bare_value(t) for t in records]
        records = apply_logic(text[s:e], criterion.kind, records, condition_bounds)
        for t in records:
            t.start += s
            t.end += s
            t.criterion = index
            out.append(t)
    return out
