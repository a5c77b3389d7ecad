"""The sandbox's Telegram: users, private chats, messages, files, updates and the event log.

Everything runs on one asyncio loop and every mutation is synchronous, so no locks are needed.
Lookups are dictionary based (chat -> message id -> message); reading "what happened after X"
bisects a per-chat event list, and waiting is done with futures woken by the next event, so the
cost of a request does not grow with the history.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import math
import mimetypes
import struct
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.entities import detect_user_entities, utf16_len

Json = dict[str, Any]

DEFAULT_TOKEN = "123456789:SANDBOX-token-not-secret"
ORGANIZER_POOL = range(900000001, 900000021)
FIRST_USER_ID = 700000001
DEFAULT_ALLOWED = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post", "inline_query",
        "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query",
        "poll", "poll_answer", "my_chat_member", "chat_join_request", "business_connection",
        "business_message", "edited_business_message", "deleted_business_messages",
        "purchased_paid_media", "message_reaction_count", "removed_chat_boost", "chat_boost",
    }
)  # fmt: skip
# Methods that count towards Telegram's flood limits.
FLOOD_METHODS = frozenset(
    {
        "sendmessage", "senddocument", "sendphoto", "sendmediagroup", "copymessage",
        "forwardmessage", "editmessagetext", "editmessagecaption", "editmessagereplymarkup",
    }
)  # fmt: skip


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code", "description", "parameters"}``."""

    def __init__(self, code: int, description: str, parameters: Json | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> Json:
        """The response body Telegram would send."""
        body: Json = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str) -> ApiError:
    """400 with Telegram's ``Bad Request: `` prefix."""
    return ApiError(400, f"Bad Request: {text}")


@dataclass
class UserRecord:
    """A Telegram user of the sandbox; their private chat with the bot has the same id."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    organizer: bool = False
    blocked: bool = False

    def to_api(self) -> Json:
        """The Bot API ``User`` object."""
        data: Json = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat(self) -> Json:
        """The Bot API ``Chat`` object of the private chat with this user."""
        data: Json = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data

    def to_control(self) -> Json:
        """The control API's view: the Telegram user plus sandbox flags."""
        return {**self.to_api(), "organizer": self.organizer, "blocked": self.blocked}


@dataclass
class StoredMessage:
    """One message in a chat; ``data`` is the Bot API ``Message`` (replaced, never mutated)."""

    data: Json
    outgoing: bool  # sent by the bot
    reply_keyboard: Json | None = None  # ReplyKeyboardMarkup / ReplyKeyboardRemove sent with it
    edits: int = 0
    deleted: bool = False

    @property
    def message_id(self) -> int:
        """The message id within its chat."""
        return int(self.data["message_id"])

    def to_control(self) -> Json:
        """The control API's view of the message."""
        return {
            "message_id": self.message_id,
            "outgoing": self.outgoing,
            "message": self.data,
            "reply_keyboard": self.reply_keyboard,
            "edits": self.edits,
            "deleted": self.deleted,
        }


@dataclass
class ChatRecord:
    """A private chat: its messages in order and its event log."""

    user: UserRecord
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)
    events: list[Json] = field(default_factory=list)
    event_seqs: list[int] = field(default_factory=list)
    reply_keyboard: Json | None = None  # the keyboard the user currently sees

    @property
    def id(self) -> int:
        """The chat id (== the user id)."""
        return self.user.id


@dataclass
class FileRecord:
    """A file known to the sandbox: uploaded by a user or sent by the bot."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    def to_api(self) -> Json:
        """The Bot API ``File`` object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class CallbackRecord:
    """A callback query a user made by pressing an inline button."""

    id: str
    user_id: int
    message_id: int
    data: str | None
    answered: bool = False
    answer: Json | None = None


