"""``ADVISOR_LLM`` -> an engine: the one place a provider name is resolved.

``offline`` is the deterministic engine; ``openai:<model>`` is OpenAI or any OpenAI-compatible
server (``ADVISOR_OPENAI_BASE_URL``), used through ``AssistedEngine``. An unknown name raises a
``ConfigError`` that lists the valid ones. The vendor SDK is imported only when it is named.
"""

from __future__ import annotations

from app.documents.embeddings import Embedder
from app.errors import ConfigError
from app.knowledge.catalog import Knowledge
from app.llm.chat import Chat
from app.llm.engine import Engine, OfflineEngine
from app.reading.reader import EvidenceReader
from app.settings import Settings

ENGINES = ("offline", "openai:<model>")


def chat_model(choice: str, settings: Settings) -> Chat:
    """``openai:<model>`` -> its chat client, configured from ``settings``."""
    provider, _, model = choice.strip().partition(":")
    if provider != "openai" or not model:
        raise ConfigError(f"Unknown LLM {choice!r}; valid: {', '.join(ENGINES[1:])}.")
    from app.llm.openai_chat import OpenAIChat

    return OpenAIChat(
        model=model,
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout,
        retries=settings.llm_retries,
        seed=settings.llm_seed,
    )


def make_engine(
    settings: Settings,
    knowledge: Knowledge,
    embedder: Embedder,
    detector: EvidenceReader,
    chat: Chat | None = None,
) -> Engine:
    """The engine ``ADVISOR_LLM`` names; ``chat`` replaces the configured client (tests)."""
    choice = settings.llm.strip()
    offline = OfflineEngine(knowledge, embedder, detector)
    if choice == "offline":
        return offline
    if not choice.startswith("openai:") or choice == "openai:":
        raise ConfigError(f"Unknown ADVISOR_LLM={choice!r}; valid: {', '.join(ENGINES)}.")
    from app.assets import locate
    from app.llm.assisted import AssistedEngine
    from app.llm.online import LLMEngine
    from app.llm.redact import Redactor
    from app.tokens import count, encoding

    redactor = Redactor(settings.redact_patterns) if settings.redact else None
    enc = encoding("cl100k_base", locate(settings.assets_dir).tiktoken_dir)
    llm = LLMEngine(
        chat or chat_model(choice, settings),
        knowledge,
        settings.prompts_dir,
        redactor,
        count=lambda text: count(text, enc),
        budget=settings.llm_budget_seconds,
    )
    return AssistedEngine(offline, llm)
