"""The Bot API side of the sandbox: ``/bot<TOKEN>/<method>`` and ``/file/bot<TOKEN>/<path>``.

Requests may be JSON, form-urlencoded or multipart (PTB sends form fields whose non-string values
are JSON-encoded, and uploads as multipart parts), with parameters in the query string too.
Answers and errors have the Bot API's shapes; rules Telegram enforces are enforced here.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from bot.sandbox.entities import EntityParseError, parse_html, trim, utf16_len, validate_entities
from bot.sandbox.webhook import WebhookPusher, is_loopback
from bot.sandbox.world import (
    DEFAULT_ALLOWED,
    ApiError,
    ChatRecord,
    FileRecord,
    Json,
    SandboxWorld,
    StoredMessage,
    bad_request,
    image_size,
)

WORLD_KEY: web.AppKey[SandboxWorld] = web.AppKey("sandbox_world", SandboxWorld)
MAX_POLL_TIMEOUT = 50.0
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
_INLINE_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip


class Params:
    """A request's parameters with Telegram's lenient typing (strings, JSON, files)."""

    def __init__(self, values: dict[str, Any], files: dict[str, FileField]) -> None:
        self.values = values
        self.files = files

    @classmethod
    async def from_request(cls, request: web.Request) -> Params:
        """Read query string and body (JSON, urlencoded or multipart)."""
        values: dict[str, Any] = dict(request.query)
        files: dict[str, FileField] = {}
        if request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = await request.json()
                except ValueError as exc:
                    raise bad_request("can't parse JSON body") from exc
                if not isinstance(body, dict):
                    raise bad_request("JSON body must be an object")
                values.update(body)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, FileField):
                        files[key] = value
                    else:
                        values[key] = value
        return cls(values, files)

    def has(self, name: str) -> bool:
        """True if the parameter was given (and is not null)."""
        return self.values.get(name) is not None or name in self.files

    def get_str(self, name: str, default: str | None = None) -> str | None:
        """A string parameter; numbers given as JSON become their text."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else str(value)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        """An integer parameter."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_float(self, name: str, default: float) -> float:
        """A number parameter."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        """A boolean parameter (``true``/``false``/``1``/``0``)."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1", "yes")

    def get_json(self, name: str) -> Any:
        """An object/array parameter, given as JSON text (form) or as JSON (JSON body)."""
        value = self.values.get(name)
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value


Handler = Callable[[SandboxWorld, Params], Any]
METHODS: dict[str, Handler] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    """Register a Bot API method handler (names are case-insensitive, as in Telegram)."""

    def register(func: Handler) -> Handler:
        METHODS[name.lower()] = func
        return func

    return register


# ---------------------------------------------------------------------- helpers
def _chat(world: SandboxWorld, params: Params, *, sending: bool = True) -> ChatRecord:
    raw = params.values.get("chat_id")
    if raw is None or raw == "":
        raise bad_request("chat_id is empty")
    try:
        chat_id = int(raw)
    except (TypeError, ValueError):
        raise bad_request("chat not found") from None
    chat = world.chat(chat_id)
    if sending and chat.user.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    return chat


def _formatted(
    world: SandboxWorld, params: Params, field: str, entities_field: str
) -> tuple[str, list[Json]]:
    text = params.get_str(field) or ""
    parse_mode = params.get_str("parse_mode")
    entities_raw = params.get_json(entities_field)
    if parse_mode:
        if parse_mode.lower() != "html":
            if parse_mode.lower() in ("markdown", "markdownv2"):
                raise bad_request(f"the sandbox does not parse parse_mode {parse_mode}; use HTML")
            raise bad_request("unsupported parse_mode")
        try:
            text, entities = parse_html(text)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    else:
        try:
            entities = validate_entities(text, entities_raw)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    return trim(text, entities)


def _text_content(world: SandboxWorld, params: Params) -> tuple[str, list[Json]]:
    if not params.has("text"):
        raise bad_request("message text is empty")
    text, entities = _formatted(world, params, "text", "entities")
    if not text:
        raise bad_request("message text is empty")
    if utf16_len(text) > 4096:
        raise bad_request("message is too long")
    return text, entities


