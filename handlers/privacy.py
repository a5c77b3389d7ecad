"""/privacy (what is stored and why) and /deleteme (erase it after a confirmation)."""

from __future__ import annotations

from telegram import ReplyKeyboardRemove, Update

from bot.context import ForumContext
from handlers import callbacks
from handlers.keyboards import confirm_keyboard
from handlers.updates import chat_id_of, message_of

FEATURE = "del"


async def show_privacy(update: Update, context: ForumContext) -> None:
    """Explain the personal data the bot keeps, on what basis, and the user's rights."""
    tr = context.tr
    text = tr._(
        "What we store and why\n\n"
        "• Your Telegram id, name, username and language: to answer you in your language and "
        "send you reminders and announcements of the forum.\n"
        "• The stakeholder group you chose (optional): for the organizers' statistics.\n"
        "• Sessions you starred, your survey answers and proposals: to provide these services. "
        "An anonymous survey is linked to you only until you finish it, so that you can "
        "continue later; when you finish, the link is deleted and nobody can tell which "
        "answers are yours.\n"
        "• For proposals, the contact details you enter, only after your consent.\n\n"
        "The data is processed under the Law of the Republic of Kazakhstan "
        "\"On personal data and their protection\", stored on the organizers' server in "
        "Kazakhstan, used only for the forum and not passed to third parties.\n\n"
        "You can withdraw your consent and erase your data at any time with /deleteme."
    )
    await message_of(update).reply_text(text)


async def ask_delete(update: Update, context: ForumContext) -> None:
    """Ask for a confirmation before erasing."""
    await message_of(update).reply_text(
        context.tr._(
            "Erase all your data? Your starred sessions, survey answers linked to you, "
            "drafts and your profile will be deleted. Proposals you submitted stay with the "
            "organizers without your contact details and attached files. This cannot be undone."
        ),
        reply_markup=confirm_keyboard(context.tr, FEATURE, "confirm"),
    )


async def on_button(update: Update, context: ForumContext) -> None:
    """``del:confirm:yes`` erases; ``del:confirm:no`` keeps everything."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    data = callbacks.parse(query.data)
    choice = data.arg(0) if data is not None and data.action == "confirm" else ""
    if choice == "no":
        await query.answer()
        await query.edit_message_text(context.tr._("Nothing was deleted."))
        return
    if choice != "yes":
        await query.answer(context.tr._("This button has expired. Please open the menu again."))
        return
    user_id = update.effective_user.id
    await context.repos.users.delete(user_id)
    context.services.forget_user(user_id)
    await query.answer()
    await query.edit_message_text(context.tr._("Your data has been erased."))
    await context.bot.send_message(
        chat_id_of(update),
        context.tr._("Goodbye! If you write to me again, I will start from scratch: /start"),
        reply_markup=ReplyKeyboardRemove(),
    )
