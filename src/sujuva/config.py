"""Settings, read once from environment variables (``SUJUVA_*``) and an optional ``.env`` file.

Use :func:`get_settings`; faces may override single fields (``--data-dir``) with
:func:`override_settings`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sujuva.errors import ConfigError

AmbiguousTimePolicy = Literal["error", "earlier", "later"]


class Settings(BaseSettings):
    """Every setting of the product, with its environment variable ``SUJUVA_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="SUJUVA_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("sujuva-data"), description="Where the store and its key live."
    )
    demo_dir: Path = Field(
        default=Path("sujuva-demo"),
        description="Where 'sujuva demo' writes the demo region's source files and ground truth.",
    )
    timezone: str = Field(
        default="Europe/Helsinki", description="Zone of naive (offset-less) input times."
    )
    ambiguous_time: AmbiguousTimePolicy = Field(
        default="error",
        description=(
            "Naive times that occur twice when clocks go back (DST overlap): reject the row, "
            "or take the earlier (summer time) or later (winter time) instant."
        ),
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key of the keyed hash for pseudonyms; default: <data_dir>/secret.key.",
    )
    memory_limit: str = Field(default="1GB", description="DuckDB memory limit for imports.")
    threads: int = Field(default=2, ge=1, description="Worker threads for DuckDB and Arrow.")
    max_problems_shown: int = Field(default=50, ge=1, description="Rejected rows listed in full.")
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the app-state database (users, organisations, saved views, "
            "import history, audit log); default: SQLite file <data_dir>/app.sqlite. "
            "PostgreSQL: postgresql+psycopg://user:password@host/dbname."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address 'sujuva serve' listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port 'sujuva serve' listens on.")
    workers: int = Field(default=1, ge=1, description="Server worker processes.")
    suppression_threshold: int = Field(
        default=5,
        ge=3,
        le=10,
        description="Cross-organisation cells describing fewer persons than this are suppressed.",
    )
    session_secret: SecretStr | None = Field(
        default=None,
        description="Key signing session cookies; default: <data_dir>/session.key (made once).",
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark cookies Secure (HTTPS only); turn on behind TLS in production.",
    )
    login_attempts: int = Field(
        default=5, ge=1, description="Failed logins per user and address in 15 minutes."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


@lru_cache(maxsize=1)
def _cached_settings() -> Settings:
    return _build()


def _build(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        reasons = "; ".join(
            ".".join(str(part) for part in error["loc"])
            + ": "
            + error["msg"].removeprefix("Value error, ")
            for error in exc.errors()
        )
        raise ConfigError(f"invalid settings: {reasons}") from exc


_override: Settings | None = None


def get_settings() -> Settings:
    """The settings in force: overrides from the faces, else environment and ``.env``."""
    return _override if _override is not None else _cached_settings()


def override_settings(**changes: object) -> Settings:
    """Replace some settings for the rest of the process (used by the CLI's global options)."""
    global _override
    base = get_settings().model_dump()
    base.update({key: value for key, value in changes.items() if value is not None})
    _override = _build(**base)
    return _override


def reset_settings() -> None:
    """Forget overrides and re-read the environment (tests use this)."""
    global _override
    _override = None
    _cached_settings.cache_clear()
