"""Item citations: a Recommendation block + its evidence -> verbatim-checked citations.

A plan item cites the block's own chunk with its Action sentence, and the section above the
block with the sentence closest to the evidence (to the block itself when there is none).
Each quote is checked verbatim against its chunk; what cannot be checked is not cited.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from app.advice.citations import cite, quotable_sentences
from app.documents.embeddings import Embedder, Vectors
from app.knowledge.catalog import Recommendation
from app.schemas import Chunk, Citation, Evidence

if TYPE_CHECKING:  # chromadb loads only when a store is opened
    from app.documents.store import VectorStore


def cite_block(
    store: VectorStore,
    embedder: Embedder,
    rec: Recommendation,
    evidence: Sequence[Evidence],
    block_vector: Callable[[], Vectors],
) -> list[Citation]:
    """The block's Action sentence, then the sentence of its parent section closest to the
    evidence; each only when it is found verbatim in its chunk."""
    collection = store.name_for(None)
    out: list[Citation] = []
    own = store.section(collection, rec.file, rec.section)
    action = rec.action.split(". ")[0].rstrip(".")
    for chunk in own:
        citation = cite(chunk, action) or cite(chunk, rec.action)
        if citation is not None:
            out.append(citation)
            break
    if rec.parent:
        context = store.section(collection, rec.file, rec.parent)
        citation = _closest_sentence(embedder, context, evidence, block_vector)
        if citation is not None:
            out.append(citation)
    return out


def _closest_sentence(
    embedder: Embedder,
    chunks: Sequence[Chunk],
    evidence: Sequence[Evidence],
    block_vector: Callable[[], Vectors],
) -> Citation | None:
    candidates = [(chunk, s) for chunk in chunks for s in quotable_sentences(chunk)]
    if not candidates:
        return None
    if evidence:
        target = embedder.embed([e.quote for e in evidence]).mean(axis=0)
    else:
        target = block_vector()
    sentences = embedder.embed([s for _, s in candidates])  # playbook text, cached
    best = int(np.argmax(sentences @ target))
    chunk, sentence = candidates[best]
    return cite(chunk, sentence)
