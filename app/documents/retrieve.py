"""Retrieve: a question -> ranked ``SearchResult``s, hybrid dense + lexical.

Dense neighbours come from Chroma, lexical ones from a BM25 index (bm25s) over the same
collection; both lists are fused by reciprocal rank. The BM25 index is built once per
collection and generation, saved under the data dir (``lexical/<collection>-<generation>``)
with the token ids of every chunk, and loaded from there (memory-mapped) by every later
process: a new process answers its first query without reading the collection again. After
a write (an ingest, a removal), the saved index is brought up to date incrementally: only the
new chunks are read and tokenized, removed ones are dropped, and the index is rebuilt from the
saved token ids. A saved index whose chunk count does not match is never used as current.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.documents.chunk import carry
from app.schemas import Chunk, SearchResult, SourceKind

if TYPE_CHECKING:  # chromadb loads only when a store is opened
    from app.documents.store import VectorStore

log = logging.getLogger(__name__)

RRF_K = 60
CANDIDATES = 40


@dataclass
class _Lexical:
    generation: int
    ids: list[str]
    tokenizer: Any
    index: Any
    tokens: Any = None  # every chunk's token ids, flat (numpy int32), with ...
    offsets: Any = None  # ... where each chunk's run starts (len(ids) + 1 entries)


class Retriever:
    def __init__(self, store: VectorStore, folder: Path | None = None) -> None:
        self._store = store
        self._folder = folder
        self._lexical: dict[str, _Lexical] = {}
        self._lock = threading.Lock()

    def search(
        self,
        query: str,
        *,
        workspace: str | None = None,
        kind: SourceKind | None = None,
        k: int = 5,
    ) -> list[SearchResult]:
        """Top ``k`` passages for ``query`` from the knowledge base and/or one workspace."""
        names = []
        if kind in (None, SourceKind.PLAYBOOK):
            names.append(self._store.name_for(None))
        if kind in (None, SourceKind.DOCUMENT) and workspace is not None:
            names.append(self._store.name_for(workspace))
        if not query.strip():
            return []
        vector = self._store.embedder.embed([query])[0]
        scores: dict[str, float] = {}
        chunks: dict[str, Chunk] = {}
        home: dict[str, str] = {}
        for name in names:
            if not self._store.exists(name):
                continue
            dense = [c for c, _ in self._store.query(name, vector, CANDIDATES)]
            chunks.update((c.chunk_id, c) for c in dense)
            for ranking in ([c.chunk_id for c in dense], self._bm25(name, query, CANDIDATES)):
                for rank, chunk_id in enumerate(ranking):
                    home[chunk_id] = name
                    scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(scores, key=lambda i: (-scores[i], i))[:k]
        missing = [i for i in best if i not in chunks]
        for name in {home[i] for i in missing}:
            chunks.update((c.chunk_id, c) for c in self._store.get(name, missing))
        return [
            carry(SearchResult, chunks[i], score=round(scores[i], 6)) for i in best if i in chunks
        ]

    def refresh(self, name: str) -> None:
        """Bring the lexical index of ``name`` up to date now (after an ingest), not at the
        next query."""
        if self._store.exists(name):
            self._lexical_index(name)

    def _bm25(self, name: str, query: str, k: int) -> list[str]:
        """Chunk ids of the best lexical matches, best first."""
        entry = self._lexical_index(name)
        if entry is None:
            return []
        tokens = entry.tokenizer.tokenize(
            [query], update_vocab=False, return_as="ids", show_progress=False
        )
        if not tokens or not tokens[0]:
            return []
        docs, scores = entry.index.retrieve(
            tokens, k=min(k, len(entry.ids)), show_progress=False, n_threads=1
        )
        return [entry.ids[int(d)] for d, s in zip(docs[0], scores[0], strict=True) if s > 0]

    def _lexical_index(self, name: str) -> _Lexical | None:
        logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets itself to DEBUG
        generation = self._store.generation(name)
        with self._lock:
            entry = self._lexical.get(name)
            if entry is not None and entry.generation == generation:
                return entry
            entry = self._load(name, generation)
            if entry is not None:
                self._lexical[name] = entry
                return entry
            previous = self._lexical.get(name) or self._load(name, None)
            built = self._update(name, generation, previous) if previous else None
            if built is None:
                built = self._build(name, generation)
            if built is None:
                return None
            self._lexical[name] = built
            self._save(name, built)
            return built

    def _build(self, name: str, generation: int) -> _Lexical | None:
        """The whole index, from every chunk's text."""
        tokenizer = _tokenizer()
        ids: list[str] = []
        corpus: list[list[int]] = []
        # Batch by batch, so only token ids (not texts) are held for the whole collection.
        for batch in self._store.batches(name):
            _tokenized(tokenizer, batch, ids, corpus)
        if not ids:
            return None
        log.info("lexical index for %s: %d chunks", name, len(ids))
        return _indexed(generation, ids, tokenizer, corpus)

    def _update(self, name: str, generation: int, previous: _Lexical) -> _Lexical | None:
        """The index after a write, from the previous one: only new chunks are read."""
        if previous.tokens is None:
            return None
        current = self._store.all_ids(name)
        known = {chunk_id: n for n, chunk_id in enumerate(previous.ids)}
        fresh = [i for i in current if i not in known]
        if len(fresh) > max(len(current) // 2, 1000):
            return None  # mostly new: a full build costs about the same
        ids: list[str] = []
        corpus: list[list[int]] = []
        for chunk_id in current:
            n = known.get(chunk_id)
            if n is not None:
                ids.append(chunk_id)
                start, end = previous.offsets[n], previous.offsets[n + 1]
                corpus.append([int(t) for t in previous.tokens[start:end]])
        tokenizer = previous.tokenizer
        for begin in range(0, len(fresh), 500):
            _tokenized(tokenizer, self._store.get(name, fresh[begin : begin + 500]), ids, corpus)
        if not ids:
            return None
        log.info("lexical index for %s updated: %d new chunks", name, len(fresh))
        return _indexed(generation, ids, tokenizer, corpus)

    # the saved index ------------------------------------------------------------------------------

    def _place(self, name: str, generation: int) -> Path | None:
        return None if self._folder is None else self._folder / f"{name}-{generation}"

    def _saved(self, name: str) -> Path | None:
        """The newest saved index of ``name``, whatever its generation."""
        if self._folder is None or not self._folder.is_dir():
            return None
        found = [
            (int(p.name[len(name) + 1 :]), p)
            for p in self._folder.glob(f"{name}-*")
            if p.name[len(name) + 1 :].isdigit() and (p / "ids.json").exists()
        ]
        return max(found)[1] if found else None

    def _load(self, name: str, generation: int | None) -> _Lexical | None:
        """The saved index of this generation (checked against the chunk count), or with
        ``generation=None`` the newest saved one, current or not, as a base to update."""
        import bm25s
        import numpy as np

        place = self._saved(name) if generation is None else self._place(name, generation)
        if place is None or not (place / "ids.json").exists():
            return None
        try:
            ids = json.loads((place / "ids.json").read_text())
            if not isinstance(ids, list):
                return None
            if generation is not None and len(ids) != self._store.count(name):
                return None  # written by another collection of the same name and generation
            tokenizer = _tokenizer()
            tokenizer.load_vocab(str(place))
            index = bm25s.BM25.load(str(place), mmap=True, show_progress=False)
            tokens = np.load(place / "tokens.npy", mmap_mode="r")
            offsets = np.load(place / "offsets.npy")
        except (OSError, ValueError, KeyError) as exc:
            log.warning("saved lexical index %s unreadable (%s); rebuilding it", place, exc)
            return None
        saved = int(place.name[len(name) + 1 :])
        log.info("lexical index for %s loaded from %s", name, place)
        return _Lexical(saved, [str(i) for i in ids], tokenizer, index, tokens, offsets)

    def _save(self, name: str, entry: _Lexical) -> None:
        """Write the index next to the collection, whole or not at all, and drop older ones."""
        import numpy as np

        place = self._place(name, entry.generation)
        if place is None or place.exists():
            return
        partial = place.with_name(f"{place.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        try:
            partial.mkdir(parents=True, exist_ok=True)
            entry.index.save(str(partial), show_progress=False)
            entry.tokenizer.save_vocab(str(partial))
            np.save(partial / "tokens.npy", entry.tokens)
            np.save(partial / "offsets.npy", entry.offsets)
            (partial / "ids.json").write_text(json.dumps(entry.ids))
            partial.rename(place)
        except OSError as exc:  # a read-only or full disk costs speed, never an answer
            log.warning("could not save the lexical index for %s (%s)", name, exc)
            shutil.rmtree(partial, ignore_errors=True)
            return
        for old in place.parent.glob(f"{name}-*"):
            suffix = old.name[len(name) + 1 :]
            if old != place and suffix.isdigit():
                shutil.rmtree(old, ignore_errors=True)


def _tokenized(
    tokenizer: Any, chunks: list[Chunk], ids: list[str], corpus: list[list[int]]
) -> None:
    """Append the chunks' ids and token ids (the vocabulary grows as needed)."""
    ids += [c.chunk_id for c in chunks]
    corpus += tokenizer.tokenize(
        [c.context_text for c in chunks], update_vocab=True, return_as="ids", show_progress=False
    )


def _indexed(generation: int, ids: list[str], tokenizer: Any, corpus: list[list[int]]) -> _Lexical:
    """A BM25 index over token id lists, kept with those ids (flat) for later updates."""
    import bm25s
    import numpy as np

    index = bm25s.BM25()
    index.index((corpus, tokenizer.get_vocab_dict()), show_progress=False)
    lengths = np.fromiter((len(row) for row in corpus), dtype=np.int64, count=len(corpus))
    offsets = np.zeros(len(corpus) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    tokens = np.fromiter((t for row in corpus for t in row), dtype=np.int32, count=int(offsets[-1]))
    return _Lexical(generation, ids, tokenizer, index, tokens, offsets)


def _tokenizer() -> Any:
    import bm25s
    import Stemmer

    return bm25s.tokenization.Tokenizer(stopwords="en", stemmer=Stemmer.Stemmer("english"))