def _caption(world: SandboxWorld, params: Params) -> tuple[str, list[Json]]:
    text, entities = _formatted(world, params, "caption", "caption_entities")
    if utf16_len(text) > 1024:
        raise bad_request("message caption is too long")
    return text, entities


def _inline_button(button: Any) -> Json:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str) or not text:
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = [key for key in _INLINE_ACTIONS if key in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request("can't parse inline keyboard button: exactly one action is allowed")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url, re.IGNORECASE):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong URL host")
    return dict(button)


def _reply_markup(params: Params, *, inline_only: bool = False) -> tuple[Json | None, Json | None]:
    """(inline markup, reply keyboard markup) from ``reply_markup``."""
    markup = params.get_json("reply_markup")
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        if sum(len(row) for row in rows) > 100:
            raise bad_request("reply markup is too long")
        fixed = [[_inline_button(button) for button in row] for row in rows]
        fixed = [row for row in fixed if row]
        return ({"inline_keyboard": fixed} if fixed else None), None
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
            )
        fixed_rows = []
        for row in rows:
            fixed_row = []
            for button in row:
                button = {"text": button} if isinstance(button, str) else button
                if not isinstance(button, dict) or not button.get("text"):
                    raise bad_request("keyboard button text must be non-empty")
                fixed_row.append(dict(button))
            if fixed_row:
                fixed_rows.append(fixed_row)
        if not fixed_rows:
            raise bad_request("keyboard must be non-empty")
        return None, {**markup, "keyboard": fixed_rows}
    if markup.get("remove_keyboard"):
        return None, {"remove_keyboard": True}
    if markup.get("force_reply"):
        return None, {"force_reply": True}
    raise bad_request("can't parse reply keyboard markup JSON object")


def _reply_to(world: SandboxWorld, chat: ChatRecord, params: Params) -> Json | None:
    reply = params.get_json("reply_parameters")
    message_id = params.get_int("reply_to_message_id")
    allow_missing = params.get_bool("allow_sending_without_reply")
    if isinstance(reply, dict):
        message_id = reply.get("message_id")
        allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
    if message_id is None:
        return None
    stored = world.message(chat, int(message_id))
    if stored is None:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    replied = dict(stored.data)
    replied.pop("reply_to_message", None)
    return replied


def _new_bot_message(world: SandboxWorld, chat: ChatRecord, params: Params, **content: Any) -> Json:
    data: Json = {
        "message_id": world.new_message_id(chat.id),
        "from": _bot_from(world),
        "chat": chat.user.chat(),
        "date": int(world.time()),
    }
    reply_to = _reply_to(world, chat, params)
    if reply_to is not None:
        data["reply_to_message"] = reply_to
    data.update({k: v for k, v in content.items() if v is not None and v != []})
    return data


def _bot_from(world: SandboxWorld) -> Json:
    bot = world.bot_user
    return {k: bot[k] for k in ("id", "is_bot", "first_name", "username")}


def _input_file(world: SandboxWorld, params: Params, name: str, kind: str) -> FileRecord:
    """The file given as upload, ``attach://`` reference or file_id."""
    if name in params.files:
        return _store_upload(world, params.files[name], kind)
    value = params.get_str(name)
    if not value:
        raise bad_request(f"there is no {name} in the request")
    return _file_reference(world, params, value, kind)


def _file_reference(world: SandboxWorld, params: Params, value: str, kind: str) -> FileRecord:
    if value.startswith("attach://"):
        part = params.files.get(value[len("attach://") :])
        if part is None:
            raise bad_request(f"file {value} not found in the request")
        return _store_upload(world, part, kind)
    if value.lower().startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content (the sandbox does not fetch URLs)")
    record = world.files.get(value)
    if record is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return record


def _store_upload(world: SandboxWorld, part: FileField, kind: str) -> FileRecord:
    data = part.file.read()
    if not data:
        raise bad_request("file must be non-empty")
    name = part.filename or None
    mime = part.content_type
    if not mime or mime == "application/octet-stream":
        mime = (mimetypes.guess_type(name)[0] if name else None) or mime
    if kind == "photo":
        if image_size(data) is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        mime = "image/jpeg"
    return world.add_file(data, kind=kind, file_name=name, mime_type=mime)


