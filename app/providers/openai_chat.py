"""OpenAI or any OpenAI-compatible chat server, through langchain-openai.

``structured(system, user, schema)`` -> an instance of ``schema`` parsed from the model's JSON,
or ``LLMError`` saying why not. Timeouts, 429 and 5xx are retried with exponential backoff by
the OpenAI client (``ADVISOR_LLM_RETRIES``) before the error is raised.
"""

from __future__ import annotations

import logging
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, SecretStr

from app.errors import ConfigError, LLMError

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)
Method = Literal["json_schema", "function_calling", "json_mode"]


class OpenAIChat:
    def __init__(
        self,
        model: str,
        api_key: SecretStr | None,
        base_url: str | None,
        timeout: float,
        retries: int,
        method: Method = "json_schema",
    ) -> None:
        if api_key is None and base_url is None:
            raise ConfigError(
                f"ADVISOR_LLM=openai:{model} needs ADVISOR_OPENAI_API_KEY, or "
                "ADVISOR_OPENAI_BASE_URL for a local OpenAI-compatible server. Set one, or use "
                "ADVISOR_LLM=offline."
            )
        from langchain_openai import ChatOpenAI

        self.model = model
        self.method = method
        self._llm = ChatOpenAI(
            model=model,
            api_key=api_key or SecretStr("not-needed"),
            base_url=base_url,
            timeout=timeout,
            max_retries=retries,
            temperature=0,
        )

    @property
    def model_id(self) -> str:
        return f"openai:{self.model}"

    def structured(self, system: str, user: str, schema: type[T]) -> T:
        import openai

        runnable = self._llm.with_structured_output(schema, method=self.method, include_raw=True)
        try:
            result: Any = runnable.invoke([("system", system), ("human", user)])
        except openai.APITimeoutError as exc:
            raise LLMError("The LLM endpoint timed out.", "timeout") from exc
        except openai.RateLimitError as exc:
            raise LLMError(
                "The LLM endpoint is rate-limiting requests (429).", "rate_limited"
            ) from exc
        except openai.APIConnectionError as exc:
            raise LLMError("The LLM endpoint cannot be reached.", "unreachable") from exc
        except openai.APIStatusError as exc:
            kind = "server_error" if exc.status_code >= 500 else "refused"
            raise LLMError(f"The LLM endpoint answered HTTP {exc.status_code}.", kind) from exc
        except (ValueError, TypeError, KeyError) as exc:
            raise LLMError(
                f"The LLM's output could not be read ({exc.__class__.__name__})."
            ) from exc
        parsed = result.get("parsed") if isinstance(result, dict) else None
        if not isinstance(parsed, schema):
            error = result.get("parsing_error") if isinstance(result, dict) else None
            raise LLMError(f"The LLM's output did not match the expected form ({error}).")
        return parsed
