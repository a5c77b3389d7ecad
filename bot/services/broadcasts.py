"""Organizer broadcasts: audiences, rendering per language, start/schedule/pause/cancel, progress.

A broadcast is a row in ``broadcasts`` (a draft while the organizer composes it). Starting it
writes one outbox row per recipient (``bc:<id>:<user>``) and the state 'sending' in ONE
transaction, so a crash either starts it completely or not at all. A scheduled broadcast is
started by the delivery check (a repeating JobQueue job, plus a job named ``broadcast:<id>``
for punctuality) once the clock reaches its moment. Pausing simply makes the sender skip its
rows; cancelling a scheduled one stops it from ever starting.

While it sends, :class:`ProgressMonitor` edits the organizer's status message at most every
two seconds (progress bar, rate, time left) and at the end sends the report with a CSV of the
failures.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from bot import callbacks
from bot.i18n import LANGUAGES, N_, Translator, pN_, resolve_language
from bot.labels import LANGUAGE_NAMES, STAKEHOLDER_LABELS
from bot.logs import without_urls
from bot.services import export_cells, qr
from bot.services.outbox import OutgoingMessage, to_rows, wake
from bot.views import Button, Rows, keyboard_json
from storage.broadcasts import Broadcast
from storage.erasure import ERASED_ORGANIZER
from storage.outbox import parse_stamp, stamp

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)

FEATURE = "bc"
AUDIENCE_KINDS = ("all", "language", "group", "starred", "survey")
PROGRESS_EVERY = 2.0  # seconds between edits of the status message
BAR_WIDTH = 12

STATE_LABELS: dict[str, str] = {
    "draft": N_("draft"),
    "scheduled": N_("scheduled"),
    "sending": N_("sending"),
    "paused": N_("paused"),
    "done": N_("finished"),
    "cancelled": pN_("broadcast state", "cancelled"),
}


@dataclass(frozen=True, slots=True)
class Target:
    """A recipient with the language they will read."""

    user_id: int
    language: str


async def recipients(services: Services, audience: dict[str, Any]) -> list[Target]:
    """Everyone the audience reaches now (not blocked), with their language."""
    kind = audience.get("kind", "all")
    value = audience.get("value")
    people = await services.repos.broadcasts.audience(kind, value)
    default = services.settings.default_language
    found = [Target(p.id, resolve_language(p.language, p.language_code, default)) for p in people]
    if kind == "language":
        found = [t for t in found if t.language == value]
    return found


def by_language(targets: list[Target]) -> dict[str, int]:
    """How many recipients read each language."""
    counts = {lang: 0 for lang in LANGUAGES}
    for t in targets:
        counts[t.language] = counts.get(t.language, 0) + 1
    return counts


def text_for(broadcast: Broadcast, language: str) -> str:
    """The text a language's recipients get."""
    texts = broadcast.texts
    return texts.get(language) or texts.get("*") or ""


def deep_link(bot_username: str, button: dict[str, Any]) -> str:
    """``https://t.me/<bot>?start=session_<id>`` (or survey_)."""
    return qr.deep_link(bot_username, button["kind"], button["id"])


def render(
    services: Services, broadcast: Broadcast, tr: Translator, bot_username: str
) -> tuple[str, Rows]:
    """Text and button exactly as ``tr.language``'s recipients will see them."""
    text = text_for(broadcast, tr.language)
    button = broadcast.button
    if not button:
        return text, []
    label = (
        tr._("📅 Open the session") if button["kind"] == "session" else tr._("📝 Open the survey")
    )
    return text, [[Button(label, url=deep_link(bot_username, button))]]


def audience_label(services: Services, tr: Translator, audience: dict[str, Any]) -> str:
    """A human description of an audience."""
    kind, value = audience.get("kind", "all"), str(audience.get("value") or "")
    if kind == "language":
        return tr._("language: {language}").format(language=LANGUAGE_NAMES.get(value, value))
    if kind == "group":
        label = STAKEHOLDER_LABELS.get(value or "")
        return tr._("group: {group}").format(group=tr._(label) if label else value)
    if kind == "starred":
        session = services.content.session(value or "")
        title = session.title.get(tr.language) if session else value
        return tr._("starred “{title}”").format(title=title)
    if kind == "survey":
        survey = services.content.survey(value or "")
        title = survey.title.get(tr.language) if survey else value
        return tr._("has not finished “{title}”").format(title=title)
    return tr._("everyone")


