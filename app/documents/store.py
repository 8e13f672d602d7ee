"""Chroma behind a small typed interface: ``Chunk`` + vectors in, ``Chunk`` + distances out.

Embedded ``PersistentClient`` under the data dir by default; ``ADVISOR_CHROMA_HOST`` switches to
a Chroma server. One collection holds the knowledge base, one per workspace holds that pilot's
documents, so a query in workspace A can never see B's chunks. Chroma types stay in this module.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from app.documents.embeddings import Embedder, Vectors
from app.errors import StoreError
from app.schemas import Chunk, SourceKind
from app.settings import Settings

log = logging.getLogger(__name__)

KNOWLEDGE = "kb"
_PAGE_NONE = 0
_BATCH = 2000


class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Hands our embedder to Chroma explicitly, so Chroma never loads its downloading default."""

    def __init__(self, embedder: Embedder | Callable[[], Embedder]) -> None:
        self._embedder = embedder

    def _resolve(self) -> Embedder:
        if callable(self._embedder) and not hasattr(self._embedder, "embed"):
            self._embedder = self._embedder()
        return self._embedder  # type: ignore[return-value]

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._resolve().embed(list(input)))

    @staticmethod
    def name() -> str:
        return "readiness-advisor"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        def refuse() -> Embedder:
            raise StoreError("Open collections through the advisor so it supplies its embedder.")

        return ChromaEmbeddingFunction(refuse)

    def default_space(self) -> Any:
        return "cosine"


def collection_name(workspace: str | None, model_id: str) -> str:
    """Chroma-safe collection name for the knowledge base or a workspace, per embedding model."""
    model = hashlib.sha1(model_id.encode()).hexdigest()[:6]
    if workspace is None:
        return f"{KNOWLEDGE}-{model}"
    slug = re.sub(r"[^a-z0-9]+", "-", workspace.lower()).strip("-")[:40] or "ws"
    digest = hashlib.sha1(workspace.encode()).hexdigest()[:8]
    return f"ws-{slug}-{digest}-{model}"


@contextmanager
def _guard(action: str) -> Iterator[None]:
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(
            f"The vector store failed while {action}: {exc}. If you use a Chroma server "
            "(ADVISOR_CHROMA_HOST), check that it is running; your answers are kept."
        ) from exc


