"""Guards on text, shared by both engines and the citations: text -> what may be trusted.

- ``sentence_texts``: the one sentence splitter (``app.reading.language.sentences``) for code
  that needs plain strings;
- ``paragraphs`` / ``without_instructions``: the injection filter. Document text is data;
  paragraphs that address an AI system with orders (and the rest of their section, their
  payload) are flagged, and left out of what is read or sent to an LLM;
- ``squash`` / ``verbatim``: the verbatim check every quote must pass, after nothing more than
  whitespace normalisation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.reading.language import Reader as Language
from app.reading.language import reading_units, sentences


def sentence_texts(text: str) -> list[str]:
    """The sentences of ``text`` as strings, each an exact slice of it."""
    return [span.text for span in sentences(text)]


def paragraphs(text: str, language: Language) -> Iterator[tuple[int, str, bool]]:
    """The paragraphs of a document chunk as (offset, text, addressed to an AI). After text
    addressed to an AI, the rest of its section is its payload and is not yielded at all."""
    offset = 0
    payload = False
    for paragraph in (p for p in text.split("\n\n") if p.strip()):
        start = text.index(paragraph, offset)
        offset = start + len(paragraph)
        if paragraph.lstrip().startswith("#"):
            payload = False  # a new section
        elif payload:
            continue
        instruction = language.instruction(paragraph) or any(
            language.instruction(s.text) for s in reading_units(paragraph)
        )
        payload = payload or instruction
        yield start, paragraph, instruction or language.hidden(paragraph)


def without_instructions(text: str, language: Language) -> str:
    """``text`` without the paragraphs ``paragraphs`` flags (and their payload)."""
    return "\n\n".join(p for _, p, flagged in paragraphs(text, language) if not flagged)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def verbatim(quote: str, text: str) -> bool:
    """True when ``quote`` appears word for word in ``text`` (whitespace aside)."""
    quote = squash(quote)
    return bool(quote) and quote in squash(text)
