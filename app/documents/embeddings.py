"""Embedders: ``list[str]`` -> unit-length ``float32`` vectors, behind one interface.

Named ``provider:model`` and resolved by ``make_embedder``. The default runs all-MiniLM-L6-v2
locally with onnxruntime from files set-up verified; OpenAI is used only when selected.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
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


class CachedEmbedder:
    """Remembers the vectors of short texts (answer clauses, quotes, questions), which the
    interview, the assessment and the plan embed again and again. Long texts (chunks) pass
    straight through so they do not evict the rest."""

    def __init__(self, inner: Embedder, size: int = 20_000, longest: int = 400) -> None:
        self.inner = inner
        self._size = size
        self._longest = longest
        self._vectors: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def embed(self, texts: Sequence[str]) -> Vectors:
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
            for text in known:
                self._vectors.move_to_end(text)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            fresh = self.inner.embed(missing)
            for text, vector in zip(missing, fresh, strict=True):
                known[text] = vector
            with self._lock:
                for text, vector in zip(missing, fresh, strict=True):
                    if len(text) <= self._longest:
                        self._vectors[text] = vector
                while len(self._vectors) > self._size:
                    self._vectors.popitem(last=False)
        if not texts:
            return self.inner.embed([])
        out: Vectors = np.vstack([known[t] for t in texts]).astype(np.float32)
        return out


def make_embedder(settings: Settings) -> Embedder:
    """Build the embedder named by ``settings.embeddings``; unknown names list the valid ones."""
    provider, _, model = settings.embeddings.partition(":")
    if provider == "local" and model.lower() == "all-minilm-l6-v2":
        from app.assets import locate
        from app.documents.minilm import MiniLMEmbedder

        paths = locate(settings.assets_dir)
        return CachedEmbedder(
            MiniLMEmbedder(paths.model, paths.tokenizer, settings.embed_batch_size)
        )
    if provider == "openai" and model:
        from app.documents.openai_embed import OpenAIEmbedder

        return CachedEmbedder(
            OpenAIEmbedder(
                model=model,
                api_key=settings.openai_api_key,
                base_url=settings.openai_base_url,
                batch_size=max(settings.embed_batch_size, 64),
            )
        )
    raise ConfigError(
        f"Unknown ADVISOR_EMBEDDINGS={settings.embeddings!r}; valid: {', '.join(PROVIDERS)}."
    )
