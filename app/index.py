"""Index: ``ParsedDocument`` -> chunks with vectors in the store, idempotently.

A file already indexed with the same content is skipped without embedding anything; a file
re-uploaded under the same name with new content replaces its old chunks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from app.chunk import Chunker
from app.schemas import ParsedDocument
from app.store import VectorStore

log = logging.getLogger(__name__)


class Indexer:
    def __init__(self, store: VectorStore, chunker: Chunker) -> None:
        self._store = store
        self._chunker = chunker

    def add(self, document: ParsedDocument, collection: str) -> int:
        """Index one document; returns its chunk count."""
        existing = self._store.ids_for_source(collection, document.source)
        chunks = self._chunker.split(document)
        wanted = {c.chunk_id for c in chunks}
        if set(existing) == wanted:
            log.debug("%s unchanged in %s", document.source, collection)
            return len(chunks)
        stale = [i for i in existing if i not in wanted]
        vectors = self._store.embedder.embed([c.context_text for c in chunks])
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
