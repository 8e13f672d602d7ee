"""The retrieval benchmark's measurements: a worker name and its arguments -> one JSON result.

Each worker runs in a fresh process (``python -m bench.retrieval --worker NAME ARGS``), so its
peak RSS is its own: ingest throughput (the advisor's and the naive recipe's), the model-alone
bound, the embedded seed for the query scales, query latency at a scale, and a cold start.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from bench.retrieval_corpus import ROOT, SEED

OUT = ROOT / "bench" / "out"
NAIVE_HOME = OUT / "naive-home"


def _questions() -> list[str]:
    rows = (ROOT / "evals" / "retrieval_questions.jsonl").read_text().splitlines()
    return [json.loads(r)["question"] for r in rows if r.strip()]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_ingest_ours(corpus: Path, data: Path) -> dict[str, Any]:
    from app.service.advisor import Advisor
    from app.settings import Settings

    advisor = Advisor(Settings(data_dir=data))
    advisor.embedder.embed(["warm up"])
    paths = sorted(corpus.glob("*.pdf"))
    start = time.perf_counter()
    reports = advisor.ingest(paths, workspace="bench")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "chunks": sum(r.chunks for r in reports), "peak_mb": _peak_mb()}


def worker_ingest_naive(corpus: Path, data: Path) -> dict[str, Any]:
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from pypdf import PdfReader

    store = Chroma(collection_name="naive", persist_directory=str(data))
    store.similarity_search("warm up", k=1)  # load the model outside the timing
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    start = time.perf_counter()
    chunks = 0
    for path in sorted(corpus.glob("*.pdf")):
        pages = [
            Document(page.extract_text() or "", metadata={"source": path.name, "page": n})
            for n, page in enumerate(PdfReader(path).pages, start=1)
        ]
        docs = splitter.split_documents(pages)
        store.add_documents(docs)
        chunks += len(docs)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "chunks": chunks, "peak_mb": _peak_mb()}


LOAD_BATCH = 2000


def _scaled(data: Path, size: int) -> Iterator[tuple[int, list[str], np.ndarray]]:
    """Batches of (first index, texts, vectors) for ``size`` chunks, grown from the embedded
    corpus chunks: sentences shuffled, vectors perturbed. Generated a batch at a time, so the
    harness itself holds little memory and peak RSS is the store's."""
    base = np.load(data / "base_vectors.npy")
    texts = json.loads((data / "base_texts.json").read_text())
    rng = np.random.default_rng(SEED)
    shuffle = random.Random(SEED)
    for start in range(0, size, LOAD_BATCH):
        out_texts: list[str] = []
        rows = np.empty((min(LOAD_BATCH, size - start), base.shape[1]), dtype=np.float32)
        for n, i in enumerate(range(start, start + len(rows))):
            j = i % len(texts)
            if i < len(texts):
                out_texts.append(texts[j])
                rows[n] = base[j]
                continue
            parts = texts[j].split(". ")
            shuffle.shuffle(parts)
            out_texts.append(". ".join(parts))
            noisy = base[j] + rng.normal(0, 0.02, base.shape[1]).astype(np.float32)
            rows[n] = noisy / np.linalg.norm(noisy)
        yield start, out_texts, rows


