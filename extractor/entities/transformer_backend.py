"""Transformer backend: tagging with BIO token classifiers (one, or an ensemble) and their decoding.

Criteria longer than ``max_length`` word pieces are cut into overlapping windows
(``stride``) both in training (:mod:`extractor.training.transformer`) and in tagging, so no
entity is lost to truncation. Character offsets come from the fast tokenizer's
``offset_mapping``. Everything runs offline (``local_files_only=True``): models are never
downloaded.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from extractor.entities.types import Span, TrainingError
from extractor.records import ENTITY_LABELS

BIO_LABELS: tuple[str, ...] = ("O",) + tuple(f"{p}-{label}" for label in ENTITY_LABELS for p in "BI")
BIO_IDS: dict[str, int] = {label: i for i, label in enumerate(BIO_LABELS)}


def decode(offsets: Sequence[tuple[int, int]], labels: Sequence[str]) -> list[Span]:
    """Entity spans from per-piece BIO labels; an ``I-`` without its ``B-`` opens an entity."""
    spans: list[Span] = []
    current: list[Any] | None = None
    for (start, end), label in zip(offsets, labels):
        if start == end:
            continue
        if label == "O":
            current = None
            continue
        prefix, name = label.split("-", 1)
        if prefix == "I" and current is not None and current[2] == name:
            current[1] = end
            spans[-1] = (current[0], end, name)
        else:
            current = [start, end, name]
            spans.append((start, end, name))
    return spans


@lru_cache(maxsize=1)
def _transitions() -> tuple[np.ndarray, np.ndarray]:
    """BIO validity as additive scores: an ``I-X`` may only start nothing and only follow ``B-X`` or ``I-X``."""
    forbidden = -1e9
    n = len(BIO_LABELS)
    start = np.zeros(n)
    step = np.zeros((n, n))
    for j, label in enumerate(BIO_LABELS):
        if label.startswith("I-"):
            start[j] = forbidden
            for i, previous in enumerate(BIO_LABELS):
                if previous[2:] != label[2:]:
                    step[i, j] = forbidden
    return start, step


def viterbi(scores: np.ndarray, bonus: np.ndarray | None = None) -> list[int]:
    """The best valid BIO label sequence (ids) under per-position log-probabilities ``scores`` (n × labels).

    Taking each position's argmax alone yields sequences such as ``O I-drug`` or ``B-drug I-value``,
    whose entities have wrong boundaries; the best *valid* sequence fixes most of them. ``bonus``
    (labels × labels) adds a score to each label following each other label (:class:`Decoding`).
    """
    start, step = _transitions()
    if bonus is not None:
        step = step + bonus
    if len(scores) == 0:
        return []
    best = start + scores[0]
    back = []
    for row in scores[1:]:
        candidates = best[:, None] + step
        previous = candidates.argmax(0)
        back.append(previous)
        best = candidates[previous, np.arange(len(best))] + row
    path = [int(best.argmax())]
    for previous in reversed(back):
        path.append(int(previous[path[-1]]))
    return path[::-1]


def word_starts(words: Sequence[int | None]) -> list[int]:
    """Indices of the pieces that begin a word (a special piece, word None, counts as its own word)."""
    return [i for i, word in enumerate(words) if i == 0 or word is None or word != words[i - 1]]


def word_labels(words: Sequence[int | None], scores: np.ndarray, bonus: np.ndarray | None = None) -> list[str]:
    """BIO labels of word pieces: a word's first piece decides, by :func:`viterbi` over words.

    A piece-level tagger may label "war" of "war##far##in" a drug and "##in" not; an
    entity that ends inside a word never matches gold exactly, so the word's other pieces
    follow its first.
    """
    firsts = word_starts(words)
    path = dict(zip(firsts, viterbi(scores[firsts], bonus) if firsts else []))
    labels: list[str] = []
    for i in range(len(words)):
        if i in path:
            labels.append(BIO_LABELS[path[i]])
        else:
            head = labels[-1]
            labels.append(head if head == "O" else "I-" + head.split("-", 1)[1])
    return labels


def entity_confidence(offsets: Sequence[tuple[int, int]], words: Sequence[int | None], scores: np.ndarray,
                      span: Span) -> float:
    """Mean probability, over the words of ``span``, that the word belongs to an entity of the span's label.

    Per word (its first piece) that is P(B-label) + P(I-label) under ``scores`` (log-probabilities,
    renormalised: an ensemble's mean log-probabilities do not sum to one). Viterbi must emit a label
    for every word, so a word the tagger barely prefers to "O" still becomes an entity; this says how
    sure the tagger was of it.
    """
    start, end, label = span
    rows = [i for i in word_starts(words) if start <= offsets[i][0] and offsets[i][1] <= end]
    if not rows:
        return 0.0
    picked = scores[rows]
    probs = np.exp(picked - picked.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    return float((probs[:, BIO_IDS["B-" + label]] + probs[:, BIO_IDS["I-" + label]]).mean())


def text_pieces(enc: Any, texts: int, values: Sequence[Sequence[Any]]) -> list[list[tuple[tuple[int, int], int | None, Any]]]:
    """Each of ``texts`` texts' pieces in order, as (offsets, word id, value), from the windows ``enc`` cut
    them into (``values[window]`` aligned with that window's pieces). A piece seen in two windows keeps
    the value of the window it appeared in first; special pieces are left out."""
    found: list[dict[int, tuple[tuple[int, int], int | None, Any]]] = [{} for _ in range(texts)]
    for window, sample in enumerate(enc["overflow_to_sample_mapping"]):
        for (start, end), word, value in zip(enc["offset_mapping"][window], enc.word_ids(window), values[window]):
            if start != end and start not in found[sample]:
                found[sample][start] = ((start, end), word, value)
    return [[pieces[k] for k in sorted(pieces)] for pieces in found]


@dataclass(frozen=True, eq=False)  # an array field: compare settings through to_json()
class Decoding:
    """How a transformer tagger turns label scores into entities, beyond BIO validity; fitted on dev
    trials by :func:`extractor.training.tune.tune`, kept in the model's ``tagger.json`` (``"decoding"``).

    ``transitions`` (labels × labels, :func:`extractor.training.transformer.label_transitions` of the
    gold training criteria) times ``transition_weight`` is added to Viterbi's label-to-label scores:
    the tagger labels each word knowing its neighbours only through the encoder, the prior adds what
    gold sequences look like. Entities whose :func:`entity_confidence` is below ``min_confidence`` are dropped. The
    default changes nothing.
    """

    transitions: np.ndarray | None = None
    transition_weight: float = 0.0
    min_confidence: float = 0.0
    tuned: dict[str, Any] | None = None  # what it was fitted on and the dev F1 before and after

    KEYS = ("transitions", "transition_weight", "min_confidence", "tuned")

    @classmethod
    def from_json(cls, data: Any, source: Path) -> "Decoding":
        """The decoding in a ``tagger.json``'s ``"decoding"`` object, checked (``source`` names the file)."""
        if not isinstance(data, dict) or set(data) - set(cls.KEYS):
            raise ValueError(f"{source}: 'decoding' must be an object with keys among {list(cls.KEYS)}")
        transitions = data.get("transitions")
        matrix = None
        if transitions is not None:
            if not isinstance(transitions, dict) or set(transitions) != {"labels", "pmi"}:
                raise ValueError(f"{source}: 'decoding.transitions' must be {{\"labels\": […], \"pmi\": [[…]]}}")
            labels = transitions["labels"]
            if not isinstance(labels, list) or sorted(labels) != sorted(BIO_LABELS):
                raise ValueError(f"{source}: 'decoding.transitions.labels' must list the format's BIO labels")
            try:
                given = np.array(transitions["pmi"], dtype=float)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{source}: 'decoding.transitions.pmi' is not a numeric matrix: {exc}") from exc
            if given.shape != (len(labels), len(labels)):
                raise ValueError(f"{source}: 'decoding.transitions.pmi' must be {len(labels)} × {len(labels)}")
            order = [labels.index(label) for label in BIO_LABELS]
            matrix = given[np.ix_(order, order)]
        weight, threshold = data.get("transition_weight", 0.0), data.get("min_confidence", 0.0)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (weight, threshold)):
            raise ValueError(f"{source}: 'decoding.transition_weight' and 'min_confidence' must be numbers")
        if weight and matrix is None:
            raise ValueError(f"{source}: 'decoding.transition_weight' without 'transitions'")
        return cls(matrix, float(weight), float(threshold), data.get("tuned"))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"transition_weight": self.transition_weight, "min_confidence": self.min_confidence}
        if self.transitions is not None:
            data["transitions"] = {"labels": list(BIO_LABELS),
                                   "pmi": [[float(v) for v in row] for row in self.transitions]}
        if self.tuned is not None:
            data["tuned"] = self.tuned
        return data

    @cached_property
    def bonus(self) -> np.ndarray | None:
        """The prior as Viterbi adds it, computed once per tagger rather than once per text."""
        return None if self.transitions is None or not self.transition_weight else \
            self.transition_weight * self.transitions

    def entities(self, offsets: Sequence[tuple[int, int]], words: Sequence[int | None],
                 scores: np.ndarray) -> list[Span]:
        """Entity spans of one text from its pieces' offsets, word ids and label log-probabilities."""
        if not self.min_confidence:
            return decode(offsets, word_labels(words, scores, self.bonus))
        return self.confident(self.candidates(offsets, words, scores))

    def candidates(self, offsets: Sequence[tuple[int, int]], words: Sequence[int | None],
                   scores: np.ndarray) -> list[tuple[Span, float]]:
        """Viterbi's entities under the prior, each with its :func:`entity_confidence`, before the cut:
        tuning tries every threshold on one decoding."""
        return [(span, entity_confidence(offsets, words, scores, span))
                for span in decode(offsets, word_labels(words, scores, self.bonus))]

    def confident(self, candidates: Sequence[tuple[Span, float]]) -> list[Span]:
        """The candidates sure enough to keep (``min_confidence``)."""
        return [span for span, confidence in candidates if confidence >= self.min_confidence]


PieceScores = tuple[list[tuple[int, int]], list[int | None], np.ndarray]
"""One text's word pieces: character offsets, word ids and BIO label log-probabilities (pieces × labels)."""


class TransformerTagger:
    """Tags with fine-tuned token-classification models (:mod:`extractor.training.transformer` trains them).

    Several models that share one tokenizer tag as an ensemble: their per-piece label
    log-probabilities are averaged before decoding. An ensemble is a folder whose
    ``tagger.json`` names its member folders (``"members"``, relative to it). The folder's
    ``"decoding"`` (:class:`Decoding`) applies; a member's own is ignored.
    """

    def __init__(self, models: Sequence[Any], tokenizer: Any, max_length: int = 128, stride: int = 32,
                 batch_size: int = 32, decoding: Decoding = Decoding()) -> None:
        if not models:
            raise ValueError("a transformer tagger needs at least one model")
        self.models = [model.eval() for model in models]
        # column of each BIO label in each model's output (a missing label: the padding column, never chosen)
        self._columns = []
        for model in self.models:
            ids = {label: int(i) for i, label in model.config.id2label.items()}
            self._columns.append([ids.get(label, len(ids)) for label in BIO_LABELS])
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.stride = stride
        self.batch_size = batch_size
        self.decoding = decoding

    @classmethod
    def load(cls, path: str | Path) -> "TransformerTagger":
        """The tagger in ``path``: one fine-tuned model, or an ensemble folder naming its members."""
        from transformers import AutoTokenizer

        path = Path(path)
        settings = read_settings(path)
        folders = member_folders(path, settings)
        tokenizer = AutoTokenizer.from_pretrained(folders[0], local_files_only=True)
        models = []
        for folder in folders:
            if folder != folders[0] and AutoTokenizer.from_pretrained(
                    folder, local_files_only=True).get_vocab() != tokenizer.get_vocab():
                raise ValueError(f"ensemble member {folder} has another vocabulary than {folders[0]}")
            models.append(_load_model(folder))
        # an ensemble may set its own window; else its first member's applies (a single model: its own file)
        first = settings if "members" not in settings else read_settings(folders[0])
        decoding = Decoding.from_json(settings["decoding"], path / "tagger.json") if "decoding" in settings \
            else Decoding()
        return cls(models, tokenizer, settings.get("max_length", first.get("max_length", 128)),
                   settings.get("stride", first.get("stride", 32)), decoding=decoding)

    def tag(self, texts: Sequence[str]) -> list[list[Span]]:
        """Spans per text, decoded by the tagger's :class:`Decoding`."""
        return [self.decoding.entities(*pieces) for pieces in self.piece_scores(texts)]

    def piece_scores(self, texts: Sequence[str]) -> list[PieceScores]:
        """Each text's pieces with their (ensemble-mean) label log-probabilities, for decoding once or,
        when tuning, many times; texts are batched by length so that little of each batch is padding."""
        import torch

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: dict[int, PieceScores] = {}
        for first in range(0, len(order), self.batch_size):
            indices = order[first:first + self.batch_size]
            batch = [texts[i] for i in indices]
            enc = encode(self.tokenizer, batch, self.max_length, self.stride, padding=True)
            inputs = {"input_ids": torch.tensor(enc["input_ids"]), "attention_mask": torch.tensor(enc["attention_mask"])}
            scores = sum(self._scores(model, columns, inputs) for model, columns in zip(self.models, self._columns))
            scores = scores / len(self.models)
            for i, pieces in zip(indices, text_pieces(enc, len(batch), scores)):
                out[i] = ([o for o, _, _ in pieces], [w for _, w, _ in pieces],
                          np.array([r for _, _, r in pieces]).reshape(len(pieces), len(BIO_LABELS)))
        return [out[i] for i in range(len(texts))]

    @staticmethod
    def _scores(model: Any, columns: list[int], inputs: dict[str, Any]) -> np.ndarray:
        """Log-probabilities of the BIO labels, in :data:`BIO_LABELS` order, per window and piece."""
        import torch

        with torch.inference_mode():
            scores = model(**inputs).logits.log_softmax(-1).numpy()
        return np.concatenate([scores, np.full(scores.shape[:-1] + (1,), -1e9)], -1)[..., columns]


def _load_model(folder: Path) -> Any:
    """A fine-tuned token classifier, checked to speak the format's BIO labels."""
    from transformers import AutoModelForTokenClassification

    model = AutoModelForTokenClassification.from_pretrained(folder, local_files_only=True)
    labels = set(model.config.id2label.values())
    if not labels <= set(BIO_LABELS):
        raise ValueError(f"{folder}: its labels {sorted(labels)[:5]}… are not the BIO labels of the format; "
                         "is it a base encoder rather than a tagger trained by `extractor train`?")
    return model


def encode(tokenizer: Any, texts: list[str], max_length: int, stride: int, padding: bool) -> Any:
    if not getattr(tokenizer, "is_fast", False):
        raise TrainingError("the transformer backend needs a fast tokenizer (offset mappings)")
    return tokenizer(texts, truncation=True, max_length=max_length, stride=stride, padding=padding,
                     return_overflowing_tokens=True, return_offsets_mapping=True)


def read_settings(path: Path) -> dict[str, Any]:
    """A tagger folder's ``tagger.json`` (training record, ensemble members, decoding); {} without one."""
    file = path / "tagger.json"
    if not file.is_file():
        return {}
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{file}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{file}: expected a JSON object")
    return data


def tagger_members(path: Path) -> list[Path]:
    """The fine-tuned model folders behind the tagger folder ``path``: itself, or its ensemble's members."""
    return member_folders(path, read_settings(path))


def member_folders(path: Path, settings: dict[str, Any]) -> list[Path]:
    """The fine-tuned model folders behind the tagger folder ``path`` whose ``tagger.json`` is ``settings``:
    itself, or the ensemble members it names (relative to it)."""
    members = settings.get("members")
    if members is None:
        return [path]
    if not (isinstance(members, list) and members and all(isinstance(m, str) for m in members)):
        raise ValueError(f"{path / 'tagger.json'}: 'members' must be a non-empty list of folders")
    return [(path / m).resolve() for m in members]
