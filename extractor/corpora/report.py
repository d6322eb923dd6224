"""What a corpus conversion kept, dropped and why, counted so that nothing is lost silently."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(slots=True)
class ConversionReport:
    """What the conversion kept, dropped and why; printed by the CLI and documented in eval reports."""

    documents: int = 0
    other_split: int = 0
    criteria: int = 0
    entities: Counter[str] = field(default_factory=Counter)
    dropped_labels: Counter[str] = field(default_factory=Counter)
    discontinuous: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    thresholds: Counter[str] = field(default_factory=Counter)
    comparisons: Counter[str] = field(default_factory=Counter)
    criteria_absent: int = 0
    thresholds_absent: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"documents written: {self.documents} (other split skipped: {self.other_split})",
                 f"criteria: {self.criteria} (documents without a criteria layer: {self.criteria_absent})",
                 f"entities: {sum(self.entities.values())} {dict(sorted(self.entities.items()))}",
                 f"dropped labels: {dict(self.dropped_labels.most_common())}",
                 f"discontinuous entities: {dict(sorted(self.discontinuous.items()))}",
                 f"duplicate entities merged: {self.duplicates}"]
        if self.comparisons:
            lines += [f"thresholds: {sum(self.thresholds.values())} {dict(sorted(self.thresholds.items()))}",
                      f"comparisons: {dict(self.comparisons.most_common())} "
                      f"(documents without a thresholds layer: {self.thresholds_absent})"]
        lines.append(f"warnings: {len(self.warnings)}")
        return "\n".join(lines)
