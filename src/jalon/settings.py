"""Configuration: JALON_* environment variables over an optional TOML file over defaults.

Nothing here runs at import time: `load_settings()` is called once by the CLI (or a test)
and the resulting `Settings` is passed to `create_app(settings)`.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from jalon.errors import Invalid

ENV_PREFIX = "JALON_"
SECRET_FILE = "secret_key"  # noqa: S105 (a file name)


@dataclass(frozen=True)
class Settings:
    """Every setting Jalon reads. docs/configuration.md documents each one (a test checks it)."""

    data_dir: Path = Path("jalon-data")
    database_url: str = ""
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    default_language: str = "en"
    session_days: int = 14
    cookie_secure: bool = False
    login_max_failures: int = 5
    login_window_seconds: int = 900
    sqlite_busy_timeout_ms: int = 5000
    migrate_on_start: bool = True
    log_level: str = "info"
    snapshot_in_server: bool = True
    watch_in_server: bool = True

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'jalon.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    def public_dict(self) -> dict[str, Any]:
        """The effective configuration, with the secret masked, for `jalon config show`."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = str(value) if isinstance(value, Path) else value
        out["secret_key"] = "********" if self.secret_key else ""
        out["database_url"] = _mask_password(self.effective_database_url)
        return out


SETTING_NAMES = tuple(f.name for f in fields(Settings))
_LANGUAGES = ("en", "fr")
_LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def _mask_password(url: str) -> str:
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else url


def _coerce(name: str, raw: object, default: object) -> object:
    """Turn a raw value (string from the environment, or TOML value) into the default's type."""
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise Invalid(f"{name} must be true or false, not {raw!r}", field=name)
    if isinstance(default, int):
        try:
            return int(str(raw))
        except ValueError:
            raise Invalid(f"{name} must be a whole number, not {raw!r}", field=name) from None
    if isinstance(default, Path):
        return Path(str(raw))
    return str(raw)


def _validate(s: Settings) -> None:
    if s.default_language not in _LANGUAGES:
        raise Invalid(
            f"default_language must be one of {', '.join(_LANGUAGES)}", field="default_language"
        )
    if s.log_level not in _LOG_LEVELS:
        raise Invalid(f"log_level must be one of {', '.join(_LOG_LEVELS)}", field="log_level")
    if not 1 <= s.port <= 65535:
        raise Invalid("port must be between 1 and 65535", field="port")
    for name in ("workers", "session_days", "login_max_failures", "login_window_seconds"):
        if getattr(s, name) < 1:
            raise Invalid(f"{name} must be at least 1", field=name)
    url = s.effective_database_url
    if not url.startswith(("sqlite", "postgresql", "postgres://")):
        raise Invalid(
            "database_url must start with sqlite:// or postgresql://", field="database_url"
        )
    if s.workers > 1 and s.is_sqlite:
        raise Invalid("several workers need PostgreSQL: set JALON_DATABASE_URL", field="workers")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Invalid(f"configuration file {path} does not exist", field="config") from None
    except tomllib.TOMLDecodeError as exc:
        raise Invalid(
            f"configuration file {path} is not valid TOML: {exc}", field="config"
        ) from None
    section = data.get("jalon", data)
    unknown = sorted(set(section) - set(SETTING_NAMES))
    if unknown:
        raise Invalid(f"unknown setting(s) in {path}: {', '.join(unknown)}", field="config")
    return dict(section)


def load_settings(
    env: Mapping[str, str] | None = None,
    *,
    config_file: Path | None = None,
    overrides: Mapping[str, object] | None = None,
) -> Settings:
    """Build the effective settings: overrides > JALON_* env > TOML file > defaults.

    The TOML file is `config_file`, else JALON_CONFIG, else none.
    """
    env = os.environ if env is None else env
    defaults = Settings()
    raw: dict[str, object] = {}
    toml_path = config_file or (Path(env["JALON_CONFIG"]) if env.get("JALON_CONFIG") else None)
    if toml_path is not None:
        raw.update(_read_toml(toml_path))
    for name in SETTING_NAMES:
        if (ENV_PREFIX + name.upper()) in env:
            raw[name] = env[ENV_PREFIX + name.upper()]
    raw.update({k: v for k, v in (overrides or {}).items() if v is not None})
    values = {k: _coerce(k, v, getattr(defaults, k)) for k, v in raw.items()}
    settings = replace(defaults, **values)  # type: ignore[arg-type]
    _validate(settings)
    return settings


def ensure_secret(settings: Settings) -> Settings:
    """Return settings with a secret key: the configured one, else one stored in the data dir.

    The key is generated on first run and written with mode 0600.
    """
    if settings.secret_key:
        return settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / SECRET_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return replace(settings, secret_key=path.read_text().strip())
