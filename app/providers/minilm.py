"""all-MiniLM-L6-v2 on onnxruntime: ``list[str]`` -> 384-d unit vectors.

One long-lived session per process. Texts are tokenized once, sorted by length and grouped
into batches of at most ``TOKEN_BUDGET`` padded tokens, each padded to its own longest text
(not to 256): short texts go 64 at a time, full-length chunks 8 at a time. That gives the same
vectors several times faster than fixed padding and keeps the attention buffers small, which
is what bounds peak memory (measured in bench/RESULTS.md).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from app.embeddings import Vectors

MAX_TOKENS = 256  # the model's max_seq_length
TOKEN_BUDGET = 2048  # padded tokens per model call


class MiniLMEmbedder:
    model_id = "all-MiniLM-L6-v2-int8"
    dim = 384

    def __init__(self, model_path: Path, tokenizer_path: Path, batch_size: int = 64) -> None:
        self._batch_size = batch_size
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encoded = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        batch: list[int] = []
        for index in order:
            longest = len(encoded[index])  # sorted, so the newcomer is the longest
            if batch and (
                longest * (len(batch) + 1) > TOKEN_BUDGET or len(batch) >= self._batch_size
            ):
                out[batch] = self._run([encoded[i] for i in batch])
                batch = []
            batch.append(index)
        out[batch] = self._run([encoded[i] for i in batch])
        return out

    def _run(self, rows: list[list[int]]) -> Vectors:
        width = max(len(r) for r in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for n, row in enumerate(rows):
            ids[n, : len(row)] = row
            mask[n, : len(row)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Vectors = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit
