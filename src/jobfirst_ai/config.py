"""Settings from the environment and `.env`, with the seed's variable names as written."""

from __future__ import annotations

import ipaddress
import logging
from decimal import Decimal
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from pydantic import Field, FilePath, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from jobfirst_ai.errors import ConfigError

ProviderName = Literal["builtin", "deepseek", "openai", "gemini", "ollama", "openai_compatible"]
EmbeddingsProviderName = Literal["none", "openai", "gemini", "ollama", "openai_compatible"]

logger = logging.getLogger(__name__)


class Settings(BaseSettings):
    """Every setting of the service; `.env.example` lists them with their defaults."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    # Models (the seed's names). With no API key the built-in engine answers.
    external_ai_provider: ProviderName = "deepseek"
    external_ai_api_key: SecretStr | None = None
    external_ai_base_url: str | None = None
    external_ai_model: str | None = None  # None: the provider's default (deepseek-flash for DeepSeek)
    ollama_host: str = "http://127.0.0.1:11434"
    ollama_model: str = "gemma3:4b"
    # Extra keys for a fallback chain that mixes hosted vendors; the primary uses EXTERNAL_AI_API_KEY.
    deepseek_api_key: SecretStr | None = None
    openai_api_key: SecretStr | None = None
    gemini_api_key: SecretStr | None = None
    # Ordered providers tried before the built-in engine, e.g. "deepseek,ollama"; empty = the primary only.
    ai_fallback_chain: str = ""
    ai_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    ai_connect_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    ai_max_connections: int = Field(default=100, ge=1)
    ai_max_connections_per_host: int = Field(default=30, ge=1)
    ai_retry_attempts: int = Field(default=3, ge=1, le=10)
    ai_breaker_failures: int = Field(default=5, ge=1)
    ai_breaker_cooldown_seconds: float = Field(default=30.0, gt=0)
    ai_max_concurrency: int = Field(default=8, ge=1, le=256)
    ai_thinking: bool = False
    # Response cache of model answers (per user unless a request names none); 0 seconds turns it off.
    ai_cache_ttl_seconds: float = Field(default=3600.0, ge=0)
    ai_cache_max_entries: int = Field(default=1024, ge=1, le=1_000_000)
    redact_pii: bool = True

    # HTTP server.
    ai_service_host: str = "127.0.0.1"
    ai_service_port: int = Field(default=8206, ge=1, le=65535)
    allow_insecure_bind: bool = False
    # The path prefix a reverse proxy serves the API under (the seed's nginx: /ai): /docs then loads the
    # schema from /ai/openapi.json. Empty when the service is reached directly.
    ai_root_path: str = Field(default="", pattern=r"^(/[A-Za-z0-9._~-]+)*$")

    # Storage: DATABASE_URL wins, then POSTGRES_*, then a SQLite file in DATA_DIR.
    database_url: str | None = None
    postgres_host: str | None = None
    postgres_port: int = Field(default=5432, ge=1, le=65535)
    postgres_user: str = "postgres"
    postgres_password: SecretStr | None = None
    postgres_db: str = "jobfirst_vector"
    data_dir: Path = Path("data")
    # How long start-up retries an unreachable database (one starting alongside) before giving up.
    database_startup_wait_seconds: float = Field(default=30.0, ge=0)

    # Auth: HS256 with JWT_SECRET, or RS256 with JWT_PUBLIC_KEY (PEM text or a file path).
    jwt_secret: SecretStr | None = None
    jwt_public_key: str | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    jwt_require_exp: bool = True

    # Work limits.
    max_upload_mb: float = Field(default=5.0, gt=0, le=100)
    max_text_chars: int = Field(default=200_000, ge=1_000)
    task_workers: int = Field(default=2, ge=1, le=32)
    task_poll_seconds: float = Field(default=1.0, gt=0)
    task_lease_seconds: float = Field(default=120.0, gt=0)

    # Job matching.
    max_import_mb: float = Field(default=50.0, gt=0, le=1024)
    match_sync_seconds: float = Field(default=1.0, ge=0)
    match_explain_top: int = Field(default=5, ge=0, le=20)

    # Job matching: embeddings. Optional dense similarity as one more score part; never required.
    match_embeddings_provider: EmbeddingsProviderName = "none"
    match_embeddings_model: str | None = None  # None: the provider's default embedding model
    match_embeddings_base_url: str | None = None  # None: the provider's own (Ollama: OLLAMA_HOST)

    # Chat.
    chat_history_tokens: int = Field(default=2000, ge=0, le=100_000)  # history sent to the model, at most
    chat_max_message_chars: int = Field(default=4000, ge=1, le=100_000)

    # Observability: GET /metrics (Prometheus text, no auth: scrape it on a private network) and slow calls.
    metrics_enabled: bool = True
    ai_slow_call_seconds: float = Field(default=5.0, gt=0)  # model calls at least this slow log a warning
    # An operator's TOML price file merged over the shipped one (same format as data/prices.toml).
    ai_prices_file: FilePath | None = None

    # Shared state for several instances: response cache, rate limits, budgets and provider concurrency
    # live in Redis when REDIS_URL is set (e.g. redis://127.0.0.1:6379/0); in this process otherwise.
    redis_url: SecretStr | None = None
    redis_key_prefix: str = Field(default="jobfirst:", min_length=1, max_length=64)

    # Budgets (0 = no limit): tokens are prompt + completion as metered; money is CNY at the price table.
    # Days and months are UTC, like the usage report. Past a limit, requests degrade to the built-in engine.
    max_monthly_tokens: int = Field(default=1_000_000, ge=0)  # the seed's 1M tokens a month
    max_daily_tokens: int = Field(default=0, ge=0)
    max_monthly_cost_cny: Decimal = Field(default=Decimal(0), ge=0)
    max_daily_cost_cny: Decimal = Field(default=Decimal(0), ge=0)
    user_max_daily_tokens: int = Field(default=0, ge=0)
    user_max_monthly_tokens: int = Field(default=0, ge=0)
    user_max_daily_cost_cny: Decimal = Field(default=Decimal(0), ge=0)
    user_max_monthly_cost_cny: Decimal = Field(default=Decimal(0), ge=0)
    budget_warning_ratio: float = Field(default=0.8, gt=0, le=1)  # the seed's warning at 800k of 1M
    budget_webhook_url: str | None = None  # POSTed a JSON event once when a warning threshold is crossed

    # Rate limits per user (0 = off): 429 with Retry-After. Provider concurrency: calls in flight to
    # each provider, across all instances when Redis is configured (DeepSeek limits concurrency).
    rate_limit_user_rpm: int = Field(default=0, ge=0)
    rate_limit_user_tokens_per_day: int = Field(default=0, ge=0)
    ai_provider_concurrency: int = Field(default=16, ge=0)
    ai_concurrency_wait_seconds: float = Field(default=10.0, ge=0)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("ai_fallback_chain")
    @classmethod
    def _known_chain(cls, value: str) -> str:
        known = {"builtin", "deepseek", "openai", "gemini", "ollama", "openai_compatible"}
        unknown = [
            name for name in (part.strip().lower() for part in value.split(",")) if name and name not in known
        ]
        if unknown:
            raise ValueError(f"unknown provider(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return value

    @field_validator("external_ai_provider", mode="before")
    @classmethod
    def _lower_provider(cls, value: object) -> object:
        return value.strip().lower().replace("-", "_") if isinstance(value, str) else value

    @field_validator("match_embeddings_provider", mode="before")
    @classmethod
    def _embeddings_provider(cls, value: object) -> object:
        name = value.strip().lower().replace("-", "_") if isinstance(value, str) else value
        if name == "deepseek":
            raise ValueError(
                "DeepSeek has no embeddings endpoint; use openai, gemini, ollama or openai_compatible, "
                "or none to match without embeddings"
            )
        return name

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def max_import_bytes(self) -> int:
        """The posting-import upload limit in bytes."""
        return int(self.max_import_mb * 1024 * 1024)

    @property
    def is_auth_enabled(self) -> bool:
        """Auth is on when a secret or a public key is configured."""
        return self.jwt_secret is not None or self.jwt_public_key is not None

    @property
    def is_model_configured(self) -> bool:
        """At least one provider of the chain is usable: a key for hosted ones, a host for Ollama."""
        return bool(self.provider_chain())

    def provider_chain(self) -> list[str]:
        """The usable providers, in order: the configured chain (or the primary), without unkeyed ones."""
        names = [name.strip().lower() for name in self.ai_fallback_chain.split(",") if name.strip()]
        names = names or [self.external_ai_provider]
        return [name for name in dict.fromkeys(names) if name != "builtin" and self.api_key_for(name) != ""]

    def api_key_for(self, name: str) -> str | None:
        """The key for provider `name`: '' when a needed key is missing, None when none is needed."""
        if name == "ollama":
            return None
        if name == "openai_compatible":  # vLLM and friends often run without a key
            key = self.external_ai_api_key if name == self.external_ai_provider else None
            return key.get_secret_value() if key else None
        own = {
            "deepseek": self.deepseek_api_key,
            "openai": self.openai_api_key,
            "gemini": self.gemini_api_key,
        }
        key = own.get(name) or (self.external_ai_api_key if name == self.external_ai_provider else None)
        return key.get_secret_value() if key else ""

    def resolved_database_url(self) -> str:
        """The SQLAlchemy async URL this service uses."""
        if self.database_url:
            return _async_driver(self.database_url)
        if self.postgres_host:
            password = self.postgres_password.get_secret_value() if self.postgres_password else ""
            auth = quote(self.postgres_user, safe="") + (f":{quote(password, safe='')}" if password else "")
            return f"postgresql+asyncpg://{auth}@{self.postgres_host}:{self.postgres_port}/{self.postgres_db}"
        return f"sqlite+aiosqlite:///{(self.data_dir / 'jobfirst_ai.db').as_posix()}"

    def check_bind(self, host: str) -> None:
        """Refuse to listen beyond loopback with auth off, unless ALLOW_INSECURE_BIND says so."""
        if self.is_auth_enabled or self.allow_insecure_bind or is_loopback(host):
            return
        raise ConfigError(
            f"AI_SERVICE_HOST={host} would expose the service without authentication: set JWT_SECRET "
            "(or JWT_PUBLIC_KEY), bind to 127.0.0.1, or set ALLOW_INSECURE_BIND=true to accept the risk."
        )


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _async_driver(url: str) -> str:
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


def load_settings(**overrides: object) -> Settings:
    """Read settings; an invalid one raises ConfigError naming the environment variable, and a model name
    DeepSeek retired raises one naming the replacement (at start-up, not at the first user request)."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigError(f"Invalid configuration — {problems}") from None
    if settings.external_ai_provider == "deepseek" and settings.external_ai_model:
        from jobfirst_ai.llm.providers.deepseek import check_model_name

        check_model_name(settings.external_ai_model)
    return settings