def _target_message(
    world: SandboxWorld, params: Params
) -> tuple[ChatRecord, StoredMessage | None, int]:
    if params.has("inline_message_id"):
        raise bad_request("the sandbox has no inline messages")
    chat = _chat(world, params)
    message_id = params.get_int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    return chat, world.message(chat, message_id), message_id


def _not_modified() -> ApiError:
    return bad_request(
        "message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )


# ---------------------------------------------------------------------- methods
@method("getMe")
def get_me(world: SandboxWorld, params: Params) -> Json:
    """The bot's own user."""
    return world.bot_user


@method("logOut")
@method("close")
def log_out(world: SandboxWorld, params: Params) -> bool:
    """Accepted and ignored."""
    return True


@method("getUpdates")
async def get_updates(world: SandboxWorld, params: Params) -> list[Json]:
    """Long polling with Telegram's offset semantics."""
    limit = params.get_int("limit", 100) or 100
    limit = max(1, min(100, limit))
    timeout = max(0.0, min(MAX_POLL_TIMEOUT, params.get_float("timeout", 0.0)))
    allowed = params.get_json("allowed_updates")
    if allowed is not None and not isinstance(allowed, list):
        raise bad_request("can't parse allowed_updates JSON object")
    return await world.get_updates(params.get_int("offset"), limit, timeout, allowed)


@method("setWebhook")
async def set_webhook(world: SandboxWorld, params: Params) -> bool:
    """Store the webhook; a loopback URL gets every update POSTed (bot/sandbox/webhook.py)."""
    url = params.get_str("url", "") or ""
    if url and not (url.lower().startswith("https://") or is_loopback(url)):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get_str("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    if params.get_bool("drop_pending_updates"):
        world.updates.clear()
    await _stop_pusher(world)
    world.webhook = {"url": url}
    allowed = params.get_json("allowed_updates")
    if url and isinstance(allowed, list):
        world.webhook["allowed_updates"] = allowed
        world.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED
    if url and is_loopback(url):
        world.webhook_pusher = WebhookPusher(world, url, secret)
        world.webhook_pusher.start()
    return True


async def _stop_pusher(world: SandboxWorld) -> None:
    pusher = getattr(world, "webhook_pusher", None)
    world.webhook_pusher = None
    if pusher is not None:
        await pusher.stop()


@method("deleteWebhook")
async def delete_webhook(world: SandboxWorld, params: Params) -> bool:
    """Remove the webhook; ``drop_pending_updates`` forgets queued updates."""
    await _stop_pusher(world)
    if params.get_bool("drop_pending_updates"):
        world.updates.clear()
    world.webhook = {"url": ""}
    return True


@method("getWebhookInfo")
def get_webhook_info(world: SandboxWorld, params: Params) -> Json:
    """Webhook state and the number of pending updates."""
    return {
        **world.webhook,
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates),
    }


def _scope_key(world: SandboxWorld, params: Params) -> str:
    scope = params.get_json("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = scope["type"]
    if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
        return str(kind)
    if kind in ("chat", "chat_administrators", "chat_member"):
        try:
            raw: Any = scope.get("chat_id")
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        if chat_id not in world.chats and chat_id not in world.organizer_ids:
            raise bad_request("chat not found")
        key = f"{kind}:{chat_id}"
        if kind == "chat_member":
            key += f":{scope.get('user_id')}"
        return key
    raise bad_request("wrong BotCommandScope type specified")


def _language(params: Params) -> str:
    language = params.get_str("language_code", "") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return language


@method("setMyCommands")
def set_my_commands(world: SandboxWorld, params: Params) -> bool:
    """Store the command menu for a scope and language."""
    commands = params.get_json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    clean = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name = str(command.get("command", "")).removeprefix("/")
        description = str(command.get("description", ""))
        if not _COMMAND_NAME.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        clean.append({"command": name, "description": description})
    key = (_scope_key(world, params), _language(params))
    if clean:
        world.commands[key] = clean
    else:
        world.commands.pop(key, None)
    return True


@method("getMyCommands")
def get_my_commands(world: SandboxWorld, params: Params) -> list[Json]:
    """The commands stored for exactly this scope and language."""
    return world.commands.get((_scope_key(world, params), _language(params)), [])


@method("deleteMyCommands")
def delete_my_commands(world: SandboxWorld, params: Params) -> bool:
    """Forget the commands of this scope and language."""
    world.commands.pop((_scope_key(world, params), _language(params)), None)
    return True


def _bot_text(kind: str, limit: int) -> tuple[Handler, Handler]:
    def setter(world: SandboxWorld, params: Params) -> bool:
        value = params.get_str(kind, "") or ""
        if len(value) > limit:
            raise bad_request(f"{kind} is too long")
        key = (kind, _language(params))
        if value:
            world.bot_texts[key] = value
        else:
            world.bot_texts.pop(key, None)
        return True

    def getter(world: SandboxWorld, params: Params) -> Json:
        language = _language(params)
        value = world.bot_texts.get((kind, language)) or world.bot_texts.get((kind, ""), "")
        if kind == "name" and not value:
            value = world.bot_user["first_name"]
        return {kind: value}

    return setter, getter


for _kind, _limit, _name in (
    ("description", 512, "Description"),
    ("short_description", 120, "ShortDescription"),
    ("name", 64, "Name"),
):
    _setter, _getter = _bot_text(_kind, _limit)
    method(f"setMy{_name}")(_setter)
    method(f"getMy{_name}")(_getter)


@method("setChatMenuButton")
def set_chat_menu_button(world: SandboxWorld, params: Params) -> bool:
    """Store the menu button (per chat or default)."""
    chat_id = params.get_int("chat_id")
    world.menu_buttons[chat_id] = params.get_json("menu_button") or {"type": "default"}
    return True


@method("getChatMenuButton")
def get_chat_menu_button(world: SandboxWorld, params: Params) -> Json:
    """The menu button of a chat (or the default one)."""
    chat_id = params.get_int("chat_id")
    return world.menu_buttons.get(chat_id) or world.menu_buttons.get(None) or {"type": "commands"}


@method("getChat")
def get_chat(world: SandboxWorld, params: Params) -> Json:
    """A private chat's full info."""
    chat = _chat(world, params, sending=False)
    return {**chat.user.chat(), "accent_color_id": 0, "max_reaction_count": 11}


@method("sendMessage")
def send_message(world: SandboxWorld, params: Params) -> Json:
    """Send a text message."""
    chat = _chat(world, params)
    text, entities = _text_content(world, params)
    inline, keyboard = _reply_markup(params)
    world.check_flood("sendmessage", chat.id)
    data = _new_bot_message(world, chat, params, text=text, entities=entities, reply_markup=inline)
    world.store_message(chat, data, outgoing=True, reply_keyboard=keyboard)
    return data


def _send_media(world: SandboxWorld, params: Params, kind: str) -> Json:
    chat = _chat(world, params)
    caption, caption_entities = _caption(world, params)
    inline, keyboard = _reply_markup(params)
    record = _input_file(world, params, kind, kind)
    if kind == "photo" and record.width is None:
        raise bad_request("type of file mismatch")
    world.check_flood(f"send{kind}", chat.id)
    media: Any = world.photo_json(record) if kind == "photo" else world.document_json(record)
    data = _new_bot_message(
        world,
        chat,
        params,
        **{kind: media},
        caption=caption or None,
        caption_entities=caption_entities,
        reply_markup=inline,
    )
    world.store_message(chat, data, outgoing=True, reply_keyboard=keyboard)
    return data


@method("sendDocument")
def send_document(world: SandboxWorld, params: Params) -> Json:
    """Send a file (upload, attach:// or file_id)."""
    return _send_media(world, params, "document")


@method("sendPhoto")
def send_photo(world: SandboxWorld, params: Params) -> Json:
    """Send a picture (upload, attach:// or file_id); it must be an image."""
    return _send_media(world, params, "photo")


@method("sendMediaGroup")
def send_media_group(world: SandboxWorld, params: Params) -> list[Json]:
    """Send 2-10 photos or documents as an album."""
    chat = _chat(world, params)
    media = params.get_json("media")
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise bad_request("wrong number of media specified (2-10 expected)")
    world.check_flood("sendmediagroup", chat.id)
    group_id = str(13_000_000_000_000_000 + world.last_seq)
    prepared = []
    for item in media:
        if not isinstance(item, dict) or item.get("type") not in ("photo", "document"):
            raise bad_request("the sandbox supports photo and document albums")
        kind = item["type"]
        record = _file_reference(world, params, str(item.get("media", "")), kind)
        caption = str(item.get("caption") or "")
        entities: list[Json] = []
        if caption and (item.get("parse_mode") or "").lower() == "html":
            try:
                caption, entities = parse_html(caption)
            except EntityParseError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
        if utf16_len(caption) > 1024:
            raise bad_request("message caption is too long")
        prepared.append((kind, record, caption, entities))
    result = []
    for kind, record, caption, entities in prepared:
        content: Any = world.photo_json(record) if kind == "photo" else world.document_json(record)
        data = _new_bot_message(
            world,
            chat,
            params,
            media_group_id=group_id,
            **{kind: content},
            caption=caption or None,
            caption_entities=entities,
        )
        world.store_message(chat, data, outgoing=True)
        result.append(data)
    return result


@method("sendChatAction")
def send_chat_action(world: SandboxWorld, params: Params) -> bool:
    """Show "typing…" and the like; logged as an event."""
    chat = _chat(world, params)
    action = params.get_str("action")
    if action not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    world.log_event(chat.id, "chat_action", action=action)
    return True


def _editable_message(world: SandboxWorld, params: Params) -> tuple[ChatRecord, StoredMessage]:
    """The chat and the bot message an edit method names, or Telegram's 400."""
    chat, stored, _ = _target_message(world, params)
    if stored is None:
        raise bad_request("message to edit not found")
    if not stored.outgoing:
        raise bad_request("message can't be edited")
    return chat, stored


@method("editMessageText")
def edit_message_text(world: SandboxWorld, params: Params) -> Json:
    """Edit a bot message's text (and inline keyboard; omitted keyboard is removed)."""
    chat, stored = _editable_message(world, params)
    if "text" not in stored.data:
        raise bad_request("there is no text in the message to edit")
    text, entities = _text_content(world, params)
    inline, _ = _reply_markup(params, inline_only=True)
    old = stored.data
    if (
        old.get("text") == text
        and (old.get("entities") or []) == entities
        and old.get("reply_markup") == inline
    ):
        raise _not_modified()
    world.check_flood("editmessagetext", chat.id)
    data = {k: v for k, v in old.items() if k not in ("entities", "reply_markup")}
    data.update(text=text, edit_date=int(world.time()))
    if entities:
        data["entities"] = entities
    if inline:
        data["reply_markup"] = inline
    world.replace_message(chat, stored, data)
    return data


@method("editMessageCaption")
def edit_message_caption(world: SandboxWorld, params: Params) -> Json:
    """Edit a bot media message's caption (and inline keyboard)."""
    chat, stored = _editable_message(world, params)
    if "text" in stored.data:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = _caption(world, params)
    inline, _ = _reply_markup(params, inline_only=True)
    old = stored.data
    if (
        (old.get("caption") or "") == caption
        and (old.get("caption_entities") or []) == entities
        and old.get("reply_markup") == inline
    ):
        raise _not_modified()
    world.check_flood("editmessagecaption", chat.id)
    data = {
        k: v for k, v in old.items() if k not in ("caption", "caption_entities", "reply_markup")
    }
    data["edit_date"] = int(world.time())
    if caption:
        data["caption"] = caption
    if entities:
        data["caption_entities"] = entities
    if inline:
        data["reply_markup"] = inline
    world.replace_message(chat, stored, data)
    return data


@method("editMessageReplyMarkup")
def edit_message_reply_markup(world: SandboxWorld, params: Params) -> Json:
    """Replace or remove a bot message's inline keyboard."""
    chat, stored = _editable_message(world, params)
    inline, _ = _reply_markup(params, inline_only=True)
    if stored.data.get("reply_markup") == inline:
        raise _not_modified()
    world.check_flood("editmessagereplymarkup", chat.id)
    data = {k: v for k, v in stored.data.items() if k != "reply_markup"}
    data["edit_date"] = int(world.time())
    if inline:
        data["reply_markup"] = inline
    world.replace_message(chat, stored, data)
    return data


@method("deleteMessage")
def delete_message(world: SandboxWorld, params: Params) -> bool:
    """Delete a message of the private chat (either side's, as bots may in private chats)."""
    chat, stored, _ = _target_message(world, params)
    if stored is None:
        raise bad_request("message to delete not found")
    world.delete_message(chat, stored)
    return True


@method("deleteMessages")
def delete_messages(world: SandboxWorld, params: Params) -> bool:
    """Delete several messages; missing ones are skipped."""
    chat = _chat(world, params)
    ids = params.get_json("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must be a list of 1-100 identifiers")
    for message_id in ids:
        stored = world.message(chat, int(message_id))
        if stored is not None:
            world.delete_message(chat, stored)
    return True


@method("answerCallbackQuery")
def answer_callback_query(world: SandboxWorld, params: Params) -> bool:
    """Answer a button press (once); the answer is logged in the user's chat."""
    query_id = params.get_str("callback_query_id") or ""
    record = world.callbacks.get(query_id)
    if record is None or record.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.get_str("text") or ""
    if len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answered = True
    record.answer = {
        "text": text,
        "show_alert": params.get_bool("show_alert"),
        "url": params.get_str("url"),
    }
    world.log_event(
        record.user_id,
        "callback_answer",
        callback_query_id=query_id,
        message_id=record.message_id,
        **record.answer,
    )
    return True


@method("getFile")
def get_file(world: SandboxWorld, params: Params) -> Json:
    """A file's download path (``/file/bot<TOKEN>/<file_path>``)."""
    record = world.files.get(params.get_str("file_id") or "")
    if record is None:
        raise bad_request("invalid file_id")
    if len(record.data) > 20 * 1024 * 1024:
        raise bad_request("file is too big")
    return record.to_api()


# ---------------------------------------------------------------------- aiohttp handlers
def _json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json",
    )


def _describe(params: Params) -> Json:
    summary: Json = {}
    for key, value in params.values.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        summary[key] = text if len(text) <= 300 else text[:300] + "…"
    for key, part in params.files.items():
        summary[key] = f"<file {part.filename}>"
    return summary


async def handle_bot_api(request: web.Request) -> web.Response:
    """``/bot<TOKEN>/<method>``: check token, apply faults and dispatch."""
    world = request.app[WORLD_KEY]
    token = request.match_info["token"]
    name = request.match_info["method"]
    key = name.lower()
    if token != world.token:
        return _json_response(ApiError(401, "Unauthorized").to_json(), 401)
    outcome: Json = {"method": name, "ok": True}
    try:
        params = await Params.from_request(request)
        outcome["params"] = _describe(params)
        fault = world.take_fault(key)
        if fault is not None:
            outcome["fault"] = fault.to_json()
            if fault.delay:
                await asyncio.sleep(fault.delay)
            error = fault.error()
            if error is not None:
                raise error
        handler = METHODS.get(key)
        if handler is None:
            world.unsupported.append({"method": name, "params": outcome["params"]})
            raise bad_request(f"method {name} is not supported by the sandbox")
        result = handler(world, params)
        if isinstance(result, Awaitable):
            result = await result
    except ApiError as error:
        outcome.update(ok=False, error_code=error.code, description=error.description)
        world.record_call(name, outcome)
        return _json_response(error.to_json(), error.code)
    world.record_call(name, outcome)
    return _json_response({"ok": True, "result": result})


async def handle_file(request: web.Request) -> web.StreamResponse:
    """``/file/bot<TOKEN>/<file_path>``: download a file."""
    world = request.app[WORLD_KEY]
    if request.match_info["token"] != world.token:
        return _json_response(ApiError(401, "Unauthorized").to_json(), 401)
    record = world.files_by_path.get(request.match_info["path"])
    if record is None:
        return _json_response(ApiError(404, "Not Found").to_json(), 404)
    return web.Response(
        body=record.data, content_type=record.mime_type or "application/octet-stream"
    )


def add_routes(app: web.Application) -> None:
    """Mount the Bot API and file routes."""
    app.router.add_route("*", "/bot{token}/{method}", handle_bot_api)
    app.router.add_get("/file/bot{token}/{path:.+}", handle_file)
