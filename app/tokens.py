"""Token counting with tiktoken, offline.

tiktoken looks for its encoding files in ``TIKTOKEN_CACHE_DIR``; set-up placed verified copies
of ``cl100k_base`` and ``o200k_base`` in the assets folder, so loading never touches the network.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import tiktoken

from app.errors import AssetError

ENCODINGS = ("cl100k_base", "o200k_base")


@cache
def encoding(name: str, tiktoken_dir: Path) -> tiktoken.Encoding:
    """Load an encoding from the verified local cache; never downloads."""
    if name not in ENCODINGS:
        raise AssetError(f"Unknown encoding {name!r}; choose one of {', '.join(ENCODINGS)}.")
    os.environ["TIKTOKEN_CACHE_DIR"] = str(tiktoken_dir)
    return tiktoken.get_encoding(name)


def count(text: str, enc: tiktoken.Encoding) -> int:
    return len(enc.encode(text, disallowed_special=()))
