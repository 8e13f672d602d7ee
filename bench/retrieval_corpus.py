"""The retrieval benchmark's corpus: the playbooks' sentences -> generated pilot PDFs, and
their size (pages, cl100k_base tokens) as the report states it.

The PDFs hold sentences drawn from ``knowledge/`` playbooks with a fixed seed, ten pages to a
file, so every run reads the same corpus.
"""

from __future__ import annotations

import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 7


def _sentences() -> list[str]:
    from app.knowledge.catalog import load_playbooks

    words: list[str] = []
    for book in load_playbooks(ROOT / "knowledge"):
        for line in book.body.splitlines():
            line = line.strip().lstrip("-#* ").replace("**", "")
            if len(line) > 40:
                words.extend(s.strip() + "." for s in line.split(". ") if len(s) > 20)
    return words


def make_corpus(folder: Path, pages: int, per_file: int = 10) -> list[Path]:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    rng = random.Random(SEED)
    sentences = _sentences()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(0, pages, per_file):
        path = folder / f"pilot-{number // per_file:03d}.pdf"
        pdf = canvas.Canvas(str(path), pagesize=A4)
        for _ in range(min(per_file, pages - number)):
            text = pdf.beginText(50, 800)
            text.setFont("Helvetica", 9)
            line = ""
            for sentence in rng.sample(sentences, 24):
                for word in sentence.split():
                    if len(line) + len(word) > 110:
                        text.textLine(line)
                        line = ""
                    line += word + " "
            text.textLine(line)
            pdf.drawText(text)
            pdf.showPage()
        pdf.save()
        paths.append(path)
    return paths


def corpus_size(corpus: list[Path]) -> tuple[int, int]:
    import tiktoken  # noqa: F401 - loaded through app.tokens with the offline cache
    from pypdf import PdfReader

    from app.assets import locate
    from app.settings import Settings
    from app.tokens import count, encoding

    enc = encoding("cl100k_base", locate(Settings().assets_dir).tiktoken_dir)
    tokens = pages = 0
    for path in corpus:
        for page in PdfReader(path).pages:
            pages += 1
            tokens += count(page.extract_text() or "", enc)
    return tokens, pages
