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
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot import callbacks
from bot.content import Session
from bot.i18n import Translator, resolve_language
from bot.services.outbox import OutgoingMessage, enqueue, record_skipped
from bot.views import Button, Rows, keyboard_json
from storage.outbox import parse_stamp, stamp

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)

CHOICES: tuple[int, ...] = (5, 10, 15, 30)  # minutes; 0 means off
DEFAULT_MINUTES = 10
LAST_CHECK = "reminders:last_check"
RATINGS_WINDOW = timedelta(hours=6)  # invitations for sessions that ended at most this ago
SKIP_KINDS = ("break", "registration")


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
    horizon = now + timedelta(minutes=max(CHOICES))
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
    due: list[OutgoingMessage] = []
    missed: list[OutgoingMessage] = []
    for session in sessions:
        for person in starrers.get(session.id, []):
            minutes = person.reminder_minutes
            if minutes <= 0:
                continue
            moment = session.starts_utc - timedelta(minutes=minutes)
            if moment > now:
                continue
            tr = services.i18n.get(_language(services, person.language, person.language_code))
            message = OutgoingMessage(
                person.id,
                reminder_text(tr, session, now),
                f"reminder:{session.id}:{person.id}",
                "reminder",
                reply_markup=keyboard_json(reminder_keyboard(tr)),
                expires_at=session.starts_utc,
            )
            if now < session.starts_utc:
                due.append(message)
            elif last is not None and moment > last:
                missed.append(message)  # came due while the bot was down; the session began
    counts = {"queued": 0, "skipped": 0, "invitations": 0}
    if due:
        counts["queued"] = await enqueue(services, due)
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
    try:
        from bot.services import ratings
    except ImportError:  # the surveys feature is not there
        return 0
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


def schedule_jobs(application: Any, services: Services) -> int:
    """One JobQueue job per future session and lead time, with deterministic names."""
    job_queue = application.job_queue
    if job_queue is None:
        return 0
    now = services.clock.now()
    made = 0
    for session in services.content.sessions:
        if session.kind in SKIP_KINDS or session.starts_utc <= now:
            continue
        for minutes in CHOICES:
            name = f"reminders:{session.id}:{minutes}"
            for job in job_queue.get_jobs_by_name(name):
                job.schedule_removal()
            delay = services.clock.real_delay(session.starts_utc - timedelta(minutes=minutes))
            if delay == float("inf") or delay <= 0:
                continue  # a frozen clock, or due now: the repeating check covers it
            job_queue.run_once(_job, when=delay, name=name)
            made += 1
    return made


async def _job(context: Any) -> None:
    services: Services = context.application.bot_data["services"]
    await check(services)
