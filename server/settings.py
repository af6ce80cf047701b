"""One settings object, read from environment variables, with the embedded defaults.

The embedded default needs no service: a SQLite file and a secret key in the data folder,
and in-process pub/sub. Tests build `Settings(...)` directly instead of touching the environment.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

SECRET_KEY_FILE = "secret_key"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    """BEDSIDE_DATA_DIR: folder for the SQLite file and the generated secret key."""
    database_url: str = ""
    """DATABASE_URL: SQLAlchemy async URL; empty means SQLite in the data folder."""
    secret_key: str = ""
    """BEDSIDE_SECRET_KEY: signs CSRF tokens; empty means generated once and kept in the data folder."""
    timezone: str = "UTC"
    """BEDSIDE_TIMEZONE: the hospital's time zone (IANA name), used to show and enter times."""
    session_max_age: int = 12 * 60 * 60
    """BEDSIDE_SESSION_MAX_AGE: seconds a sign-in lasts (a shift)."""
    secure_cookies: bool = False
    """BEDSIDE_SECURE_COOKIES: send cookies over HTTPS only; set true behind TLS."""
    migrate_on_start: bool = True
    """BEDSIDE_MIGRATE_ON_START: run Alembic migrations when the app starts."""
    debug: bool = False
    """BEDSIDE_DEBUG: show tracebacks in responses (never in a hospital)."""
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            data_dir=Path(env.get("BEDSIDE_DATA_DIR", "data")),
            database_url=env.get("DATABASE_URL", ""),
            secret_key=env.get("BEDSIDE_SECRET_KEY", ""),
            timezone=env.get("BEDSIDE_TIMEZONE", "UTC"),
            session_max_age=int(env.get("BEDSIDE_SESSION_MAX_AGE", str(12 * 60 * 60))),
            secure_cookies=_flag(env.get("BEDSIDE_SECURE_COOKIES", "false")),
            migrate_on_start=_flag(env.get("BEDSIDE_MIGRATE_ON_START", "true")),
            debug=_flag(env.get("BEDSIDE_DEBUG", "false")),
        )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'bedside.db').resolve()}"

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated on first run and kept (mode 600) in the data folder."""
        if self.secret_key:
            return self.secret_key
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key_file = self.data_dir / SECRET_KEY_FILE
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        return key_file.read_text().strip()


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}
