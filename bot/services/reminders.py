"""Session reminders and rating invitations, derived from the database on every check.

Nothing about a reminder is kept in memory: on each check (a repeating JobQueue job every
DELIVERY_TICK_SECONDS, plus one job per session and lead time, named
``reminders:<session>:<minutes>``, for punctuality) the starrers of the sessions around now are
read from SQLite and a reminder is queued when it is due. The outbox's dedup key
``reminder:<session>:<user>`` makes a check idempotent, so restarts and overlapping jobs never
duplicate one. A reminder that came due since the last check (the bot was down) is queued if
the session has not begun (it expires at the start), otherwise recorded as ``skipped`` and
counted in the log. Rating invitations (``rate:<session>:<user>``) go the same way at a
session's end.

Many starrers, one moment: the outbox sends at most OUTBOX_RATE messages a second, so 5,000
people who starred a plenary cannot all be reminded at "10 minutes before". :func:`plan` gives
each reminder a send moment, as late as possible, at least ``MARGIN`` before the person's own
lead time, at most ``reminder_rate`` per second overall (over every session at once): the last
ones go just before their lead time, the first ones N / rate seconds earlier, and someone who
chose 5 minutes is reminded close to 5 minutes before, not among the 10-minute crowd. A check
queues the reminders whose moment is within the next two ticks, with ``not_before`` = moment.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot import callbacks
from bot.content import Session
from bot.i18n import Translator, resolve_language
from bot.services import ratings
from bot.services.outbox import OutgoingMessage, enqueue, record_skipped
from bot.views import Button, Rows, keyboard_json
from storage.outbox import parse_stamp, stamp

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)

CHOICES: tuple[int, ...] = (5, 10, 15, 30)  # minutes; 0 means off
LAST_CHECK = "reminders:last_check"
RATINGS_WINDOW = timedelta(hours=6)  # invitations for sessions that ended at most this ago
SKIP_KINDS = ("break", "registration")
MARGIN = timedelta(seconds=20)  # the last reminder of a crowd goes this long before its lead
RATE_SHARE = 0.8  # of OUTBOX_RATE, planned for reminders: replies and other bulk share the rest
MAX_EARLY = timedelta(hours=1)  # sessions this far beyond the longest lead are planned too


def reminder_rate(services: Services) -> float:
    """Reminders a second the plan assumes (0: as fast as wanted)."""
    settings = services.settings
    configured = getattr(settings, "reminder_rate", 0.0) or 0.0
    return configured if configured > 0 else settings.outbox_rate * RATE_SHARE


def plan(
    deadlines: Iterable[tuple[datetime, Hashable]], rate: float, margin: timedelta = MARGIN
) -> dict[Hashable, datetime]:
    """Send moments, as late as possible: each ``margin`` before its deadline or earlier, one
    every 1/``rate`` s (latest deadlines are placed first, so each is as close as it can be)."""
    step = timedelta(seconds=1 / rate) if rate > 0 else timedelta(0)
    moments: dict[Hashable, datetime] = {}
    cursor: datetime | None = None
    for deadline, key in sorted(deadlines, key=lambda d: d[0], reverse=True):
        latest = deadline - margin
        cursor = latest if cursor is None else min(cursor - step, latest)
        moments[key] = cursor
    return moments


def reminder_text(tr: Translator, session: Session, now: datetime) -> str:
    """ "⏰ In 10 minutes: «Title»  10:00–11:00, Room" in the person's language."""
    minutes = max(1, round((session.starts_utc - now).total_seconds() / 60))
    lead = tr.ngettext("In {n} minute", "In {n} minutes", minutes).format(n=minutes)
    return tr._("⏰ {lead}: “{title}”\n{time}, {room}").format(
        lead=lead,
        title=session.title.get(tr.language),
        time=tr.time_range(session.starts_utc, session.ends_utc),
        room=session.room.get(tr.language),
    )


def reminder_keyboard(tr: Translator) -> Rows:
    """A button to change the reminder settings."""
    return [[Button(tr._("⏰ Reminder settings"), data=callbacks.make("rem", "menu"))]]


def _language(services: Services, language: str | None, code: str | None) -> str:
    return resolve_language(language, code, services.settings.default_language)


