"""Build the Application: the ONE place where handlers are registered, in order, with groups.

Group -1 knows the user (prelude); group 0 gives messages and /cancel to the dialog whose
stored row claims the person (handlers/dialogs.py); group 1 holds the features, most specific
first, and the fallbacks last. Services are created here, the database is opened in
``post_init`` and closed in ``post_shutdown``.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import callbacks, command_menu, delivery
from bot.clock import Clock
from bot.content import load_content
from bot.context import ForumContext, Services
from bot.http import AiohttpRequest
from bot.i18n import N_, I18n
from bot.lean_bot import LeanBot
from bot.metrics import Metrics
from bot.pacing import SendBudget
from bot.rate_limiter import SharedRateLimiter
from bot.services import backup, content_reload, qa_common
from bot.services.flood import FloodGuard
from bot.services.roles import Roles
from bot.settings import Settings
from bot.update_log import UpdateTimer, instrument, log_key
from bot.update_processor import PerUserUpdateProcessor
from bot.web import hall as hall_web
from bot.web import setup as web_setup
from bot.web.server import WebServer
from handlers import admin as admin_h
from handlers import agenda as agenda_h
from handlers import board as board_h
from handlers import broadcast as broadcast_h
from handlers import errors, fallback, free_text, language, prelude, privacy, start
from handlers import help as help_cmd
from handlers import my_agenda as my_agenda_h
from handlers import proposals as proposals_h
from handlers import qa as qa_h
from handlers import ratings as ratings_h
from handlers import reminders as reminders_h
from handlers import results as results_h
from handlers import review as review_h
from handlers import speakers as speakers_h
from handlers import status as status_h
from handlers import surveys as surveys_h
from handlers import team as team_h
from handlers.dialogs import DialogRouter
from handlers.menu import Menu, MenuItem
from storage.db import Database
from storage.repos import Repos

log = logging.getLogger(__name__)

# The collector's thresholds after start-up. Python's default first threshold (700 new container
# objects) ran a young collection every few updates, 0.3 ms each, and an older one every ten
# (2 ms): about 4 % of the CPU per update under load. Nearly everything an update makes is freed
# by reference counting as soon as it ends; the rarer collections still find what cycles leave.
GC_THRESHOLDS = (10_000, 10, 10)

# Handler groups, in the order PTB runs them.
PRELUDE, DIALOGS, FEATURES = -1, 0, 1


class ForumApplication(Application[Any, Any, Any, Any, Any, Any]):
    """An Application that records each update (log line, metrics, the health check's
    last-update moment) around its handling."""

    async def process_update(self, update: object) -> None:
        """Handle the update, timed."""
        services: Services = self.bot_data["services"]
        services.last_update_at = services.clock.monotonic()
        timer = services.update_timer
        if timer is None:
            await super().process_update(update)
        else:
            await timer.run(update, lambda: super(ForumApplication, self).process_update(update))


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Load content and catalogs and prepare the (not yet opened) database."""
    content = load_content(settings.forum_content)
    clock = clock or Clock()
    if settings.clock_at is not None and clock is not None:
        at = settings.clock_at
        if at.tzinfo is None:
            at = at.replace(tzinfo=content.forum.tz)
        clock.set(at)
    db = Database(settings.database_path)
    return Services(
        roles=Roles(db, settings.admin_ids, clock),
        metrics=Metrics(),
        web=WebServer(settings.web_host, settings.web_port),
        settings=settings,
        clock=clock,
        db=db,
        repos=Repos(db),
        content=content,
        i18n=I18n(content.forum.tz, settings.default_language),
        flood=FloodGuard(
            settings.flood_limit, settings.flood_window_seconds, settings.flood_max_users
        ),
    )


def send_budget(settings: Settings) -> SendBudget:
    """The one budget for everything the bot sends (see bot/pacing.py)."""
    return SendBudget(
        settings.send_rate, settings.send_chat_rate, chat_burst=settings.send_chat_burst
    )


