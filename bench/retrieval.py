"""Retrieval benchmark: ingest throughput, query latency at scale, peak memory, vs a naive recipe.

    python -m bench.retrieval [--scales 1000,10000,100000] [--pages 300]

Each measurement runs in its own process so its peak RSS is its own. The naive recipe is the
usual tutorial: LangChain's RecursiveCharacterTextSplitter (1000 characters, 200 overlap) and
langchain-chroma with Chroma's default embedding function (fp32 all-MiniLM-L6-v2, padded to 256
tokens), seeded offline by ``bench/seed_naive.py``. Both read the PDFs with pypdf.

Query scales are built from the real corpus: its chunks are embedded once, then replicated
with shuffled sentences and slightly perturbed vectors up to N chunks, and inserted with their
vectors into each store. Queries are real questions from ``evals/``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from bench.retrieval_corpus import corpus_size, make_corpus
from bench.retrieval_report import write_results
from bench.retrieval_workers import NAIVE_HOME, OUT, WORKERS, run_worker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker")
    parser.add_argument("--scales", default="1000,10000,100000")
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("args", nargs="*")
    options = parser.parse_args()
    if options.worker:
        print(json.dumps(WORKERS[options.worker](options.args)))
        return
    from bench.seed_naive import seed

    seed(NAIVE_HOME)
    scales = [int(s) for s in options.scales.split(",")]
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        work = Path(tmp)
        corpus = make_corpus(work / "corpus", options.pages)
        tokens, pages = corpus_size(corpus)
        print(f"corpus: {len(corpus)} PDFs, {pages} pages, {tokens} tokens", flush=True)
        ours = run_worker("ingest-ours", str(work / "corpus"), str(work / "ingest-ours"))
        naive = run_worker(
            "ingest-naive", str(work / "corpus"), str(work / "ingest-naive"), naive=True
        )
        bound = run_worker("model-bound", str(work))
        print(f"ingest ours {ours}\ningest naive {naive}\nmodel bound {bound}", flush=True)
        run_worker("base", str(work))
        queries = []
        for size in scales:
            q_ours = run_worker("query-ours", str(work), str(size))
            q_ours["cold"] = run_worker("cold-ours", str(work), str(size))
            q_naive = run_worker("query-naive", str(work), str(size), naive=True)
            print(f"{size}: ours {q_ours}\n{size}: naive {q_naive}", flush=True)
            queries.append((size, q_ours, q_naive))
    write_results(tokens, pages, ours, naive, queries, bound)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    main()
