"""Chunk: ``ParsedDocument`` -> ``list[Chunk]``, measured in tiktoken tokens.

Blocks are split with LangChain's recursive splitter; each chunk keeps its source, page and
section, and gets a deterministic id (source hash + page + index), so re-ingesting the same
file produces the same ids and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from langchain_text_splitters import RecursiveCharacterTextSplitter

from app.schemas import Chunk, ParsedDocument


class Chunker:
    """Splits documents into overlapping token-bounded chunks."""

    def __init__(self, size: int, overlap: int, length: Callable[[str], int]) -> None:
        self._splitter = RecursiveCharacterTextSplitter(
            chunk_size=size,
            chunk_overlap=overlap,
            length_function=length,
            separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
            keep_separator="end",
            strip_whitespace=True,
        )

    def split(self, document: ParsedDocument) -> list[Chunk]:
        chunks: list[Chunk] = []
        counters: dict[int, int] = {}
        for block in document.blocks:
            page = block.page or 0
            for piece in self._splitter.split_text(block.text):
                if not piece.strip():
                    continue
                index = counters.get(page, 0)
                counters[page] = index + 1
                chunks.append(
                    Chunk(
                        chunk_id=chunk_id(document.sha256, page, index),
                        text=piece,
                        source=document.source,
                        source_hash=document.sha256,
                        kind=document.kind,
                        page=block.page,
                        section=block.section,
                        title=document.title,
                        index=index,
                        ocr=block.ocr,
                    )
                )
        return chunks


def chunk_id(source_hash: str, page: int, index: int) -> str:
    return f"{source_hash[:16]}-p{page}-c{index}"
