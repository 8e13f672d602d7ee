"""The chat model the LLM engine talks to: ``Request[schema] -> Reply[schema]``.

``Chat`` is the protocol; ``app.llm.openai_chat.OpenAIChat`` is the implementation for OpenAI
and any OpenAI-compatible server, resolved in one place (``app.llm.providers.chat_model``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class Request(Generic[T]):
    """One structured call: the messages, the schema the answer must follow, and its bounds
    (``max_tokens`` for the answer, ``timeout`` in seconds, ``None`` for the client's own)."""

    system: str
    user: str
    schema: type[T]
    max_tokens: int = 1024
    timeout: float | None = None


@dataclass(frozen=True)
class Reply(Generic[T]):
    """A parsed answer and what it cost, as the server counted it (``None`` if it did not)."""

    value: T
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class Chat(Protocol):
    """A chat model that returns schema-typed output."""

    @property
    def model_id(self) -> str: ...

    def structured(self, request: Request[T]) -> Reply[T]: ...
