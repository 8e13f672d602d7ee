"""Project rules: nothing at import, settings, assets, README quick start."""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import app
from app.assets import locate
from app.documents.embeddings import make_embedder
from app.errors import AssetError, ConfigError
from app.settings import Settings
from app.tokens import count, encoding
from tests.conftest import ROOT


def test_importing_every_module_does_no_work(tmp_path: Path) -> None:
    code = (
        "import pkgutil, importlib, app\n"
        "for m in pkgutil.walk_packages(app.__path__, 'app.'):\n"
        "    importlib.import_module(m.name)\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True, timeout=120)
    assert list(tmp_path.iterdir()) == []


def test_modules_import_cleanly() -> None:
    for module in pkgutil.walk_packages(app.__path__, "app."):
        importlib.import_module(module.name)


def test_unknown_embedding_provider_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match="local:all-minilm-l6-v2"):
        make_embedder(Settings(embeddings="word2vec:old"))


def test_overlap_must_be_below_size() -> None:
    with pytest.raises(ValueError, match="CHUNK_OVERLAP"):
        Settings(chunk_size=100, chunk_overlap=100)


def test_tiktoken_encodings_load_offline() -> None:
    folder = locate(Settings().assets_dir).tiktoken_dir
    assert count("Readiness for production", encoding("cl100k_base", folder)) > 0
    assert count("Readiness for production", encoding("o200k_base", folder)) > 0


def test_a_corrupt_model_file_is_refused(tmp_path: Path) -> None:
    source = Settings().assets_dir
    for item in source.rglob("*"):
        if item.is_file():
            target = tmp_path / item.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.read_bytes())
    (tmp_path / "minilm" / "model.onnx").write_bytes(b"tampered")
    with pytest.raises(AssetError, match="make setup"):
        locate(tmp_path)


def test_embeddings_are_unit_vectors_and_semantic() -> None:
    embedder = make_embedder(Settings())
    vectors = embedder.embed(
        ["Nobody owns the vendor data feed.", "The supplier file has no owner.", "Lunch at noon."]
    )
    assert vectors.shape == (3, 384)
    assert abs(float((vectors[0] ** 2).sum()) - 1) < 1e-4
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_readme_quick_start_is_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line for line in block.splitlines()[1:] if line.strip()]
    assert commands == ["make run", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.findall(r"^make \w+", ci, flags=re.M) == ["make test"]


def test_every_setting_is_documented_in_readme_and_env_example() -> None:
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / ".env.example").read_text()
    for name in Settings.model_fields:
        variable = f"ADVISOR_{name.upper()}"
        assert f"`{variable}`" in readme, variable
        assert variable in example, variable
