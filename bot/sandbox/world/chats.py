"""Users and their private chats with the bot: creating users, storing and editing messages."""

from __future__ import annotations

import itertools

from bot.sandbox.world.events import EventLog
from bot.sandbox.world.records import (
    ApiError,
    ChatRecord,
    Json,
    StoredMessage,
    UserRecord,
    bad_request,
)


class Chats(EventLog):
    """Users, chats and messages of a :class:`SandboxWorld` (state set by its reset)."""

    organizer_ids: tuple[int, ...]
    users: dict[int, UserRecord]
    _user_ids: itertools.count[int]
    _next_message_id: dict[int, int]

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
