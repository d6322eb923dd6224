"""Domain adaptation of an encoder: masked-language-model training on eligibility criteria.

The shipped encoder (MiniLM-L6) was trained on general web text; eligibility criteria
are a dialect of their own ("ANC ≥ 1.0 x 10^9/L", "s/p HSCT", "CNS3"). Continuing its
masked-language-model training on criteria before fine-tuning the tagger adapts its
vocabulary use to that dialect ("don't stop pretraining"). The texts are criteria as
the pipeline splits them, from any input the batch reader takes (registry CSV, gold
folders), deduplicated; the trials of an evaluation split are left out by id, so that
no test text is ever seen, even unlabelled.
"""
from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import AbstractSet, Any, Iterable, Iterator

from extractor.entities.types import TrainingError
from extractor.evaluation.loaders import load_documents
from extractor.readers import InputRecord, ReadError, ReadOptions, read_inputs
from extractor.training.checkpoints import deadline
from extractor.training.encoder import EncoderSettings, descend, length_grouped_batches
from extractor.training.examples import trial_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PretrainSettings(EncoderSettings):
    """Masked-language-model settings; a JSON file of these keys is ``extractor pretrain``'s config."""

    epochs: float = 1.0
    batch_size: int = 32
    warmup: float = 0.06
    mlm_probability: float = 0.15
    log_every: int = 200


def excluded_trials(folders: Iterable[str | Path]) -> set[str]:
    """Trial ids (NCT…) of the gold documents in ``folders``: their text must not be trained on."""
    return {trial_of(doc_id) for folder in folders for doc_id in load_documents(folder)}


def criterion_records(inputs: Iterable[str], exclude: AbstractSet[str] = frozenset(),
                      errors: list[ReadError] | None = None,
                      options: ReadOptions = ReadOptions()) -> Iterator[tuple[str, str, str]]:
    """(trial, kind, text) of the distinct criterion texts of ``inputs``, in input order, skipping
    the trials in ``exclude``.

    Unreadable records are appended to ``errors`` (when given) and skipped: one bad record
    must not end a corpus pass.
    """
    from extractor.batch import iter_extracted

    seen: set[str] = set()

    def kept() -> Iterator[InputRecord | ReadError]:
        for item in read_inputs(inputs, options):
            if isinstance(item, ReadError) or trial_of(item.id) not in exclude:
                yield item

    for doc in iter_extracted(kept(), layers=("criteria",)):
        if isinstance(doc, ReadError):
            if errors is not None:
                errors.append(doc)
            continue
        for criterion in doc.criteria or []:
            text = doc.text[criterion.start:criterion.end]
            if text not in seen:
                seen.add(text)
                yield trial_of(doc.id), criterion.kind, text


def criterion_texts(inputs: Iterable[str], exclude: AbstractSet[str] = frozenset(),
                    errors: list[ReadError] | None = None,
                    options: ReadOptions = ReadOptions()) -> Iterator[str]:
    """The texts of :func:`criterion_records`: the masked-LM corpus."""
    return (text for _, _, text in criterion_records(inputs, exclude, errors, options))


def masked_loss(model: Any, batch: dict[str, Any]) -> Any:
    """The masked-LM loss, with the vocabulary head run on the masked positions alone.

    The head (hidden size × vocabulary, 30k words) costs as much as the whole MiniLM encoder
    when run on every position, and only the ~15 % masked ones are scored. A model whose
    head is not one module after its encoder runs whole.
    """
    import torch

    heads = [m for _, m in model.named_children() if m is not model.base_model]
    if len(heads) != 1:
        return model(**batch).loss
    labels = batch["labels"]
    inputs = {k: v for k, v in batch.items() if k != "labels"}
    hidden = model.base_model(**inputs).last_hidden_state
    scored = labels != -100
    return torch.nn.functional.cross_entropy(heads[0](hidden[scored]), labels[scored])


def pretrain(inputs: list[str], output: str | Path, *, exclude: Iterable[str | Path] = (),
             config: str | Path | None = None, base_model: str | Path | None = None, seed: int = 0,
             max_seconds: float | None = None, threads: int = 2,
             options: ReadOptions = ReadOptions()) -> Path:
    """Continue the masked-language-model training of an encoder on the criteria of ``inputs``.

    ``exclude`` names gold folders whose trials are left out (the test splits); ``options``
    say how to read batch files (their id and text columns). The adapted
    encoder is saved to ``output`` with its tokenizer, ready as ``extractor train
    --base-model``; ``pretrain.json`` there records the settings, seed and corpus size.
    """
    import torch
    from datasets import Dataset
    from transformers import AutoModelForMaskedLM, AutoTokenizer, DataCollatorForLanguageModeling, set_seed

    settings = PretrainSettings.load(config, max_seconds, base_model)
    base = settings.base_folder()
    torch.set_num_threads(threads)
    set_seed(seed)

    left_out = excluded_trials(exclude)
    errors: list[ReadError] = []
    texts = list(criterion_texts(inputs, left_out, errors, options))
    for error in errors:
        log.warning("skipped %s", error)
    if not texts:
        raise TrainingError(f"{', '.join(inputs)}: no criterion text to train on")
    log.info("%d distinct criteria (trials of %d excluded, %d unreadable records)",
             len(texts), len(left_out), len(errors))

    tokenizer = AutoTokenizer.from_pretrained(base, local_files_only=True)
    model = AutoModelForMaskedLM.from_pretrained(base, local_files_only=True)
    data = Dataset.from_dict({"text": texts}).map(
        lambda batch: tokenizer(batch["text"], truncation=True, max_length=settings.max_length,
                                return_special_tokens_mask=True),
        batched=True, remove_columns=["text"])
    collate = DataCollatorForLanguageModeling(tokenizer, mlm_probability=settings.mlm_probability,
                                              seed=seed)
    lengths = [len(ids) for ids in data["input_ids"]]
    total = settings.total_steps(len(lengths))
    step = masked_lm_steps(model, data, collate, lengths, settings, random.Random(seed), total)
    output = Path(output)
    model.save_pretrained(output)
    tokenizer.save_pretrained(output)
    (output / "pretrain.json").write_text(json.dumps(
        {"base_model": str(base), "seed": seed, "steps": step, "of_steps": total, "criteria": len(texts),
         "excluded_trials": len(left_out), "settings": asdict(settings)}, indent=1), encoding="utf-8")
    log.info("adapted encoder written to %s after %d of %d steps; %d unreadable records skipped (listed above)",
             output, step, total, len(errors))
    return output


def masked_lm_steps(model: Any, data: Any, collate: Any, lengths: list[int], settings: PretrainSettings,
                    rng: random.Random, total: int) -> int:
    """Masked-language-model steps over ``data`` until ``total`` or the settings' time limit; the steps taken."""
    import torch

    optimizer, schedule = settings.optimizer(model, total)
    limit = deadline(settings.max_seconds)
    started = time.monotonic()
    model.train()
    step, running = 0, 0.0
    while step < total and time.monotonic() <= limit:
        batches = length_grouped_batches(lengths, settings.batch_size, rng)  # new batches each epoch
        for batch in torch.utils.data.DataLoader(data, batch_sampler=batches, collate_fn=collate):
            loss = masked_loss(model, batch)
            descend(model, loss, optimizer, schedule)
            step += 1
            running += loss.item()
            if step % settings.log_every == 0:
                log.info("step %d/%d masked-LM loss %.4f (%.0f s)", step, total,
                         running / settings.log_every, time.monotonic() - started)
                running = 0.0
            if step >= total or time.monotonic() > limit:
                break
    return step
