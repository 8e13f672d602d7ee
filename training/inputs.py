"""Units -> model inputs: the validation writers set apart, then token ids, padded batches.

A unit is read as a token pair (its context, its sentence); rows are batched by similar length
so that little of each batch is padding.
"""

from __future__ import annotations

import random

import torch
from tokenizers import Tokenizer

from training.data import VALIDATION_WRITERS, Unit


def validation_split(units: list[Unit]) -> tuple[list[Unit], list[Unit]]:
    """Whole writers go to validation, so the threshold and the epoch are chosen on people the
    model has never read, as it will meet them (the same writers' other answers made it look
    better than it is on new writers)."""
    train = [u for u in units if u.writer not in VALIDATION_WRITERS]
    valid = [u for u in units if u.writer in VALIDATION_WRITERS]
    return train, valid


def encode(tokenizer: Tokenizer, units: list[Unit]) -> list[tuple[list[int], list[int]]]:
    out = []
    for encoding in tokenizer.encode_batch([(u.first, u.sentence) for u in units]):
        out.append((encoding.ids, encoding.type_ids))
    return out


def pad(rows: list[tuple[list[int], list[int]]]) -> dict[str, torch.Tensor]:
    width = max(len(ids) for ids, _ in rows)
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for n, (row, kinds) in enumerate(rows):
        ids[n, : len(row)] = torch.tensor(row)
        types[n, : len(row)] = torch.tensor(kinds)
        mask[n, : len(row)] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def batches(rows: list, size: int, shuffle: bool, rng: random.Random) -> list[list[int]]:
    """Indices grouped by similar length (less padding); order shuffled per epoch."""
    order = sorted(range(len(rows)), key=lambda i: len(rows[i][0]))
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    if shuffle:
        rng.shuffle(groups)
    return groups
