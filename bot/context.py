"""The typed callback context: services and the current user's language at hand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.content import Forum
from bot.i18n import I18n, Translator, resolve_language
from bot.services.flood import FloodGuard
from bot.services.roles import Role, Roles
from bot.settings import Settings
from storage.db import Database
from storage.repos import Repos
from storage.users import User

if TYPE_CHECKING:
    from telegram import Update

DeepLinkTarget = Callable[["Update", "ForumContext", str], Awaitable[None]]


@dataclass
class Services:
    """Everything a handler may use, created in ``post_init`` and closed in ``post_shutdown``."""

    settings: Settings
    clock: Clock
    db: Database
    repos: Repos
    content: Forum
    i18n: I18n
    flood: FloodGuard
    # Team roles (owners = ADMIN_IDS; organizers, moderators, reviewers stored).
    roles: Roles
    # "session" -> opener of ``/start session_<id>``; features register theirs in bot/app.py.
    deep_links: dict[str, DeepLinkTarget] = field(default_factory=dict)
    # Last known stored user per id, so an update costs a write only when something changed.
    users: dict[int, User] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    # Run at the end of post_init / start of post_shutdown: (application, services) -> None.
    startup_hooks: list[Callable[..., Awaitable[None]]] = field(default_factory=list)
    shutdown_hooks: list[Callable[..., Awaitable[None]]] = field(default_factory=list)
    # Run after /deleteme erased a user: (user_id) -> None, to drop in-memory per-user state.
    erase_hooks: list[Callable[[int], None]] = field(default_factory=list)
    # Run after a content reload was applied: (services, changes) -> None.
    content_hooks: list[Callable[..., Awaitable[None]]] = field(default_factory=list)
    # The delivery engine's sender (bot.services.sender.Sender) while the bot runs.
    outbox: Any = None
    # The main menu (handlers.menu.Menu), set when the application is built.
    menu: Any = None
    # The bot's web server (bot.web.server.WebServer) and metrics (bot.metrics.Metrics).
    web: Any = None
    metrics: Any = None
    # Monotonic moment the last update arrived (health check), None before the first one.
    last_update_at: float | None = None

    def public_link(self, path: str) -> str:
        """An address people reach the bot's web server at: PUBLIC_URL + ``path``."""
        return self.settings.public_base_url().rstrip("/") + "/" + path.lstrip("/")

    def forget_user(self, user_id: int) -> None:
        """Drop everything kept in memory about a user whose data was erased."""
        self.users.pop(user_id, None)
        for hook in self.erase_hooks:
            hook(user_id)

    def translator_for(self, language: str | None, language_code: str | None) -> Translator:
        """A person's translator: their stored choice, else Telegram's code, else the default."""
        return self.i18n.get(
            resolve_language(language, language_code, self.settings.default_language)
        )

    def is_organizer(self, user_id: int | None) -> bool:
        """True when the user is an organizer or an owner (see bot/services/roles.py)."""
        return self.roles.has(user_id, Role.ORGANIZER)


class ForumContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with the forum's services and the current user's translator."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self._tr: Translator | None = None
        self.user: User | None = None

    @property
    def services(self) -> Services:
        """The application's services."""
        return self.application.bot_data["services"]  # type: ignore[no-any-return]

    @property
    def repos(self) -> Repos:
        """The repositories."""
        return self.services.repos

    @property
    def content(self) -> Forum:
        """The forum's current content."""
        return self.services.content

    @property
    def clock(self) -> Clock:
        """The one clock."""
        return self.services.clock

    @property
    def settings(self) -> Settings:
        """The settings."""
        return self.services.settings

    @property
    def tr(self) -> Translator:
        """The translator of the user this update comes from (default language if none)."""
        if self._tr is None:
            self._tr = self.services.i18n.get(self.services.settings.default_language)
        return self._tr

    @tr.setter
    def tr(self, value: Translator) -> None:
        self._tr = value

    @property
    def lang(self) -> str:
        """The current user's language code."""
        return self.tr.language

    def is_organizer(self) -> bool:
        """Whether the user of this update is an organizer."""
        return self.services.is_organizer(self._user_id)
