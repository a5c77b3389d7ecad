"""/propose (the guided dialog), /myproposals and withdrawing.

The dialog is a persistent ConversationHandler whose state is the draft's step; every answer is
also written to ``proposal_drafts`` at once, so the draft alone is enough to resume: a message or
a dialog button from a user whose draft exists but whose conversation state is missing (a lost
flush, a crash) simply continues the dialog.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import ForumContext
from bot.i18n import N_, Translator
from bot.logs import person
from bot.sdg import SDGS, sdg_label
from bot.services import proposals as svc
from handlers import callbacks, fallback, review
from handlers.keyboards import confirm_keyboard, rows
from storage.proposals import Draft

log = logging.getLogger(__name__)

FEATURE = "pr"
CONVERSATION = "proposal"
# Dialog buttons; pr:wd / pr:wdy (withdraw) live outside the dialog.
DIALOG_PATTERN = rf"^{FEATURE}:(?!wd:|wdy:)"
MINE_PATTERN = rf"^{FEATURE}:(wd|wdy):"
DRAFTS_KEY = "proposal_drafts"
REVIEW_SUMMARY_LIMIT = 1500

END = ConversationHandler.END


# ---------------------------------------------------------------------------- drafts
def _draft_users(context: ForumContext) -> set[int]:
    return context.services.proposal_drafts


async def load_draft_users(application: Any, services: Any) -> None:
    """Startup hook: who has a draft in progress (the restore filter reads this set)."""
    services.proposal_drafts.update(
        await services.repos.proposals.draft_user_ids()
    )


class HasDraft(filters.UpdateFilter):
    """Updates from a user with a draft in progress."""

    def __init__(self, users: set[int]) -> None:
        super().__init__(name="HasDraft")
        self.users = users

    def filter(self, update: Update) -> bool:
        """True when the sender has a draft."""
        return update.effective_user is not None and update.effective_user.id in self.users


async def _save(context: ForumContext, draft: Draft) -> None:
    await context.repos.proposals.save_draft(draft, context.clock.now())
    _draft_users(context).add(draft.user_id)


async def _discard(context: ForumContext, user_id: int) -> None:
    await context.repos.proposals.delete_draft(user_id)
    _draft_users(context).discard(user_id)


# ---------------------------------------------------------------------------- questions
def _button(text: str, action: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.make(FEATURE, action, *args))


def question(context: ForumContext, draft: Draft | None) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and keyboard asking for the draft's current step."""
    tr = context.tr
    step = draft.step if draft is not None else "consent"
    data = draft.data if draft is not None else {}
    keyboard: list[list[InlineKeyboardButton]] = []
    if step == "consent":
        text = tr._(
            "To submit a proposal we need your consent to process personal data: the contact "
            "person's name, phone and e-mail. The organizers use them only to contact you about "
            'this proposal, under the Law of the Republic of Kazakhstan "On personal data and '
            'their protection". You can erase them at any time with /deleteme.\n\n'
            "Consent version: {version}. Do you agree?"
        ).format(version=svc.CONSENT_VERSION)
        keyboard = [
            [
                _button(tr._("✅ I agree"), "consent", "yes"),
                _button(tr._("✖️ I do not agree"), "consent", "no"),
            ]
        ]
    elif step == "org_name":
        text = tr._("What is the name of your organization?")
    elif step == "org_type":
        text = tr._("What type of organization is it?")
        keyboard = [[_button(tr._(label), "type", code)] for code, label in svc.ORG_TYPES.items()]
    elif step == "bin":
        text = tr._(
            "Please send the organization's BIN (Business Identification Number): 12 digits."
        )
    elif step == "region":
        text = tr._(
            "Where does your organization work? Choose a region or city, or type the name "
            "of your town or district."
        )
        keyboard = rows(
            [_button(tr._(label), "reg", code) for code, label in svc.REGIONS.items()], 2
        )
    elif step == "contact_person":
        text = tr._("Who is the contact person for this proposal? Please send their full name.")
    elif step == "phone":
        text = tr._(
            "The contact phone number, for example 8 701 123 45 67. "
            'If you prefer e-mail only, press "Skip".'
        )
        keyboard = [[_button(tr._("Skip"), "skip")]]
    elif step == "email":
        if data.get("phone"):
            text = tr._('The contact e-mail address. If you do not want to give one, press "Skip".')
            keyboard = [[_button(tr._("Skip"), "skip")]]
        else:
            text = tr._("The contact e-mail address (needed, because no phone number was given).")
    elif step == "topic":
        text = tr._("Which topic of the forum does your proposal belong to?")
        keyboard = [
            [_button(t.title.get(tr.language), "topic", t.id)]
            for t in context.content.proposal_topics
        ]
    elif step == "sdgs":
        chosen = set(data.get("sdgs_selecting", data.get("sdgs") or []))
        text = tr._(
            "Which Sustainable Development Goals does it serve? "
            'Choose one or more, then press "Done".'
        )
        keyboard = [
            [_button(("✓ " if n in chosen else "") + sdg_label(tr, n), "sdg", n)] for n in SDGS
        ]
        keyboard.append([_button(tr._("Done"), "sdgok")])
    elif step == "title":
        text = tr._("The title of your proposal (up to {limit} characters).").format(
            limit=svc.TITLE_MAX
        )
    elif step == "summary":
        text = tr._(
            "Describe the proposal: the problem, what you suggest and the expected result "
            "(up to {limit} characters)."
        ).format(limit=svc.SUMMARY_MAX)
    elif step == "support":
        text = tr._(
            "What support do you request from the forum or the government bodies (up to "
            "{limit} characters)?"
        ).format(limit=svc.SUPPORT_MAX)
    elif step == "attachment":
        text = tr._(
            "You may attach a document: PDF, DOC or DOCX, up to 20 MB. "
            'Send it as a file, or press "Skip".'
        )
        keyboard = [[_button(tr._("Skip"), "skip")]]
    else:  # review
        text = (
            tr._("Please check your proposal:")
            + "\n\n"
            + svc.render_answers(tr, context.content, data, summary_limit=REVIEW_SUMMARY_LIMIT)
            + "\n\n"
            + tr._("Press a button to change an answer, or submit the proposal.")
        )
        keyboard = rows(
            [_button("✏️ " + tr._(svc.FIELD_LABELS[f]), "edit", f) for f in _editable(data)], 2
        )
        keyboard.append([_button(tr._("📨 Submit"), "submit")])
        keyboard.append([_button(tr._("🗑 Discard the draft"), "cancel")])
    if draft is not None and draft.editing and step != "review":
        keyboard.append([_button(tr._("⬅️ Back to the review"), "back")])
    return text, InlineKeyboardMarkup(keyboard) if keyboard else None


