"""The control API (``/sandbox/api/...``) for tests and the web chat, and the page itself.

Everything is JSON. Errors answer ``{"error": "..."}`` with a 4xx status. The event stream is a
long poll: ``GET /sandbox/api/events?after=SEQ&timeout=25[&chat_id=ID]`` answers at once when
something newer happened, or waits for it.

Only the sandbox's own page and local programs may drive it: a request naming another
``Origin`` (a web page open in the same browser) or a non-loopback ``Host`` (DNS rebinding) is
refused with 403, and a body that is not JSON (a form, which any page may post without asking)
with 415. Files are uploaded as JSON with base64 content.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.sandbox.botapi import WORLD_KEY
from bot.sandbox.world import ApiError, Fault, Json, SandboxWorld

STATIC_DIR = Path(__file__).resolve().parent / "static"
PREFIX = "/sandbox/api"
MAX_WAIT = 55.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})


def _host_name(host: str) -> str:
    """``127.0.0.1:8080`` -> ``127.0.0.1``; ``[::1]:8080`` -> ``::1``."""
    if host.startswith("["):
        return host[1 : host.find("]")]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


@web.middleware
async def guard(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Refuse what a foreign web page could send to the control API (see the module docstring)."""
    if request.path.startswith(PREFIX + "/"):
        if _host_name(request.host or "") not in LOOPBACK_HOSTS:
            return web.json_response({"error": "only loopback host names are served"}, status=403)
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"{request.scheme}://{request.host}":
            return web.json_response({"error": "cross-origin requests are refused"}, status=403)
        media = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        # A body must be JSON; and the types an HTML form can send are refused even when empty.
        not_json = request.can_read_body and media != "application/json"
        if request.method not in ("GET", "HEAD") and (not_json or media in _FORM_TYPES):
            return web.json_response({"error": "send JSON (application/json)"}, status=415)
    return await handler(request)


class ClockHook(Protocol):
    """What the control API needs from the bot's clock (see ``ClockControl``)."""

    def to_json(self) -> Json: ...

    def update(self, body: Json) -> Json: ...


class ClockControl:
    """Read and move an in-process bot's ``bot.clock.Clock`` in the forum's time zone."""

    def __init__(self, clock: Any, timezone: ZoneInfo) -> None:
        self.clock = clock
        self.timezone = timezone
        self.frozen = False

    def to_json(self) -> Json:
        """The clock's current reading."""
        now = self.clock.now()
        return {
            "now_utc": now.isoformat(),
            "now_local": now.astimezone(self.timezone).isoformat(),
            "timezone": str(self.timezone),
            "frozen": self.frozen,
        }

    def update(self, body: Json) -> Json:
        """``{"at": forum-local ISO, "frozen": bool}`` or ``{"advance_seconds": N}``."""
        if body.get("at"):
            try:
                moment = datetime.fromisoformat(str(body["at"]))
            except ValueError as exc:
                raise ApiError(400, f"bad time: {body['at']!r}") from exc
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=self.timezone)
            self.frozen = bool(body.get("frozen", False))
            self.clock.set(moment, frozen=self.frozen)
        elif "frozen" in body and not body.get("advance_seconds"):
            self.frozen = bool(body["frozen"])
            self.clock.set(self.clock.now(), frozen=self.frozen)
        if body.get("advance_seconds"):
            self.clock.advance(timedelta(seconds=float(body["advance_seconds"])))
        return self.to_json()


Route = Callable[[web.Request, SandboxWorld], Awaitable[Any]]


def _wrap(func: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        world = request.app[WORLD_KEY]
        try:
            result = await func(request, world)
        except ApiError as error:
            status = error.code if 400 <= error.code < 500 else 400
            return web.json_response({"error": error.description}, status=status)
        if isinstance(result, web.StreamResponse):
            return result
        return web.Response(
            text=json.dumps(result, ensure_ascii=False),
            content_type="application/json",
        )

    return handler


async def _body(request: web.Request) -> Json:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()  # the guard let only application/json through
    except ValueError as exc:
        raise ApiError(400, "body is not JSON") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "body must be a JSON object")
    return body


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"{name} must be an integer") from None


def _user_id(request: web.Request) -> int:
    return _int(request.match_info["user_id"], "user id")


def _chat_id(request: web.Request) -> int:
    return _int(request.match_info["chat_id"], "chat id")


