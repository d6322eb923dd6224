"""Training of the entity taggers from folders of gold-format documents, either backend.

The examples (:mod:`.examples`) and the checkpoint record (:mod:`.checkpoints`) are the same
for both; :mod:`.spacy_ner` and :mod:`.transformer` hold each backend's training loop.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

from extractor.entities.types import TrainingError
from extractor.evaluation.loaders import load_documents
from extractor.records import Document
from extractor.training.checkpoints import Provenance
from extractor.training.encoder import TransformerSettings
from extractor.training.examples import DEV_FRACTION, criterion_examples, split_dev

log = logging.getLogger(__name__)

BACKENDS: tuple[str, ...] = ("spacy", "transformer")


def train(train_dir: str | Path | Sequence[str | Path], dev_dir: str | Path | None, output: str | Path, *,
          backend: str = "spacy", config: str | Path | None = None, seed: int = 0,
          dev_fraction: float = DEV_FRACTION, max_seconds: float | None = None, threads: int = 2,
          base_model: str | Path | None = None, silver: Sequence[str | Path] = ()) -> Path:
    """Train a tagger on the gold documents in ``train_dir`` (one folder or several) and save it to ``output``.

    ``config`` is the spaCy config (``.cfg``) for ``backend="spacy"``, a JSON file of
    :class:`TransformerSettings` for ``"transformer"``. Without ``dev_dir`` a dev set is
    carved out of ``train_dir``, unless ``dev_fraction`` is 0: then every document trains and
    the last step is saved, for a final model whose recipe (steps, settings) was chosen on a
    dev split before. ``max_seconds`` bounds the training time (the best model
    seen so far is what is saved; for the transformer it replaces the settings' limit);
    ``threads`` is torch's CPU thread count (the spaCy CNN runs on numpy). The documents in
    the ``silver`` folders (machine-tagged, :mod:`extractor.training.pseudolabel`) train but are
    never carved into dev: checkpoints are chosen on gold alone. Either backend's ``tagger.json``
    records its :class:`Provenance`, where its dev set came from included (``dev``: ``{"folder": …}``,
    ``{"fraction": …}`` or null), so that a report scores it only on trials it held out.
    """
    if backend not in BACKENDS:
        raise TrainingError(f"unknown backend {backend!r}; choose one of {BACKENDS}")
    folders = [train_dir] if isinstance(train_dir, (str, Path)) else list(train_dir)
    docs, dev_docs, silver_docs = training_documents(folders, dev_dir, dev_fraction, silver)
    final = dev_dir is None and dev_fraction == 0
    train_examples = criterion_examples(docs)
    dev_examples = criterion_examples(dev_docs)
    # where the dev set came from; None when nothing was held out, so that no report scores the model on
    # "held-out" trials it trained on (below, a dev set too small to carve falls back to the training set)
    held_out = (None if not dev_examples else {"folder": str(dev_dir)} if dev_dir is not None
                else {"fraction": dev_fraction})
    provenance = Provenance(len(train_examples), [str(folder) for folder in silver], held_out)
    if not train_examples or not any(spans for _, spans in train_examples):
        raise TrainingError(f"{', '.join(map(str, folders))}: no documents with an entities layer to learn from")
    log.info("%d training and %d dev criteria from %d + %d documents (%d of them silver)",
             len(train_examples), len(dev_examples), len(docs), len(dev_docs), len(silver_docs))
    if final:
        log.info("dev fraction 0: every document trains and the last step is the model (no checkpoint selection)")
    elif not dev_examples:
        log.info("no dev criteria (too few trials to carve from): selecting checkpoints on the training set")
        dev_examples = train_examples
    output = Path(output)
    if backend == "spacy":
        from extractor.training.spacy_ner import train_spacy

        if config is None:
            raise TrainingError("the spaCy backend needs a config file (e.g. models/chia_ner.cfg)")
        train_spacy(train_examples, dev_examples, output, Path(config), seed, max_seconds, provenance)
    else:
        import torch

        from extractor.training.transformer import train_transformer

        torch.set_num_threads(threads)
        settings = TransformerSettings.load(config, max_seconds, base_model)
        train_transformer(train_examples, dev_examples, output, settings, seed, provenance)
    return output


def training_documents(folders: Sequence[str | Path], dev_dir: str | Path | None, dev_fraction: float,
                       silver: Sequence[str | Path]) -> tuple[list[Document], list[Document], list[Document]]:
    """(training documents, silver ones included; dev documents; silver documents) as :func:`train` takes them."""
    docs = [doc for folder in folders for doc in load_documents(folder).values()]
    silver_docs = [doc for folder in silver for doc in load_documents(folder).values()]
    if len({doc.id for doc in docs + silver_docs}) < len(docs) + len(silver_docs):
        raise TrainingError(f"{', '.join(map(str, [*folders, *silver]))}: a document id occurs in more than one folder")
    if not 0 <= dev_fraction < 1:
        raise TrainingError(f"dev fraction must lie in [0, 1) (0: no dev set, keep the last step), got {dev_fraction}")
    if dev_dir is not None:
        dev_docs = list(load_documents(dev_dir).values())
    elif dev_fraction == 0:
        dev_docs = []
    else:
        docs, dev_docs = split_dev(docs, dev_fraction)
    return docs + silver_docs, dev_docs, silver_docs
