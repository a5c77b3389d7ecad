"""/broadcast (the organizers' dialog), /broadcasts and the ``bc:*`` buttons.

The draft lives in the ``broadcasts`` table from the first step, and the dialog is a persistent
ConversationHandler, so a restart continues where the organizer was. Every entry point and every
button is organizer-only (a forged press by anyone else is refused).
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import ForumContext
from bot.delivery import schedule_broadcast_job
from bot.i18n import LANGUAGES, Translator
from bot.services import broadcasts as service
from handlers import callbacks
from handlers.access import organizer_only
from handlers.keyboards import LANGUAGE_NAMES, rows
from handlers.start import STAKEHOLDER_LABELS
from storage.broadcasts import Broadcast
from storage.users import STAKEHOLDER_GROUPS

FEATURE = service.FEATURE
AUDIENCE, TEXT, BUTTON, CONFIRM, WHEN = range(5)
PAGE = 8
MAX_SESSION_BUTTONS = 24


def _button(text: str, action: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.make(FEATURE, action, *args))


def _quit_row(tr: Translator) -> list[InlineKeyboardButton]:
    return [_button(tr._("✖️ Cancel"), "quit")]


async def _reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    query = update.callback_query
    if query is not None:
        await query.edit_message_text(text, reply_markup=markup)
    else:
        assert update.effective_message is not None
        await update.effective_message.reply_text(text, reply_markup=markup)


async def _draft(context: ForumContext, update: Update) -> Broadcast | None:
    assert update.effective_user is not None
    return await context.repos.broadcasts.latest_draft(update.effective_user.id)


# ---------------------------------------------------------------------- steps
@organizer_only
async def begin(update: Update, context: ForumContext) -> int:
    """/broadcast: a new draft; who should get it?"""
    assert update.effective_user is not None
    repo = context.repos.broadcasts
    old = await repo.latest_draft(update.effective_user.id)
    if old is not None:
        await repo.update(old.id, expect_state="draft", state="cancelled")
    await repo.create(update.effective_user.id, context.clock.now())
    await _ask_audience(update, context)
    return AUDIENCE


async def _ask_audience(update: Update, context: ForumContext) -> None:
    tr = context.tr
    keyboard = [
        [_button(tr._("👥 Everyone"), "aud", "all")],
        [_button(tr._("🌐 By language"), "aud", "language")],
        [_button(tr._("🏛 By group"), "aud", "group")],
        [_button(tr._("⭐ Starred a session"), "aud", "starred")],
        [_button(tr._("📝 Has not finished a survey"), "aud", "survey")],
        _quit_row(tr),
    ]
    await _reply(
        update,
        tr._("📣 New broadcast. Who should get it?"),
        InlineKeyboardMarkup(keyboard),
    )


async def _ask_audience_value(update: Update, context: ForumContext, kind: str) -> bool:
    tr = context.tr
    buttons: list[InlineKeyboardButton] = []
    if kind == "language":
        buttons = [_button(name, "av", kind, code) for code, name in LANGUAGE_NAMES.items()]
        prompt = tr._("Which language's readers?")
    elif kind == "group":
        buttons = [_button(tr._(STAKEHOLDER_LABELS[g]), "av", kind, g) for g in STAKEHOLDER_GROUPS]
        prompt = tr._("Which group?")
    elif kind == "starred":
        counts = await context.repos.broadcasts.starred_sessions()
        sessions = [s for s in context.content.sessions if counts.get(s.id)]
        for session in sessions[:MAX_SESSION_BUTTONS]:
            label = f"{tr.time(session.starts_utc)} {session.title.get(tr.language)}"
            buttons.append(_button(f"{label[:40]} ({counts[session.id]})", "av", kind, session.id))
        prompt = tr._("People who starred which session?")
    else:
        buttons = [
            _button(s.title.get(tr.language)[:40], "av", kind, s.id)
            for s in context.content.surveys
        ]
        prompt = tr._("People who have not finished which survey?")
    if not buttons:
        return False
    keyboard = rows(buttons, 1 if kind in ("starred", "survey") else 2)
    keyboard.append(_quit_row(tr))
    await _reply(update, prompt, InlineKeyboardMarkup(keyboard))
    return True


async def _ask_mode(update: Update, context: ForumContext, draft: Broadcast) -> None:
    tr = context.tr
    targets = await service.recipients(context.services, draft.audience)
    text = tr._("Audience: {audience}.").format(
        audience=service.audience_label(context.services, tr, draft.audience)
    )
    text += "\n" + tr.ngettext(
        "It reaches {n} person now.", "It reaches {n} people now.", len(targets)
    ).format(n=len(targets))
    text += "\n\n" + tr._("One text for everyone, or one text per language?")
    keyboard = [
        [_button(tr._("One text for all"), "mode", "one")],
        [_button(tr._("A text per language"), "mode", "per")],
        _quit_row(tr),
    ]
    await _reply(update, text, InlineKeyboardMarkup(keyboard))


def _missing_language(draft: Broadcast) -> str | None:
    for lang in LANGUAGES:
        if not draft.texts.get(lang):
            return lang
    return None


async def _ask_text(update: Update, context: ForumContext, draft: Broadcast) -> None:
    tr = context.tr
    if draft.texts.get("_mode") == "per":
        lang = _missing_language(draft) or LANGUAGES[0]
        text = tr._("Send the text for readers of {language}.").format(
            language=LANGUAGE_NAMES[lang]
        )
    else:
        text = tr._("Send the text of the broadcast.")
    await _reply(update, text, InlineKeyboardMarkup([_quit_row(tr)]))


async def _ask_button(update: Update, context: ForumContext) -> None:
    tr = context.tr
    keyboard = [
        [_button(tr._("No button"), "btn", "none")],
        [_button(tr._("📅 Link to a session"), "btn", "session", 0)],
        [_button(tr._("📝 Link to a survey"), "btn", "survey", 0)],
        _quit_row(tr),
    ]
    await _reply(update, tr._("Add a button under the message?"), InlineKeyboardMarkup(keyboard))


async def _ask_button_target(update: Update, context: ForumContext, kind: str, page: int) -> None:
    tr = context.tr
    if kind == "session":
        items = [
            (s.id, f"{tr.date(s.starts_utc, 'short')} {tr.time(s.starts_utc)} "
             f"{s.title.get(tr.language)}")
            for s in context.content.sessions
            if s.kind not in ("break", "registration")
        ]  # fmt: skip
    else:
        items = [(s.id, s.title.get(tr.language)) for s in context.content.surveys]
    page = max(0, min(page, (len(items) - 1) // PAGE if items else 0))
    chunk = items[page * PAGE : (page + 1) * PAGE]
    keyboard = [[_button(label[:48], "bv", kind, item_id)] for item_id, label in chunk]
    nav = []
    if page > 0:
        nav.append(_button("‹", "btn", kind, page - 1))
    if (page + 1) * PAGE < len(items):
        nav.append(_button("›", "btn", kind, page + 1))
    if nav:
        keyboard.append(nav)
    keyboard.append(_quit_row(tr))
    await _reply(update, tr._("Which one should the button open?"), InlineKeyboardMarkup(keyboard))


async def _preview(update: Update, context: ForumContext, draft: Broadcast) -> None:
    """Each language's message exactly as its readers will see it, then the summary."""
    tr = context.tr
    assert update.effective_chat is not None
    query = update.callback_query
    if query is not None:
        await query.edit_message_text(tr._("Preview:"))
    targets = await service.recipients(context.services, draft.audience)
    counts = service.by_language(targets)
    shown = [lang for lang in LANGUAGES if counts.get(lang)] or list(LANGUAGES)
    username = context.bot.username
    for lang in shown:
        reader = context.services.i18n.get(lang)
        await context.bot.send_message(
            update.effective_chat.id,
            tr.ngettext(
                "Preview for {language} ({n} recipient):",
                "Preview for {language} ({n} recipients):",
                counts.get(lang, 0),
            ).format(language=LANGUAGE_NAMES[lang], n=counts.get(lang, 0)),
        )
        text, markup = service.render(context.services, draft, reader, username)
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)
    summary = tr.ngettext(
        "Audience: {audience}. {n} recipient.",
        "Audience: {audience}. {n} recipients.",
        len(targets),
    ).format(audience=service.audience_label(context.services, tr, draft.audience), n=len(targets))
    keyboard = [
        [_button(tr._("📤 Send now"), "go", "now")],
        [_button(tr._("🕒 Schedule"), "go", "later")],
        _quit_row(tr),
    ]
    await context.bot.send_message(
        update.effective_chat.id, summary, reply_markup=InlineKeyboardMarkup(keyboard)
    )