def _editable(data: dict[str, Any]) -> list[str]:
    return [f for f in svc.EDITABLE if not (f == "bin" and data.get("org_type") == "initiative")]


async def ask(update: Update, context: ForumContext, draft: Draft | None, prefix: str = "") -> str:
    """Send the current question (after ``prefix``, e.g. an explanation); return the state."""
    text, keyboard = question(context, draft)
    await context.bot.send_message(
        update.effective_chat.id,  # type: ignore[union-attr]
        (prefix + "\n\n" + text) if prefix else text,
        reply_markup=keyboard,
    )
    return draft.step if draft is not None else "consent"


async def _close_question(update: Update, note: str | None = None) -> None:
    """Take the buttons off the question just answered (optionally adding the answer)."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    message = query.message
    try:
        if note and isinstance(message, Message) and message.text:
            await query.edit_message_text(message.text + "\n\n" + note)
        else:
            await query.edit_message_reply_markup(None)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


# ---------------------------------------------------------------------------- entry
async def propose(update: Update, context: ForumContext) -> str:
    """/propose and the menu item: start a new dialog or continue the draft."""
    user_id = update.effective_user.id  # type: ignore[union-attr]
    draft = await context.repos.proposals.get_draft(user_id)
    if draft is None:
        return await ask(update, context, None, context.tr._("💡 A proposal to the forum."))
    _draft_users(context).add(user_id)
    return await ask(
        update,
        context,
        draft,
        context.tr._("You have a draft in progress; let's continue where you left off."),
    )


async def cancel(update: Update, context: ForumContext) -> None:
    """/cancel: ask before discarding."""
    await update.effective_message.reply_text(  # type: ignore[union-attr]
        context.tr._("Discard your draft proposal? Everything you have entered will be deleted."),
        reply_markup=confirm_keyboard(context.tr, FEATURE, "drop"),
    )


# ---------------------------------------------------------------------------- answers
def _wrong_kind(tr: Translator, message: Message, step: str) -> str | None:
    """A specific explanation when the message is not the kind of answer the step takes."""
    if step == "attachment":
        if message.document is not None:
            return None
        if message.photo:
            return tr._(
                "A photo cannot be attached here. Please send the document as a file: PDF, "
                "DOC or DOCX."
            )
        if message.text:
            return tr._('Please send the document as a file, or press "Skip".')
        return tr._(
            'This cannot be attached. Please send a PDF, DOC or DOCX file, or press "Skip".'
        )
    if step == "phone" and message.contact is not None:
        return None
    if step in ("consent", "org_type", "topic", "sdgs", "review"):
        return tr._("Please answer with the buttons below.")
    if message.text is not None:
        return None
    if message.sticker is not None:
        return tr._("Stickers cannot be used as an answer here. Please type your answer.")
    if message.photo or message.video or message.animation:
        return tr._(
            "Pictures and videos cannot be used as an answer here. Please type your answer."
        )
    if message.voice or message.audio or message.video_note:
        return tr._(
            "Voice and audio messages cannot be used as an answer here. Please type your answer."
        )
    if message.document is not None:
        return tr._("A file is not expected at this step. Please type your answer.")
    return tr._("Please type your answer as text.")


def _apply_text(draft: Draft, message: Message) -> None:
    """Validate the message for the draft's step and store the answer (InvalidAnswer if not)."""
    data, step, text = draft.data, draft.step, message.text
    if step == "org_name":
        data["org_name"] = svc.parse_text(text, svc.ORG_NAME_MAX, minimum=2)
    elif step == "bin":
        data["bin"] = svc.parse_bin(text or "")
    elif step == "region":
        data["region"] = svc.parse_text(text, svc.REGION_MAX, minimum=2)
    elif step == "contact_person":
        data["contact_person"] = svc.parse_text(text, svc.PERSON_MAX, minimum=2)
    elif step == "phone":
        raw = message.contact.phone_number if message.contact is not None else text or ""
        data["phone"] = svc.parse_phone(raw)
    elif step == "email":
        data["email"] = svc.parse_email(text or "")
    elif step == "title":
        data["title"] = svc.parse_text(text, svc.TITLE_MAX, minimum=3)
    elif step == "summary":
        data["summary"] = svc.parse_text(text, svc.SUMMARY_MAX, minimum=10)
    elif step == "support":
        data["support"] = svc.parse_text(text, svc.SUPPORT_MAX, minimum=2)
    elif step == "attachment":
        document = message.document
        assert document is not None
        svc.check_attachment(document.file_name, document.mime_type, document.file_size)
        data["attachment"] = {
            "file_id": document.file_id,
            "name": document.file_name,
            "size": document.file_size,
            "mime": document.mime_type,
        }


