"""The typed callback context: services and the current user's language at hand."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from telegram import ReplyKeyboardMarkup
from telegram.ext import Application, CallbackContext, ExtBot, filters

from bot.clock import Clock
from bot.content import Forum
from bot.i18n import I18n, Translator, resolve_language
from bot.services.agenda import SearchCache
from bot.services.flood import FloodGuard
from bot.services.roles import Role, Roles
from bot.settings import Settings
from storage.db import Database
from storage.repos import Repos
from storage.users import User

if TYPE_CHECKING:
    from telegram import Update

    from bot.metrics import Metrics
    from bot.services.content_reload import ContentChange
    from bot.update_log import UpdateTimer
    from bot.web.server import WebServer
    from bot.web.webhook import Webhook

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
DeepLinkTarget = Callable[["Update", "ForumContext", str], Awaitable[None]]
# Run at the end of post_init, before the first update: (application, services).
StartupHook = Callable[[AnyApplication, "Services"], Awaitable[None]]
# Run after a content reload was applied, with the sessions that changed.
ContentHook = Callable[["Services", list["ContentChange"]], Awaitable[object]]


class Outbox(Protocol):
    """The running delivery engine as producers see it (``bot.delivery.Delivery``)."""

    def wake(self) -> None:
        """There is new work in the outbox."""


class MainMenu(Protocol):
    """The main menu's reply keyboard (``handlers.menu.Menu``)."""

    def keyboard(self, tr: Translator, organizer: bool = False) -> ReplyKeyboardMarkup:
        """The menu in ``tr``'s language."""

    def filter(self) -> filters.BaseFilter:
        """Matches a message whose text is a menu label in any language."""

    async def dispatch(self, update: Update, context: ForumContext) -> None:
        """Run the item whose label the user pressed."""


@dataclass
class Services:
    """Everything a handler may use; built by ``bot.app.build_services``, opened in ``post_init``.

    Every field is typed: state a feature keeps between updates has its own field here (no bag
    of string keys), and is dropped in :meth:`forget_user` when a person's data is erased.
    """

    settings: Settings
    clock: Clock
    db: Database
    repos: Repos
    content: Forum
    i18n: I18n
    flood: FloodGuard
    # Team roles (owners = ADMIN_IDS; organizers, moderators, reviewers stored).
    roles: Roles
    # The bot's web server (webhook, health, metrics, features' pages) and its metrics.
    web: WebServer
    metrics: Metrics
    # "session" -> opener of ``/start session_<id>``; features register theirs in bot/app.py.
    deep_links: dict[str, DeepLinkTarget] = field(default_factory=dict)
    startup_hooks: list[StartupHook] = field(default_factory=list)
    content_hooks: list[ContentHook] = field(default_factory=list)
    # The delivery engine while the bot runs (``bot.delivery`` sets and clears it).
    outbox: Outbox | None = None
    # The main menu, set when the application is built.
    menu: MainMenu | None = None
    # Search: the index of the current content, rebuilt when the content changes.
    search: SearchCache = field(default_factory=SearchCache)
    # One content reload at a time.
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Telegram file ids of speaker photos already uploaded once (path -> file id).
    speaker_photo_ids: dict[str, str] = field(default_factory=dict)
    # TEMPORARY until the flows branch is merged: people with an open proposal draft.
    proposal_drafts: set[int] = field(default_factory=set)
    # Webhook mode's endpoint (None: long polling); () -> (updates arriving, mode name).
    webhook: Webhook | None = None
    receiving: Callable[[], tuple[bool, str]] | None = None
    # Logs and measures each update (set when the application is built).
    update_timer: UpdateTimer | None = None
    # Monotonic moment the last update arrived (health check), None before the first one.
    last_update_at: float | None = None

    def public_link(self, path: str) -> str:
        """An address people reach the bot's web server at: PUBLIC_URL + ``path``."""
        return self.settings.public_base_url().rstrip("/") + "/" + path.lstrip("/")

    def forget_user(self, user_id: int) -> None:
        """Drop everything kept in memory about a user whose data was erased."""
        self.proposal_drafts.discard(user_id)

    def translator_for(self, language: str | None, language_code: str | None) -> Translator:
        """A person's translator: their stored choice, else Telegram's code, else the default."""
        return self.i18n.get(
            resolve_language(language, language_code, self.settings.default_language)
        )

    def is_organizer(self, user_id: int | None) -> bool:
        """True when the user is an organizer or an owner (see bot/services/roles.py)."""
        return self.roles.has(user_id, Role.ORGANIZER)

    def main_menu(self) -> MainMenu:
        """The main menu (built with the application)."""
        if self.menu is None:
            raise RuntimeError("the main menu is set in bot.app.build_application")
        return self.menu


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
        services: Services = self.application.bot_data["services"]
        return services

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
