"""Chunk: ``ParsedDocument`` -> ``list[Chunk]``, measured in tiktoken tokens.

Blocks are split with LangChain's recursive splitter; each chunk keeps its source, page and
section, and gets a deterministic id (source hash + page + index), so re-ingesting the same
file produces the same ids and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

from app.schemas import Chunk, ParsedDocument

M = TypeVar("M", bound=BaseModel)


class Chunker:
    """Splits documents into overlapping token-bounded chunks."""

    def __init__(self, size: int, overlap: int, length: Callable[[str], int]) -> None:
        # Imported here so that importing ``carry`` does not load LangChain.
        from langchain_text_splitters import RecursiveCharacterTextSplitter

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
                # Source, kind and title come from the document; page, section, ocr from the block.
                chunks.append(
                    carry(
                        Chunk,
                        document,
                        block,
                        chunk_id=chunk_id(document.sha256, page, index),
                        text=piece,
                        source_hash=document.sha256,
                        index=index,
                    )
                )
        return chunks


def chunk_id(source_hash: str, page: int, index: int) -> str:
    return f"{source_hash[:16]}-p{page}-c{index}"


def carry(target: type[M], *sources: BaseModel, **values: object) -> M:
    """A ``target`` holding every field it shares by name with ``sources`` (a later source
    wins), then ``values`` on top: a chunk from its document and block, a search result from
    its chunk."""
    data: dict[str, object] = {}
    for source in sources:
        shared = type(source).model_fields.keys() & target.model_fields.keys()
        data.update({name: getattr(source, name) for name in shared})
    data.update(values)
    return target(**data)