@dataclass
class Fault:
    """An injected failure: the next ``count`` matching calls fail or are slow."""

    method: str | None  # lower-case method name; None matches every method but getUpdates
    count: int
    status: int | None = None
    description: str | None = None
    retry_after: int | None = None
    delay: float = 0.0

    def to_json(self) -> Json:
        """The control API's view of the fault."""
        return {
            "method": self.method,
            "count": self.count,
            "status": self.status,
            "description": self.description,
            "retry_after": self.retry_after,
            "delay": self.delay,
        }

    def error(self) -> ApiError | None:
        """The API error this fault answers with, if it has a status."""
        if self.status is None:
            return None
        if self.status == 429:
            retry = self.retry_after if self.retry_after is not None else 1
            return ApiError(
                429,
                self.description or f"Too Many Requests: retry after {retry}",
                {"retry_after": retry},
            )
        default = {
            400: "Bad Request: injected fault",
            403: "Forbidden: injected fault",
            500: "Internal Server Error",
            502: "Bad Gateway",
        }.get(self.status, "Injected fault")
        return ApiError(self.status, self.description or default)


@dataclass
class FloodConfig:
    """Telegram-like flood limits (off by default)."""

    enabled: bool = False
    global_rate: float = 30.0  # messages per second per bot
    global_burst: float = 30.0
    chat_rate: float = 1.0  # messages per second per chat
    chat_burst: float = 3.0

    def to_json(self) -> Json:
        """The control API's view."""
        return {
            "enabled": self.enabled,
            "global_rate": self.global_rate,
            "global_burst": self.global_burst,
            "chat_rate": self.chat_rate,
            "chat_burst": self.chat_burst,
        }