async def _advance(update: Update, context: ForumContext, draft: Draft) -> str:
    """Save the draft at its next step and ask that step's question."""
    draft.step = svc.next_step(draft.data)
    if draft.step == "review":
        draft.editing = False
    await _save(context, draft)
    return await ask(update, context, draft)


async def on_message(update: Update, context: ForumContext, state: str | None) -> str | int | None:
    """Any message while the dialog runs (``state``) or restoring it (``state`` None)."""
    message = update.effective_message
    user_id = update.effective_user.id  # type: ignore[union-attr]
    assert message is not None
    draft = await context.repos.proposals.get_draft(user_id)
    if draft is None and state not in (None, "consent"):
        # The draft is gone (erased with /deleteme): the dialog is over.
        _draft_users(context).discard(user_id)
        await fallback.not_understood(update, context)
        return END
    if draft is None and state is None:
        _draft_users(context).discard(user_id)
        await fallback.not_understood(update, context)
        return END
    step = draft.step if draft is not None else "consent"
    wrong = _wrong_kind(context.tr, message, step)
    if wrong is not None or draft is None:
        return await ask(update, context, draft, wrong or "")
    try:
        _apply_text(draft, message)
    except svc.InvalidAnswer as error:
        return await ask(update, context, draft, context.tr._(error.message).format(**error.params))
    return await _advance(update, context, draft)


async def on_button(update: Update, context: ForumContext, state: str | None) -> str | int | None:
    """A dialog button (``pr:<action>:...``)."""
    query = update.callback_query
    assert query is not None
    assert update.effective_user is not None
    tr = context.tr
    user_id = update.effective_user.id
    data = callbacks.parse(query.data)
    draft = await context.repos.proposals.get_draft(user_id)
    step = draft.step if draft is not None else "consent"
    action = data.action if data is not None else ""

    if action == "drop":
        await query.answer()
        if data is not None and data.arg(0) == "yes":
            if draft is not None:
                await _discard(context, user_id)
            await query.edit_message_text(tr._("Your draft proposal has been discarded."))
            return END
        await query.edit_message_text(tr._("Good, your draft is kept."))
        return await ask(update, context, draft)
    if action == "cancel" and draft is not None:
        await query.answer()
        await cancel(update, context)
        return step
    if draft is None and action != "consent":
        await query.answer(tr._("This button has expired. Please open the menu again."))
        return END if state is None else None
    if action == "consent" and step == "consent":
        await query.answer()
        if data is not None and data.arg(0) == "yes":
            now = context.clock.now()
            draft = Draft(
                user_id,
                "consent",
                {
                    "consent_version": svc.CONSENT_VERSION,
                    "consent_at": now.isoformat(timespec="seconds"),
                },
            )
            await _close_question(update, tr._("✅ Consent given."))
            return await _advance(update, context, draft)
        await _close_question(update)
        await context.bot.send_message(
            update.effective_chat.id,  # type: ignore[union-attr]
            tr._(
                "Understood. Without your consent we cannot accept a proposal, and nothing "
                "has been stored. You are welcome back at any time: /propose"
            ),
        )
        return END
    assert draft is not None
    try:
        if action == "type" and step == "org_type":
            svc.set_org_type(draft.data, data.arg(0))  # type: ignore[union-attr]
            await query.answer()
            await _close_question(update, "→ " + tr._(svc.ORG_TYPES[draft.data["org_type"]]))
            return await _advance(update, context, draft)
        if action == "reg" and step == "region" and data.arg(0) in svc.REGIONS:  # type: ignore[union-attr]
            draft.data["region"] = data.arg(0)  # type: ignore[union-attr]
            await query.answer()
            await _close_question(update, "→ " + svc.region_name(tr, draft.data["region"]))
            return await _advance(update, context, draft)
        if action == "skip" and step in ("phone", "email", "attachment"):
            if step == "email" and not draft.data.get("phone"):
                raise svc.InvalidAnswer(
                    N_("Please give a phone number or an e-mail address: at least one is needed.")
                )
            draft.data[step] = None
            await query.answer()
            await _close_question(update)
            return await _advance(update, context, draft)
        if action == "topic" and step == "topic" and context.content.proposal_topic(data.arg(0)):  # type: ignore[union-attr]
            draft.data["topic"] = data.arg(0)  # type: ignore[union-attr]
            await query.answer()
            await _close_question(
                update, "→ " + svc.topic_name(tr, context.content, draft.data["topic"])
            )
            return await _advance(update, context, draft)
        if action == "sdg" and step == "sdgs" and data.int_arg(0) is not None:  # type: ignore[union-attr]
            svc.toggle_sdg(draft.data, data.int_arg(0))  # type: ignore[union-attr, arg-type]
            await _save(context, draft)
            await query.answer()
            _, keyboard = question(context, draft)
            try:
                await query.edit_message_reply_markup(keyboard)
            except BadRequest as exc:
                if "not modified" not in str(exc).lower():
                    raise
            return step
        if action == "sdgok" and step == "sdgs":
            svc.finish_sdgs(draft.data)
            await query.answer()
            await _close_question(update)
            return await _advance(update, context, draft)
        if action == "edit" and step == "review" and data.arg(0) in svc.EDITABLE:  # type: ignore[union-attr]
            await query.answer()
            await _close_question(update)
            draft.step, draft.editing = data.arg(0), True  # type: ignore[union-attr]
            if draft.step == "sdgs":
                draft.data["sdgs_selecting"] = list(draft.data.get("sdgs") or [])
            await _save(context, draft)
            return await ask(update, context, draft)
        if action == "back" and draft.editing and step != "review":
            await query.answer()
            await _close_question(update)
            draft.data.pop("sdgs_selecting", None)
            return await _advance(update, context, draft)
        if action == "submit" and step == "review" and svc.next_step(draft.data) == "review":
            await query.answer()
            await _close_question(update)
            proposal = await context.repos.proposals.submit(
                user_id, tr.language, draft.data, context.clock.now()
            )
            _draft_users(context).discard(user_id)
            log.info("proposal %s submitted by %s", proposal.reference, person(user_id))
            await context.bot.send_message(
                update.effective_chat.id,  # type: ignore[union-attr]
                tr._(
                    "Thank you! Your proposal has been submitted. Its reference number is "
                    "{reference}. You can follow its status with /myproposals."
                ).format(reference=proposal.reference),
            )
            await review.announce_new(context, proposal)
            return END
    except svc.InvalidAnswer as error:
        await query.answer()
        return await ask(update, context, draft, tr._(error.message).format(**error.params))
    # A button from an earlier question, or forged.
    await query.answer(tr._("This button has expired. Please open the menu again."))
    return step