class VectorStore:
    """Collections of chunks and their vectors."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self._embedder = embedder
        self._function = ChromaEmbeddingFunction(embedder)
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        with _guard("connecting"):
            if settings.chroma_host:
                self._client: Any = chromadb.HttpClient(
                    host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
                )
                self._client.heartbeat()
            else:
                settings.chroma_dir.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(
                    path=str(settings.chroma_dir), settings=chroma_settings
                )
        self._collections: dict[str, Any] = {}
        self._known: set[str] = set()

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def name_for(self, workspace: str | None) -> str:
        return collection_name(workspace, self._embedder.model_id)

    def _collection(self, name: str) -> Any:
        if name not in self._collections:
            with _guard(f"opening {name}"):
                self._collections[name] = self._client.get_or_create_collection(
                    name,
                    embedding_function=self._function,
                    configuration={"hnsw": {"space": "cosine"}},
                    metadata={"generation": 0},
                )
        return self._collections[name]

    def exists(self, name: str) -> bool:
        if name in self._known:
            return True
        with _guard("listing collections"):
            found = name in {c.name for c in self._client.list_collections()}
        if found:
            self._known.add(name)
        return found

    def count(self, name: str) -> int:
        with _guard(f"counting {name}"):
            return int(self._collection(name).count())

    def generation(self, name: str) -> int:
        """A number that changes whenever the collection is written to."""
        with _guard(f"reading {name}"):
            collection = self._client.get_collection(name, embedding_function=self._function)
            return int((collection.metadata or {}).get("generation", 0))

    def _bump(self, name: str) -> None:
        collection = self._collection(name)
        generation = int((collection.metadata or {}).get("generation", 0)) + 1
        collection.modify(metadata={"generation": generation})

    def ids_for_source(self, name: str, source: str) -> dict[str, str]:
        """Chunk ids of ``source`` mapped to the file hash they came from."""
        with _guard(f"reading {name}"):
            got = self._collection(name).get(where={"source": source}, include=["metadatas"])
        return {i: str(m["source_hash"]) for i, m in zip(got["ids"], got["metadatas"], strict=True)}

    def sources(self, name: str) -> set[str]:
        with _guard(f"reading {name}"):
            got = self._collection(name).get(include=["metadatas"])
        return {str(m["source"]) for m in got["metadatas"]}

    def upsert(self, name: str, chunks: Sequence[Chunk], vectors: Vectors) -> None:
        if not chunks:
            return
        with _guard(f"writing to {name}"):
            collection = self._collection(name)
            for start in range(0, len(chunks), _BATCH):
                part = chunks[start : start + _BATCH]
                collection.upsert(
                    ids=[c.chunk_id for c in part],
                    documents=[c.text for c in part],
                    embeddings=vectors[start : start + _BATCH],
                    metadatas=[_metadata(c) for c in part],
                )
            self._bump(name)

    def delete(self, name: str, ids: Sequence[str]) -> None:
        if not ids:
            return
        with _guard(f"deleting from {name}"):
            self._collection(name).delete(ids=list(ids))
            self._bump(name)

    def drop(self, name: str) -> None:
        with _guard(f"deleting {name}"):
            if self.exists(name):
                self._client.delete_collection(name)
            self._collections.pop(name, None)
            self._known.discard(name)

    def batches(self, name: str) -> Iterator[list[Chunk]]:
        """Every chunk of a collection, a batch at a time."""
        with _guard(f"reading {name}"):
            collection = self._collection(name)
            total = collection.count()
        for offset in range(0, total, _BATCH):
            with _guard(f"reading {name}"):
                got = collection.get(
                    include=["documents", "metadatas"], limit=_BATCH, offset=offset
                )
            yield [
                _chunk(i, d, m)
                for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            ]

    def all_ids(self, name: str) -> list[str]:
        """Every chunk id of a collection (no texts, no vectors)."""
        ids: list[str] = []
        with _guard(f"reading {name}"):
            collection = self._collection(name)
            total = collection.count()
        for offset in range(0, total, _BATCH * 10):
            with _guard(f"reading {name}"):
                ids += collection.get(include=[], limit=_BATCH * 10, offset=offset)["ids"]
        return ids

    def all_chunks(self, name: str) -> list[Chunk]:
        """Every chunk of a collection."""
        return [chunk for batch in self.batches(name) for chunk in batch]

    def section(self, name: str, source: str, section: str) -> list[Chunk]:
        """Chunks of one section of one source, in reading order."""
        where = {"$and": [{"source": source}, {"section": section}]}
        with _guard(f"reading {name}"):
            got = self._collection(name).get(where=where, include=["documents", "metadatas"])
        chunks = [
            _chunk(i, d, m)
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        return sorted(chunks, key=lambda c: (c.page or 0, c.index))

    def get(self, name: str, ids: Sequence[str]) -> list[Chunk]:
        with _guard(f"reading {name}"):
            got = self._collection(name).get(ids=list(ids), include=["documents", "metadatas"])
        by_id = {
            i: _chunk(i, d, m)
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }
        return [by_id[i] for i in ids if i in by_id]

    def query(self, name: str, vector: Vectors, k: int) -> list[tuple[Chunk, float]]:
        """Nearest chunks to ``vector`` with cosine distance, closest first."""
        with _guard(f"searching {name}"):
            collection = self._collection(name)
            got = collection.query(
                query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
                n_results=k,
                include=["documents", "metadatas", "distances"],
            )
        return [
            (_chunk(i, d, m), float(dist))
            for i, d, m, dist in zip(
                got["ids"][0],
                got["documents"][0],
                got["metadatas"][0],
                got["distances"][0],
                strict=True,
            )
        ]


def _metadata(chunk: Chunk) -> dict[str, str | int]:
    return {
        "source": chunk.source,
        "source_hash": chunk.source_hash,
        "kind": chunk.kind.value,
        "page": chunk.page or _PAGE_NONE,
        "section": chunk.section or "",
        "title": chunk.title or "",
        "index": chunk.index,
        "ocr": int(chunk.ocr),
    }


def _chunk(chunk_id: str, text: str | None, meta: Any) -> Chunk:
    return Chunk(
        chunk_id=chunk_id,
        text=text or "",
        source=str(meta["source"]),
        source_hash=str(meta["source_hash"]),
        kind=SourceKind(meta["kind"]),
        page=int(meta["page"]) or None,
        section=str(meta["section"]) or None,
        title=str(meta["title"]) or None,
        index=int(meta["index"]),
        ocr=bool(meta.get("ocr", 0)),
    )