def build_application(
    settings: Settings, clock: Clock | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The bot, ready for ``run_polling`` or :func:`start_application`."""
    services = build_services(settings, clock)
    bot = LeanBot(
        settings.bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_file_base_url,
        # aiohttp instead of httpx: see bot/http.py for the profile behind it.
        request=AiohttpRequest(
            connection_pool_size=settings.concurrent_updates + 8,
            on_rate_limited=services.metrics.reply_429.inc,
        ),
        get_updates_request=AiohttpRequest(connection_pool_size=2),
        # Replies and the outbox share one send budget (Telegram's limits), replies first;
        # 429s are honoured and retried (bot/pacing.py, bot/rate_limiter.py).
        rate_limiter=SharedRateLimiter(
            send_budget(settings), give_up=settings.reply_give_up_seconds
        ),
    )
    application = (
        ApplicationBuilder()
        .application_class(ForumApplication)
        .bot(bot)
        .context_types(ContextTypes(context=ForumContext))
        .concurrent_updates(PerUserUpdateProcessor(settings.concurrent_updates))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data["services"] = services
    menu = services.menu = Menu(
        [
            MenuItem(N_("📅 Agenda"), agenda_h.show_agenda),
            MenuItem(N_("⏱ Now"), agenda_h.show_now),
            MenuItem(N_("⭐ My agenda"), my_agenda_h.show_my),
            MenuItem(N_("🎤 Speakers"), speakers_h.show_list),
            MenuItem(N_("❓ Help"), help_cmd.show_help),
            MenuItem(N_("🌐 Language"), language.ask),
            MenuItem(N_("🔒 Privacy"), privacy.show_privacy),
            MenuItem(N_("📝 Surveys"), surveys_h.show_list),
            MenuItem(N_("💡 Proposals"), proposals_h.propose),
            MenuItem(N_("⏰ Reminders"), reminders_h.show),
        ],
        services.i18n,
    )
    register_handlers(application, services, menu)
    web_setup.install(application, services)
    backup.install(application, services)
    instrument(application)
    services.update_timer = UpdateTimer(
        services.metrics, log_key(settings.bot_token.get_secret_value())
    )
    return application


def register_handlers(
    application: Application[Any, Any, Any, Any, Any, Any], services: Services, menu: Menu
) -> None:
    """Every handler, in order: within a group the first match wins."""
    application.add_handler(TypeHandler(Update, prelude.prelude), group=PRELUDE)
    private = filters.ChatType.PRIVATE

    # 0. Dialogs: the flow whose row claims the person gets their text and /cancel.
    router = DialogRouter(
        text=[
            review_h.on_dialog_text,
            broadcast_h.on_dialog_text,
            proposals_h.on_dialog_text,
            qa_h.claim,
            board_h.on_dialog_text,
            # An awaited survey answer or rating comment, or wrong input to it: last, as when
            # it was the first thing free text tried after the dialogs.
            surveys_h.on_message,
        ],
        cancel=[
            review_h.on_dialog_cancel,
            broadcast_h.on_dialog_cancel,
            proposals_h.on_dialog_cancel,
            qa_h.claim_cancel,
            board_h.on_dialog_cancel,
        ],
    )
    dialog_text = private & ~filters.COMMAND & ~filters.StatusUpdate.ALL & ~menu.filter()
    application.add_handler(MessageHandler(dialog_text, router.on_text), group=DIALOGS)
    application.add_handler(
        CommandHandler("cancel", router.on_cancel, filters=private), group=DIALOGS
    )

    def add(handler: BaseHandler[Any, Any, Any]) -> None:
        application.add_handler(handler, group=FEATURES)

    delivery.register(services)
    # After delivery started: content changed while the bot was down gets its alerts.
    services.startup_hooks.append(content_reload.reconcile)

    # 2. Commands.
    add(CommandHandler("start", start.start, filters=private))
    add(CommandHandler("help", help_cmd.show_help, filters=private))
    add(CommandHandler("language", language.ask, filters=private))
    add(CommandHandler("privacy", privacy.show_privacy, filters=private))
    add(CommandHandler("deleteme", privacy.ask_delete, filters=private))
    add(CommandHandler("surveys", surveys_h.show_list, filters=private))
    add(CommandHandler("results", results_h.show_results, filters=private))
    add(CommandHandler("propose", proposals_h.propose, filters=private))
    add(CommandHandler("myproposals", proposals_h.my_proposals, filters=private))
    add(CommandHandler("proposals", review_h.list_command, filters=private))
    add(CommandHandler("broadcast", broadcast_h.begin, filters=private))
    add(CommandHandler("broadcasts", broadcast_h.list_broadcasts, filters=private))
    add(CommandHandler("reminders", reminders_h.show, filters=private))
    add(CommandHandler("agenda", agenda_h.show_agenda, filters=private))
    add(CommandHandler("now", agenda_h.show_now, filters=private))
    add(CommandHandler("my", my_agenda_h.show_my, filters=private))
    add(CommandHandler("speakers", speakers_h.show_list, filters=private))
    add(CommandHandler("reload", admin_h.reload_command, filters=private))
    add(CommandHandler("review", board_h.review_command, filters=private))
    add(CommandHandler("board", board_h.board_command, filters=private))
    add(CommandHandler("endorse", board_h.endorse_command, filters=private))
    add(CommandHandler("team", team_h.team_command, filters=private))
    add(CommandHandler("status", status_h.status_command, filters=private))
    add(CommandHandler("moderate", qa_h.moderate_command, filters=private))
    add(CommandHandler("screen", qa_h.screen_command, filters=private))
    add(
        MessageHandler(
            private
            & (filters.Document.FileExtension("yaml") | filters.Document.FileExtension("yml")),
            admin_h.upload,
        )
    )
    services.deep_links["session"] = agenda_h.open_session_link
    services.deep_links["speaker"] = speakers_h.open_speaker_link
    services.deep_links["join"] = team_h.open_join
    services.startup_hooks.append(board_h.on_startup)
    services.deep_links["ask"] = qa_h.ask_link

    # 3. Buttons, one pattern per feature.
    add(CallbackQueryHandler(start.on_button, pattern=callbacks.pattern(start.FEATURE)))
    add(CallbackQueryHandler(language.on_button, pattern=callbacks.pattern(language.FEATURE)))
    add(CallbackQueryHandler(privacy.on_button, pattern=callbacks.pattern(privacy.FEATURE)))
    add(CallbackQueryHandler(surveys_h.on_button, pattern=callbacks.pattern(surveys_h.FEATURE)))
    add(CallbackQueryHandler(ratings_h.on_button, pattern=callbacks.pattern(ratings_h.FEATURE)))
    add(CallbackQueryHandler(results_h.on_button, pattern=callbacks.pattern(results_h.FEATURE)))
    add(CallbackQueryHandler(proposals_h.on_button, pattern=callbacks.pattern(proposals_h.FEATURE)))
    add(CallbackQueryHandler(review_h.on_button, pattern=callbacks.pattern(review_h.FEATURE)))
    add(CallbackQueryHandler(board_h.on_button, pattern=board_h.pattern()))
    add(CallbackQueryHandler(reminders_h.on_button, pattern=callbacks.pattern(reminders_h.FEATURE)))
    add(CallbackQueryHandler(broadcast_h.on_button, pattern=callbacks.pattern(broadcast_h.FEATURE)))
    add(CallbackQueryHandler(agenda_h.on_button, pattern=callbacks.pattern(agenda_h.FEATURE)))
    add(CallbackQueryHandler(team_h.on_button, pattern=callbacks.pattern(team_h.FEATURE)))
    add(CallbackQueryHandler(speakers_h.on_button, pattern=callbacks.pattern(speakers_h.FEATURE)))
    add(CallbackQueryHandler(my_agenda_h.on_button, pattern=callbacks.pattern(my_agenda_h.FEATURE)))
    add(CallbackQueryHandler(qa_h.on_button, pattern=callbacks.pattern(qa_common.FEATURE)))

    # 4. The main menu's reply keyboard.
    add(MessageHandler(private & menu.filter(), menu.dispatch))

    # 5. Anything else but commands (an awaited survey answer was claimed in 0.): search.
    services.web.add_routes(hall_web.routes(services, lambda: _bot_username(application)))
    add(
        MessageHandler(private & ~filters.COMMAND & ~filters.StatusUpdate.ALL, free_text.on_message)
    )
    services.deep_links["survey"] = surveys_h.open_link

    # 6. Fallbacks: keep these last.
    add(MessageHandler(private & filters.COMMAND, fallback.unknown_command))
    add(MessageHandler(private & ~filters.StatusUpdate.ALL, fallback.not_understood))
    add(CallbackQueryHandler(fallback.expired_button))
    application.add_error_handler(errors.on_error)


def _bot_username(application: Application[Any, Any, Any, Any, Any, Any]) -> str | None:
    """The bot's @username once ``initialize`` asked Telegram for it (links, QR codes)."""
    try:
        return str(application.bot.username)
    except RuntimeError:
        return None


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services: Services = application.bot_data["services"]
    await services.db.open()
    await services.roles.load()

    async def menu_follows(user_id: int) -> None:
        await command_menu.refresh_safely(application.bot, services, user_id)

    services.roles.on_change.append(menu_follows)
    try:
        await command_menu.register(application.bot, services)
    except TelegramError as exc:  # the bot works without its command menu
        log.warning("could not register the command menu: %s", exc)
    await delivery.start(application, services)
    for hook in services.startup_hooks:
        await hook(application, services)
    # Everything built so far (content, catalogs, the search index, handlers) lives as long as
    # the process: out of the collector's sight, a full collection no longer walks it. Measured
    # under load: full collections of 60-80 ms stalled every update in flight (the p99 of
    # benchmarks/README.md item 3); frozen, they take a few milliseconds.
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    log.info(
        "bot started: forum %r, %d sessions, database %s",
        services.content.forum.id,
        len(services.content.sessions),
        services.settings.database_path,
    )


async def _post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services: Services = application.bot_data["services"]
    log.info("stopping: web server, then in-flight sends and their results, then the database")
    await services.web.stop()
    try:
        await delivery.stop(services)
    except Exception:  # a failing stop must not keep the database open
        log.exception("stopping the delivery engine failed")
    await services.db.close()
    log.info("stopped")


async def start_application(
    application: Application[Any, Any, Any, Any, Any, Any], *, poll_timeout: int = 10
) -> None:
    """Start the bot inside a running event loop (what ``run_polling`` does, without blocking).

    With WEBHOOK_URL the bot sets its webhook and takes updates on its web server; otherwise it
    long-polls (which also deletes a webhook left from an earlier webhook run).
    """
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    webhook = application.bot_data["services"].webhook
    if webhook is not None:
        await webhook.activate()
        return
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0.0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
    )


async def stop_application(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop what :func:`start_application` started, running ``post_shutdown``."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