async def start(services: Services, broadcast_id: int, bot_username: str) -> int:
    """Queue a draft/scheduled broadcast for its audience now; returns the recipient count.

    One transaction: the rows and the state change commit together. Returns -1 if the
    broadcast is not startable (already started, cancelled, unknown).
    """
    repo = services.repos.broadcasts
    broadcast = await repo.get(broadcast_id)
    if broadcast is None or broadcast.state not in ("draft", "scheduled"):
        return -1
    targets = await recipients(services, broadcast.audience)
    messages = []
    rendered: dict[str, tuple[str, Rows]] = {}
    for lang in {t.language for t in targets}:
        rendered[lang] = render(services, broadcast, services.i18n.get(lang), bot_username)
    for t in targets:
        text, markup = rendered[t.language]
        messages.append(
            OutgoingMessage(
                t.user_id,
                text,
                f"bc:{broadcast.id}:{t.user_id}",
                "broadcast",
                reply_markup=keyboard_json(markup),
                broadcast_id=broadcast.id,
            )
        )
    now = services.clock.now()
    rows = to_rows(messages)
    async with services.db.transaction():
        changed = await repo.update(
            broadcast.id,
            expect_state=broadcast.state,
            state="sending",
            started_at=stamp(now),
            total=len(rows),
        )
        if not changed:
            return -1
        await services.repos.outbox.insert(rows, now)
    wake(services)
    log.info("broadcast %d started for %d recipients", broadcast.id, len(rows))
    return len(rows)


async def schedule(services: Services, broadcast_id: int, at: datetime) -> bool:
    """Schedule a draft for ``at`` (aware)."""
    return await services.repos.broadcasts.update(
        broadcast_id, expect_state="draft", state="scheduled", scheduled_at=stamp(at)
    )


async def cancel(services: Services, broadcast_id: int) -> bool:
    """Cancel a scheduled broadcast (or a draft)."""
    repo = services.repos.broadcasts
    now = stamp(services.clock.now())
    for state in ("scheduled", "draft"):
        if await repo.update(broadcast_id, expect_state=state, state="cancelled", finished_at=now):
            return True
    return False


async def pause(services: Services, broadcast_id: int) -> bool:
    """Pause a sending broadcast (messages already in flight still go)."""
    return await services.repos.broadcasts.update(
        broadcast_id, expect_state="sending", state="paused"
    )


async def resume(services: Services, broadcast_id: int) -> bool:
    """Resume a paused broadcast."""
    done = await services.repos.broadcasts.update(
        broadcast_id, expect_state="paused", state="sending"
    )
    if done:
        wake(services)
    return done


async def fire_due(services: Services, bot_username: str) -> int:
    """Start the scheduled broadcasts whose moment has come; returns how many started."""
    started = 0
    for broadcast in await services.repos.broadcasts.due_scheduled(services.clock.now()):
        if await start(services, broadcast.id, bot_username) >= 0:
            started += 1
    return started


def parse_when(text: str, tr: Translator, now: datetime) -> datetime | None:
    """A forum-local moment typed by an organizer: "2018-11-14 09:30", "14.11 09:30", "09:30"."""
    text = " ".join(text.strip().replace("T", " ").split())
    local_now = now.astimezone(tr.tz)
    formats = ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d.%m %H:%M", "%H:%M")
    for fmt in formats:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if fmt == "%H:%M":
            parsed = parsed.replace(year=local_now.year, month=local_now.month, day=local_now.day)
        elif fmt == "%d.%m %H:%M":
            parsed = parsed.replace(year=local_now.year)
        return parsed.replace(tzinfo=tr.tz)
    return None


# ---------------------------------------------------------------------- progress and report
def progress_bar(done: int, total: int) -> str:
    """``▰▰▰▱▱▱`` for done/total."""
    filled = BAR_WIDTH if total <= 0 else min(BAR_WIDTH, round(BAR_WIDTH * done / total))
    return "▰" * filled + "▱" * (BAR_WIDTH - filled)