async def check(services: Services) -> dict[str, int]:
    """Queue due reminders and rating invitations; returns what was done (for logs, tests)."""
    now = services.clock.now()
    outbox = services.repos.outbox
    last = parse_stamp(await outbox.get_mark(LAST_CHECK))
    since = min(last, now) if last is not None else now
    horizon = now + timedelta(minutes=max(CHOICES)) + MAX_EARLY
    sessions = [
        s
        for s in services.content.sessions
        if s.kind not in SKIP_KINDS and since < s.starts_utc <= horizon
    ]
    ended = [
        s
        for s in services.content.sessions
        if s.kind not in SKIP_KINDS and now - RATINGS_WINDOW < s.ends_utc <= now
    ]
    starrers = await services.repos.broadcasts.starrers(
        sorted({s.id for s in sessions} | {s.id for s in ended})
    )
    wishes = [
        (session.starts_utc - timedelta(minutes=person.reminder_minutes), (session, person))
        for session in sessions
        for person in starrers.get(session.id, [])
        if person.reminder_minutes > 0
    ]
    moments = plan(((w, (s.id, p.id)) for w, (s, p) in wishes), reminder_rate(services))
    lookahead = now + timedelta(seconds=2 * services.settings.delivery_tick_seconds)
    # What earlier checks queued (or recorded as skipped) is not built again: with thousands
    # of starrers that would be thousands of texts every tick, all ignored by the insert.
    queued: set[str] = set()
    for session in {s for _, (s, _p) in wishes}:
        queued |= await outbox.keys_with_prefix(f"reminder:{session.id}:")
    due: list[tuple[datetime, OutgoingMessage]] = []
    missed: list[OutgoingMessage] = []
    for _wish, (session, person) in wishes:
        moment = moments[(session.id, person.id)]
        key = f"reminder:{session.id}:{person.id}"
        if moment > lookahead or key in queued:
            continue
        tr = services.i18n.get(_language(services, person.language, person.language_code))
        message = OutgoingMessage(
            person.id,
            reminder_text(tr, session, max(moment, now)),
            key,
            "reminder",
            reply_markup=keyboard_json(reminder_keyboard(tr)),
            not_before=moment if moment > now else None,
            expires_at=session.starts_utc,
        )
        if now < session.starts_utc:
            due.append((moment, message))
        elif last is not None and moment > last:
            missed.append(message)  # came due while the bot was down; the session began
    due.sort(key=lambda d: d[0])  # the outbox sends in queue order among equals
    counts = {"queued": 0, "skipped": 0, "invitations": 0}
    if due:
        counts["queued"] = await enqueue(services, [m for _, m in due])
    if missed:
        counts["skipped"] = await record_skipped(
            services, missed, "came due while the bot was down; the session had begun"
        )
        if counts["skipped"]:
            log.warning(
                "reminders: %d came due while the bot was down after their session began; skipped",
                counts["skipped"],
            )
    counts["invitations"] = await _invite_ratings(services, ended, starrers)
    await outbox.set_mark(LAST_CHECK, stamp(now))
    return counts


async def _invite_ratings(
    services: Services, ended: list[Session], starrers: dict[str, list[Any]]
) -> int:
    invitations = []
    for session in ended:
        for person in starrers.get(session.id, []):
            tr = services.i18n.get(_language(services, person.language, person.language_code))
            text, markup = ratings.invitation(tr, session)
            invitations.append(
                OutgoingMessage(
                    person.id,
                    text,
                    f"rate:{session.id}:{person.id}",
                    "rating",
                    keyboard_json(markup),
                )
            )
    return await enqueue(services, invitations) if invitations else 0


async def forget_pending(services: Services, session_id: str) -> int:
    """Drop queued, unsent reminders of a session (it moved or was cancelled)."""
    return await services.repos.outbox.delete_pending(f"reminder:{session_id}:")


def job_moments(services: Services) -> list[tuple[str, datetime]]:
    """``(job name, moment)`` of every future reminder: one per session and lead time.

    The names are deterministic, so scheduling again replaces a job instead of adding one
    (``bot/delivery.py`` turns them into JobQueue jobs).
    """
    now = services.clock.now()
    moments = []
    for session in services.content.sessions:
        if session.kind in SKIP_KINDS or session.starts_utc <= now:
            continue
        for minutes in CHOICES:
            moments.append(
                (
                    f"reminders:{session.id}:{minutes}",
                    session.starts_utc - timedelta(minutes=minutes),
                )
            )
    return moments
