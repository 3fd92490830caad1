"""Configuration precedence and validation."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from jalon.errors import Invalid
from jalon.settings import ensure_secret, load_settings


def test_defaults() -> None:
    s = load_settings({})
    assert s.data_dir == Path("jalon-data")
    assert s.port == 8000
    assert s.is_sqlite
    assert s.effective_database_url.endswith("jalon-data/jalon.db")


def test_env_over_toml_over_defaults(tmp_path: Path) -> None:
    toml = tmp_path / "jalon.toml"
    toml.write_text('[jalon]\nport = 9000\nhost = "0.0.0.0"\nlog_level = "debug"\n')
    s = load_settings({"JALON_PORT": "9100"}, config_file=toml)
    assert (s.port, s.host, s.log_level) == (9100, "0.0.0.0", "debug")


def test_jalon_config_env_names_the_file(tmp_path: Path) -> None:
    toml = tmp_path / "c.toml"
    toml.write_text("session_days = 3\n")
    assert load_settings({"JALON_CONFIG": str(toml)}).session_days == 3


@pytest.mark.parametrize(
    ("env", "field"),
    [
        ({"JALON_PORT": "eighty"}, "port"),
        ({"JALON_PORT": "70000"}, "port"),
        ({"JALON_COOKIE_SECURE": "maybe"}, "cookie_secure"),
        ({"JALON_DEFAULT_LANGUAGE": "de"}, "default_language"),
        ({"JALON_DATABASE_URL": "mysql://x"}, "database_url"),
        ({"JALON_WORKERS": "4"}, "workers"),
    ],
)
def test_bad_values_name_their_setting(env: dict[str, str], field: str) -> None:
    with pytest.raises(Invalid) as exc:
        load_settings(env)
    assert field in exc.value.fields


def test_several_workers_are_fine_on_postgresql() -> None:
    s = load_settings({"JALON_WORKERS": "4", "JALON_DATABASE_URL": "postgres://u:pw@h/db"})
    assert s.workers == 4 and not s.is_sqlite
    assert s.public_dict()["database_url"] == "postgres://u:***@h/db"


def test_unknown_toml_key_and_bad_toml(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("prot = 1\n")
    with pytest.raises(Invalid, match="prot"):
        load_settings({}, config_file=bad)
    bad.write_text("port = \n")
    with pytest.raises(Invalid, match="not valid TOML"):
        load_settings({}, config_file=bad)


def test_secret_is_generated_once_and_private(tmp_path: Path) -> None:
    s = load_settings({}, overrides={"data_dir": tmp_path})
    first = ensure_secret(s).secret_key
    assert len(first) >= 40
    assert ensure_secret(s).secret_key == first
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600
    assert ensure_secret(load_settings({"JALON_SECRET_KEY": "given"})).secret_key == "given"
    assert ensure_secret(s).public_dict()["secret_key"] == "********"
