"""OpenAI (or compatible) embeddings: ``list[str]`` -> unit vectors. Used only when selected."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import SecretStr

from app.documents.embeddings import Vectors
from app.errors import ConfigError


class OpenAIEmbedder:
    def __init__(
        self, model: str, api_key: SecretStr | None, base_url: str | None, batch_size: int = 64
    ) -> None:
        if api_key is None and base_url is None:
            raise ConfigError(
                "ADVISOR_EMBEDDINGS selects OpenAI but no ADVISOR_OPENAI_API_KEY is set; set it, "
                "or use the embedded default local:all-minilm-l6-v2."
            )
        from openai import OpenAI

        self._client = OpenAI(
            api_key=api_key.get_secret_value() if api_key else "unused",
            base_url=base_url,
            max_retries=3,
            timeout=60,
        )
        self._model = model
        self._batch_size = batch_size

    @property
    def model_id(self) -> str:
        return f"openai:{self._model}"

    def embed(self, texts: Sequence[str]) -> Vectors:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            batch = list(texts[start : start + self._batch_size])
            response = self._client.embeddings.create(model=self._model, input=batch)
            rows.extend(item.embedding for item in sorted(response.data, key=lambda d: d.index))
        vectors = np.asarray(rows, dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit: Vectors = (vectors / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit
