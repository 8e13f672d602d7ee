"""The component factory: ``Settings -> Components``, each part built on first use.

Nothing is built at import or construction: the embedder, the vector store, the session
database, the reader and the engine come into being when something first needs them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from app.advice.interview import Interviewer
from app.advice.plan import (
    Planner,
)
from app.documents.chunk import Chunker
from app.documents.embeddings import Embedder, make_embedder
from app.documents.ingest import Limits
from app.knowledge.catalog import Knowledge, load_knowledge, playbook_document
from app.llm.chat import Chat
from app.llm.engine import Engine
from app.llm.providers import make_engine
from app.reading.language import Reader
from app.reading.reader import EvidenceReader, ReaderModel
from app.service.access import Gate
from app.service.sessions import SessionStore
from app.settings import Settings
from app.tokens import count, encoding

log = logging.getLogger(__name__)


DEFAULT_WORKSPACE = "default"
Progress = Callable[[int, int, str], None]

if TYPE_CHECKING:  # chromadb loads only when the store is first opened
    from app.documents.index import Indexer
    from app.documents.retrieve import Retriever
    from app.documents.store import VectorStore


class Components:
    """Every part the advisor uses, built on first use from the settings and kept for the
    lifetime of the process; safe to share between threads. ``embedder`` and ``chat`` replace
    the configured ones (tests, benchmarks)."""

    def __init__(
        self, settings: Settings, embedder: Embedder | None = None, chat: Chat | None = None
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._chat = chat
        self._kb_ready = False

    @cached_property
    def embedder(self) -> Embedder:
        return self._embedder or make_embedder(self.settings)

    @cached_property
    def store(self) -> VectorStore:
        from app.documents.store import VectorStore

        return VectorStore(self.settings, self.embedder)

    @cached_property
    def sessions(self) -> SessionStore:
        if self.settings.database_url is None:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        return SessionStore(self.settings.session_url)

    @cached_property
    def gate(self) -> Gate:
        return Gate(self.settings, self.sessions)

    @cached_property
    def knowledge(self) -> Knowledge:
        return load_knowledge(self.settings.knowledge_dir.resolve())

    @cached_property
    def indexer(self) -> Indexer:
        from app.assets import locate
        from app.documents.index import Indexer

        enc = encoding("cl100k_base", locate(self.settings.assets_dir).tiktoken_dir)
        chunker = Chunker(
            self.settings.chunk_size, self.settings.chunk_overlap, lambda t: count(t, enc)
        )
        return Indexer(
            self.store, chunker, self.settings.max_chunks, self.settings.max_file_seconds
        )

    @cached_property
    def retriever(self) -> Retriever:
        from app.documents.retrieve import Retriever

        return Retriever(self.store, self.settings.data_dir / "lexical")

    @cached_property
    def limits(self) -> Limits:
        s = self.settings
        return Limits(
            s.max_file_bytes,
            s.max_pages,
            s.max_unpacked_bytes,
            s.max_file_seconds,
            s.max_file_chars,
            s.max_sections,
            s.max_paragraphs,
            s.ocr,
            s.ocr_max_pages,
        )

    @cached_property
    def language(self) -> Reader:
        return Reader(self.knowledge.lexicon)

    @cached_property
    def detector(self) -> EvidenceReader:
        from app.assets import locate, locate_reader

        model, meta = locate_reader()
        tokenizer = locate(self.settings.assets_dir).tokenizer
        return EvidenceReader(
            self.knowledge.catalog,
            self.embedder,
            self.language,
            ReaderModel(model, meta, tokenizer),
        )

    @cached_property
    def interviewer(self) -> Interviewer:
        return Interviewer(
            self.knowledge.catalog,
            self.knowledge.interview,
            self.language,
            self.detector,
            self.settings.interview_max_questions,
        )

    @cached_property
    def planner(self) -> Planner:
        return Planner(self.knowledge, self.embedder, self.store)

    @property
    def engine_name(self) -> str:
        """The engine's name, as ``engine.name`` will give it, without building the engine."""
        choice = self.settings.llm.strip()
        return choice if choice == "offline" else choice.replace(" ", "")

    def index_knowledge(self, progress: Progress | None = None) -> int:
        """Index ``knowledge/playbooks`` (idempotent). Returns the chunk count."""
        name = self.store.name_for(None)
        documents = [playbook_document(b) for b in self.knowledge.playbooks]
        return self.indexer.sync(documents, name, progress)

    def knowledge_indexed(self) -> bool:
        if not self._kb_ready:
            self._kb_ready = self.store.count(self.store.name_for(None)) > 0
        return self._kb_ready

    def ensure_knowledge(self, progress: Progress | None = None) -> None:
        """Index the knowledge base on first use of a fresh data dir."""
        if not self.knowledge_indexed():
            self.index_knowledge(progress)

    @cached_property
    def engine(self) -> Engine:
        """The engine ``ADVISOR_LLM`` names; unknown names list the valid ones."""
        return make_engine(self.settings, self.knowledge, self.embedder, self.detector, self._chat)

    def warm(self) -> None:
        """Do the one-off work now (model, sign vectors, knowledge index) instead of later."""
        self.ensure_knowledge()
        self.language.warm()
        self.detector.warm()
        self.interviewer.warm()
        self.planner.warm()
