"""The one settings object. It is the only code that reads the environment.

Every field is an ``ADVISOR_*`` variable (``ADVISOR_DATA_DIR``, ``ADVISOR_CHUNK_SIZE``...), also
read from a ``.env`` file in the working directory. All user data lives under ``data_dir``;
model assets live under ``assets_dir``, inside the installation, because set-up puts them there.
"""

from __future__ import annotations

import sys
from functools import cached_property
from pathlib import Path

from pydantic import AliasChoices, Field, PositiveFloat, PositiveInt, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Configuration of the advisor, from ``ADVISOR_*`` environment variables."""

    model_config = SettingsConfigDict(
        env_prefix="ADVISOR_", env_file=".env", extra="ignore", frozen=True
    )

    # Folders.
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

    # Models and the LLM.
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
    llm_timeout: float = Field(
        default=30, gt=0, le=600, description="Seconds before an LLM call is abandoned."
    )
    llm_budget_seconds: float = Field(
        default=90,
        gt=0,
        le=3600,
        description="Seconds all LLM calls of one user action (an answer, an assessment, a "
        "plan, a question) may take together; after that the offline engine finishes it.",
    )
    llm_seed: int | None = Field(
        default=13, description="Sampling seed sent to the LLM server (for repeatable runs)."
    )
    llm_retries: int = Field(
        default=2, ge=0, le=10, description="Retries of an LLM call after a timeout, 429 or 5xx."
    )

    # What is hidden before text leaves the machine.
    redact: bool = Field(
        default=True,
        description="Replace e-mails, phone numbers, IBANs, card numbers and national ids with "
        "placeholders before any text goes to an external LLM.",
    )
    redact_patterns: dict[str, str] = Field(
        default_factory=dict,
        description='Extra or replacement redaction patterns as JSON, e.g. {"EMPLOYEE_ID": '
        '"E\\\\d{6}"}.',
    )

    # Stores.
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the session database; unset means SQLite in the data dir.",
    )
    chroma_host: str | None = Field(
        default=None, description="Chroma server host; unset means embedded Chroma."
    )
    chroma_port: int = Field(default=8000, description="Chroma server port.")

    # Passages and search.
    chunk_size: int = Field(default=200, ge=32, le=2000, description="Chunk size in tokens.")
    chunk_overlap: int = Field(default=30, ge=0, le=500, description="Chunk overlap in tokens.")
    embed_batch_size: int = Field(
        default=64, ge=1, le=1024, description="Most texts embedded per model call."
    )
    search_k: int = Field(default=5, ge=1, le=100, description="Results returned by a search.")

    # Limits on one uploaded file.
    max_file_mb: PositiveFloat = Field(default=50, description="Largest file accepted, in MB.")
    max_pages: PositiveInt = Field(default=1000, description="Most PDF pages accepted per file.")
    max_unpacked_mb: PositiveFloat = Field(
        default=200, description="Largest decompressed size of a DOCX file, in MB."
    )
    max_file_chars: PositiveInt = Field(
        default=3_000_000, description="Most characters of text read from one file."
    )
    max_file_seconds: PositiveFloat = Field(
        default=120, description="Longest time spent reading one file, in seconds."
    )
    max_sections: int = Field(
        default=5_000, ge=10, description="Most sections a Markdown or text file may have."
    )
    max_paragraphs: int = Field(
        default=100_000, ge=100, description="Most paragraphs a DOCX file may have."
    )
    max_chunks: int = Field(
        default=10_000, ge=10, description="Most passages one file may be cut into."
    )
    ocr: bool = Field(
        default=True,
        description="Read image-only PDF pages and PNG/JPEG/TIFF uploads with Tesseract OCR.",
    )
    ocr_max_pages: int = Field(default=50, ge=1, description="Most pages of one file read by OCR.")

    # Limits on interviews and transcripts.
    max_transcript_mb: PositiveFloat = Field(
        default=5, description="Largest transcript file the CLI reads, in MB."
    )
    max_transcript_turns: int = Field(
        default=2_000, ge=10, description="Most turns (questions and answers) in one transcript."
    )
    max_answer_chars: int = Field(
        default=20_000,
        ge=1_000,
        le=1_000_000,
        description="Longest answer accepted, in characters; a longer one is refused whole.",
    )
    interview_max_questions: int = Field(
        default=15, ge=3, le=60, description="Most questions asked of one stakeholder."
    )

    # Sign-in and interview links.
    accounts: bool = Field(
        default=False,
        description="Sign in with personal accounts (created with `advisor user add`).",
    )
    app_oidc: bool = Field(
        default=False,
        description="Sign in through Streamlit's OIDC login (st.login); configure the provider "
        "in .streamlit/secrets.toml.",
    )
    app_password: SecretStr | None = Field(
        default=None,
        description="No longer supported (one shared password let anyone act as anyone): "
        "use ADVISOR_ACCOUNTS.",
    )
    session_hours: float = Field(
        default=12, gt=0, le=24 * 30, description="A browser sign-in lasts this long."
    )
    lockout_failures: int = Field(
        default=10, ge=3, le=100, description="Wrong passwords in a row that lock an account."
    )
    lockout_minutes: PositiveFloat = Field(
        default=15, description="How long a locked account stays locked."
    )
    client_attempts: int = Field(
        default=30, ge=5, description="Sign-in attempts one client may make per minute."
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs interview links; by default a random key kept in the data dir.",
    )
    public_url: str | None = Field(
        default=None,
        description="The app's address as people reach it (https://advisor.example.com), "
        "used to write interview links in full.",
    )
    invite_days: float = Field(
        default=14, gt=0, le=365, description="How long an interview link stays valid."
    )

    # Scoring.
    risk_medium: int = Field(
        default=46, ge=1, le=99, description="Risk (0-100) from which a pattern is medium."
    )
    risk_high: int = Field(
        default=65, ge=2, le=100, description="Risk (0-100) from which a pattern is high."
    )

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("ADVISOR_CHUNK_OVERLAP must be smaller than ADVISOR_CHUNK_SIZE")
        return self

    @model_validator(mode="after")
    def _no_shared_password(self) -> Settings:
        if self.app_password is not None:
            raise ValueError(
                "ADVISOR_APP_PASSWORD (one shared password) is no longer supported: set "
                "ADVISOR_ACCOUNTS=true and create each user with `advisor user add NAME`."
            )
        return self

    @model_validator(mode="after")
    def _levels_in_order(self) -> Settings:
        if self.risk_medium >= self.risk_high:
            raise ValueError("ADVISOR_RISK_MEDIUM must be lower than ADVISOR_RISK_HIGH")
        return self

    @cached_property
    def session_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'sessions.db').resolve()}"

    @cached_property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @cached_property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @cached_property
    def max_unpacked_bytes(self) -> int:
        return int(self.max_unpacked_mb * 1024 * 1024)
