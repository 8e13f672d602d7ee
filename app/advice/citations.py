"""Citations: a stored chunk + a quote -> a ``Citation`` only if the quote is verbatim in it.

Nothing is shown as cited unless ``verified`` says the quote is a substring of the chunk it
names, after nothing more than whitespace normalisation. Callers drop what fails.
"""

from __future__ import annotations

import re

from app.reading.guards import squash, verbatim
from app.reading.language import sentences
from app.schemas import Chunk, Citation

MAX_QUOTE = 400
_MARKUP = re.compile(r"^\s*(?:[-*•]\s+)?(?:\*\*[^*]+:\*\*\s*)?")


def verified(quote: str, chunk_text: str) -> bool:
    """True when ``quote`` appears word for word in ``chunk_text``."""
    return verbatim(quote, chunk_text)


def cite(chunk: Chunk, quote: str) -> Citation | None:
    """A citation of ``quote`` from ``chunk``, or None when the quote is not in the chunk."""
    if not verified(quote, chunk.text):
        return None
    return Citation(
        chunk_id=chunk.chunk_id,
        source=chunk.source,
        section=chunk.section,
        page=chunk.page,
        quote=squash(quote),
    )


def quotable_sentences(chunk: Chunk) -> list[str]:
    """Sentences of a chunk stripped of list and bold-label markup, each verbatim in it."""
    out = []
    for span in sentences(chunk.text):
        text = _MARKUP.sub("", span.text).strip().strip("*").strip()
        if len(text) > MAX_QUOTE:
            text = text[:MAX_QUOTE].rsplit(" ", 1)[0]
        if len(text.split()) >= 5 and verified(text, chunk.text):
            out.append(text)
    return out