# ---------------------------------------------------------------------- input
@organizer_only
async def on_text(update: Update, context: ForumContext) -> int | None:
    """The broadcast's text (once, or once per language)."""
    assert update.effective_message is not None
    draft = await _draft(context, update)
    if draft is None:
        return ConversationHandler.END
    text = (update.effective_message.text or "").strip()
    if not text:
        return TEXT
    texts = dict(draft.texts)
    if texts.get("_mode") == "per":
        lang = _missing_language(draft) or LANGUAGES[0]
        texts[lang] = text
    else:
        texts["*"] = text
    await context.repos.broadcasts.update(draft.id, texts=texts)
    draft = await _draft(context, update)
    assert draft is not None
    if texts.get("_mode") == "per" and _missing_language(draft) is not None:
        await _ask_text(update, context, draft)
        return TEXT
    await _ask_button(update, context)
    return BUTTON


@organizer_only
async def on_when(update: Update, context: ForumContext) -> int | None:
    """The moment of a scheduled broadcast, in forum time."""
    assert update.effective_message is not None
    tr = context.tr
    draft = await _draft(context, update)
    if draft is None:
        return ConversationHandler.END
    now = context.clock.now()
    moment = service.parse_when(update.effective_message.text or "", tr, now)
    if moment is None or moment <= now:
        await update.effective_message.reply_text(
            tr._("Please send a future date and time, for example {example}.").format(
                example=tr.local(now).strftime("%d.%m %H:%M")
            )
        )
        return WHEN
    await service.schedule(context.services, draft.id, moment)
    updated = await context.repos.broadcasts.get(draft.id)
    schedule_broadcast_job(
        context.application, context.services, draft.id, updated.scheduled_at if updated else None
    )
    await update.effective_message.reply_text(
        tr._(
            "🕒 Broadcast #{id} is scheduled for {when} (forum time). /broadcasts lists it."
        ).format(id=draft.id, when=tr.datetime(moment, "short"))
    )
    return ConversationHandler.END


