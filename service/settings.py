"""One settings object, read from NIANBAO_* environment variables.

Bad values fail at start-up with the variable's name in the message, not at
the first request that needs them.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.errors import ConfigError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NIANBAO_", extra="ignore")

    max_input_bytes: int = Field(default=50 * 1024 * 1024, gt=0, description="largest report accepted")


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
