"""One settings object, read from NIANBAO_* environment variables.

Bad values fail at start-up with the variable's name in the message, not at
the first request that needs them.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.errors import ConfigError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NIANBAO_", extra="ignore")

    max_input_bytes: int = Field(
        default=20 * 1024 * 1024, gt=0, description="largest report (or request body) accepted"
    )
    host: str = Field(default="127.0.0.1", description="address `nianbao serve` binds")
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(
        default=0,
        ge=0,
        le=64,
        description="extraction worker processes behind `nianbao serve`; 0: one per CPU it may use",
    )
    api_key: SecretStr | None = Field(default=None, description="when set, /v1 routes require it (Bearer or X-API-Key)")
    request_timeout_s: float = Field(default=30.0, gt=0, description="longest one extraction may take")
    batch_max_items: int = Field(default=1000, gt=0)
    body_timeout_s: float = Field(default=15.0, gt=0, description="a request body that stops arriving this long: 408")
    max_header_bytes: int = Field(default=65536, ge=1024, description="request line and headers together; over: 431")
    max_concurrent_uploads: int = Field(default=64, ge=1, description="requests receiving a body at once; over: 503")
    worker_max_memory_mb: int = Field(
        default=4096,
        ge=0,
        description="how far an extraction process's address space may grow (RLIMIT_AS) beyond its start; 0: no cap",
    )
    worker_recycle_ratio: float = Field(
        default=2.0,
        ge=0,
        description="a worker whose resident size stays above this many times its idle size after a job (its "
        "heap collected and trimmed) is replaced; 0: never",
    )
    log_level: str = Field(default="info", pattern="^(debug|info|warning|error)$")
    review_dir: str | None = Field(
        default=None, description="a folder of reports (a batch's input) that the review page may open by name"
    )
    graceful_shutdown_s: float = Field(default=30.0, ge=0)
    otel: bool = Field(
        default=False,
        description="FastAPI's native OpenTelemetry (spans, metrics, logs to the global providers); off: /metrics "
        "and the JSON logs cover the service, and its per-request provider checks cost the HTTP process CPU",
    )

    # The LLM for narrative sections: any OpenAI-compatible endpoint. None configured is a normal state.
    llm_base_url: str | None = Field(default=None, description="e.g. http://127.0.0.1:8080/v1 (llama.cpp server)")
    llm_api_key: SecretStr = Field(default=SecretStr("none"), description="sent as the bearer token")
    llm_model: str = Field(default="gemma-3-270m", min_length=1)
    llm_mode: Literal["tools", "json_schema", "json"] = Field(
        default="tools", description="instructor mode: tool calls, response_format json_schema, or json_object"
    )
    llm_timeout_s: float = Field(default=60.0, gt=0)
    llm_max_attempts: int = Field(default=2, ge=1, le=5, description="1 + re-asks with the validation error")
    llm_transport_retries: int = Field(default=3, ge=1, le=10, description="tries on connection errors, 429, 5xx")
    llm_max_concurrency: int = Field(default=4, ge=1, le=64)
    llm_max_tokens_per_doc: int = Field(default=16000, ge=500, description="hard budget of tokens per document")
    llm_max_output_tokens: int = Field(default=512, ge=16)
    llm_cache_dir: str | None = Field(
        default_factory=lambda: user_cache_dir("llm"), description="empty to disable the cache"
    )
    llm_cache_ttl_s: float = Field(
        default=30 * 86400, gt=0, description="a cached answer older than this is asked again"
    )


def user_cache_dir(name: str) -> str:
    """The user's cache directory for nianbao (XDG_CACHE_HOME, else ~/.cache), never the working directory."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "nianbao", name)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings; raises ConfigError naming every bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"NIANBAO_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"bad configuration: {problems}") from exc