class TokenBucket:
    """A token bucket: ``rate`` tokens a second, at most ``burst`` saved up."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 if one is available now)."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            return 0.0
        return (1 - self.tokens) / self.rate

    def take(self) -> None:
        """Spend one token (call after ``wait_time`` returned 0)."""
        self.tokens -= 1


def _wake(waiters: list[asyncio.Future[None]]) -> None:
    for waiter in waiters:
        if not waiter.done():
            waiter.set_result(None)
    waiters.clear()


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG image, or None if it is not one."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        pos = 2
        while pos + 9 < len(data):
            if data[pos] != 0xFF:
                pos += 1
                continue
            marker = data[pos + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                pos += 2
                continue
            length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
                return int(width), int(height)
            pos += 2 + length
        return None
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return (1, 1)
    return None


class SandboxWorld:
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
        _wake(self._update_waiters)
        _wake(self._event_waiters)
        _wake(self._poll_waiters)
        for waiters in self._chat_waiters.values():
            _wake(waiters)

    # ------------------------------------------------------------------ users
    def add_user(
        self,
        first_name: str = "Test",
        *,
        user_id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        organizer: bool = False,
    ) -> UserRecord:
        """Create a user (and their private chat). Organizers get ids from the organizer pool."""
        if user_id is None:
            if organizer:
                free = [uid for uid in self.organizer_ids if uid not in self.users]
                if not free:
                    raise ApiError(409, "the organizer id pool is used up")
                user_id = free[0]
            else:
                user_id = next(self._user_ids)
                while user_id in self.users:
                    user_id = next(self._user_ids)
        elif user_id in self.users:
            raise ApiError(409, f"user {user_id} already exists")
        if user_id <= 0:
            raise ApiError(400, "user ids are positive")
        record = UserRecord(
            id=user_id,
            first_name=first_name or "User",
            last_name=last_name or None,
            username=username or None,
            language_code=language_code or None,
            organizer=organizer or user_id in self.organizer_ids,
        )
        self.users[user_id] = record
        self.chats[user_id] = ChatRecord(user=record)
        self._next_message_id.setdefault(user_id, 1)
        self._record_event(user_id, "user", "user", extra={"user": record.to_control()})
        return record

    def user(self, user_id: int) -> UserRecord:
        """The user with this id, or a 404 ApiError."""
        record = self.users.get(user_id)
        if record is None:
            raise ApiError(404, f"no user {user_id}")
        return record

    def chat(self, chat_id: int) -> ChatRecord:
        """The chat with this id, or Telegram's ``chat not found``."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def set_blocked(self, user_id: int, blocked: bool) -> None:
        """Block or unblock the bot as this user; the bot gets a ``my_chat_member`` update."""
        user = self.user(user_id)
        if user.blocked == blocked:
            return
        user.blocked = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        bot = {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        now = int(self.time())
        self.push_update(
            "my_chat_member",
            {
                "chat": user.chat(),
                "from": user.to_api(),
                "date": now,
                "old_chat_member": {"user": bot, "status": old, **self._until(old)},
                "new_chat_member": {"user": bot, "status": new, **self._until(new)},
            },
        )
        self._record_event(user_id, "block" if blocked else "unblock", "user")

    @staticmethod
    def _until(status: str) -> Json:
        return {"until_date": 0} if status == "kicked" else {}

    # ------------------------------------------------------------------ messages
    def new_message_id(self, chat_id: int) -> int:
        """The next message id in this chat (shared by both sides, as in Telegram)."""
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def store_message(
        self, chat: ChatRecord, data: Json, *, outgoing: bool, reply_keyboard: Json | None = None
    ) -> StoredMessage:
        """Add a message to a chat and log the event."""
        stored = StoredMessage(data=data, outgoing=outgoing, reply_keyboard=reply_keyboard)
        chat.messages[stored.message_id] = stored
        chat.order.append(stored.message_id)
        if outgoing and reply_keyboard is not None:
            if "keyboard" in reply_keyboard:
                chat.reply_keyboard = reply_keyboard
            elif reply_keyboard.get("remove_keyboard"):
                chat.reply_keyboard = None
        extra = {"reply_keyboard": reply_keyboard} if outgoing and reply_keyboard else None
        self._record_event(
            chat.id, "message", "bot" if outgoing else "user", stored.message_id, data, extra
        )
        return stored

    def message(self, chat: ChatRecord, message_id: int) -> StoredMessage | None:
        """A message of the chat that has not been deleted."""
        stored = chat.messages.get(message_id)
        if stored is None or stored.deleted:
            return None
        return stored

    def replace_message(self, chat: ChatRecord, stored: StoredMessage, data: Json) -> None:
        """Apply a bot edit to a message and log it."""
        stored.data = data
        stored.edits += 1
        self._record_event(chat.id, "edit", "bot", stored.message_id, data)

    def delete_message(self, chat: ChatRecord, stored: StoredMessage) -> None:
        """Delete a message and log it."""
        stored.deleted = True
        self._record_event(chat.id, "delete", "bot", stored.message_id)

    def history(self, chat_id: int, *, include_deleted: bool = False) -> list[StoredMessage]:
        """The chat as a person sees it: every message in order, edits applied."""
        chat = self.chat_or_404(chat_id)
        result = []
        for message_id in chat.order:
            stored = chat.messages[message_id]
            if include_deleted or not stored.deleted:
                result.append(stored)
        return result

    def chat_or_404(self, chat_id: int) -> ChatRecord:
        """The chat, or a control-API 404."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(404, f"no chat {chat_id}")
        return chat

    # ------------------------------------------------------------------ user actions
    def _user_message(self, user: UserRecord, **content: Any) -> Json:
        chat = self.chats[user.id]
        data: Json = {
            "message_id": self.new_message_id(user.id),
            "from": user.to_api(),
            "chat": user.chat(),
            "date": int(self.time()),
            **{k: v for k, v in content.items() if v is not None},
        }
        self.store_message(chat, data, outgoing=False)
        if chat.reply_keyboard and chat.reply_keyboard.get("one_time_keyboard"):
            chat.reply_keyboard = None
        self.push_update("message", data)
        return data

    def send_text(self, user_id: int, text: str, entities: list[Json] | None = None) -> Json:
        """The user sends a text message (bot commands get their entities)."""
        user = self.user(user_id)
        if not text or not text.strip():
            raise ApiError(400, "message text is empty")
        if utf16_len(text) > 4096:
            raise ApiError(400, "message is too long")
        if entities is None:
            entities = detect_user_entities(text)
        return self._user_message(user, text=text, entities=entities or None)

    def send_command(self, user_id: int, command: str, payload: str | None = None) -> Json:
        """The user sends ``/command [payload]`` (as a deep link ``/start PAYLOAD`` arrives)."""
        if not command.startswith("/"):
            command = "/" + command
        text = f"{command} {payload}" if payload else command
        return self.send_text(user_id, text)

    def add_file(
        self,
        data: bytes,
        *,
        kind: str,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> FileRecord:
        """Store a file and give it Telegram-like ids and a download path."""
        number = next(self._file_ids)
        prefix = {"photo": "AgACAgIAAxkB", "document": "BQACAgIAAxkB"}.get(kind, "CAACAgIAAxkB")
        file_id = f"{prefix}{number:010d}SBX"
        unique_id = f"AQAD{number:08d}"
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1][:8]
        elif mime_type:
            ext = mimetypes.guess_extension(mime_type) or ""
        folder = "photos" if kind == "photo" else "documents"
        record = FileRecord(
            file_id=file_id,
            file_unique_id=unique_id,
            data=data,
            file_path=f"{folder}/file_{number}{ext}",
            file_name=file_name,
            mime_type=mime_type,
        )
        if kind == "photo":
            size = image_size(data) or (1, 1)
            record.width, record.height = size
        self.files[file_id] = record
        self.files_by_path[record.file_path] = record
        return record

    @staticmethod
    def document_json(record: FileRecord) -> Json:
        """The Bot API ``Document`` object of a file."""
        data: Json = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": len(record.data),
        }
        if record.file_name:
            data["file_name"] = record.file_name
        if record.mime_type:
            data["mime_type"] = record.mime_type
        return data

    @staticmethod
    def photo_json(record: FileRecord) -> list[Json]:
        """The Bot API ``PhotoSize`` list of an image."""
        return [
            {
                "file_id": record.file_id,
                "file_unique_id": record.file_unique_id,
                "file_size": len(record.data),
                "width": record.width or 1,
                "height": record.height or 1,
            }
        ]

    def send_document(
        self,
        user_id: int,
        data: bytes,
        file_name: str,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> Json:
        """The user sends a file as a document."""
        user = self.user(user_id)
        self._check_caption(caption)
        mime_type = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        record = self.add_file(data, kind="document", file_name=file_name, mime_type=mime_type)
        return self._user_message(
            user, document=self.document_json(record), caption=caption or None
        )

    def send_photo(self, user_id: int, data: bytes, caption: str | None = None) -> Json:
        """The user sends a picture as a photo."""
        user = self.user(user_id)
        self._check_caption(caption)
        if image_size(data) is None:
            raise ApiError(400, "not an image (PNG, JPEG, GIF or WEBP expected)")
        record = self.add_file(data, kind="photo", mime_type="image/jpeg")
        return self._user_message(user, photo=self.photo_json(record), caption=caption or None)

    @staticmethod
    def _check_caption(caption: str | None) -> None:
        if caption and utf16_len(caption) > 1024:
            raise ApiError(400, "message caption is too long")

    def send_contact(
        self,
        user_id: int,
        phone_number: str,
        first_name: str | None = None,
        last_name: str | None = None,
        *,
        own: bool = True,
    ) -> Json:
        """The user shares a contact (by default their own, as a request_contact button does)."""
        user = self.user(user_id)
        contact: Json = {
            "phone_number": phone_number,
            "first_name": first_name or user.first_name,
        }
        if last_name or (own and user.last_name):
            contact["last_name"] = last_name or user.last_name
        if own:
            contact["user_id"] = user.id
        return self._user_message(user, contact=contact)

    def press(
        self, user_id: int, message_id: int, data: str | None = None, *, text: str | None = None
    ) -> CallbackRecord:
        """The user presses an inline button of a bot message: a ``callback_query`` update.

        Give the button's ``text`` or its callback ``data``; data that is on no button of the
        message is sent as given (a forged or outdated client), which the bot must cope with.
        """
        user = self.user(user_id)
        chat = self.chats[user.id]
        stored = self.message(chat, message_id)
        if stored is None or not stored.outgoing:
            raise ApiError(404, f"no bot message {message_id} in chat {user_id}")
        buttons = [
            button
            for row in (stored.data.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
        ]
        if text is not None:
            matches = [b for b in buttons if b.get("text") == text]
            if not matches:
                shown = ", ".join(repr(b.get("text")) for b in buttons) or "none"
                raise ApiError(404, f"no button {text!r} on message {message_id}; buttons: {shown}")
            button = matches[0]
            if "callback_data" not in button:
                raise ApiError(400, f"button {text!r} is not a callback button: {button}")
            data = button["callback_data"]
        query_id = str(next(self._callback_ids))
        record = CallbackRecord(id=query_id, user_id=user.id, message_id=message_id, data=data)
        self.callbacks[query_id] = record
        query: Json = {
            "id": query_id,
            "from": user.to_api(),
            "message": stored.data,
            "chat_instance": str(-(10**18) + user.id),
        }
        if data is not None:
            query["data"] = data
        self._record_event(
            user.id, "callback_query", "user", message_id, extra={"data": data, "id": query_id}
        )
        self.push_update("callback_query", query)
        return record

    # ------------------------------------------------------------------ updates
    def push_update(self, kind: str, payload: Json) -> int | None:
        """Queue an update for the bot (unless its ``allowed_updates`` exclude the kind)."""
        if kind not in self.allowed_updates:
            return None
        update_id = next(self._update_ids)
        self.updates.append((update_id, {"update_id": update_id, kind: payload}))
        if self._update_waiters:
            _wake(self._update_waiters)
        return update_id

    def confirm_updates(self, offset: int) -> None:
        """Forget updates the bot confirmed (Telegram's ``offset`` semantics)."""
        updates = self.updates
        if offset < 0:
            keep = -offset
            while len(updates) > keep:
                updates.popleft()
            return
        while updates and updates[0][0] < offset:
            updates.popleft()

    async def get_updates(
        self, offset: int | None, limit: int, wait: float, allowed: list[str] | None
    ) -> list[Json]:
        """Long-poll for updates, like Telegram: answer at once if any, else wait."""
        if self.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if allowed is not None:
            self.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED
        self._poll_generation += 1
        generation = self._poll_generation
        _wake(self._update_waiters)  # an older poll still waiting ends with a conflict
        self.poll_count += 1
        _wake(self._poll_waiters)
        if offset is not None:
            self.confirm_updates(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self.updates:
                return [update for _, update in itertools.islice(self.updates, limit)]
            remaining = deadline - loop.time()
            if remaining <= 0 or self.closing:
                return []
            waiter: asyncio.Future[None] = loop.create_future()
            self._update_waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                return []

    async def wait_for_poll(self, after: int, wait: float) -> int:
        """Wait until the bot has made more than ``after`` getUpdates calls; return the count."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while self.poll_count <= after:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"the bot did not poll within {wait} s")
            waiter: asyncio.Future[None] = loop.create_future()
            self._poll_waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                continue
        return self.poll_count

    # ------------------------------------------------------------------ events
    def _record_event(
        self,
        chat_id: int,
        kind: str,
        actor: str,
        message_id: int | None = None,
        message: Json | None = None,
        extra: Json | None = None,
    ) -> Json:
        self._seq += 1
        event: Json = {"seq": self._seq, "chat_id": chat_id, "kind": kind, "actor": actor}
        if message_id is not None:
            event["message_id"] = message_id
        if message is not None:
            event["message"] = message
        if extra:
            event.update(extra)
        self.events.append(event)
        if len(self.events) > self.max_events:
            drop = len(self.events) - self.max_events // 2
            del self.events[:drop]
            self._events_base += drop
        chat = self.chats.get(chat_id)
        if chat is not None:
            chat.events.append(event)
            chat.event_seqs.append(self._seq)
        if self._event_waiters:
            _wake(self._event_waiters)
        waiters = self._chat_waiters.get(chat_id)
        if waiters:
            _wake(waiters)
        return event

    def log_event(self, chat_id: int, kind: str, actor: str = "bot", **extra: Any) -> Json:
        """Record a non-message event (chat action, callback answer) in a chat."""
        return self._record_event(chat_id, kind, actor, extra=extra)

    @property
    def last_seq(self) -> int:
        """The sequence number of the newest event."""
        return self._seq

    def events_after(self, after: int, chat_id: int | None = None, limit: int = 1000) -> list[Json]:
        """Events with ``seq > after``, for one chat or all."""
        if chat_id is None:
            start = max(0, after - self._events_base)  # seq n is at index n - 1 - base
            return self.events[start : start + limit]
        chat = self.chats.get(chat_id)
        if chat is None:
            return []
        start = bisect.bisect_right(chat.event_seqs, after)
        return chat.events[start : start + limit]

    async def wait_events(
        self, after: int, chat_id: int | None = None, wait: float = 0.0, limit: int = 1000
    ) -> list[Json]:
        """Events after ``after``; if none yet, wait up to ``wait`` seconds for some."""
        events = self.events_after(after, chat_id, limit)
        if events or wait <= 0:
            return events
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while not events and not self.closing:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            waiter: asyncio.Future[None] = loop.create_future()
            if chat_id is None:
                self._event_waiters.append(waiter)
            else:
                self._chat_waiters.setdefault(chat_id, []).append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                break
            events = self.events_after(after, chat_id, limit)
        return events

    async def wait_bot_message(
        self,
        chat_id: int,
        after: int,
        wait: float,
        predicate: Callable[[Json], bool] | None = None,
        kinds: tuple[str, ...] = ("message", "edit"),
    ) -> Json | None:
        """The first bot message or edit event in the chat after ``after`` that matches."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        cursor = after
        while True:
            for event in self.events_after(cursor, chat_id):
                cursor = event["seq"]
                if (
                    event["actor"] == "bot"
                    and event["kind"] in kinds
                    and (predicate is None or predicate(event))
                ):
                    return event
            remaining = deadline - loop.time()
            if remaining <= 0 or self.closing:
                return None
            await self.wait_events(cursor, chat_id, remaining)

    # ------------------------------------------------------------------ calls, faults, flood
    def record_call(self, method: str, outcome: Json) -> None:
        """Log a Bot API call (bounded), count it, and keep failures aside."""
        self.calls.append(outcome)
        self.method_counts[method] = self.method_counts.get(method, 0) + 1
        if not outcome.get("ok", True):
            self.errors.append(outcome)

    def add_fault(self, fault: Fault) -> None:
        """Queue a fault; faults are consumed in order."""
        if fault.method is not None:
            fault.method = fault.method.lower()
        self.faults.append(fault)

    def take_fault(self, method: str) -> Fault | None:
        """The fault that applies to this call of ``method`` (lower case), if any."""
        for index, fault in enumerate(self.faults):
            if fault.method == method or (fault.method is None and method != "getupdates"):
                fault.count -= 1
                if fault.count <= 0:
                    del self.faults[index]
                return fault
        return None

    def check_flood(self, method: str, chat_id: int | None) -> None:
        """Raise 429 with ``retry_after`` if this send would exceed the flood limits."""
        config = self.flood
        if not config.enabled or method not in FLOOD_METHODS:
            return
        now = self.monotonic()
        if self._global_bucket is None:
            self._global_bucket = TokenBucket(config.global_rate, config.global_burst, now)
        buckets = [self._global_bucket]
        if chat_id is not None:
            bucket = self._chat_buckets.get(chat_id)
            if bucket is None:
                bucket = self._chat_buckets[chat_id] = TokenBucket(
                    config.chat_rate, config.chat_burst, now
                )
            buckets.append(bucket)
        wait = max(b.wait_time(now) for b in buckets)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        for bucket in buckets:
            bucket.take()

    def configure_flood(self, **values: Any) -> FloodConfig:
        """Change the flood limits (and start with full buckets)."""
        for key, value in values.items():
            if value is not None and hasattr(self.flood, key):
                setattr(self.flood, key, type(getattr(self.flood, key))(value))
        self._global_bucket = None
        self._chat_buckets = {}
        return self.flood

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
