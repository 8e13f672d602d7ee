"""The orchestration API. The CLI, the app and the evals call this and nothing below it.

``Advisor(settings)`` builds nothing until first use; then it keeps one embedder, one store
and one retriever for its lifetime.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import cached_property, partial
from pathlib import Path

from app.chunk import Chunker
from app.embeddings import Embedder, make_embedder
from app.errors import IngestError
from app.index import Indexer
from app.ingest import Limits, display_name, parse_bytes, parse_file
from app.knowledge import Knowledge, load_knowledge, playbook_document
from app.retrieve import Retriever
from app.schemas import IngestReport, ParsedDocument, SearchResult, SourceKind
from app.settings import Settings
from app.store import VectorStore
from app.tokens import count, encoding

log = logging.getLogger(__name__)

DEFAULT_WORKSPACE = "default"
Progress = Callable[[int, int, str], None]


class Advisor:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder

    @cached_property
    def embedder(self) -> Embedder:
        return self._embedder or make_embedder(self.settings)

    @cached_property
    def store(self) -> VectorStore:
        return VectorStore(self.settings, self.embedder)

    @cached_property
    def _indexer(self) -> Indexer:
        from app.assets import locate

        enc = encoding("cl100k_base", locate(self.settings.assets_dir).tiktoken_dir)
        chunker = Chunker(
            self.settings.chunk_size, self.settings.chunk_overlap, lambda t: count(t, enc)
        )
        return Indexer(self.store, chunker)

    @cached_property
    def _retriever(self) -> Retriever:
        return Retriever(self.store)

    @cached_property
    def knowledge(self) -> Knowledge:
        return load_knowledge(self.settings.knowledge_dir.resolve())

    @cached_property
    def limits(self) -> Limits:
        s = self.settings
        return Limits(s.max_file_bytes, s.max_pages, s.max_unpacked_bytes)

    # knowledge base

    def index_knowledge(self) -> int:
        """Index ``knowledge/playbooks`` (idempotent). Returns the chunk count."""
        name = self.store.name_for(None)
        return self._indexer.sync((playbook_document(b) for b in self.knowledge.playbooks), name)

    def ensure_knowledge(self) -> None:
        """Index the knowledge base on first use of a fresh data dir."""
        if self.store.count(self.store.name_for(None)) == 0:
            self.index_knowledge()

    # documents

    def ingest(
        self,
        paths: Sequence[Path],
        workspace: str = DEFAULT_WORKSPACE,
        progress: Progress | None = None,
    ) -> list[IngestReport]:
        """Ingest files into a workspace. A refused file never stops the others."""
        reports = []
        for number, path in enumerate(paths, start=1):
            if progress:
                progress(number, len(paths), display_name(path.name))
            reports.append(
                self._ingest_one(str(path), partial(parse_file, path, self.limits), workspace)
            )
        return reports

    def ingest_upload(self, name: str, data: bytes, workspace: str) -> IngestReport:
        return self._ingest_one(name, lambda: parse_bytes(data, name, self.limits), workspace)

    def _ingest_one(
        self, label: str, parse: Callable[[], ParsedDocument], workspace: str
    ) -> IngestReport:
        try:
            document = parse()
            chunks = self._indexer.add(document, self.store.name_for(workspace))
        except IngestError as err:
            log.info("refused %s: %s", label, err)
            return IngestReport(path=label, status="refused", error=str(err))
        return IngestReport(path=label, status="indexed", chunks=chunks, pages=document.pages)

    def remove_document(self, source: str, workspace: str) -> int:
        return self._indexer.remove_source(self.store.name_for(workspace), source)

    # retrieval

    def search(
        self,
        query: str,
        workspace: str | None = DEFAULT_WORKSPACE,
        k: int | None = None,
        kind: SourceKind | None = None,
    ) -> list[SearchResult]:
        self.ensure_knowledge()
        return self._retriever.search(
            query, workspace=workspace, kind=kind, k=k or self.settings.search_k
        )
