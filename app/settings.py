"""The one settings object. It is the only code that reads the environment.

Every field is an ``ADVISOR_*`` variable (``ADVISOR_DATA_DIR``, ``ADVISOR_CHUNK_SIZE``...), also
read from a ``.env`` file in the working directory. All user data lives under ``data_dir``;
model assets live under ``assets_dir``, inside the installation, because set-up puts them there.
"""

from __future__ import annotations

import sys
from functools import cached_property
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Configuration of the advisor, from ``ADVISOR_*`` environment variables."""

    model_config = SettingsConfigDict(
        env_prefix="ADVISOR_", env_file=".env", extra="ignore", frozen=True
    )

    data_dir: Path = Field(
        default=Path("data"),
        description="Folder for everything the advisor stores: Chroma, sessions, exports.",
    )
    assets_dir: Path = Field(
        default=Path(sys.prefix) / "share" / "readiness-advisor",
        description="Folder holding the embedding model and tokenizer files set-up prepared.",
    )
    knowledge_dir: Path = Field(
        default=PROJECT_ROOT / "knowledge",
        description="Folder with patterns.yaml and the playbooks.",
    )
    prompts_dir: Path = Field(
        default=PROJECT_ROOT / "prompts", description="Folder with the prompt files."
    )
    embeddings: str = Field(
        default="local:all-minilm-l6-v2",
        description="Embedding model as provider:model: local:all-minilm-l6-v2 (embedded, "
        "offline) or openai:text-embedding-3-small.",
    )
    llm: str = Field(
        default="offline",
        description="Advisor engine: offline (deterministic, no network) or openai:<model>.",
    )
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("ADVISOR_OPENAI_API_KEY", "OPENAI_API_KEY"),
        description="API key for OpenAI or an OpenAI-compatible server.",
    )
    openai_base_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible server (Azure OpenAI, vLLM, Ollama...).",
    )
    chroma_host: str | None = Field(
        default=None, description="Chroma server host; unset means embedded Chroma."
    )
    chroma_port: int = Field(default=8000, description="Chroma server port.")
    chunk_size: int = Field(default=200, ge=32, le=2000, description="Chunk size in tokens.")
    chunk_overlap: int = Field(default=30, ge=0, le=500, description="Chunk overlap in tokens.")
    max_file_mb: float = Field(default=50, gt=0, description="Largest file accepted, in MB.")
    max_pages: int = Field(default=1000, gt=0, description="Most PDF pages accepted per file.")
    max_unpacked_mb: float = Field(
        default=200, gt=0, description="Largest decompressed size of a DOCX file, in MB."
    )
    embed_batch_size: int = Field(
        default=32, ge=1, le=1024, description="Texts embedded per model call."
    )
    search_k: int = Field(default=5, ge=1, le=100, description="Results returned by a search.")

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("ADVISOR_CHUNK_OVERLAP must be smaller than ADVISOR_CHUNK_SIZE")
        return self

    @cached_property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @cached_property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @cached_property
    def max_unpacked_bytes(self) -> int:
        return int(self.max_unpacked_mb * 1024 * 1024)
