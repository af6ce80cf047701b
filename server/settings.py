"""One settings object, read from environment variables, with the embedded defaults.

The embedded default needs no service: a SQLite file and a secret key in the data folder, and
in-process pub/sub. Scale-out (PostgreSQL, pub/sub across instances, shared sessions) is chosen by
environment variables alone. Tests build `Settings(...)` directly instead of touching the environment.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path

SECRET_KEY_FILE = "secret_key"
PUBSUB_BACKENDS = ("memory", "postgres", "redis")
SESSION_STORES = ("file", "database", "redis")
LOCK_MINUTES = range(1, 24 * 60 + 1)
"""Automatic logoff: at least a minute (less locks a therapist out mid-sentence), at most a day (the
tests that move the clock by hours set that; a hospital sets a few minutes)."""
NIGHT_HOURS_FORMAT = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class ConfigurationError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    """BEDSIDE_DATA_DIR: folder for the SQLite file, file sessions and the generated secret key."""
    database_url: str = ""
    """DATABASE_URL: SQLAlchemy async URL; empty means SQLite in the data folder."""
    secret_key: str = ""
    """BEDSIDE_SECRET_KEY: signs CSRF tokens; empty means generated once and kept in the data folder."""
    timezone: str = "UTC"
    """BEDSIDE_TIMEZONE: the hospital's time zone (IANA name), used to show and enter times."""
    session_max_age: int = 12 * 60 * 60
    """BEDSIDE_SESSION_MAX_AGE: seconds a sign-in lasts (a shift)."""
    idle_minutes: int = 15
    """BEDSIDE_IDLE_MINUTES: a sign-in with no request for this long ends (a tablet left on a bed table)."""
    lock_minutes: int = 3
    """BEDSIDE_LOCK_MINUTES: a tablet nobody touches for this long locks (HIPAA automatic logoff); the
    same person unlocks it with their PIN or password."""
    secure_cookies: bool = False
    """BEDSIDE_SECURE_COOKIES: send cookies over HTTPS only; set true behind TLS."""
    migrate_on_start: bool | None = None
    """BEDSIDE_MIGRATE_ON_START: run migrations at start; default yes on SQLite, no on PostgreSQL."""
    pubsub: str = "memory"
    """BEDSIDE_PUBSUB: memory (one instance), postgres (LISTEN/NOTIFY) or redis."""
    redis_url: str = ""
    """BEDSIDE_REDIS_URL: for BEDSIDE_PUBSUB=redis and BEDSIDE_SESSION_STORE=redis."""
    session_store: str = ""
    """BEDSIDE_SESSION_STORE: database (default; expiry read from the app's clock), redis or file (these two
    time sessions out by their own clocks)."""
    db_pool_size: int = 10
    """BEDSIDE_DB_POOL_SIZE: PostgreSQL connections each instance keeps open (on SQLite: per pool; an
    instance has one for writes and one for reads)."""
    db_max_overflow: int = 10
    """BEDSIDE_DB_MAX_OVERFLOW: extra PostgreSQL connections an instance may open at peaks."""
    max_writes_in_hand: int = 32
    """BEDSIDE_MAX_WRITES_IN_HAND: writes (POST, PUT, PATCH, DELETE) an instance works on at once; the next
    is refused at once with 503 and Retry-After, nothing stored (the tablet sends it again)."""
    expiry_sweep_seconds: float = 5.0
    """BEDSIDE_EXPIRY_SWEEP_SECONDS: how often flags past their 'until' time are announced as expired."""
    session_check_seconds: float = 30.0
    """BEDSIDE_SESSION_CHECK_SECONDS: how often an open socket checks that its sign-in still holds."""
    ws_ping_seconds: float = 20.0
    """BEDSIDE_WS_PING_SECONDS: heartbeat; a tablet that does not answer a ping within this is dropped."""
    night_hours: str = "21:00-07:00"
    """BEDSIDE_NIGHT_HOURS: when the screen turns to the night theme for those who chose "Automatic" (and on
    the sign-in page): start-end in the hospital's time zone, e.g. 21:00-07:00 (across midnight)."""
    debug: bool = False
    """BEDSIDE_DEBUG: show tracebacks in responses (never in a hospital)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        migrate = env.get("BEDSIDE_MIGRATE_ON_START", "")
        settings = cls(
            data_dir=Path(env.get("BEDSIDE_DATA_DIR", "data")),
            database_url=env.get("DATABASE_URL", ""),
            secret_key=env.get("BEDSIDE_SECRET_KEY", ""),
            timezone=env.get("BEDSIDE_TIMEZONE", "UTC"),
            session_max_age=int(env.get("BEDSIDE_SESSION_MAX_AGE", str(12 * 60 * 60))),
            idle_minutes=int(env.get("BEDSIDE_IDLE_MINUTES", "15")),
            lock_minutes=_whole_number(env, "BEDSIDE_LOCK_MINUTES", "3"),
            secure_cookies=_flag(env.get("BEDSIDE_SECURE_COOKIES", "false")),
            migrate_on_start=_flag(migrate) if migrate else None,
            pubsub=env.get("BEDSIDE_PUBSUB", "memory").strip().lower(),
            redis_url=env.get("BEDSIDE_REDIS_URL", ""),
            session_store=env.get("BEDSIDE_SESSION_STORE", "").strip().lower(),
            db_pool_size=int(env.get("BEDSIDE_DB_POOL_SIZE", "10")),
            db_max_overflow=int(env.get("BEDSIDE_DB_MAX_OVERFLOW", "10")),
            max_writes_in_hand=_whole_number(env, "BEDSIDE_MAX_WRITES_IN_HAND", "32"),
            expiry_sweep_seconds=float(env.get("BEDSIDE_EXPIRY_SWEEP_SECONDS", "5")),
            session_check_seconds=float(env.get("BEDSIDE_SESSION_CHECK_SECONDS", "30")),
            ws_ping_seconds=float(env.get("BEDSIDE_WS_PING_SECONDS", "20")),
            night_hours=env.get("BEDSIDE_NIGHT_HOURS", "21:00-07:00"),
            debug=_flag(env.get("BEDSIDE_DEBUG", "false")),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse a configuration that cannot work, with a message that says what to set."""
        if self.pubsub not in PUBSUB_BACKENDS:
            raise ConfigurationError(
                f"BEDSIDE_PUBSUB={self.pubsub!r}: use one of {', '.join(PUBSUB_BACKENDS)}."
            )
        if self.resolved_session_store() not in SESSION_STORES:
            raise ConfigurationError(
                f"BEDSIDE_SESSION_STORE={self.session_store!r}: use one of {', '.join(SESSION_STORES)}."
            )
        if "redis" in (self.pubsub, self.resolved_session_store()) and not self.redis_url:
            raise ConfigurationError(
                "Redis is selected: set BEDSIDE_REDIS_URL, e.g. redis://127.0.0.1:6379/0."
            )
        if self.lock_minutes not in LOCK_MINUTES:
            raise ConfigurationError(
                f"BEDSIDE_LOCK_MINUTES={self.lock_minutes}: use {LOCK_MINUTES.start} to "
                f"{LOCK_MINUTES.stop - 1} minutes; 3 by default."
            )
        if self.max_writes_in_hand < 1:
            raise ConfigurationError(
                f"BEDSIDE_MAX_WRITES_IN_HAND={self.max_writes_in_hand}: use 1 or more; 32 by default."
            )
        if self.pubsub == "postgres" and not self.uses_postgres:
            raise ConfigurationError("BEDSIDE_PUBSUB=postgres needs DATABASE_URL to point at PostgreSQL.")
        self.resolved_night_hours()

    @property
    def uses_postgres(self) -> bool:
        return self.resolved_database_url().startswith("postgresql")

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'bedside.db').resolve()}"

    def resolved_migrate_on_start(self) -> bool:
        return (not self.uses_postgres) if self.migrate_on_start is None else self.migrate_on_start

    def resolved_session_store(self) -> str:
        return self.session_store or "database"

    def resolved_night_hours(self) -> tuple[time, time]:
        """The night's start and end as wall-clock times; the night may run across midnight."""
        refusal = ConfigurationError(
            f"BEDSIDE_NIGHT_HOURS={self.night_hours!r}: write the night's start and end in 24-hour time, "
            "e.g. 21:00-07:00, two different times."
        )
        found = NIGHT_HOURS_FORMAT.match(self.night_hours)
        if found is None:
            raise refusal
        hour_1, minute_1, hour_2, minute_2 = (int(part) for part in found.groups())
        try:
            start, end = time(hour_1, minute_1), time(hour_2, minute_2)
        except ValueError:
            raise refusal from None
        if start == end:
            raise refusal
        return start, end

    def postgres_dsn(self) -> str:
        """The database URL as plain libpq DSN, for the LISTEN/NOTIFY connection."""
        return self.resolved_database_url().replace("postgresql+asyncpg://", "postgresql://", 1)

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


def _whole_number(env: Mapping[str, str], name: str, default: str) -> int:
    value = env.get(name, default).strip()
    try:
        return int(value)
    except ValueError:
        raise ConfigurationError(f"{name}={value!r}: use a whole number, like {default}.") from None


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}