def progress_text(
    tr: Translator, broadcast: Broadcast, counts: dict[str, int], rate: float | None
) -> str:
    """The status message while a broadcast sends (or is paused)."""
    total = broadcast.total
    done = counts["sent"] + counts["failed"] + counts["blocked"] + counts["skipped"]
    share = done / total if total else 1.0
    lines = [
        tr._("📣 Broadcast #{id}: {state}").format(
            id=broadcast.id, state=tr._(STATE_LABELS[broadcast.state])
        ),
        f"{progress_bar(done, total)} {tr.percent(share)}",
        tr._("Sent {sent} of {total}; blocked {blocked}; failed {failed}").format(
            sent=tr.number(counts["sent"]),
            total=tr.number(total),
            blocked=tr.number(counts["blocked"]),
            failed=tr.number(counts["failed"]),
        ),
    ]
    if rate and broadcast.state == "sending":
        left = max(0, total - done)
        lines.append(
            tr._("{rate} messages/s; about {left} left").format(
                rate=tr.number(round(rate, 1)),
                left=tr.duration(timedelta(seconds=max(1, left / rate))),
            )
        )
    return "\n".join(lines)


def report_text(tr: Translator, broadcast: Broadcast, counts: dict[str, int]) -> str:
    """The final report."""
    return tr._(
        "✅ Broadcast #{id} finished.\nSent: {sent}\nBlocked the bot: {blocked}\n"
        "Failed: {failed}\nSkipped: {skipped}"
    ).format(
        id=broadcast.id,
        sent=tr.number(counts["sent"]),
        blocked=tr.number(counts["blocked"]),
        failed=tr.number(counts["failed"]),
        skipped=tr.number(counts["skipped"]),
    )


def control_keyboard(tr: Translator, broadcast: Broadcast) -> Rows:
    """Pause / Resume / Cancel buttons fitting the broadcast's state."""
    buttons = []
    if broadcast.state == "sending":
        buttons.append((tr._("⏸ Pause"), "pause"))
    elif broadcast.state == "paused":
        buttons.append((tr._("▶️ Resume"), "resume"))
    elif broadcast.state == "scheduled":
        buttons.append((tr._("✖️ Cancel"), "cancel"))
    if not buttons:
        return []
    return [
        [
            Button(text, data=callbacks.make(FEATURE, action, broadcast.id))
            for text, action in buttons
        ]
    ]


async def failures_csv(services: Services, broadcast_id: int) -> bytes:
    """CSV of the recipients who did not get the broadcast, and why."""
    table: list[list[Any]] = [["user_id", "first_name", "username", "state", "attempts", "error"]]
    for row in await services.repos.outbox.problems(broadcast_id):
        table.append(
            [
                row["user_id"],
                row["first_name"] or "",
                row["username"] or "",
                row["state"],
                row["attempts"],
                without_urls(row["error"] or ""),
            ]
        )
    return export_cells.csv_bytes(table)


class StatusUnavailable(Exception):
    """The organizer's chat could not be reached (network, blocked): try again next round."""


class StatusChat(Protocol):
    """The organizer's chat as the progress monitor uses it (bot/delivery.py adapts the Bot)."""

    async def post(self, chat_id: int, text: str, buttons: Rows) -> tuple[int, int]:
        """A new message; its (chat id, message id)."""

    async def edit(self, chat_id: int, message_id: int, text: str, buttons: Rows) -> bool:
        """Replace a message (unchanged is done); False when Telegram refuses the edit,
        :class:`StatusUnavailable` when it cannot be asked."""

    async def send(self, chat_id: int, text: str) -> None:
        """A new message without buttons."""

    async def send_file(self, chat_id: int, data: bytes, filename: str, caption: str) -> None:
        """A file with a caption."""


