"""Settings: defaults, parsing, and a bad or missing value stopping the program clearly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "ADMIN_", "DEFAULT_"))
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,  # no .env there
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_defaults_and_parsing(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None, bot_token="1:x", admin_ids="12, 34;56", default_language="kk"
    )
    assert settings.admin_ids == frozenset({12, 34, 56})
    assert settings.is_organizer(34) and not settings.is_organizer(7)
    assert settings.database_path == Path("data/forum.db")
    assert settings.forum_content.name == "forum.yaml" and settings.forum_content.is_file()
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert "1:x" not in repr(settings)  # the token is a secret


def test_missing_token_explains_botfather_and_the_sandbox(tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert result.returncode == 2
    assert "@BotFather" in result.stderr
    assert "forum-bot sandbox" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"ADMIN_IDS": "12,abc"}, "ADMIN_IDS"),
        ({"DEFAULT_LANGUAGE": "de"}, "DEFAULT_LANGUAGE"),
        ({"FORUM_CONTENT": "/nonexistent/forum.yaml"}, "FORUM_CONTENT"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_invalid_setting_names_the_variable(
    tmp_path: Path, env: dict[str, str], variable: str
) -> None:
    result = _run(tmp_path, BOT_TOKEN="1:x", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Configuration error: {variable}:")
    assert "Traceback" not in result.stderr


def test_env_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=5:abc\nADMIN_IDS=9\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "ADMIN_IDS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.bot_token.get_secret_value() == "5:abc"
    assert settings.admin_ids == frozenset({9})


def test_every_setting_is_in_env_example() -> None:
    documented = (REPO / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"{name.upper()}=" in documented, name


def test_web_webhook_backup_and_log_settings() -> None:
    settings = Settings(
        _env_file=None,
        bot_token="1:x",
        web_port="9000",
        public_url="https://forum.example.org/",
        webhook_url="https://forum.example.org/hook",
        backup_dir="/var/backups/forum-bot",
        log_format="json",
    )
    assert settings.web_port == 9000 and settings.log_format == "json"
    assert settings.backup_keep == 7 and settings.webhook_secret is None
    assert settings.public_base_url() == "https://forum.example.org/"
    local = Settings(_env_file=None, bot_token="1:x", public_url="")
    assert local.public_url is None and local.public_base_url() == "http://127.0.0.1:8081"
    loopback = Settings(_env_file=None, bot_token="1:x", webhook_url="http://127.0.0.1:8081/h")
    assert loopback.webhook_url == "http://127.0.0.1:8081/h"
    with pytest.raises(ValueError, match="https"):
        Settings(_env_file=None, bot_token="1:x", webhook_url="http://example.org/h")
    with pytest.raises(ValueError, match="letters, digits"):
        Settings(_env_file=None, bot_token="1:x", webhook_secret="has space")
