"""Index: ``ParsedDocument`` -> chunks with vectors in the store, idempotently.

A file already indexed with the same content is skipped without embedding anything; a file
re-uploaded under the same name with new content replaces its old chunks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from app.documents.chunk import Chunker
from app.errors import TooManyParts, TooSlow
from app.schemas import ParsedDocument

if TYPE_CHECKING:  # chromadb loads only when a store is opened
    from app.documents.store import VectorStore

log = logging.getLogger(__name__)


EMBED_BATCH = 256  # texts embedded between two looks at the clock


class Indexer:
    def __init__(
        self,
        store: VectorStore,
        chunker: Chunker,
        max_chunks: int = 10_000,
        max_seconds: float = 120.0,
    ) -> None:
        self._store = store
        self._chunker = chunker
        self._max_chunks = max_chunks
        self._max_seconds = max_seconds

    def add(self, document: ParsedDocument, collection: str, started: float | None = None) -> int:
        """Index one document; returns its chunk count. Nothing is written unless every
        chunk was embedded within the chunk and time limits. ``started`` is when reading the
        file began (``time.monotonic()``), so one clock covers parsing, chunking and embedding."""
        started = time.monotonic() if started is None else started
        existing = self._store.ids_for_source(collection, document.source)
        chunks = self._chunker.split(document)
        if time.monotonic() - started > self._max_seconds:
            raise TooSlow(document.source, f"over {self._max_seconds:g} s")
        if len(chunks) > self._max_chunks:
            raise TooManyParts(
                document.source, f"{len(chunks):,} passages, limit {self._max_chunks:,}"
            )
        wanted = {c.chunk_id for c in chunks}
        if set(existing) == wanted:
            log.debug("%s unchanged in %s", document.source, collection)
            return len(chunks)
        stale = [i for i in existing if i not in wanted]
        texts = [c.context_text for c in chunks]
        parts = []
        for start in range(0, len(texts), EMBED_BATCH):
            if time.monotonic() - started > self._max_seconds:
                raise TooSlow(document.source, f"over {self._max_seconds:g} s")
            parts.append(self._store.embedder.embed(texts[start : start + EMBED_BATCH]))
        vectors = np.concatenate(parts) if parts else self._store.embedder.embed([])
        self._store.upsert(collection, chunks, vectors)
        self._store.delete(collection, stale)
        return len(chunks)

    def remove_source(self, collection: str, source: str) -> int:
        ids = list(self._store.ids_for_source(collection, source))
        self._store.delete(collection, ids)
        return len(ids)

    def sync(
        self,
        documents: Sequence[ParsedDocument],
        collection: str,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> int:
        """Make ``collection`` hold exactly ``documents``: add new, drop vanished sources."""
        keep: set[str] = set()
        total = 0
        for number, document in enumerate(documents, start=1):
            if progress:
                progress(number, len(documents), document.source)
            keep.add(document.source)
            total += self.add(document, collection)
        for source in self._store.sources(collection) - keep:
            self.remove_source(collection, source)
        return total
