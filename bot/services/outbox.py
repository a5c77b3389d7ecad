"""The delivery engine's front door: queue messages in the outbox; the sender delivers them.

    await enqueue(services, [OutgoingMessage(user_id, text, "reminder:s1:42", "reminder")])

A message whose dedup key was ever queued is ignored, so producers may enqueue again safely
(after a restart, on every scheduler tick). Text over Telegram's 4096 characters is split at
paragraph, line or word boundaries (plain text) or refused (formatted text, where a split could
break the markup).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from storage.outbox import NewRow, stamp

if TYPE_CHECKING:
    from bot.context import Services

MAX_TEXT = 4096  # UTF-16 code units, as Telegram counts
# Lower goes first: a reminder must not wait behind a broadcast to thousands.
PRIORITIES: dict[str, int] = {"reminder": 0, "alert": 0, "rating": 1, "broadcast": 2}


class MessageTooLong(ValueError):
    """Formatted text over Telegram's limit (it cannot be split safely)."""


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One message for one user (chat id == user id in private chats)."""

    user_id: int
    text: str
    dedup_key: str
    kind: str
    # The Bot API JSON of an inline keyboard: bot.views.keyboard_json of the view's buttons.
    reply_markup: dict[str, Any] | None = None
    parse_mode: str | None = None
    not_before: datetime | None = None
    expires_at: datetime | None = None  # not sent after this moment: skipped instead
    broadcast_id: int | None = None
    coalesce_key: str | None = None
    meta: dict[str, Any] | None = field(default=None)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split plain text into parts of at most ``limit`` UTF-16 units at natural boundaries."""
    if utf16_len(text) <= limit:
        return [text]
    parts: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        # The longest prefix within the limit (by code points; surrogates count double).
        cut, used = 0, 0
        for ch in rest:
            used += 2 if ord(ch) > 0xFFFF else 1
            if used > limit:
                break
            cut += 1
        window = rest[:cut]
        for separator in ("\n\n", "\n", " "):
            at = window.rfind(separator)
            if at > cut // 2:
                head, rest = rest[:at], rest[at + len(separator) :]
                break
        else:
            head, rest = window, rest[cut:]
        parts.append(head.rstrip())
    if rest.strip():
        parts.append(rest)
    return [p for p in parts if p.strip()]


def markup_json(markup: dict[str, Any] | None) -> str | None:
    """The stored text of a reply markup (Bot API JSON)."""
    if markup is None:
        return None
    return json.dumps(markup, ensure_ascii=False, separators=(",", ":"))


def to_rows(messages: Iterable[OutgoingMessage]) -> list[NewRow]:
    """Outbox rows for messages (long plain text becomes several rows, the button on the last)."""
    rows: list[NewRow] = []
    for m in messages:
        if m.parse_mode is None:
            parts = split_text(m.text)
        elif utf16_len(m.text) > MAX_TEXT:
            raise MessageTooLong(f"{m.dedup_key}: formatted text over {MAX_TEXT} characters")
        else:
            parts = [m.text]
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            rows.append(
                NewRow(
                    dedup_key=m.dedup_key if index == 0 else f"{m.dedup_key}#{index + 1}",
                    user_id=m.user_id,
                    kind=m.kind,
                    text=part,
                    reply_markup=markup_json(m.reply_markup) if last else None,
                    parse_mode=m.parse_mode,
                    priority=PRIORITIES.get(m.kind, 1),
                    broadcast_id=m.broadcast_id,
                    not_before=stamp(m.not_before) if m.not_before else None,
                    expires_at=stamp(m.expires_at) if m.expires_at else None,
                    coalesce_key=m.coalesce_key,
                    meta=json.dumps(m.meta, ensure_ascii=False) if m.meta else None,
                )
            )
    return rows


async def enqueue(services: Services, messages: Sequence[OutgoingMessage]) -> int:
    """Queue messages; already-queued dedup keys are ignored. Returns how many rows were added."""
    added = await services.repos.outbox.insert(to_rows(messages), services.clock.now())
    if added:
        wake(services)
    return added


async def record_skipped(
    services: Services, messages: Sequence[OutgoingMessage], reason: str
) -> int:
    """Record messages that will not be sent (so they are counted, and never sent later)."""
    rows = [
        NewRow(
            dedup_key=r.dedup_key, user_id=r.user_id, kind=r.kind, text=r.text,
            priority=r.priority, state="skipped", error=reason,
        )
        for r in to_rows(messages)
    ]  # fmt: skip
    return await services.repos.outbox.insert(rows, services.clock.now())


def wake(services: Services) -> None:
    """Tell a running sender that there is new work."""
    if services.outbox is not None:
        services.outbox.wake()
