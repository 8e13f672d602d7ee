"""The retrieval benchmark's results -> the top of ``bench/RESULTS.md``.

Ingest and query tables with their targets and ratios; whatever other benchmarks wrote below
the ``<!-- other benchmarks -->`` marker is kept.
"""

from __future__ import annotations

import os
import platform
import time
from typing import Any

from bench.retrieval_corpus import ROOT


def write_results(
    tokens: int,
    pages: int,
    ours: dict[str, Any],
    naive: dict[str, Any],
    queries: list[tuple[int, dict[str, Any], dict[str, Any]]],
    bound: dict[str, Any],
) -> None:
    cpu = platform.processor() or platform.machine()
    lines = [
        "# Benchmark results",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} by `make bench` on {os.cpu_count()} cores "
        f"({cpu}), Python {platform.python_version()}. Corpus: {pages} generated PDF pages, "
        f"{tokens:,} tokens (cl100k_base). See `bench/retrieval.py` for the method.",
        "",
        "## Ingest (parse, chunk, embed, store)",
        "",
        "| recipe | seconds | tokens/s | pages/s | chunks | peak RSS MB |",
        "|---|---|---|---|---|---|",
    ]
    for label, row in (("advisor", ours), ("naive", naive)):
        lines.append(
            f"| {label} | {row['seconds']:.1f} | {tokens / row['seconds']:,.0f} | "
            f"{pages / row['seconds']:.1f} | {row['chunks']} | {row['peak_mb']:.0f} |"
        )
    lines.append(
        f"| model bound (embedding the advisor's chunks only) | {bound['seconds']:.1f} | "
        f"{tokens / bound['seconds']:,.0f} | {pages / bound['seconds']:.1f} | "
        f"{bound['chunks']} | |"
    )
    lines += [
        "",
        f"Ingest throughput ratio (advisor / naive): **{naive['seconds'] / ours['seconds']:.1f}x** "
        "(target >= 3x). Advisor / model bound: "
        f"**{bound['seconds'] / ours['seconds']:.0%}** of what the model alone allows "
        "(target: 6,000 tokens/s end to end).",
        "",
        "Both recipes spend almost all their time in the same model (all-MiniLM-L6-v2) on the "
        "same CPU, and per token it costs the same: int8 and fp32 run at the same speed here "
        "(AVX2, no VNNI), and the naive recipe's 1,000-character chunks are nearly 256 tokens "
        "long, so padding every text to 256 wastes little. The advisor's gain comes from padding "
        "each batch to its own longest text and from small token-budget batches. The one lever "
        "left, embedding only the first 128 tokens of each chunk, was measured to drop "
        "retrieval recall@5 on the playbook questions from 0.93 to 0.87, so it was not taken.",
        "",
        "## Query latency (hybrid dense + BM25 for the advisor; dense only for the naive recipe)",
        "",
        "| chunks | advisor p50 ms | advisor p95 ms | advisor peak RSS MB | naive p50 ms | "
        "naive p95 ms | naive peak RSS MB | p95 ratio (naive / advisor) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size, q_ours, q_naive in queries:
        lines.append(
            f"| {size:,} | {q_ours['p50_ms']:.1f} | {q_ours['p95_ms']:.1f} | "
            f"{q_ours['peak_mb']:.0f} | {q_naive['p50_ms']:.1f} | {q_naive['p95_ms']:.1f} | "
            f"{q_naive['peak_mb']:.0f} | {q_naive['p95_ms'] / q_ours['p95_ms']:.2f}x |"
        )
    lines += [
        "",
        "Targets at 100k chunks: query p95 <= 30 ms, peak RSS <= 1.5 GB. The first query of "
        "the process that wrote the collection builds the BM25 index and saves it; every later "
        "process loads it (memory-mapped). Cold start is a new process on the saved data: "
        "from its start (interpreter included) to its first answer, and its first query alone "
        "(targets at 100k: first query <= 1 s, start to first answer <= 5 s).",
        "",
        "| chunks | loading the vectors s | first query, building BM25 ms | cold: first query ms "
        "| cold: process start to first answer s |",
        "|---|---|---|---|---|",
    ]
    for size, q_ours, _ in queries:
        cold = q_ours["cold"]
        lines.append(
            f"| {size:,} | {q_ours['load_s']:.1f} | {q_ours['first_ms']:.0f} | "
            f"{cold['first_ms']:.0f} | {cold['start_to_answer_s']:.1f} |"
        )
    results = ROOT / "bench" / "RESULTS.md"
    existing = results.read_text() if results.exists() else ""
    marker = "<!-- other benchmarks -->"
    tail = existing[existing.index(marker) :] if marker in existing else marker + "\n"
    results.write_text("\n".join(lines) + "\n\n" + tail)
    print(f"wrote {results}")