# ---------------------------------------------------------------------------- the handler
Callback = Callable[[Update, ForumContext], Awaitable[Any]]


def _for_state(function: Callable[..., Awaitable[Any]], state: str | None) -> Callback:
    async def callback(update: Update, context: ForumContext) -> Any:
        return await function(update, context, state)

    callback.__name__ = f"{function.__name__}_{state or 'restore'}"
    return callback


def conversation(services: Any) -> ConversationHandler[Any]:
    """The /propose dialog, persistent, restoring from a draft when its state is missing."""
    private = filters.ChatType.PRIVATE
    menu_filter = services.menu.filter()
    drafts: set[int] = services.proposal_drafts
    answers = private & ~filters.COMMAND & ~filters.StatusUpdate.ALL & ~menu_filter
    states: dict[object, list[BaseHandler[Update, Any, Any]]] = {
        step: [
            MessageHandler(answers, _for_state(on_message, step)),
            CallbackQueryHandler(_for_state(on_button, step), pattern=DIALOG_PATTERN),
        ]
        for step in svc.STEPS
    }
    with warnings.catch_warnings():
        # Buttons are tracked per user, not per message, on purpose.
        warnings.filterwarnings("ignore", message=".*per_message=False.*")
        return ConversationHandler(
            entry_points=[
                CommandHandler("propose", propose, filters=private),
                MessageHandler(answers & HasDraft(drafts), _for_state(on_message, None)),
                CallbackQueryHandler(_for_state(on_button, None), pattern=DIALOG_PATTERN),
            ],
            states=states,
            fallbacks=[
                CommandHandler("cancel", cancel, filters=private),
                CommandHandler("propose", propose, filters=private),
            ],
            name=CONVERSATION,
            persistent=True,
            allow_reentry=False,
        )


