"""The sandbox's records: users, chats, messages, files, callback queries, API errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
