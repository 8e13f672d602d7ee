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

from app.documents.embeddings import Vectors

MAX_TOKENS = 256  # the model's max_seq_length
TOKEN_BUDGET = 2048  # padded tokens per model call


def token_batches(lengths: Sequence[int], most: int, budget: int = TOKEN_BUDGET) -> list[list[int]]:
    """Indices sorted by length and grouped so no batch exceeds ``budget`` padded tokens or
    ``most`` texts; each batch is then padded to its own longest text."""
    batches: list[list[int]] = []
    batch: list[int] = []
    for index in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        longest = lengths[index]  # sorted, so the newcomer is the longest
        if batch and (longest * (len(batch) + 1) > budget or len(batch) >= most):
            batches.append(batch)
            batch = []
        batch.append(index)
    if batch:
        batches.append(batch)
    return batches


def padded(rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token id rows -> (ids, attention mask), zero-padded to the longest row."""
    width = max(len(r) for r in rows)
    ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for n, row in enumerate(rows):
        ids[n, : len(row)] = row
        mask[n, : len(row)] = 1
    return ids, mask


def session(model_path: Path, fold_weights: bool = False) -> ort.InferenceSession:
    """One onnxruntime session on every core, quiet. ``fold_weights`` turns int8-stored
    weights back into fp32 once, at load, instead of running them as quantised operators."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = os.cpu_count() or 1
    options.log_severity_level = 3
    if fold_weights:
        options.add_session_config_entry("session.disable_quant_qdq", "1")
    return ort.InferenceSession(
        str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
    )


class MiniLMEmbedder:
    model_id = "all-MiniLM-L6-v2-int8"
    dim = 384

    def __init__(self, model_path: Path, tokenizer_path: Path, batch_size: int = 64) -> None:
        self._batch_size = batch_size
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.no_padding()
        self._session = session(model_path)

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encoded = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        for batch in token_batches([len(e) for e in encoded], self._batch_size):
            out[batch] = self._run([encoded[i] for i in batch])
        return out

    def _run(self, rows: list[list[int]]) -> Vectors:
        ids, mask = padded(rows)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Vectors = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit
