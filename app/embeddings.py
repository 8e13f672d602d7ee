"""Embedders: ``list[str]`` -> unit-length ``float32`` vectors, behind one interface.

Named ``provider:model`` and resolved by ``make_embedder``. The default runs all-MiniLM-L6-v2
locally with onnxruntime from files set-up verified; OpenAI is used only when selected.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from app.errors import ConfigError
from app.settings import Settings

Vectors = npt.NDArray[np.float32]
PROVIDERS = ("local:all-minilm-l6-v2", "openai:<model>")


class Embedder(Protocol):
    """Anything that turns texts into normalised vectors."""

    @property
    def model_id(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> Vectors: ...


_FIXED: dict[tuple[str, tuple[str, ...]], Vectors] = {}
_FIXED_LOCK = threading.Lock()


def embed_fixed(embedder: Embedder, texts: Sequence[str]) -> Vectors:
    """Vectors of texts that never change (signs, probes, recommendations), computed once per
    process and model, however many advisors are built."""
    key = (embedder.model_id, tuple(texts))
    with _FIXED_LOCK:
        if key not in _FIXED:
            _FIXED[key] = embedder.embed(list(texts))
        return _FIXED[key]


def make_embedder(settings: Settings) -> Embedder:
    """Build the embedder named by ``settings.embeddings``; unknown names list the valid ones."""
    provider, _, model = settings.embeddings.partition(":")
    if provider == "local" and model.lower() == "all-minilm-l6-v2":
        from app.assets import locate
        from app.providers.minilm import MiniLMEmbedder

        paths = locate(settings.assets_dir)
        return MiniLMEmbedder(paths.model, paths.tokenizer, settings.embed_batch_size)
    if provider == "openai" and model:
        from app.providers.openai_embed import OpenAIEmbedder

        return OpenAIEmbedder(
            model=model,
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            batch_size=max(settings.embed_batch_size, 64),
        )
    raise ConfigError(
        f"Unknown ADVISOR_EMBEDDINGS={settings.embeddings!r}; valid: {', '.join(PROVIDERS)}."
    )
