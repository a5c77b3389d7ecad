"""/privacy (what is stored and why) and /deleteme (erase it after a confirmation)."""

from __future__ import annotations

from telegram import ReplyKeyboardRemove, Update

from bot import callbacks
from bot.context import ForumContext
from bot.errors import StaleButton
from bot.i18n import N_
from bot.services import erasure
from handlers.keyboards import confirm_keyboard
from handlers.updates import chat_id_of, message_of

FEATURE = "del"


# /privacy, one paragraph each: what each feature stores and why, the law, and what /deleteme
# erases and keeps without a name (storage/erasure.py is the rule this text must match).
PRIVACY_PARAGRAPHS = (
    N_("What we store and why"),
    N_(
        "• Your Telegram id, name, username and language: to answer you in your language and "
        "send you reminders and announcements of the forum.\n"
        "• The stakeholder group you chose (optional): for the organizers' statistics.\n"
        "• Sessions you starred and your ratings of sessions: for your agenda, reminders and "
        "the organizers' feedback.\n"
        "• Survey answers: to learn what participants think. An anonymous survey is linked to "
        "you only until you finish it, so that you can continue later; when you finish, the "
        "link is deleted and nobody can tell which answers are yours.\n"
        "• Proposals: what you wrote, the attached file and, only after your consent, your "
        "contact details: so that the organizers and reviewers can consider it and answer you."
    ),
    N_(
        "• Your questions to sessions, your votes on questions and your poll answers: for the "
        "moderators and the screen in the hall. Your first name is shown only with a question "
        "you ask with your name.\n"
        "• Your votes and comments on the forum's recommendations: to count the support for "
        "each.\n"
        "• For the forum's team (organizers, moderators, reviewers): your role and the "
        "invitations you sent; for reviewers also the organization you declared and your "
        "reviews: to run the Q&A and the review of proposals."
    ),
    N_(
        "The data is processed under the Law of the Republic of Kazakhstan "
        '"On personal data and their protection", stored on the organizers\' server in '
        "Kazakhstan, used only for the forum and not passed to third parties."
    ),
    N_(
        "You can withdraw your consent and erase your data at any time with /deleteme. "
        "Kept without your name, because the forum's record needs them: questions already "
        "answered (shown as anonymous), reviews you submitted, proposals you submitted (without "
        "your contact details and attached files) and announcements you sent to participants."
    ),
)


async def show_privacy(update: Update, context: ForumContext) -> None:
    """Explain the personal data the bot keeps, on what basis, and the user's rights."""
    text = "\n\n".join(context.tr._(paragraph) for paragraph in PRIVACY_PARAGRAPHS)
    await message_of(update).reply_text(text)


async def ask_delete(update: Update, context: ForumContext) -> None:
    """Ask for a confirmation, saying what is erased and what stays without the person's name."""
    await message_of(update).reply_text(
        context.tr._(
            "Erase all your data?\n\n"
            "Deleted: your profile, starred sessions and ratings, survey answers linked to you, "
            "drafts, your questions not yet answered, your votes on questions and poll answers, "
            "your votes and comments on recommendations, your team role, the invitations you "
            "sent and reviews you have not submitted.\n\n"
            "Kept without your name: questions already answered (shown as anonymous), reviews "
            "you submitted, and proposals you submitted (without your contact details and "
            "attached files).\n\n"
            "This cannot be undone."
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
        raise StaleButton()
    user_id = update.effective_user.id
    await erasure.erase(context.services, user_id)
    await query.answer()
    await query.edit_message_text(context.tr._("Your data has been erased."))
    await context.bot.send_message(
        chat_id_of(update),
        context.tr._("Goodbye! If you write to me again, I will start from scratch: /start"),
        reply_markup=ReplyKeyboardRemove(),
    )