async def state(request: web.Request, world: SandboxWorld) -> Json:
    """Overview: bot, users, limits, counters."""
    return {
        "bot": world.bot_user,
        "users": [user.to_control() for user in world.users.values()],
        "organizer_ids": list(world.organizer_ids),
        "flood": world.flood.to_json(),
        "faults": [fault.to_json() for fault in world.faults],
        "clock": world.clock_hook.to_json() if world.clock_hook else None,
        "last_seq": world.last_seq,
        "pending_updates": len(world.updates),
        "poll_count": world.poll_count,
        "method_counts": world.method_counts,
        "webhook": world.webhook,
    }


async def list_users(request: web.Request, world: SandboxWorld) -> Json:
    """Every user."""
    return {"users": [user.to_control() for user in world.users.values()]}


async def create_user(request: web.Request, world: SandboxWorld) -> Json:
    """Create a user: first_name, last_name, username, language_code, organizer, id."""
    body = await _body(request)
    user_id = body.get("id")
    user = world.add_user(
        str(body.get("first_name") or "Test"),
        user_id=_int(user_id, "id") if user_id not in (None, "") else None,
        last_name=body.get("last_name") or None,
        username=body.get("username") or None,
        language_code=body.get("language_code") or None,
        organizer=str(body.get("organizer", "")).lower() in ("true", "1", "on", "yes"),
    )
    return {"user": user.to_control()}


async def get_user(request: web.Request, world: SandboxWorld) -> Json:
    """One user."""
    return {"user": world.user(_user_id(request)).to_control()}


async def send_text(request: web.Request, world: SandboxWorld) -> Json:
    """The user sends ``text`` (commands get bot_command entities)."""
    body = await _body(request)
    message = world.send_text(_user_id(request), str(body.get("text", "")), body.get("entities"))
    return {"message": message}


async def send_command(request: web.Request, world: SandboxWorld) -> Json:
    """The user sends ``/command payload``."""
    body = await _body(request)
    command = str(body.get("command") or "")
    if not command:
        raise ApiError(400, "command is required")
    payload = body.get("payload")
    message = world.send_command(_user_id(request), command, str(payload) if payload else None)
    return {"message": message}


