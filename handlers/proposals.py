"""/propose (the guided dialog), /myproposals and the ``pr:*`` buttons: turn the update into an
:class:`~bot.services.proposal_dialog.Incoming` or a press, call the flow, render its outcome.

The draft row is the dialog's state: :func:`on_dialog_text` and :func:`on_dialog_cancel` are
asked by the dialog router (handlers/dialogs.py) for every message and /cancel.
"""

from __future__ import annotations

from telegram import Message, Update

from bot import callbacks
from bot.context import ForumContext
from bot.errors import StaleButton
from bot.services.proposal_dialog import FEATURE, Attachment, Incoming, Kind, ProposalDialog
from handlers import render
from handlers.dialogs import claimed

__all__ = ["FEATURE", "my_proposals", "on_button", "on_dialog_cancel", "on_dialog_text", "propose"]


def incoming(message: Message) -> Incoming:
    """The message as the dialog sees it: its kind, text, phone or document."""
    document = message.document
    if document is not None:
        file_id = document.file_id

        async def fetch() -> bytes:
            file = await message.get_bot().get_file(file_id)
            return bytes(await file.download_as_bytearray())

        attachment = Attachment(file_id, document.file_name, document.file_size, document.mime_type)
        return Incoming("document", document=attachment, fetch=fetch)
    if message.contact is not None:
        return Incoming("contact", phone=message.contact.phone_number)
    kind: Kind = "other"
    if message.text is not None:
        kind = "text"
    elif message.sticker is not None:
        kind = "sticker"
    elif message.photo:
        kind = "photo"
    elif message.video or message.animation:
        kind = "media"
    elif message.voice or message.audio or message.video_note:
        kind = "voice"
    return Incoming(kind, text=message.text)


async def propose(update: Update, context: ForumContext) -> None:
    """/propose and the menu item: start a new dialog or continue the draft."""
    user = update.effective_user
    assert user is not None
    outcome = await ProposalDialog(context.services).start(context.tr, user.id)
    await render.deliver(update, context, outcome)


async def my_proposals(update: Update, context: ForumContext) -> None:
    """/myproposals: the user's proposals with their status."""
    user = update.effective_user
    assert user is not None
    outcome = await ProposalDialog(context.services).mine(context.tr, user.id)
    await render.deliver(update, context, outcome)


async def on_button(update: Update, context: ForumContext) -> None:
    """Every ``pr:`` press: a dialog step, discarding the draft, or withdrawing a proposal."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    data = callbacks.parse(query.data)
    if data is None:
        raise StaleButton()
    outcome = await ProposalDialog(context.services).press(context.tr, user.id, data)
    await render.deliver(update, context, outcome)


async def on_dialog_text(update: Update, context: ForumContext) -> bool:
    """A message of a person with a draft: their answer; False when they have none."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    flow = ProposalDialog(context.services)
    draft = await flow.draft(user.id)
    if draft is None:
        return False
    await render.deliver(update, context, await flow.message(context.tr, draft, incoming(message)))
    return True


async def on_dialog_cancel(update: Update, context: ForumContext) -> bool:
    """/cancel with a draft: ask before discarding it; False when there is none."""
    outcome = await ProposalDialog(context.services).cancel(context.tr, render.sender_id(update))
    return await claimed(update, context, outcome)
