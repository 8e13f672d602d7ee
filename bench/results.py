"""bench/RESULTS.md: each benchmark owns one ``## `` section and rewrites only that section."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
MARKER = "<!-- other benchmarks -->"


def replace_section(title: str, section: str) -> None:
    """Put ``section`` (which starts with ``## {title}``) where the old one was, or last (after
    the marker, so bench.retrieval's rewrite of the top never drops it)."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n\n"
    body = section.rstrip("\n") + "\n\n"
    start = text.find(f"## {title}")
    if start >= 0:
        end = text.find("\n## ", start + 5)
        rest = text[end + 1 :] if end >= 0 else ""
        text = text[:start] + body + rest
    else:  # after the marker: everything before it belongs to bench.retrieval, which rewrites it
        if MARKER not in text:
            text = text.rstrip("\n") + "\n\n" + MARKER + "\n"
        text = text.rstrip("\n") + "\n\n" + body
    RESULTS.write_text(text)