async def _upload(request: web.Request) -> tuple[bytes, str, str | None, str | None]:
    body = await _body(request)
    try:
        data = base64.b64decode(str(body.get("content_base64", "")), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(400, "content_base64 is not base64") from exc
    name = str(body.get("file_name") or "file")
    mime = body.get("mime_type")
    if not data:
        raise ApiError(400, "the file is empty")
    caption = body.get("caption") or None
    return data, name, (str(mime) if mime else None), (str(caption) if caption else None)


async def send_document(request: web.Request, world: SandboxWorld) -> Json:
    """The user sends a document: JSON ``content_base64``, ``file_name``, ``mime_type``."""
    data, name, mime, caption = await _upload(request)
    if mime == "application/octet-stream":
        mime = None
    return {"message": world.send_document(_user_id(request), data, name, mime, caption)}


async def send_photo(request: web.Request, world: SandboxWorld) -> Json:
    """The user sends a photo: JSON ``content_base64`` (+``caption``)."""
    data, _, _, caption = await _upload(request)
    return {"message": world.send_photo(_user_id(request), data, caption)}


async def send_contact(request: web.Request, world: SandboxWorld) -> Json:
    """The user shares a contact (their own unless ``own`` is false)."""
    body = await _body(request)
    phone = str(body.get("phone_number") or "")
    if not phone:
        raise ApiError(400, "phone_number is required")
    message = world.send_contact(
        _user_id(request),
        phone,
        body.get("first_name"),
        body.get("last_name"),
        own=bool(body.get("own", True)),
    )
    return {"message": message}


async def press(request: web.Request, world: SandboxWorld) -> Json:
    """The user presses an inline button: ``message_id`` and ``text`` or ``data``."""
    body = await _body(request)
    record = world.press(
        _user_id(request),
        _int(body.get("message_id"), "message_id"),
        body.get("data"),
        text=body.get("text"),
    )
    return {"callback_query_id": record.id, "data": record.data}


async def block(request: web.Request, world: SandboxWorld) -> Json:
    """The user blocks the bot."""
    world.set_blocked(_user_id(request), True)
    return {"user": world.user(_user_id(request)).to_control()}


async def unblock(request: web.Request, world: SandboxWorld) -> Json:
    """The user unblocks the bot."""
    world.set_blocked(_user_id(request), False)
    return {"user": world.user(_user_id(request)).to_control()}


async def commands(request: web.Request, world: SandboxWorld) -> Json:
    """The command menu this user sees."""
    return {"commands": world.resolve_commands(_user_id(request))}


async def history(request: web.Request, world: SandboxWorld) -> Json:
    """The chat with edits applied (``include_deleted=1`` shows deleted ones too)."""
    include = request.query.get("include_deleted", "") in ("1", "true")
    messages = world.history(_chat_id(request), include_deleted=include)
    callbacks = [
        event
        for event in world.chat_or_404(_chat_id(request)).events
        if event["kind"] == "callback_answer"
    ][-20:]
    chat = world.chat_or_404(_chat_id(request))
    return {
        "messages": [m.to_control() for m in messages],
        "reply_keyboard": chat.reply_keyboard,
        "last_seq": world.last_seq,
        "callback_answers": callbacks,
    }


async def chat_log(request: web.Request, world: SandboxWorld) -> Json:
    """Every event of a chat, in order (the raw log)."""
    return {"events": world.chat_or_404(_chat_id(request)).events}


async def events(request: web.Request, world: SandboxWorld) -> Json:
    """Long poll: events after ``after`` (all chats, or ``chat_id``), waiting ``timeout`` s."""
    after = _int(request.query.get("after", "0"), "after")
    chat_id = request.query.get("chat_id")
    timeout = min(MAX_WAIT, float(request.query.get("timeout", "0") or 0))
    found = await world.wait_events(after, _int(chat_id, "chat_id") if chat_id else None, timeout)
    return {"events": found, "last_seq": found[-1]["seq"] if found else max(after, 0)}


async def next_bot_message(request: web.Request, world: SandboxWorld) -> Json:
    """Wait for the next bot message or edit in a chat after ``after``."""
    after = _int(request.query.get("after", "0"), "after")
    timeout = min(MAX_WAIT, float(request.query.get("timeout", "5") or 5))
    event = await world.wait_bot_message(_chat_id(request), after, timeout)
    return {"event": event, "timed_out": event is None}


async def pending_updates(request: web.Request, world: SandboxWorld) -> Json:
    """Updates queued for the bot and not yet confirmed."""
    return {"updates": [update for _, update in world.updates]}


async def calls(request: web.Request, world: SandboxWorld) -> Json:
    """Recorded Bot API calls (``method=``, ``errors=1``, ``limit=``)."""
    name = request.query.get("method", "").lower()
    only_errors = request.query.get("errors", "") in ("1", "true")
    limit = _int(request.query.get("limit", "200"), "limit")
    source = world.errors if only_errors else world.calls
    found = [c for c in source if not name or c["method"].lower() == name]
    return {
        "calls": found[-limit:],
        "counts": world.method_counts,
        "unsupported": list(world.unsupported),
    }


async def get_faults(request: web.Request, world: SandboxWorld) -> Json:
    """Queued faults."""
    return {"faults": [fault.to_json() for fault in world.faults]}


async def add_fault(request: web.Request, world: SandboxWorld) -> Json:
    """Queue a fault: ``{method?, count=1, status?, retry_after?, description?, delay?}``."""
    body = await _body(request)
    status = body.get("status")
    fault = Fault(
        method=body.get("method") or None,
        count=_int(body.get("count", 1), "count"),
        status=_int(status, "status") if status is not None else None,
        description=body.get("description"),
        retry_after=_int(body["retry_after"], "retry_after") if "retry_after" in body else None,
        delay=float(body.get("delay", 0) or 0),
    )
    if fault.count < 1 or (fault.status is None and fault.delay <= 0):
        raise ApiError(400, "a fault needs count >= 1 and a status or a delay")
    world.add_fault(fault)
    return {"faults": [f.to_json() for f in world.faults]}


async def clear_faults(request: web.Request, world: SandboxWorld) -> Json:
    """Remove every queued fault."""
    world.faults.clear()
    return {"faults": []}


async def get_flood(request: web.Request, world: SandboxWorld) -> Json:
    """Flood limit settings."""
    return {"flood": world.flood.to_json()}


async def set_flood(request: web.Request, world: SandboxWorld) -> Json:
    """Change flood limits: enabled, global_rate, global_burst, chat_rate, chat_burst."""
    body = await _body(request)
    return {"flood": world.configure_flood(**body).to_json()}


async def reset(request: web.Request, world: SandboxWorld) -> Json:
    """Forget users, chats, updates, faults and logs (the bot's commands stay)."""
    world.reset()
    return {"ok": True, "last_seq": world.last_seq}


async def get_clock(request: web.Request, world: SandboxWorld) -> Json:
    """The in-process bot's clock."""
    if world.clock_hook is None:
        raise ApiError(404, "the bot's clock is not available (bot not running in-process)")
    return {"clock": world.clock_hook.to_json()}


async def set_clock(request: web.Request, world: SandboxWorld) -> Json:
    """Move the in-process bot's clock: ``{"at", "frozen"}`` or ``{"advance_seconds"}``."""
    if world.clock_hook is None:
        raise ApiError(404, "the bot's clock is not available (bot not running in-process)")
    return {"clock": world.clock_hook.update(await _body(request))}


async def download(request: web.Request, world: SandboxWorld) -> web.StreamResponse:
    """A file by file_id, for the page (which does not know the bot token)."""
    record = world.files.get(request.match_info["file_id"])
    if record is None:
        raise ApiError(404, "no such file")
    headers = {}
    if record.file_name:
        name = record.file_name.replace('"', "")
        headers["Content-Disposition"] = f'inline; filename="{name}"'
    return web.Response(
        body=record.data,
        content_type=record.mime_type or "application/octet-stream",
        headers=headers,
    )


async def index(request: web.Request) -> web.StreamResponse:
    """The web chat."""
    return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})


