"""Regexes for long lists of phrases: word-bounded phrase patterns and prefix tries.

Shared by the threshold grammar (catalogue aliases, units, comparators), the entity
rules and the negation cues, so that all of them bound words the same way and a list
of hundreds of aliases compiles to one fast pattern.
"""
from __future__ import annotations

import re

# The atoms a pattern is cut into: assertions and escapes stay whole, so that the trie
# never splits them and wraps a part of one in a group.
_ATOM = re.compile(r"\(\?<!\\w\)|\(\?!\\w\)|\(\?!\[a-z\]\)|\(\?=\\s\|\$\)|\\s[*+]|\[\\s\\-\][*+]|\\.|[^\\]")


def word_tail(phrase: str) -> str:
    """What must follow a phrase: no word character after a word, white space or the end after punctuation."""
    return r"(?!\w)" if phrase[-1].isalnum() else r"(?=\s|$)"


def phrase_pattern(phrase: str) -> str:
    """Regex of a phrase on word boundaries, any white space between its words."""
    body = r"\s+".join(re.escape(word) for word in phrase.split())
    return (r"(?<!\w)" if phrase[0].isalnum() else "") + body + word_tail(phrase)


def trie_alternation(patterns: list[str]) -> str:
    """One alternation of many alias patterns, factored by common prefix.

    Python's ``re`` tries alternatives one by one; sharing prefixes keeps a 600-alias pattern
    fast. Longer continuations are tried before an alias ends, so the longest alias wins.
    """
    trie: dict[str, dict] = {}
    for pattern in sorted(set(patterns)):
        node = trie
        for atom in _ATOM.findall(pattern):
            node = node.setdefault(atom, {})
        node[""] = {}
    return _emit(trie) or "(?!)"


def _emit(node: dict[str, dict]) -> str:
    # Longer continuations first; an end assertion such as (?!\w) last, or "mg" would beat "mg%".
    branches = [atom + _emit(child) for atom, child in node.items() if atom]
    if not branches:
        return ""
    body = "(?:" + "|".join(sorted(branches, key=lambda b: (b.startswith("(?"), -len(b)))) + ")"
    return body + "?" if "" in node else body