@organizer_only
async def on_button(update: Update, context: ForumContext) -> int | None:
    """Every ``bc:*`` press while the dialog runs."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    data = callbacks.parse(query.data)
    if data is None:
        await query.answer(tr._("This button has expired. Please open the menu again."))
        return None
    if data.action in ("pause", "resume", "cancel"):
        await _manage(update, context, data)
        return None
    draft = await _draft(context, update)
    if draft is None or data.action == "quit":
        if draft is not None:
            await service.cancel(context.services, draft.id)
        await query.answer()
        await query.edit_message_text(tr._("Broadcast discarded."))
        return ConversationHandler.END
    await query.answer()
    repo = context.repos.broadcasts
    if data.action == "aud":
        kind = data.arg(0)
        if kind == "all":
            await repo.update(draft.id, audience={"kind": "all"})
            await _ask_mode(update, context, (await repo.get(draft.id)) or draft)
            return TEXT
        if kind in service.AUDIENCE_KINDS:
            if not await _ask_audience_value(update, context, kind):
                await query.answer(tr._("There is nobody to choose yet."), show_alert=True)
            return AUDIENCE
    elif data.action == "av" and data.arg(0) in service.AUDIENCE_KINDS:
        await repo.update(draft.id, audience={"kind": data.arg(0), "value": data.arg(1)})
        await _ask_mode(update, context, (await repo.get(draft.id)) or draft)
        return TEXT
    elif data.action == "mode" and data.arg(0) in ("one", "per"):
        await repo.update(draft.id, texts={"_mode": data.arg(0)})
        await _ask_text(update, context, (await repo.get(draft.id)) or draft)
        return TEXT
    elif data.action == "btn":
        if data.arg(0) == "none":
            await repo.update(draft.id, button=None)
            await _preview(update, context, (await repo.get(draft.id)) or draft)
            return CONFIRM
        if data.arg(0) in ("session", "survey"):
            await _ask_button_target(update, context, data.arg(0), data.int_arg(1) or 0)
            return BUTTON
    elif data.action == "bv" and data.arg(0) in ("session", "survey"):
        await repo.update(draft.id, button={"kind": data.arg(0), "id": data.arg(1)})
        await _preview(update, context, (await repo.get(draft.id)) or draft)
        return CONFIRM
    elif data.action == "go" and data.arg(0) == "now":
        count = await service.start(context.services, draft.id, context.bot.username)
        await query.edit_message_text(
            tr.ngettext(
                "📤 Broadcast #{id} is sending to {n} person. Progress follows.",
                "📤 Broadcast #{id} is sending to {n} people. Progress follows.",
                max(count, 0),
            ).format(id=draft.id, n=max(count, 0))
        )
        return ConversationHandler.END
    elif data.action == "go" and data.arg(0) == "later":
        await query.edit_message_text(
            tr._(
                "When should it go? Send the date and time in forum time ({zone}), "
                "for example {example}."
            ).format(
                zone=str(tr.tz), example=tr.local(context.clock.now()).strftime("%d.%m %H:%M")
            ),
            reply_markup=InlineKeyboardMarkup([_quit_row(tr)]),
        )
        return WHEN
    return None


async def _manage(update: Update, context: ForumContext, data: callbacks.Callback) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    broadcast_id = data.int_arg(0)
    action = {"pause": service.pause, "resume": service.resume, "cancel": service.cancel}
    done = broadcast_id is not None and await action[data.action](context.services, broadcast_id)
    if not done:
        await query.answer(tr._("This button has expired. Please open the menu again."))
        return
    answers = {"pause": tr._("Paused."), "resume": tr._("Resumed."), "cancel": tr._("Cancelled.")}
    await query.answer(answers[data.action])
    broadcast = await context.repos.broadcasts.get(broadcast_id or 0)
    if broadcast is not None and data.action == "cancel":
        await query.edit_message_text(
            tr._("✖️ Broadcast #{id} is cancelled.").format(id=broadcast.id)
        )
    elif broadcast is not None:
        await query.edit_message_reply_markup(service.control_keyboard(tr, broadcast))


@organizer_only
async def on_manage_button(update: Update, context: ForumContext) -> None:
    """``bc:pause|resume|cancel:<id>`` outside the dialog; other ``bc:`` presses are stale."""
    query = update.callback_query
    assert query is not None
    data = callbacks.parse(query.data)
    if data is not None and data.action in ("pause", "resume", "cancel"):
        await _manage(update, context, data)
        return
    await query.answer(context.tr._("This button has expired. Please open the menu again."))


@organizer_only
async def quit_dialog(update: Update, context: ForumContext) -> int:
    """/cancel inside the dialog."""
    draft = await _draft(context, update)
    if draft is not None:
        await service.cancel(context.services, draft.id)
    assert update.effective_message is not None
    await update.effective_message.reply_text(context.tr._("Broadcast discarded."))
    return ConversationHandler.END


@organizer_only
async def list_broadcasts(update: Update, context: ForumContext) -> None:
    """/broadcasts: scheduled, running and past ones, with their controls."""
    assert update.effective_message is not None
    tr = context.tr
    found = await context.repos.broadcasts.recent(10)
    if not found:
        await update.effective_message.reply_text(
            tr._("No broadcasts yet. Start one with /broadcast.")
        )
        return
    lines = [tr._("📣 Broadcasts:")]
    keyboard: list[list[InlineKeyboardButton]] = []
    for b in found:
        counts = await context.repos.outbox.counts(broadcast_id=b.id)
        lines.append(
            tr._("#{id} · {state} · {when} · {audience} · sent {sent} of {total}").format(
                id=b.id,
                state=tr._(service.STATE_LABELS[b.state]),
                when=service.when_text(tr, b),
                audience=service.audience_label(context.services, tr, b.audience),
                sent=tr.number(counts["sent"]),
                total=tr.number(b.total),
            )
        )
        controls = service.control_keyboard(tr, b)
        if controls is not None:
            for row in controls.inline_keyboard:
                keyboard.append(
                    [InlineKeyboardButton(f"{btn.text} #{b.id}", callback_data=btn.callback_data)
                     for btn in row]
                )  # fmt: skip
    await update.effective_message.reply_text(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(keyboard) if keyboard else None
    )


def conversation() -> ConversationHandler[Any]:
    """The persistent /broadcast dialog."""
    private = filters.ChatType.PRIVATE
    text = private & filters.TEXT & ~filters.COMMAND
    buttons = CallbackQueryHandler(on_button, pattern=callbacks.pattern(FEATURE))
    # per_message=False on purpose: the dialog follows the organizer, not one message (the
    # preview and the summary are separate messages).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*per_message=False.*")
        return _conversation(private, text, buttons)


def _conversation(private: Any, text: Any, buttons: Any) -> ConversationHandler[Any]:
    return ConversationHandler(
        entry_points=[CommandHandler("broadcast", begin, filters=private)],
        states={
            AUDIENCE: [buttons],
            TEXT: [MessageHandler(text, on_text), buttons],
            BUTTON: [buttons],
            CONFIRM: [buttons],
            WHEN: [MessageHandler(text, on_when), buttons],
        },
        fallbacks=[
            CommandHandler("cancel", quit_dialog, filters=private),
            CommandHandler("broadcast", begin, filters=private),
        ],
        name="broadcast",
        persistent=True,
        allow_reentry=True,
    )