def add_routes(app: web.Application) -> None:
    """Mount the control API, the page and its static files."""
    r = app.router
    r.add_get(f"{PREFIX}/state", _wrap(state))
    r.add_get(f"{PREFIX}/users", _wrap(list_users))
    r.add_post(f"{PREFIX}/users", _wrap(create_user))
    r.add_get(f"{PREFIX}/users/{{user_id}}", _wrap(get_user))
    r.add_post(f"{PREFIX}/users/{{user_id}}/send", _wrap(send_text))
    r.add_post(f"{PREFIX}/users/{{user_id}}/command", _wrap(send_command))
    r.add_post(f"{PREFIX}/users/{{user_id}}/document", _wrap(send_document))
    r.add_post(f"{PREFIX}/users/{{user_id}}/photo", _wrap(send_photo))
    r.add_post(f"{PREFIX}/users/{{user_id}}/contact", _wrap(send_contact))
    r.add_post(f"{PREFIX}/users/{{user_id}}/press", _wrap(press))
    r.add_post(f"{PREFIX}/users/{{user_id}}/block", _wrap(block))
    r.add_post(f"{PREFIX}/users/{{user_id}}/unblock", _wrap(unblock))
    r.add_get(f"{PREFIX}/users/{{user_id}}/commands", _wrap(commands))
    r.add_get(f"{PREFIX}/chats/{{chat_id}}/history", _wrap(history))
    r.add_get(f"{PREFIX}/chats/{{chat_id}}/log", _wrap(chat_log))
    r.add_get(f"{PREFIX}/chats/{{chat_id}}/next", _wrap(next_bot_message))
    r.add_get(f"{PREFIX}/events", _wrap(events))
    r.add_get(f"{PREFIX}/updates", _wrap(pending_updates))
    r.add_get(f"{PREFIX}/calls", _wrap(calls))
    r.add_get(f"{PREFIX}/faults", _wrap(get_faults))
    r.add_post(f"{PREFIX}/faults", _wrap(add_fault))
    r.add_delete(f"{PREFIX}/faults", _wrap(clear_faults))
    r.add_get(f"{PREFIX}/flood", _wrap(get_flood))
    r.add_post(f"{PREFIX}/flood", _wrap(set_flood))
    r.add_post(f"{PREFIX}/reset", _wrap(reset))
    r.add_get(f"{PREFIX}/clock", _wrap(get_clock))
    r.add_post(f"{PREFIX}/clock", _wrap(set_clock))
    r.add_get(f"{PREFIX}/files/{{file_id}}", _wrap(download))
    r.add_get("/", index)
    r.add_static("/static/", STATIC_DIR, append_version=False)
