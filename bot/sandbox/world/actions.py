"""What a person does in the sandbox: send text, files, contacts, press buttons, block the bot."""

from __future__ import annotations

import itertools
import mimetypes
import struct
from collections.abc import Callable
from typing import Any

from bot.sandbox.entities import detect_user_entities, utf16_len
from bot.sandbox.world.records import ApiError, CallbackRecord, FileRecord, Json, UserRecord
from bot.sandbox.world.updates import Updates


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


class UserActions(Updates):
    """A person's actions in a :class:`SandboxWorld` (state set by its reset)."""

    time: Callable[[], float]
    bot_user: Json
    files: dict[str, FileRecord]
    files_by_path: dict[str, FileRecord]
    callbacks: dict[str, CallbackRecord]
    _file_ids: itertools.count[int]
    _callback_ids: itertools.count[int]

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
