"""Settings from the environment and ``.env``, validated once at start-up.

A missing or invalid value stops the program with one line naming the variable (see
``bot.__main__``); nothing else in the code reads the environment.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.resources import sample_content_path

Language = Literal["kk", "ru", "en"]  # bot.i18n.LANGUAGES, as a type


class Settings(BaseSettings):
    """Every setting of the bot; ``.env.example`` documents each one with its default."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr = Field(description="Token from @BotFather")
    # For ``forum-bot qr``: the bot's @username, so that no request to Telegram is needed.
    bot_username: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_file_base_url: str = "https://api.telegram.org/file/bot"
    database_path: Path = Path("data/forum.db")
    forum_content: Path = Field(default_factory=sample_content_path)
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_language: Language = "ru"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # Rehearsal: start the bot's clock at this forum-local moment (ISO 8601, e.g. 2018-11-14T10:30).
    clock_at: datetime | None = None
    # Updates handled at once; each user's updates still run in order.
    concurrent_updates: int = Field(default=64, ge=1, le=1024)
    # Per-user flood guard: at most this many updates in FLOOD_WINDOW_SECONDS.
    flood_limit: int = Field(default=20, ge=1)
    flood_window_seconds: float = Field(default=10.0, gt=0)
    flood_max_users: int = Field(default=50_000, ge=1)
    # Anonymous survey results: a stakeholder group or language with fewer respondents than
    # this is not shown on its own ("fewer than 5 responses").
    anonymity_min_group: int = Field(default=5, ge=1)
    # Delivery engine (outbox): messages per second overall (0: no pacing, for a local Bot API
    # server or the sandbox only), per chat, requests at once, and Telegram's paid broadcasts.
    outbox_rate: float = Field(default=25.0, ge=0, le=1000)
    outbox_chat_rate: float = Field(default=1.0, ge=0)
    outbox_concurrency: int = Field(default=32, ge=1, le=1024)
    outbox_paid_broadcast: bool = False
    # Telegram's limits for everything the bot sends, replies and outbox together: messages per
    # second overall and per chat (with a short per-chat burst); 0 turns that pacing off (a local
    # Bot API server). Replies go first; one that cannot be sent within REPLY_GIVE_UP_SECONDS
    # (a queue that long, or repeated 429s) is logged with the reason.
    send_rate: float = Field(default=30.0, ge=0, le=1000)
    send_chat_rate: float = Field(default=1.0, ge=0)
    send_chat_burst: float = Field(default=3.0, ge=1)
    reply_give_up_seconds: float = Field(default=60.0, gt=0)
    # Reminders a second the reminder plan counts on when many people starred one session
    # (0: 80 % of OUTBOX_RATE); the crowd's reminders start early enough to all arrive in time.
    reminder_rate: float = Field(default=0.0, ge=0)
    # How often (s) reminders, scheduled broadcasts and follow-ups are checked; alerts about
    # schedule changes wait this many minutes so that several edits become one message.
    delivery_tick_seconds: float = Field(default=5.0, gt=0)
    alert_merge_minutes: float = Field(default=3.0, ge=0)
    # The bot's web server (webhook, health, metrics, hall screen); port 0 picks a free one.
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8081, ge=0, le=65535)
    # Where people and Telegram reach that server (behind a reverse proxy with TLS), e.g.
    # https://forum-bot.example.org. Every web link the bot gives is built from it.
    public_url: str | None = None
    # Webhook mode: Telegram posts updates to this HTTPS URL (empty: long polling). The secret
    # is generated and kept in the database when not given.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    # Daily backups of the database into BACKUP_DIR (empty: none), keeping BACKUP_KEEP files.
    backup_dir: Path | None = None
    backup_keep: int = Field(default=7, ge=1)
    backup_hour: int = Field(default=3, ge=0, le=23)
    # "text" for people, "json" (one object per line) for log collectors.
    log_format: Literal["text", "json"] = "text"
    # /healthz turns 503 when a due outbox message waited longer than this many seconds.
    health_outbox_max_age: float = Field(default=1800.0, gt=0)
    # At most this many open proposals (submitted or under review) per person.
    proposals_per_user_open: int = Field(default=3, ge=1)

    @model_validator(mode="after")
    def _outbox_rate_allowed(self) -> Settings:
        if self.outbox_rate > 30 and not self.outbox_paid_broadcast:
            raise ValueError(
                "OUTBOX_RATE above 30 messages/s needs OUTBOX_PAID_BROADCAST=true"
                " (Telegram's paid broadcasts; up to 1000/s), or 0 for a local Bot API server"
            )
        return self

    @field_validator("webhook_url", "public_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_https(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parts = urlsplit(value)
        loopback = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
        if parts.scheme != "https" and not loopback:
            raise ValueError("Telegram posts only to https:// addresses (http only on loopback)")
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _secret_allowed(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        # Telegram: 1-256 characters A-Z, a-z, 0-9, _ and -.
        if isinstance(value, str) and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value):
            raise ValueError("1-256 characters: letters, digits, _ and - only")
        return value

    @field_validator("bot_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError as exc:
                raise ValueError("must be comma-separated Telegram user ids (numbers)") from exc
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("forum_content")
    @classmethod
    def _content_exists(cls, value: Path) -> Path:
        if not value.is_file():
            raise ValueError(f"file not found: {value}")
        return value

    def public_base_url(self) -> str:
        """PUBLIC_URL, else the web server's own address."""
        if self.public_url:
            return self.public_url
        host = f"[{self.web_host}]" if ":" in self.web_host else self.web_host
        return f"http://{host}:{self.web_port}"

    def is_organizer(self, user_id: int | None) -> bool:
        """True when ``user_id`` is in ADMIN_IDS."""
        return user_id is not None and user_id in self.admin_ids
