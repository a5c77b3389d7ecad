"""Tests' view of the sandbox: users who chat with the bot, and the bot in- or out-of-process.

A test reads like a person's chat::

    user = make_user(lang="kk")
    await user.command("/start")
    greeting = await user.expect("Сәлем")
    await user.press("English")
    await user.expect("Welcome")

``expect`` waits (on events, not by polling) for the next bot message or edit after the user's
last action whose text matches; on a time-out it fails with what the bot did say and any Bot
API errors the bot got from the sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.sandbox.control import ClockControl
from bot.sandbox.entities import to_html
from bot.sandbox.server import SandboxServer
from bot.sandbox.world import ApiError, Json, SandboxWorld, StoredMessage, UserRecord

Pattern = str | re.Pattern[str] | Callable[["ChatMessage"], bool]
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ChatMessage:
    """One message as the user sees it (a snapshot)."""

    data: Json
    outgoing: bool = True  # sent by the bot
    reply_keyboard_markup: Json | None = None
    edits: int = 0

    @classmethod
    def from_stored(cls, stored: StoredMessage) -> ChatMessage:
        """Snapshot of a stored message."""
        return cls(stored.data, stored.outgoing, stored.reply_keyboard, stored.edits)

    @property
    def message_id(self) -> int:
        """The id within the chat."""
        return int(self.data["message_id"])

    @property
    def text(self) -> str:
        """The visible text: the message text or the media caption ("" if none)."""
        return str(self.data.get("text") or self.data.get("caption") or "")

    @property
    def entities(self) -> list[Json]:
        """Formatting entities of the text or caption."""
        return list(self.data.get("entities") or self.data.get("caption_entities") or [])

    @property
    def html(self) -> str:
        """The text with its formatting as Telegram HTML (escaped)."""
        return to_html(self.text, self.entities)

    @property
    def inline_keyboard(self) -> list[list[Json]]:
        """Rows of inline buttons (empty if none)."""
        return [
            list(row) for row in (self.data.get("reply_markup") or {}).get("inline_keyboard", [])
        ]

    @property
    def buttons(self) -> list[str]:
        """Texts of the inline buttons, row by row."""
        return [b["text"] for row in self.inline_keyboard for b in row]

    @property
    def reply_keyboard(self) -> list[str]:
        """Texts of the reply keyboard sent with this message (empty if none)."""
        markup = self.reply_keyboard_markup or {}
        return [b["text"] for row in markup.get("keyboard", []) for b in row]

    def button(self, text: str) -> Json:
        """The inline button with exactly this text."""
        for row in self.inline_keyboard:
            for button in row:
                if button["text"] == text:
                    return button
        raise AssertionError(f"no button {text!r} in {self.buttons}")

    @property
    def document(self) -> Json | None:
        """The Document object, if this is a file."""
        return self.data.get("document")

    @property
    def photo(self) -> Json | None:
        """The largest PhotoSize, if this is a photo."""
        sizes = self.data.get("photo")
        return sizes[-1] if sizes else None

    @property
    def edited(self) -> bool:
        """True if the bot edited it."""
        return self.edits > 0 or "edit_date" in self.data

    def __str__(self) -> str:
        return self.text


def _pick(text: str, labels: list[str]) -> str | None:
    """The label equal to ``text``, else the only one containing it (e.g. a ticked "✓ …")."""
    if text in labels:
        return text
    containing = [label for label in labels if text in label]
    return containing[0] if len(containing) == 1 else None


def _matcher(pattern: Pattern) -> Callable[[ChatMessage], bool]:
    if isinstance(pattern, str):
        return lambda message: pattern in message.text
    if isinstance(pattern, re.Pattern):
        return lambda message: pattern.search(message.text) is not None
    return pattern


class SandboxUser:
    """A Telegram user chatting with the bot in the sandbox."""

    def __init__(self, world: SandboxWorld, record: UserRecord, *, timeout: float = 10.0) -> None:
        self.world = world
        self.record = record
        self.timeout = timeout
        self._cursor = world.last_seq  # expect() looks after this
        self._action_seq = world.last_seq  # where the user's last action began

    def __repr__(self) -> str:
        return f"<SandboxUser {self.id} {self.record.first_name!r} {self.record.language_code}>"

    @property
    def id(self) -> int:
        """User id (== chat id)."""
        return self.record.id

    @property
    def language_code(self) -> str | None:
        """The language Telegram reports for the user."""
        return self.record.language_code

    def _acted(self) -> None:
        self._cursor = self._action_seq = self.world.last_seq

    # -- acting -------------------------------------------------------------------------
    async def send(self, text: str) -> ChatMessage:
        """Type and send a text message."""
        self._acted()
        data = self.world.send_text(self.id, text)
        return ChatMessage(data, outgoing=False)

    async def command(self, command: str, payload: str | None = None) -> ChatMessage:
        """Send a command, e.g. ``command("/start", "ref123")`` (a deep link)."""
        self._acted()
        data = self.world.send_command(self.id, command, payload)
        return ChatMessage(data, outgoing=False)

    async def press(self, text: str, *, message: ChatMessage | None = None) -> str | None:
        """Press a button by its text (exact, or the only button whose label contains it).

        Inline buttons are looked up on ``message`` or the latest bot message with an inline
        keyboard; then the reply keyboard the user sees (pressing one sends its text, or the
        user's contact for a ``request_contact`` button). Returns the callback query id for an
        inline button.
        """
        target = message or self._last_with_inline_keyboard()
        if target is not None:
            label = _pick(text, target.buttons)
            if label is not None:
                self._acted()
                return self.world.press(self.id, target.message_id, text=label).id
        keyboard = self.world.chat(self.id).reply_keyboard or {}
        label = _pick(
            text, [b.get("text", "") for row in keyboard.get("keyboard", []) for b in row]
        )
        for row in keyboard.get("keyboard", []):
            for button in row:
                if label is not None and button.get("text") == label:
                    self._acted()
                    if button.get("request_contact"):
                        self.world.send_contact(self.id, "+77010000000")
                    else:
                        self.world.send_text(self.id, label)
                    return None
        seen = target.buttons if target else []
        reply = [b["text"] for row in keyboard.get("keyboard", []) for b in row]
        raise AssertionError(f"no button {text!r}: inline buttons {seen}, reply keyboard {reply}")

    async def press_data(self, message: ChatMessage, data: str) -> str:
        """Send a callback query with arbitrary data for a message (a stale or forged button)."""
        self._acted()
        return self.world.press(self.id, message.message_id, data).id

    async def send_document(
        self,
        data: bytes | Path,
        filename: str | None = None,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> ChatMessage:
        """Send a file as a document."""
        if isinstance(data, Path):
            filename = filename or data.name
            data = await asyncio.to_thread(data.read_bytes)
        self._acted()
        sent = self.world.send_document(self.id, data, filename or "file.bin", mime_type, caption)
        return ChatMessage(sent, outgoing=False)

    async def send_photo(self, data: bytes | Path, *, caption: str | None = None) -> ChatMessage:
        """Send a picture as a photo."""
        if isinstance(data, Path):
            data = await asyncio.to_thread(data.read_bytes)
        self._acted()
        return ChatMessage(self.world.send_photo(self.id, data, caption), outgoing=False)

    async def share_contact(self, phone_number: str = "+77010000000") -> ChatMessage:
        """Share the user's own phone number."""
        self._acted()
        return ChatMessage(self.world.send_contact(self.id, phone_number), outgoing=False)

    def block(self) -> None:
        """Block the bot (its sends then fail with 403)."""
        self._acted()
        self.world.set_blocked(self.id, True)

    def unblock(self) -> None:
        """Unblock the bot."""
        self._acted()
        self.world.set_blocked(self.id, False)

    # -- observing ----------------------------------------------------------------------
    async def expect(
        self,
        pattern: Pattern = "",
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> ChatMessage:
        """The next bot message (or edit) after the user's last action that matches.

        ``pattern`` is a substring, a compiled regex or a predicate; "" matches anything.
        """
        matches = _matcher(pattern)
        chat = self.world.chat(self.id)

        def predicate(event: Json) -> bool:
            stored = chat.messages[event["message_id"]]
            return matches(ChatMessage(event["message"], True, stored.reply_keyboard))

        wait = self.timeout if timeout is None else timeout
        event = await self.world.wait_bot_message(self.id, self._cursor, wait, predicate)
        if event is None:
            raise AssertionError(self._explain(pattern, wait))
        self._cursor = event["seq"]
        stored = chat.messages[event["message_id"]]
        return ChatMessage(event["message"], True, stored.reply_keyboard, stored.edits)

    async def expect_answer(self, timeout: float | None = None) -> Json:  # noqa: ASYNC109
        """The bot's answer to the user's last button press (``text``, ``show_alert``)."""
        wait = self.timeout if timeout is None else timeout
        event = await self.world.wait_bot_message(
            self.id, self._action_seq, wait, kinds=("callback_answer",)
        )
        if event is None:
            raise AssertionError(f"the bot did not answer the button press within {wait} s")
        return event

    def _explain(self, pattern: Pattern, wait: float) -> str:
        said = [
            f"  {e['kind']}: {ChatMessage(e['message']).text!r}"
            for e in self.world.events_after(self._cursor, self.id)
            if e["actor"] == "bot" and "message" in e
        ]
        errors = [f"  {c['method']}: {c.get('description')}" for c in list(self.world.errors)[-5:]]
        lines = [f"{self!r}: no bot message matching {pattern!r} within {wait} s."]
        lines.append("The bot said since the last action:" if said else "The bot said nothing.")
        lines.extend(said)
        if errors:
            lines.append("Recent Bot API errors the bot got:")
            lines.extend(errors)
        return "\n".join(lines)

    @property
    def messages(self) -> list[ChatMessage]:
        """The bot's messages in this chat, in order, with edits applied (deleted ones gone)."""
        return [ChatMessage.from_stored(m) for m in self.world.history(self.id) if m.outgoing]

    @property
    def history(self) -> list[ChatMessage]:
        """Both sides of the chat, in order."""
        return [ChatMessage.from_stored(m) for m in self.world.history(self.id)]

    @property
    def last_message(self) -> ChatMessage | None:
        """The bot's latest message (current state), or None."""
        for stored in self._newest_first():
            if stored.outgoing:
                return ChatMessage.from_stored(stored)
        return None

    @property
    def reply_keyboard(self) -> list[str]:
        """Texts of the reply keyboard the user currently sees."""
        keyboard = self.world.chat(self.id).reply_keyboard or {}
        return [b["text"] for row in keyboard.get("keyboard", []) for b in row]

    def _newest_first(self) -> Iterator[StoredMessage]:
        chat = self.world.chat(self.id)
        for message_id in reversed(chat.order):
            stored = chat.messages[message_id]
            if not stored.deleted:
                yield stored

    def _last_with_inline_keyboard(self) -> ChatMessage | None:
        for stored in self._newest_first():
            if stored.outgoing and (stored.data.get("reply_markup") or {}).get("inline_keyboard"):
                return ChatMessage.from_stored(stored)
        return None

    def download(self, message: ChatMessage) -> bytes:
        """The bytes of a document or photo the bot sent."""
        media = message.document or message.photo
        if media is None:
            raise AssertionError(f"message {message.message_id} has no file")
        return self.world.files[media["file_id"]].data


def new_user(
    world: SandboxWorld,
    lang: str | None = "en",
    *,
    organizer: bool = False,
    first_name: str | None = None,
    timeout: float = 10.0,
    **extra: Any,
) -> SandboxUser:
    """Create a user in the world and wrap it for a test."""
    names = {"kk": "Айгерім", "ru": "Мария", "en": "Alex"}
    record = world.add_user(
        first_name or names.get(lang or "", "Sam"),
        language_code=lang,
        organizer=organizer,
        **extra,
    )
    return SandboxUser(world, record, timeout=timeout)


# ---------------------------------------------------------------------------- the bot
def sandbox_settings(server: SandboxServer, database_path: Path, **overrides: Any) -> Any:
    """Settings for a bot talking to ``server``; organizer pool ids are admins."""
    from bot.settings import Settings

    admin_ids = frozenset(server.world.organizer_ids) | frozenset(overrides.pop("admin_ids", ()))
    values: dict[str, Any] = {
        "bot_token": server.world.token,
        "telegram_api_base_url": server.api_base_url,
        "telegram_file_base_url": server.file_base_url,
        "database_path": database_path,
        "admin_ids": admin_ids,
        "web_port": 0,  # a free port: tests run many bots at once
        # The sandbox has no flood limits unless a test turns them on (like a local Bot API
        # server): the send budget is off too; tests of pacing set SEND_* themselves.
        "send_rate": 0,
        "send_chat_rate": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]  # pydantic-settings' init option, absent from the signature


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (for a bot whose webhook URL needs its port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def webhook_settings(settings: Any) -> Any:
    """The same settings in webhook mode: the sandbox POSTs updates to the bot's web server."""
    port = free_port()
    return settings.model_copy(
        update={"web_port": port, "webhook_url": f"http://127.0.0.1:{port}/telegram-updates"}
    )


async def start_bot(
    server: SandboxServer, settings: Any, clock: Any = None, *, poll_timeout: int = 10
) -> Any:
    """Build and start the real Application against the sandbox; return it once it polls."""
    from bot.app import build_application, start_application

    application = build_application(settings, clock)
    polls = server.world.poll_count
    await start_application(application, poll_timeout=poll_timeout)
    if not settings.webhook_url:  # in webhook mode setWebhook has been called: ready
        await server.world.wait_for_poll(polls, 30)
    services = application.bot_data["services"]
    server.world.clock_hook = ClockControl(services.clock, services.content.forum.tz)
    return application


async def stop_bot(server: SandboxServer, application: Any) -> None:
    """Stop an Application started with :func:`start_bot`."""
    from bot.app import stop_application

    server.world.clock_hook = None
    await stop_application(application)


class BotProcess:
    """The bot as a separate ``python -m bot`` process, to kill with SIGKILL and restart."""

    def __init__(
        self,
        server: SandboxServer,
        database_path: Path,
        *,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        clock_at: str | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        self.server = server
        self.database_path = database_path
        self.log_path = log_path
        self.extra_env = dict(env or {})
        self.clock_at = clock_at
        self.start_timeout = start_timeout
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    def environment(self) -> dict[str, str]:
        """The variables the child gets (the parent's, minus any BOT_/TELEGRAM_ leftovers)."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("BOT_", "TELEGRAM_", "ADMIN_", "DATABASE_", "CLOCK_"))
        }
        pythonpath = [str(PROJECT_ROOT), *filter(None, [env.get("PYTHONPATH")])]
        env.update(
            {
                "BOT_TOKEN": self.server.world.token,
                "TELEGRAM_API_BASE_URL": self.server.api_base_url,
                "TELEGRAM_FILE_BASE_URL": self.server.file_base_url,
                "DATABASE_PATH": str(self.database_path),
                "ADMIN_IDS": ",".join(str(i) for i in self.server.world.organizer_ids),
                "LOG_LEVEL": "INFO",
                "WEB_PORT": "0",
                "PYTHONPATH": os.pathsep.join(pythonpath),
                "PYTHONUNBUFFERED": "1",
                # No flood limits in the sandbox by default: no send budget (see sandbox_settings).
                "SEND_RATE": "0",
                "SEND_CHAT_RATE": "0",
            }
        )
        if self.clock_at:
            env["CLOCK_AT"] = self.clock_at
        env.update(self.extra_env)
        return env

    @property
    def running(self) -> bool:
        """True while the child process lives."""
        return self.process is not None and self.process.returncode is None

    async def start(self) -> None:
        """Start the process and wait until it polls the sandbox for updates."""
        if self.running:
            raise RuntimeError("the bot process is already running")
        polls = self.server.world.poll_count
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"--- start #{self.starts + 1}\n".encode())
            log.flush()
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                env=self.environment(),
                cwd=str(self.database_path.parent),  # away from any developer's .env
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        self.starts += 1
        polled: asyncio.Future[Any]
        if self.extra_env.get("WEBHOOK_URL"):  # webhook mode: ready once it set its webhook
            polled = asyncio.ensure_future(self._wait_for_webhook(self.start_timeout))
        else:
            polled = asyncio.ensure_future(
                self.server.world.wait_for_poll(polls, self.start_timeout)
            )
        exited = asyncio.ensure_future(self.process.wait())
        done, _ = await asyncio.wait({polled, exited}, return_when=asyncio.FIRST_COMPLETED)
        if exited in done:
            polled.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await polled
            raise RuntimeError(f"the bot process exited at start:\n{self.log_tail()}")
        exited.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await exited
        try:
            polled.result()
        except TimeoutError:
            await self.kill()
            raise RuntimeError(f"the bot process did not poll:\n{self.log_tail()}") from None

    async def _wait_for_webhook(self, wait: float) -> None:
        world = self.server.world
        before = world.method_counts.get("setWebhook", 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while world.method_counts.get("setWebhook", 0) <= before:
            if loop.time() > deadline:
                raise TimeoutError
            await asyncio.sleep(0.02)

    async def kill(self) -> int | None:
        """SIGKILL: no shutdown code runs, as in a crash or power loss."""
        if self.process is None:
            return None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
        return await self.process.wait()

    async def stop(self, grace: float = 15.0) -> int | None:
        """SIGTERM and wait (SIGKILL after ``grace`` seconds)."""
        if self.process is None:
            return None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return await asyncio.wait_for(self.process.wait(), grace)
            except TimeoutError:
                return await self.kill()
        return self.process.returncode

    async def restart(self) -> None:
        """Kill (SIGKILL) if running, then start again on the same database."""
        await self.kill()
        await self.start()

    def log_tail(self, lines: int = 40) -> str:
        """The end of the process's output."""
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no output)"
        return "\n".join(text.splitlines()[-lines:])


__all__ = [
    "ApiError",
    "BotProcess",
    "ChatMessage",
    "SandboxServer",
    "SandboxUser",
    "new_user",
    "sandbox_settings",
    "start_bot",
    "stop_bot",
    "webhook_settings",
]