# ---------------------------------------------------------------------------- /myproposals
def _mine_text(context: ForumContext, proposals: list[Any]) -> str:
    tr = context.tr
    if not proposals:
        return tr._("You have not submitted any proposals yet. To send one: /propose")
    lines = [tr._("Your proposals:")]
    for p in proposals[:20]:
        line = "\n{ref} · {title}\n{status} · {date}".format(
            ref=p.reference,
            title=p.title,
            status=svc.status_label(tr, p.status),
            date=tr.date(datetime.fromisoformat(p.submitted_at), "medium"),
        )
        if p.comment and p.status in ("under_review", "accepted", "rejected"):
            line += "\n💬 " + p.comment
        lines.append(line)
    return "\n".join(lines)


def _mine_keyboard(context: ForumContext, proposals: list[Any]) -> InlineKeyboardMarkup | None:
    buttons = [
        [_button(context.tr._("↩️ Withdraw {reference}").format(reference=p.reference), "wd", p.id)]
        for p in proposals[:20]
        if p.status == "submitted"
    ]
    return InlineKeyboardMarkup(buttons) if buttons else None


async def my_proposals(update: Update, context: ForumContext) -> None:
    """/myproposals: the user's proposals with their status."""
    user_id = update.effective_user.id  # type: ignore[union-attr]
    proposals = await context.repos.proposals.of_user(user_id)
    await update.effective_message.reply_text(  # type: ignore[union-attr]
        _mine_text(context, proposals), reply_markup=_mine_keyboard(context, proposals)
    )


async def on_mine_button(update: Update, context: ForumContext) -> None:
    """``pr:wd:<id>`` asks; ``pr:wdy:<id>:yes|no`` withdraws or keeps."""
    query = update.callback_query
    assert query is not None
    assert update.effective_user is not None
    tr = context.tr
    data = callbacks.parse(query.data)
    proposal_id = data.int_arg(0) if data is not None else None
    repo = context.repos.proposals
    proposal = await repo.get(proposal_id) if proposal_id is not None else None
    if proposal is None or proposal.user_id != update.effective_user.id:
        await query.answer(
            tr._("This button has expired. Please open the menu again."), show_alert=True
        )
        return
    await query.answer()
    if data.action == "wd":  # type: ignore[union-attr]
        await context.bot.send_message(
            update.effective_chat.id,  # type: ignore[union-attr]
            tr._('Withdraw your proposal {reference} "{title}"? It will not be considered.').format(
                reference=proposal.reference, title=proposal.title
            ),
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        _button(tr._("Yes, withdraw"), "wdy", proposal.id, "yes"),
                        _button(tr._("No"), "wdy", proposal.id, "no"),
                    ]
                ]
            ),
        )
        return
    if data.arg(1) != "yes":  # type: ignore[union-attr]
        await query.edit_message_text(
            tr._("Your proposal {reference} stays submitted.").format(reference=proposal.reference)
        )
        return
    if await repo.withdraw(proposal.id, update.effective_user.id, context.clock.now()):
        await query.edit_message_text(
            tr._("Your proposal {reference} has been withdrawn.").format(
                reference=proposal.reference
            )
        )
    else:
        await query.edit_message_text(
            tr._(
                "The proposal {reference} can no longer be withdrawn: it is already being reviewed."
            ).format(reference=proposal.reference)
        )