class ProgressMonitor:
    """Keeps organizers' status messages current and reports finished broadcasts."""

    def __init__(self, services: Services, chat: StatusChat) -> None:
        self.services = services
        self.chat = chat
        self._samples: dict[int, deque[tuple[float, int]]] = {}
        self._shown: dict[int, str] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run in the background."""
        self._task = asyncio.create_task(self._run(), name="broadcast-progress")

    async def stop(self) -> None:
        """Stop the background task."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await self.update_all()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("broadcast progress update failed")
            await asyncio.sleep(PROGRESS_EVERY)

    async def _tr(self, broadcast: Broadcast) -> Translator:
        """The organizer's language, from the stored record (also right after a restart)."""
        stored = await self.services.repos.users.get(broadcast.created_by)
        language = stored.language if stored else None
        code = stored.language_code if stored else None
        return self.services.translator_for(language, code)

    def _rate(self, broadcast_id: int, sent: int) -> float | None:
        now = self.services.clock.monotonic()
        samples = self._samples.setdefault(broadcast_id, deque(maxlen=8))
        samples.append((now, sent))
        if len(samples) < 2:
            return None
        (t0, s0), (t1, s1) = samples[0], samples[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 and s1 > s0 else None

    async def update_all(self) -> None:
        """One round: edit the status of every running broadcast; finish the complete ones."""
        repo = self.services.repos.broadcasts
        for broadcast in await repo.in_states("sending", "paused"):
            counts = await self.services.repos.outbox.counts(broadcast_id=broadcast.id)
            try:
                if counts["pending"] == 0 and counts["sending"] == 0:
                    await self.finish(broadcast, counts)
                else:
                    await self.show(broadcast, counts)
            except StatusUnavailable as exc:
                # One organizer out of reach (blocked the bot, chat gone, network) must not
                # hold up the status of every broadcast after theirs; the next round retries.
                log.info("broadcast %d: status not shown: %s", broadcast.id, exc)
        for broadcast in await repo.in_states("done"):
            if not broadcast.reported:
                counts = await self.services.repos.outbox.counts(broadcast_id=broadcast.id)
                await self.report(broadcast, counts)

    async def show(self, broadcast: Broadcast, counts: dict[str, int]) -> None:
        """Create or edit the status message."""
        if broadcast.created_by == ERASED_ORGANIZER:
            return  # the organizer erased their data (/deleteme): nobody to show it to
        tr = await self._tr(broadcast)
        text = progress_text(tr, broadcast, counts, self._rate(broadcast.id, counts["sent"]))
        buttons = control_keyboard(tr, broadcast)
        if broadcast.status_message_id is None or broadcast.status_chat_id is None:
            chat_id, message_id = await self.chat.post(broadcast.created_by, text, buttons)
            await self.services.repos.broadcasts.update(
                broadcast.id, status_chat_id=chat_id, status_message_id=message_id
            )
            self._shown[broadcast.id] = text
            return
        if self._shown.get(broadcast.id) == text:
            return
        chat_id, message_id = broadcast.status_chat_id, broadcast.status_message_id
        if not await self.chat.edit(chat_id, message_id, text, buttons):
            log.warning("broadcast %d: status edit failed", broadcast.id)
        self._shown[broadcast.id] = text

    async def finish(self, broadcast: Broadcast, counts: dict[str, int]) -> None:
        """Mark done and report."""
        repo = self.services.repos.broadcasts
        if not await repo.update(
            broadcast.id,
            expect_state=broadcast.state,
            state="done",
            finished_at=stamp(self.services.clock.now()),
        ):
            return
        updated = await repo.get(broadcast.id)
        if updated is not None:
            await self.report(updated, counts)

    async def report(self, broadcast: Broadcast, counts: dict[str, int]) -> None:
        """The final status edit, the report and the failures CSV (once)."""
        if broadcast.created_by == ERASED_ORGANIZER:
            await self.services.repos.broadcasts.update(broadcast.id, reported=1)
            return
        tr = await self._tr(broadcast)
        chat_id, message_id = broadcast.status_chat_id, broadcast.status_message_id
        with contextlib.suppress(StatusUnavailable):  # the report below says it all
            if chat_id is not None and message_id is not None:
                await self.chat.edit(
                    chat_id, message_id, progress_text(tr, broadcast, counts, None), []
                )
        try:
            await self.chat.send(broadcast.created_by, report_text(tr, broadcast, counts))
            if counts["failed"] + counts["blocked"] + counts["skipped"]:
                data = await failures_csv(self.services, broadcast.id)
                await self.chat.send_file(
                    broadcast.created_by,
                    data,
                    f"broadcast-{broadcast.id}-failures.csv",
                    tr._("Who did not get broadcast #{id}, and why.").format(id=broadcast.id),
                )
        except StatusUnavailable as exc:
            # Reported at most once: an organizer out of reach is not written to every 2 s
            # (/broadcasts shows the figures whenever they come back).
            log.info("broadcast %d: report not delivered: %s", broadcast.id, exc)
        await self.services.repos.broadcasts.update(broadcast.id, reported=1)
        self._samples.pop(broadcast.id, None)
        self._shown.pop(broadcast.id, None)


def when_text(tr: Translator, broadcast: Broadcast, year: int) -> str:
    """When a broadcast is/was sent, in forum time («21 ноября, 18:00»; the year only when it
    is not the forum's ``year``)."""
    moment = parse_stamp(broadcast.scheduled_at or broadcast.started_at or broadcast.created_at)
    return tr.moment(moment, year=year) if moment else ""
