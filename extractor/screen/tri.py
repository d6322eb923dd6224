"""Three-valued (Kleene) logic: ``True``, ``False`` and ``None`` for unknown.

Unknown propagates: ``and3`` is false as soon as one operand is false, true only when all are
true; ``or3`` dually. An unknown fact therefore decides nothing that a known one does not.
"""
from __future__ import annotations

from typing import Iterable

Tri = bool | None


def _fold(values: Iterable[Tri], absorbing: bool) -> Tri:
    """``absorbing`` as soon as one value is, else unknown if one is unknown, else the other truth value."""
    seen_unknown = False
    for value in values:
        if value is absorbing:
            return absorbing
        seen_unknown = seen_unknown or value is None
    return None if seen_unknown else not absorbing


def and3(values: Iterable[Tri]) -> Tri:
    """Conjunction: False if any is False, else None if any is None, else True (empty: True)."""
    return _fold(values, False)


def or3(values: Iterable[Tri]) -> Tri:
    """Disjunction: True if any is True, else None if any is None, else False (empty: False)."""
    return _fold(values, True)


def not3(value: Tri) -> Tri:
    """Negation; unknown stays unknown."""
    return None if value is None else not value
