"""The delivery engine, composed: sender and transport, progress monitor, jobs, start-up catch-up.

``bot/app.py`` calls :func:`start` at the end of ``post_init`` and :func:`stop` at the start of
``post_shutdown``. Producers never see this module: they queue messages through
``bot.services.outbox.enqueue`` and the running :class:`Delivery` (``services.outbox``) is woken.
Scheduled work lives in SQLite; the JobQueue jobs made here are derived from it, with
deterministic names, and a repeating check covers whatever a job would miss (a restart, a
frozen clock).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from telegram import Bot, InputFile
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackContext, JobQueue

from bot.context import Services
from bot.services import alerts, broadcasts, reminders
from bot.services.sender import BotApiTransport, Sender
from bot.views import Rows
from handlers.render import markup
from storage.outbox import parse_stamp

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
AnyJobQueue = JobQueue[Any]
CHECK_JOB = "delivery:check"


class Delivery:
    """The running engine: the sender that drains the outbox and the broadcast progress monitor.

    It is what ``services.outbox`` holds while the bot runs (the producers' :meth:`wake`).
    """

    def __init__(self, sender: Sender, monitor: broadcasts.ProgressMonitor) -> None:
        self.sender = sender
        self.monitor = monitor

    def wake(self) -> None:
        """Tell the sender that there is new work."""
        self.sender.wake()

    async def drained(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until nothing due is left in the outbox and nothing is in flight."""
        await self.sender.drained(timeout)

    async def stop(self) -> None:
        """Stop the monitor, then the sender (it finishes the sends in flight)."""
        await self.monitor.stop()
        await self.sender.stop()


class BotStatusChat:
    """The broadcast progress monitor's :class:`~bot.services.broadcasts.StatusChat` over the
    Bot: Telegram's errors stay here."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def post(self, chat_id: int, text: str, buttons: Rows) -> tuple[int, int]:
        """A new message; its (chat id, message id). Unreachable raises StatusUnavailable."""
        try:
            sent = await self.bot.send_message(chat_id, text, reply_markup=markup(buttons))
        except TelegramError as exc:
            raise broadcasts.StatusUnavailable(str(exc)) from exc
        return sent.chat_id, sent.message_id

    async def edit(self, chat_id: int, message_id: int, text: str, buttons: Rows) -> bool:
        """Replace the message: unchanged is done, refused is False, unreachable raises."""
        try:
            await self.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=markup(buttons)
            )
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return True
            log.info("status message edit refused: %s", exc)
            return False
        except TelegramError as exc:
            raise broadcasts.StatusUnavailable(str(exc)) from exc
        return True

    async def send(self, chat_id: int, text: str) -> None:
        """A new message without buttons. Unreachable raises StatusUnavailable."""
        try:
            await self.bot.send_message(chat_id, text)
        except TelegramError as exc:
            raise broadcasts.StatusUnavailable(str(exc)) from exc

    async def send_file(self, chat_id: int, data: bytes, filename: str, caption: str) -> None:
        """A file with a caption. Unreachable raises StatusUnavailable."""
        try:
            await self.bot.send_document(
                chat_id, InputFile(data, filename=filename, attach=True), caption=caption
            )
        except TelegramError as exc:
            raise broadcasts.StatusUnavailable(str(exc)) from exc


def register(services: Services) -> None:
    """Hooks of the delivery engine's producers (called while the application is built)."""
    services.content_hooks.append(alerts.on_content_changes)


async def start(application: AnyApplication, services: Services) -> Delivery:
    """Start sending, watch broadcasts, schedule the jobs and catch up with what is due."""
    settings = services.settings
    transport = BotApiTransport(
        settings.telegram_api_base_url,
        settings.bot_token.get_secret_value(),
        connections=settings.outbox_concurrency,
        paid_broadcast=settings.outbox_paid_broadcast,
    )
    sender = Sender(
        services.repos.outbox,
        transport,
        services.clock,
        rate=settings.outbox_rate,
        chat_rate=settings.outbox_chat_rate,
        concurrency=settings.outbox_concurrency,
        # Bulk shares the replies' budget (bot/pacing.py); paid broadcasts have their own limit,
        # and OUTBOX_RATE=0 means no limits at all (a local Bot API server, the sandbox).
        budget=None
        if settings.outbox_paid_broadcast or settings.outbox_rate <= 0
        else getattr(application.bot.rate_limiter, "budget", None),
    )
    await sender.start()
    monitor = broadcasts.ProgressMonitor(services, BotStatusChat(application.bot))
    monitor.start()
    delivery = Delivery(sender, monitor)
    services.outbox = delivery
    job_queue = application.job_queue
    if job_queue is not None:
        job_queue.run_repeating(
            _tick, interval=settings.delivery_tick_seconds, first=0.0, name=CHECK_JOB
        )
        schedule_reminder_jobs(job_queue, services)
        await schedule_broadcast_jobs(application, services)
    else:  # no JobQueue: one check now; the sender still drains what is queued
        await check_now(application.bot, services)
    return delivery


async def stop(services: Services) -> None:
    """Stop the engine started by :func:`start` (if it was)."""
    delivery = services.outbox
    services.outbox = None
    if isinstance(delivery, Delivery):
        await delivery.stop()


async def check_now(bot: Bot, services: Services) -> None:
    """One delivery check: due reminders, rating invitations, scheduled broadcasts."""
    await reminders.check(services)
    await broadcasts.fire_due(services, bot.username)


async def _tick(context: CallbackContext[Any, Any, Any, Any]) -> None:
    services: Services = context.application.bot_data["services"]
    await check_now(context.bot, services)
    await schedule_broadcast_jobs(context.application, services)


async def schedule_broadcast_jobs(application: AnyApplication, services: Services) -> None:
    """Derive the ``broadcast:<id>`` jobs from the stored scheduled broadcasts.

    Scheduling is the broadcast service's job and only writes the row; each check adds the job
    of a broadcast scheduled since (a due one is started by the check itself).
    """
    job_queue = application.job_queue
    if job_queue is None:
        return
    now = services.clock.now()
    for broadcast in await services.repos.broadcasts.in_states("scheduled"):
        moment = parse_stamp(broadcast.scheduled_at)
        if moment is None or moment <= now:
            continue
        if not job_queue.get_jobs_by_name(f"broadcast:{broadcast.id}"):
            schedule_broadcast_job(application, services, broadcast.id, broadcast.scheduled_at)


def schedule_reminder_jobs(job_queue: AnyJobQueue, services: Services) -> int:
    """One job per future reminder moment (named by the reminders service); returns how many."""
    made = 0
    for name, moment in reminders.job_moments(services):
        if services.clock.real_delay(moment) <= 0:
            _remove(job_queue, name)  # due now: the repeating check covers it
            continue
        made += _run_once(job_queue, services, name, moment)
    return made


def schedule_broadcast_job(
    application: AnyApplication, services: Services, broadcast_id: int, at: str | None
) -> None:
    """A job named ``broadcast:<id>`` at the broadcast's moment (the check also covers it)."""
    moment = parse_stamp(at)
    if application.job_queue is not None and moment is not None:
        _run_once(application.job_queue, services, f"broadcast:{broadcast_id}", moment)


def _run_once(job_queue: AnyJobQueue, services: Services, name: str, moment: datetime) -> int:
    """(Re)place the job ``name`` to run a check at ``moment``; 0 if the clock never gets there."""
    _remove(job_queue, name)
    delay = services.clock.real_delay(moment)
    if delay == float("inf"):
        return 0  # a frozen clock: the repeating check covers it
    job_queue.run_once(_tick, when=max(0.0, delay), name=name)
    return 1


def _remove(job_queue: AnyJobQueue, name: str) -> None:
    for job in job_queue.get_jobs_by_name(name):
        job.schedule_removal()
