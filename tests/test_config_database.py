"""SCIMAP_DATABASE_URL: checked, never shown with its password, and ``database_url`` in Streamlit's secrets stands
for it in the app (a non-empty environment variable wins)."""

from __future__ import annotations

import pytest

from geo import config
from geo.config import ConfigError, Settings, redact_url


@pytest.mark.parametrize(("url", "said"), [
    ("mysql://u:hunter2@h/db", "is not a PostgreSQL URL: it must start with postgresql://"),
    ("postgresql://u:hunter2@h:port/db", "is not a database URL"),
    ("postgresql://u:hunter2@h/", "names no database"),
])
def test_a_bad_url_is_named_without_its_password(url, said):
    with pytest.raises(ConfigError, match=said) as e:
        Settings.from_env({"SCIMAP_DATABASE_URL": url})
    assert "hunter2" not in str(e.value) and "u:***@h" in str(e.value)


def test_a_good_url_is_kept_and_never_in_the_repr():
    s = Settings.from_env({"SCIMAP_DATABASE_URL": " postgresql://u:hunter2@db.internal:5432/planning "})
    assert s.database_url == "postgresql://u:hunter2@db.internal:5432/planning"
    assert "hunter2" not in repr(s) and Settings.from_env({}).database_url == ""
    assert redact_url(s.database_url) == "postgresql://u:***@db.internal:5432/planning"
    assert redact_url("postgresql:///planning?host=/run/pg&password=hunter2") == \
        "postgresql:///planning?host=/run/pg&password=***"


def test_secrets_stand_for_the_variable_and_the_environment_wins(monkeypatch):
    monkeypatch.setattr(config, "_SECRETS", {})
    monkeypatch.delenv("SCIMAP_DATABASE_URL", raising=False)
    config.use_secrets({"database_url": "postgresql://from-secrets/db", "tianditu_key": "x"})
    assert config.settings().database_url == "postgresql://from-secrets/db"
    monkeypatch.setenv("SCIMAP_DATABASE_URL", "postgresql://from-env/db")
    assert config.settings().database_url == "postgresql://from-env/db"
    monkeypatch.setenv("SCIMAP_DATABASE_URL", " ")
    assert config.settings().database_url == "postgresql://from-secrets/db"
    config.use_secrets({})
    assert config.settings().database_url == ""
