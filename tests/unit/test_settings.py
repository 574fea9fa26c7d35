"""Settings: read from the environment in one place, documented, and strict in production."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import Settings, SettingsError


def test_production_without_a_secret_key_refuses_to_start() -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings.from_env(env={"ENVIRONMENT": "production"})


def test_values_come_from_the_environment_with_their_types() -> None:
    settings = Settings.from_env(env={
        "ENVIRONMENT": "production", "SECRET_KEY": "s" * 40, "DATABASE_URL": "postgresql://db/godialog",
        "REDIS_URL": "redis://r:6379/0", "BASE_URL": "https://godialog.example.dk", "UPLOAD_DIR": "/srv/up",
        "MAX_UPLOAD_BYTES": "1024", "DEFAULT_LOCALE": "en", "DEMO": "true",
    })
    assert settings.database_url == "postgresql://db/godialog" and settings.redis_url == "redis://r:6379/0"
    assert settings.upload_dir == Path("/srv/up") and settings.max_upload_bytes == 1024
    assert settings.default_locale == "en" and settings.demo is True
    assert settings.cookie_secure  # https: session cookies are Secure


def test_the_defaults_are_the_embedded_ones() -> None:
    settings = Settings.from_env(env={}, secret_key="x")
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("var/godialog.db")
    assert settings.redis_url is None  # the in-process broker
    assert settings.default_locale == "da" and settings.mail_backend == "console"
    assert not settings.cookie_secure


def test_every_setting_has_a_help_text() -> None:
    missing = [name for name, text in Settings.documented() if not text.strip()]
    assert missing == []
