"""OpenAI or any OpenAI-compatible chat server, through langchain-openai.

``structured(Request(system, user, schema, max_tokens, timeout))`` -> ``Reply`` holding an
instance of ``schema`` parsed from the model's JSON, or ``LLMError`` saying why not. Every way
a call can end badly (an answer cut at its length limit, a content filter, a refusal, output
that is not the schema, an empty answer, a timeout, a dropped connection, an HTTP error)
becomes an ``LLMError`` with a ``kind``; nothing else escapes. Timeouts, 429 and 5xx are
retried with backoff by the OpenAI client (``ADVISOR_LLM_RETRIES``) within the call's time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, SecretStr

from app.errors import ConfigError, LLMError
from app.llm.chat import Reply, Request

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)
Method = Literal["json_schema", "function_calling", "json_mode"]


@dataclass(frozen=True)
class OpenAIChat:
    """A chat model behind an OpenAI-compatible endpoint; ``timeout`` bounds every call."""

    model: str
    api_key: SecretStr | None
    base_url: str | None
    timeout: float
    retries: int
    method: Method = "json_schema"
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.api_key is None and self.base_url is None:
            raise ConfigError(
                f"ADVISOR_LLM=openai:{self.model} needs ADVISOR_OPENAI_API_KEY, or "
                "ADVISOR_OPENAI_BASE_URL for a local OpenAI-compatible server. Set one, or use "
                "ADVISOR_LLM=offline."
            )

    @property
    def model_id(self) -> str:
        return f"openai:{self.model}"

    def _client(self, max_tokens: int, timeout: float) -> Any:
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            model=self.model,
            api_key=self.api_key or SecretStr("not-needed"),
            base_url=self.base_url,
            timeout=timeout,
            max_retries=self.retries,
            temperature=0,
            max_tokens=max_tokens,
            seed=self.seed,
        )

    def structured(self, request: Request[T]) -> Reply[T]:
        import httpx
        import openai
        from langchain_openai.chat_models.base import OpenAIRefusalError

        max_tokens = request.max_tokens
        llm = self._client(max_tokens, min(request.timeout or self.timeout, self.timeout))
        runnable = llm.with_structured_output(request.schema, method=self.method, include_raw=True)
        try:
            result: Any = runnable.invoke([("system", request.system), ("human", request.user)])
        except openai.LengthFinishReasonError as exc:
            raise LLMError(
                f"The LLM's answer was cut at its length limit ({max_tokens} tokens).",
                "truncated",
            ) from exc
        except openai.ContentFilterFinishReasonError as exc:
            raise LLMError(
                "The LLM endpoint's content filter stopped the answer.", "filtered"
            ) from exc
        except OpenAIRefusalError as exc:
            raise LLMError("The LLM refused to answer.", "refused") from exc
        except openai.APITimeoutError as exc:
            raise LLMError("The LLM endpoint timed out.", "timeout") from exc
        except openai.RateLimitError as exc:
            raise LLMError(
                "The LLM endpoint is rate-limiting requests (429).", "rate_limited"
            ) from exc
        except openai.APIConnectionError as exc:
            raise LLMError("The LLM endpoint cannot be reached.", "unreachable") from exc
        except openai.AuthenticationError as exc:
            raise LLMError(
                "The LLM endpoint refused the API key (401): check ADVISOR_OPENAI_API_KEY.",
                "refused",
            ) from exc
        except openai.PermissionDeniedError as exc:
            raise LLMError(
                "The LLM endpoint denied access (403): check the key's permissions.", "refused"
            ) from exc
        except openai.NotFoundError as exc:
            raise LLMError(
                f"The LLM endpoint has no model {self.model!r} (404): check ADVISOR_LLM and "
                "ADVISOR_OPENAI_BASE_URL.",
                "refused",
            ) from exc
        except openai.APIStatusError as exc:
            kind = "server_error" if exc.status_code >= 500 else "refused"
            raise LLMError(f"The LLM endpoint answered HTTP {exc.status_code}.", kind) from exc
        except (openai.OpenAIError, httpx.HTTPError) as exc:
            raise LLMError(
                f"The LLM call failed ({exc.__class__.__name__}).", "unreachable"
            ) from exc
        except Exception as exc:  # a parser or client surprise must never reach the user
            log.warning("unexpected error from the LLM client: %r", exc)
            raise LLMError(
                f"The LLM's output could not be read ({exc.__class__.__name__})."
            ) from exc
        raw = result.get("raw") if isinstance(result, dict) else None
        parsed = result.get("parsed") if isinstance(result, dict) else None
        if not isinstance(parsed, request.schema):
            error = result.get("parsing_error") if isinstance(result, dict) else None
            finish = _finish_reason(raw)
            if finish == "length":
                raise LLMError(
                    f"The LLM's answer was cut at its length limit ({max_tokens} tokens).",
                    "truncated",
                )
            if finish == "content_filter":
                raise LLMError("The LLM endpoint's content filter stopped the answer.", "filtered")
            if error is None and not _content(raw):
                raise LLMError("The LLM gave an empty answer.")
            raise LLMError(f"The LLM's output did not match the expected form ({error}).")
        usage = getattr(raw, "usage_metadata", None) or {}
        return Reply(parsed, usage.get("input_tokens"), usage.get("output_tokens"))


def _finish_reason(raw: Any) -> str | None:
    metadata = getattr(raw, "response_metadata", None) or {}
    reason = metadata.get("finish_reason")
    return str(reason) if reason else None


def _content(raw: Any) -> str:
    content = getattr(raw, "content", "")
    return content if isinstance(content, str) else str(content)
