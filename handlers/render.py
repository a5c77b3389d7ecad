"""The one renderer: view models (bot/views.py) become Telegram messages, edits and answers.

:func:`edit_or_send` is the only place that edits a message: an unchanged message ("message is
not modified") is not an error, and a message that vanished or cannot be edited (deleted, too
old, a photo) is replaced by a new one. :func:`deliver` shows a flow's :class:`Outcome` and
answers the button press exactly once.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.context import ForumContext
from bot.prepared_keyboards import PreparedInlineKeyboard
from bot.views import Button, Document, Outcome, Rows, Screen, Text

log = logging.getLogger(__name__)

# Distinct keyboards kept built (a few KiB each): an agenda's pages and cards in three
# languages, with and without a star, fit several times over.
KEYBOARDS_KEPT = 1024

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# What Telegram answers when the message to edit is gone or cannot take this edit.
_VANISHED = (
    "message to edit not found",
    "message can't be edited",
    "there is no text in the message to edit",
    "message_id_invalid",
)


class AfterAnswer(Exception):
    """An error raised after the button press was answered (the cause is the real error).

    The error handler then tells the person in the chat instead of answering the press again.
    """


def sender_id(update: Update) -> int:
    """The id of the person the update comes from."""
    assert update.effective_user is not None
    return update.effective_user.id


def chat_id(update: Update) -> int:
    """The chat the update came from (private chats: the sender's id)."""
    chat = update.effective_chat
    assert chat is not None
    return chat.id


async def reply(update: Update, text: str, **options: Any) -> Message:
    """Answer the update's message with a new message."""
    message = update.effective_message
    assert message is not None
    return await message.reply_text(text, **options)


def inline_button(button: Button) -> InlineKeyboardButton:
    """A view button as Telegram's."""
    if button.url is not None:
        return InlineKeyboardButton(button.text, url=button.url)
    return InlineKeyboardButton(button.text, callback_data=button.data)


def markup(buttons: Rows) -> InlineKeyboardMarkup | None:
    """Rows of view buttons as an inline keyboard (None when there are none).

    The same keyboard goes to many people (an agenda page, a session card), so the last
    ``KEYBOARDS_KEPT`` distinct ones are kept, each with its JSON form (prepared_keyboards).
    """
    kept = tuple(tuple(row) for row in buttons if row)
    return _keyboard(kept) if kept else None


@functools.lru_cache(maxsize=KEYBOARDS_KEPT)
def _keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup:
    return PreparedInlineKeyboard([[inline_button(b) for b in row] for row in rows])


def is_not_modified(error: BadRequest) -> bool:
    """Telegram's answer to an edit that changes nothing."""
    return "not modified" in str(error).lower()


async def edit_or_send(
    context: ForumContext,
    chat_id: int,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
    *,
    message_id: int | None = None,
    html: bool = False,
) -> int | None:
    """Edit message ``message_id`` (if given), else send a new one; returns the id shown.

    Unchanged is success; a vanished or uneditable message gets a new message instead.
    """
    options: dict[str, Any] = {"reply_markup": reply_markup}
    if html:
        options.update(parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW)
    if message_id is not None:
        try:
            await context.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, **options
            )
            return message_id
        except BadRequest as exc:
            if is_not_modified(exc):
                return message_id
            if not any(reason in str(exc).lower() for reason in _VANISHED):
                raise
            log.info("message to edit is gone (%s): sending a new one", exc)
    sent = await context.bot.send_message(chat_id, text, **options)
    return sent.message_id


async def edit_markup(context: ForumContext, chat_id: int, message_id: int, buttons: Rows) -> None:
    """Change only the buttons of a message (unchanged or vanished is not an error)."""
    try:
        await context.bot.edit_message_reply_markup(
            chat_id, message_id, reply_markup=markup(buttons)
        )
    except BadRequest as exc:
        if not is_not_modified(exc) and not any(r in str(exc).lower() for r in _VANISHED):
            raise


def pressed_message_id(query: CallbackQuery | None) -> int | None:
    """The id of the text message a button was on (None for a photo or no message)."""
    if query is None or not isinstance(query.message, Message):
        return None
    return query.message.message_id if query.message.text is not None else None


async def show(
    update: Update, context: ForumContext, screen: Screen, *, edit_id: int | None = None
) -> int | None:
    """One screen: an edit of the pressed message (or ``edit_id``), or a new message."""
    chat = update.effective_chat
    assert chat is not None
    query = update.callback_query
    if screen.photo is not None:  # a picture is always a new message, its text the caption
        sent = await context.bot.send_photo(
            chat.id, screen.photo, caption=screen.text[:1024], reply_markup=markup(screen.buttons)
        )
        return sent.message_id
    pressed = pressed_message_id(query)
    if screen.target == "buttons":
        if pressed is not None:
            await edit_markup(context, chat.id, pressed, screen.buttons)
        return pressed
    if screen.target == "append":
        if pressed is None or query is None or not isinstance(query.message, Message):
            return None
        text = f"{query.message.text}\n\n{screen.text}"
        return await edit_or_send(
            context, chat.id, text, markup(screen.buttons), message_id=pressed
        )
    target = None
    if screen.target == "edit":
        target = edit_id if edit_id is not None else pressed
    return await edit_or_send(
        context,
        chat.id,
        screen.text,
        markup(screen.buttons),
        message_id=target,
        html=screen.html,
    )


async def answer(update: Update, hint: Text | None = None) -> None:
    """Answer the button press (once) with the hint, if any."""
    query = update.callback_query
    if query is None:
        return
    if hint is None:
        await query.answer()
    else:
        await query.answer(hint.text[:200], show_alert=hint.alert)


async def send_document(update: Update, context: ForumContext, document: Document) -> None:
    """A file by id or bytes. A file id with a file name is sent under that name: Telegram keeps
    a file's name with its id, so the file is fetched and uploaded again (blind review)."""
    chat = update.effective_chat
    assert chat is not None
    data = document.file
    if isinstance(data, str) and document.filename is not None:
        data = bytes(await (await context.bot.get_file(data)).download_as_bytearray())
    file: str | InputFile = (
        data if isinstance(data, str) else InputFile(data, filename=document.filename, attach=True)
    )
    await context.bot.send_document(chat.id, file, caption=document.caption)


async def deliver(update: Update, context: ForumContext, outcome: Outcome) -> None:
    """Show a flow's outcome: answer the press once (or reply with the hint), screens, files."""
    answered = update.callback_query is not None
    if answered:
        await answer(update, outcome.hint)
    elif outcome.hint is not None:
        chat = update.effective_chat
        assert chat is not None
        await context.bot.send_message(chat.id, outcome.hint.text)
    try:
        for screen in outcome.screens:
            await show(update, context, screen)
        for document in outcome.documents:
            await send_document(update, context, document)
    except Exception as exc:
        if answered:
            raise AfterAnswer() from exc
        raise
