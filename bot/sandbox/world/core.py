"""The sandbox world: all the state of the sandbox Telegram for one bot, and its life cycle.

Everything runs on one asyncio loop and every mutation is synchronous, so no locks are needed.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from bot.sandbox.world.actions import UserActions
from bot.sandbox.world.events import wake
from bot.sandbox.world.limits import ApiLimits, Fault, FloodConfig, TokenBucket
from bot.sandbox.world.records import (
    DEFAULT_ALLOWED,
    DEFAULT_TOKEN,
    FIRST_USER_ID,
    ORGANIZER_POOL,
    CallbackRecord,
    ChatRecord,
    FileRecord,
    Json,
    UserRecord,
)


class SandboxWorld(UserActions, ApiLimits):
    """All the state of the sandbox Telegram, for one bot."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_name: str = "Civic Forum Sandbox",
        bot_username: str = "civic_forum_sandbox_bot",
        organizer_ids: Iterable[int] = ORGANIZER_POOL,
        time_func: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        max_events: int = 200_000,
        max_calls: int = 10_000,
    ) -> None:
        self.token = token
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456789
        self.bot_user: Json = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.organizer_ids: tuple[int, ...] = tuple(organizer_ids)
        self.time = time_func
        self.monotonic = monotonic
        self.max_events = max_events
        self.flood = FloodConfig()
        self.closing = False
        # Bot-level settings survive reset(): the bot set them and keeps running.
        self.commands: dict[tuple[str, str], list[Json]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}  # (kind, language) -> text
        self.menu_buttons: dict[int | None, Json] = {}
        self.webhook: Json = {"url": ""}
        self.webhook_pusher: Any = None  # bot/sandbox/webhook.py while a loopback webhook is set
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED
        self._update_ids = itertools.count(10_000_001)
        self._next_message_id: dict[int, int] = {}
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(4_000_000_001)
        self._user_ids = itertools.count(FIRST_USER_ID)
        self.clock_hook: Any = None  # set by the runner when the bot runs in-process
        self.max_calls = max_calls
        self._reset_state()

    # ------------------------------------------------------------------ lifecycle
    def _reset_state(self) -> None:
        self.users: dict[int, UserRecord] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.files: dict[str, FileRecord] = {}
        self.files_by_path: dict[str, FileRecord] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.updates: deque[tuple[int, Json]] = deque()
        self.faults: list[Fault] = []
        self.calls: deque[Json] = deque(maxlen=self.max_calls)
        self.method_counts: dict[str, int] = {}
        self.unsupported: deque[Json] = deque(maxlen=1000)
        self.errors: deque[Json] = deque(maxlen=1000)
        self.events: list[Json] = []
        # seq keeps counting across resets so that readers' cursors stay valid.
        self._seq = getattr(self, "_seq", 0)
        self._events_base = self._seq  # seq of the event just before events[0]
        self._update_waiters: list[asyncio.Future[None]] = []
        self._event_waiters: list[asyncio.Future[None]] = []
        self._chat_waiters: dict[int, list[asyncio.Future[None]]] = {}
        self._poll_waiters: list[asyncio.Future[None]] = []
        self.poll_count = 0
        self._poll_generation = 0
        self._global_bucket: TokenBucket | None = None
        self._chat_buckets: dict[int, TokenBucket] = {}

    def reset(self) -> None:
        """Forget users, chats, files, updates, faults and logs; keep the bot's own settings.

        Update ids and per-chat message ids keep counting up, as a running bot expects.
        """
        self._wake_all()
        self._reset_state()

    def close(self) -> None:
        """Wake every waiter so long polls answer at once (server shutdown)."""
        self.closing = True
        self._wake_all()

    def _wake_all(self) -> None:
        wake(self._update_waiters)
        wake(self._event_waiters)
        wake(self._poll_waiters)
        for waiters in self._chat_waiters.values():
            wake(waiters)

    # ------------------------------------------------------------------ commands
    def resolve_commands(self, user_id: int) -> list[Json]:
        """The command menu a private chat with this user shows, by Telegram's scope order."""
        user = self.users.get(user_id)
        language = (user.language_code or "") if user else ""
        chat_scope = f"chat:{user_id}"
        for scope in (chat_scope, "all_private_chats", "default"):
            for lang in (language, "") if language else ("",):
                commands = self.commands.get((scope, lang))
                if commands:
                    return commands
        return []