def worker_query_ours(data: Path, size: int) -> dict[str, Any]:
    from app.documents.chunk import chunk_id
    from app.documents.embeddings import make_embedder
    from app.schemas import Chunk, SourceKind
    from app.service.advisor import Advisor
    from app.settings import Settings

    settings = Settings(data_dir=data / f"ours-{size}")
    # The questions repeat across rounds: time the model, not the short-text vector cache.
    embedder = make_embedder(settings)
    embedder = getattr(embedder, "inner", embedder)
    advisor = Advisor(settings, embedder=embedder)
    advisor.ensure_knowledge()  # the product indexes its playbooks once; not timed here
    name = advisor.store.name_for("bench")
    load = 0.0
    for start, texts, vectors in _scaled(data, size):
        chunks = [
            Chunk(
                chunk_id=chunk_id(f"{i // 50:016x}", 1 + (i % 50) // 5, i % 5),
                text=t,
                source=f"doc-{i // 50}.pdf",
                source_hash=f"{i // 50:064x}",
                kind=SourceKind.DOCUMENT,
                page=1 + (i % 50) // 5,
                index=i % 5,
            )
            for i, t in enumerate(texts, start=start)
        ]
        began = time.perf_counter()
        advisor.store.upsert(name, chunks, vectors)
        load += time.perf_counter() - began
    return _time_queries(
        lambda q: advisor.search(q, workspace="bench", kind=SourceKind.DOCUMENT, k=5), load
    )


def worker_query_naive(data: Path, size: int) -> dict[str, Any]:
    from langchain_chroma import Chroma

    store = Chroma(collection_name="naive", persist_directory=str(data / f"naive-{size}"))
    load = 0.0
    for start, texts, vectors in _scaled(data, size):
        began = time.perf_counter()
        store._collection.upsert(
            ids=[str(i) for i in range(start, start + len(texts))],
            documents=texts,
            embeddings=vectors,
        )
        load += time.perf_counter() - began
    return _time_queries(lambda q: store.similarity_search(q, k=5), load)


def _time_queries(search: Callable[[str], object], load_seconds: float) -> dict[str, Any]:
    questions = _questions()
    first = time.perf_counter()
    search(questions[0])  # first query builds lazy indexes; reported separately
    first = time.perf_counter() - first
    times = []
    for _ in range(3):
        for question in questions:
            start = time.perf_counter()
            search(question)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "p50_ms": statistics.median(times),
        "p95_ms": times[int(len(times) * 0.95) - 1],
        "first_ms": first * 1000,
        "queries": len(times),
        "load_s": load_seconds,
        "peak_mb": _peak_mb(),
    }


def worker_cold_ours(data: Path, size: int) -> dict[str, Any]:
    """A new process on the data ``query-ours`` left (its BM25 index saved): the time from the
    process's start to its first answer, and the first query alone."""
    import psutil

    from app.schemas import SourceKind
    from app.service.advisor import Advisor
    from app.settings import Settings

    advisor = Advisor(Settings(data_dir=data / f"ours-{size}"))
    question = _questions()[1]
    began = time.perf_counter()
    advisor.search(question, workspace="bench", kind=SourceKind.DOCUMENT, k=5)
    first = time.perf_counter() - began
    since_start = time.time() - psutil.Process().create_time()
    return {"first_ms": first * 1000, "start_to_answer_s": since_start, "peak_mb": _peak_mb()}


def worker_model_bound(data: Path) -> dict[str, Any]:
    """The model alone on the corpus's chunks, as ingest embeds them (no parsing, no store):
    the most any ingest recipe with this model on this CPU can reach."""
    from app.service.advisor import Advisor
    from app.settings import Settings

    advisor = Advisor(Settings(data_dir=data / "ingest-ours"))
    texts = [c.context_text for c in advisor.store.all_chunks(advisor.store.name_for("bench"))]
    embedder = getattr(advisor.embedder, "inner", advisor.embedder)
    embedder.embed(texts[:16])
    began = time.perf_counter()
    embedder.embed(texts)
    return {"seconds": time.perf_counter() - began, "chunks": len(texts)}


def worker_base(data: Path) -> dict[str, Any]:
    """Embed the ingested corpus' chunks once: the seed for every query scale."""
    from app.service.advisor import Advisor
    from app.settings import Settings

    advisor = Advisor(Settings(data_dir=data / "ingest-ours"))
    chunks = advisor.store.all_chunks(advisor.store.name_for("bench"))
    vectors = advisor.embedder.embed([c.context_text for c in chunks])
    np.save(data / "base_vectors.npy", vectors)
    (data / "base_texts.json").write_text(json.dumps([c.text for c in chunks]))
    return {"chunks": len(chunks)}


WORKERS = {
    "ingest-ours": lambda a: worker_ingest_ours(Path(a[0]), Path(a[1])),
    "ingest-naive": lambda a: worker_ingest_naive(Path(a[0]), Path(a[1])),
    "base": lambda a: worker_base(Path(a[0])),
    "query-ours": lambda a: worker_query_ours(Path(a[0]), int(a[1])),
    "query-naive": lambda a: worker_query_naive(Path(a[0]), int(a[1])),
    "cold-ours": lambda a: worker_cold_ours(Path(a[0]), int(a[1])),
    "model-bound": lambda a: worker_model_bound(Path(a[0])),
}


def run_worker(name: str, *args: str, naive: bool = False) -> dict[str, Any]:
    env = dict(os.environ)
    if naive:
        env["HOME"] = str(NAIVE_HOME)  # where Chroma's default embedding function looks
    command = [sys.executable, "-m", "bench.retrieval", "--worker", name, *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"worker {name} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
