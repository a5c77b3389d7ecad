"""The bot's health and figures, gathered once for /healthz, /metrics and /status.

``snapshot(services)`` checks what can go wrong while the bot runs: the database must take a
write, the delivery engine's sender must be running, due messages must not wait too long, and
updates must be arriving (polling running, or a webhook set). ``Status.healthy`` is all of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from bot.i18n import N_
from storage.outbox import parse_stamp

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Status:
    """One look at the running bot."""

    database_writable: bool
    receiving: bool  # polling runs, or the webhook is set
    mode: str  # "polling" or "webhook"
    seconds_since_update: float | None
    sender_running: bool
    outbox: dict[str, int] = field(default_factory=dict)
    oldest_due_seconds: float | None = None
    backlog_ok: bool = True
    rate_limited: int = 0
    users_registered: int = 0
    users_active_today: int = 0

    @property
    def healthy(self) -> bool:
        """Everything that must hold, holds."""
        return (
            self.database_writable and self.sender_running and self.backlog_ok and (self.receiving)
        )

    def to_json(self) -> dict[str, Any]:
        """What /healthz answers."""
        return {
            "ok": self.healthy,
            "database_writable": self.database_writable,
            "mode": self.mode,
            "receiving_updates": self.receiving,
            "seconds_since_last_update": _round(self.seconds_since_update),
            "sender": "running" if self.sender_running else "stopped",
            "outbox_backlog": self.outbox.get("pending", 0) + self.outbox.get("sending", 0),
            "outbox_oldest_due_seconds": _round(self.oldest_due_seconds),
            "outbox_backlog_ok": self.backlog_ok,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _sender(services: Services) -> Any:
    """The delivery engine's sender (``bot.delivery.Delivery.sender``), or None when stopped."""
    return getattr(services.outbox, "sender", None)


def sender_running(services: Services) -> bool:
    """Whether the delivery engine's sender loop is alive."""
    task = getattr(_sender(services), "_loop_task", None)
    return task is not None and not task.done()


async def snapshot(services: Services, *, receiving: bool, mode: str) -> Status:
    """Check and count (a failing database makes the figures 0, never an exception)."""
    now = services.clock.now()
    repo = services.repos.ops
    try:
        await repo.heartbeat(now)
        writable = True
    except Exception as exc:  # read-only file, full disk, locked for too long, closed
        log.warning("health: the database cannot be written: %s", type(exc).__name__)
        writable = False
    states: dict[str, int] = {}
    oldest: float | None = None
    registered = active = 0
    try:
        states = await repo.outbox_states()
        queued = parse_stamp(await repo.oldest_due(now))
        oldest = None if queued is None else max(0.0, (now - queued).total_seconds())
        tz = services.content.forum.tz
        midnight = datetime.combine(now.astimezone(tz).date(), time(0), tzinfo=tz)
        registered, active = await repo.users(midnight)
    except Exception as exc:
        log.warning("health: the database cannot be read: %s", type(exc).__name__)
        writable = False
    since = None
    if services.last_update_at is not None:
        since = services.clock.monotonic() - services.last_update_at
    sender = _sender(services)
    return Status(
        database_writable=writable,
        receiving=receiving,
        mode=mode,
        seconds_since_update=since,
        sender_running=sender_running(services),
        outbox=states,
        oldest_due_seconds=oldest,
        backlog_ok=oldest is None or oldest <= services.settings.health_outbox_max_age,
        rate_limited=0 if sender is None else sender.stats.rate_limited,
        users_registered=registered,
        users_active_today=active,
    )


MODE_NAMES = {"polling": N_("long polling"), "webhook": N_("webhook")}


def status_text(tr: Any, status: Status) -> str:
    """The same figures for an organizer, in their language (/status)."""
    yes_no = {True: tr._("yes"), False: tr._("NO")}
    lines = [
        tr._("✅ The bot is healthy.") if status.healthy else tr._("⚠️ Something is wrong."),
        "",
        tr._("Database writable: {answer}").format(answer=yes_no[status.database_writable]),
        tr._("Receiving updates ({mode}): {answer}").format(
            mode=tr._(MODE_NAMES.get(status.mode, status.mode)), answer=yes_no[status.receiving]
        ),
    ]
    if status.seconds_since_update is not None:
        lines.append(
            tr._("Last update received: {ago}").format(
                ago=tr.relative(-timedelta(seconds=status.seconds_since_update))
            )
        )
    lines.append(
        tr._("Delivery engine running: {answer}").format(answer=yes_no[status.sender_running])
    )
    box = status.outbox
    lines.append(
        tr._(
            "Outbox — waiting: {pending}, sent: {sent}, failed: {failed}, blocked: {blocked}"
        ).format(
            pending=tr.number(box.get("pending", 0) + box.get("sending", 0)),
            sent=tr.number(box.get("sent", 0)),
            failed=tr.number(box.get("failed", 0)),
            blocked=tr.number(box.get("blocked", 0)),
        )
    )
    if status.oldest_due_seconds:
        lines.append(
            tr._("Oldest waiting message: {ago}").format(
                ago=tr.relative(-timedelta(seconds=status.oldest_due_seconds))
            )
        )
    lines.append(
        tr._("Telegram's rate limit (429) hit: {n}").format(n=tr.number(status.rate_limited))
    )
    lines.append(tr._("Users registered: {n}").format(n=tr.number(status.users_registered)))
    lines.append(tr._("Active today: {n}").format(n=tr.number(status.users_active_today)))
    return "\n".join(lines)
