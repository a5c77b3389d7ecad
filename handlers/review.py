"""/proposals for organizers: filtered, paged list; cards; decisions kept pending and released
together; comments to submitters; XLSX and DOCX exports. Every action is organizer-only.

Callback data ``prv:<action>:...``; the list's filters travel as one token
``<status>,<topic>,<sdg>,<page>`` ("-" for no filter), so every card knows its way back.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import ForumContext
from bot.i18n import LANGUAGES, Translator, resolve_language
from bot.sdg import SDGS, sdg_label
from bot.services import proposals as svc
from bot.services.outbox import OutgoingMessage, enqueue
from bot.services.proposal_exports import outcome_report_docx, proposals_xlsx
from bot.services.roles import Role
from handlers import callbacks
from handlers.access import organizer_only
from handlers.keyboards import LANGUAGE_NAMES, rows
from storage.proposals import STATUSES, Proposal

log = logging.getLogger(__name__)

FEATURE = "prv"
PAGE_SIZE = 8
COMMENT_STATE = "comment"
COMMENT_CONVERSATION = "proposal_comment"
STATUS_CODES: dict[str, str] = {
    "sub": "submitted",
    "rev": "under_review",
    "acc": "accepted",
    "rej": "rejected",
    "wd": "withdrawn",
}
CODES = {v: k for k, v in STATUS_CODES.items()}
CARD_LIMIT = 4000


@dataclass(frozen=True, slots=True)
class Filter:
    """The list's filters and page."""

    status: str | None = None
    topic: str | None = None
    sdg: int | None = None
    page: int = 0

    def token(self, page: int | None = None) -> str:
        """The compact form carried by buttons."""
        return ",".join(
            [
                CODES[self.status] if self.status else "-",
                self.topic or "-",
                str(self.sdg) if self.sdg else "-",
                str(self.page if page is None else page),
            ]
        )

    @classmethod
    def parse(cls, token: str) -> Filter | None:
        """The filter from a token; None when it is malformed."""
        parts = token.split(",")
        if len(parts) != 4:
            return None
        status, topic, sdg, page = parts
        if status != "-" and status not in STATUS_CODES:
            return None
        if sdg != "-" and (not sdg.isdigit() or int(sdg) not in SDGS):
            return None
        if not page.isdigit():
            return None
        return cls(
            STATUS_CODES.get(status),
            None if topic == "-" else topic,
            None if sdg == "-" else int(sdg),
            int(page),
        )

    def but(self, **changes: Any) -> Filter:
        """A copy with ``changes`` and the first page."""
        values = {"status": self.status, "topic": self.topic, "sdg": self.sdg, "page": 0}
        values.update(changes)
        return Filter(**values)


def _b(text: str, action: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.make(FEATURE, action, *args))


async def _show(
    update: Update, context: ForumContext, text: str, keyboard: InlineKeyboardMarkup | None
) -> None:
    """Edit the message the button belongs to, or send a new one for a command."""
    query = update.callback_query
    if query is not None:
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
        return
    await update.effective_message.reply_text(text, reply_markup=keyboard)  # type: ignore[union-attr]


# ---------------------------------------------------------------------------- the list
async def _list(update: Update, context: ForumContext, flt: Filter) -> None:
    tr, repo = context.tr, context.repos.proposals
    found, total = await repo.search(
        status=flt.status,
        topic=flt.topic,
        sdg=flt.sdg,
        limit=PAGE_SIZE,
        offset=flt.page * PAGE_SIZE,
    )
    pages = max(1, -(-total // PAGE_SIZE))
    if flt.page >= pages:
        flt = flt.but(page=pages - 1)
        found, total = await repo.search(
            status=flt.status,
            topic=flt.topic,
            sdg=flt.sdg,
            limit=PAGE_SIZE,
            offset=flt.page * PAGE_SIZE,
        )
    active = []
    if flt.status:
        active.append(svc.status_label(tr, flt.status))
    if flt.topic:
        active.append(svc.topic_name(tr, context.content, flt.topic))
    if flt.sdg:
        active.append(sdg_label(tr, flt.sdg))
    text = tr.ngettext("{n} proposal", "{n} proposals", total).format(n=total)
    if active:
        text += " · " + " · ".join(active)
    if total > PAGE_SIZE:
        text += "\n" + tr._("Page {page} of {pages}").format(page=flt.page + 1, pages=pages)
    for p in found:
        pending = " ⏳" if p.pending_status else ""
        text += f"\n\n{svc.STATUS_ICONS[p.status]} {p.reference} · {p.title}\n{p.org_name}{pending}"
    pending_count = await repo.count_pending()
    if pending_count:
        text += "\n\n" + tr.ngettext(
            "⏳ {n} decision pending release.", "⏳ {n} decisions pending release.", pending_count
        ).format(n=pending_count)
    keyboard = rows([_b(p.reference, "card", p.id, flt.token()) for p in found], 4)
    nav = []
    if flt.page > 0:
        nav.append(_b("⬅️", "ls", flt.token(flt.page - 1)))
    if flt.page + 1 < pages:
        nav.append(_b("➡️", "ls", flt.token(flt.page + 1)))
    if nav:
        keyboard.append(nav)
    keyboard.append(
        [
            _b(tr._("Status ▾"), "fs", flt.token()),
            _b(tr._("Topic ▾"), "ft", flt.token()),
            _b(tr._("SDG ▾"), "fg", flt.token()),
        ]
    )
    if pending_count:
        keyboard.append([_b(tr._("📣 Release decisions ({n})").format(n=pending_count), "rel")])
    keyboard.append([_b(tr._("📊 XLSX"), "xlsx"), _b(tr._("📄 Outcome report"), "rep")])
    await _show(update, context, text, InlineKeyboardMarkup(keyboard))


@organizer_only
async def list_command(update: Update, context: ForumContext) -> None:
    """/proposals."""
    await _list(update, context, Filter())


def _filter_keyboard(context: ForumContext, kind: str, flt: Filter) -> InlineKeyboardMarkup:
    tr = context.tr
    if kind == "fs":
        options = [(svc.status_label(tr, s), flt.but(status=s)) for s in STATUSES]
        reset = flt.but(status=None)
    elif kind == "ft":
        options = [
            (t.title.get(tr.language), flt.but(topic=t.id)) for t in context.content.proposal_topics
        ]
        reset = flt.but(topic=None)
    else:
        options = [(sdg_label(tr, n), flt.but(sdg=n)) for n in SDGS]
        reset = flt.but(sdg=None)
    keyboard = [[_b(label, "ls", f.token())] for label, f in options]
    keyboard.append([_b(tr._("All"), "ls", reset.token())])
    return InlineKeyboardMarkup(keyboard)


# ---------------------------------------------------------------------------- the card
def card_text(context: ForumContext, p: Proposal, *, summary_limit: int | None = None) -> str:
    """Every field of the proposal, its status, decision and dates."""
    tr = context.tr
    lines = [f"{p.reference} · {svc.status_label(tr, p.status)}"]
    if p.pending_status:
        lines.append(
            tr._("⏳ Decision pending release: {status}").format(
                status=svc.status_label(tr, p.pending_status)
            )
        )
    if p.pending_comment:
        lines.append(tr._("Comment to send: {comment}").format(comment=p.pending_comment))
    if p.comment:
        lines.append(tr._("Comment sent: {comment}").format(comment=p.comment))
    lines.append("")
    lines.append(
        svc.render_answers(tr, context.content, svc.proposal_data(p), summary_limit=summary_limit)
    )
    lines.append("")
    lines.append(
        tr._("Submitted: {date}").format(
            date=tr.datetime(datetime.fromisoformat(p.submitted_at), "short")
        )
    )
    if p.decided_at:
        lines.append(
            tr._("Decided: {date}").format(
                date=tr.datetime(datetime.fromisoformat(p.decided_at), "short")
            )
        )
    lines.append(
        tr._("Language: {language}").format(language=LANGUAGE_NAMES.get(p.language, p.language))
    )
    lines.append(
        tr._("Consent: {version}, {date}").format(
            version=p.consent_version,
            date=tr.datetime(datetime.fromisoformat(p.consent_at), "short"),
        )
    )
    if p.user_id is None:
        lines.append(tr._("The submitter has erased their personal data."))
    else:
        lines.append(tr._("Submitter: Telegram id {id}").format(id=p.user_id))
    return "\n".join(lines)


async def _card(update: Update, context: ForumContext, proposal_id: int, token: str) -> None:
    tr = context.tr
    p = await context.repos.proposals.get(proposal_id)
    if p is None:
        await _show(update, context, tr._("This proposal does not exist."), None)
        return
    text = card_text(context, p)
    shortened = len(text) > CARD_LIMIT
    if shortened:
        text = card_text(
            context, p, summary_limit=max(200, len(p.summary) - (len(text) - CARD_LIMIT) - 20)
        )
    keyboard: list[list[InlineKeyboardButton]] = []
    if p.status != "withdrawn":
        keyboard.append(
            [
                _b(
                    ("• " if p.pending_status == s else "") + svc.status_label(tr, s),
                    "dec",
                    p.id,
                    CODES[s],
                    token,
                )
                for s in ("under_review", "accepted", "rejected")
                if s != p.status
            ]
        )
        extra = [_b(tr._("💬 Comment"), "cm", p.id)]
        if p.pending_status:
            extra.append(_b(tr._("↩️ Undo decision"), "dec", p.id, "-", token))
        keyboard.append(extra)
    if p.attachment_id:
        keyboard.append([_b("📎 " + (p.attachment_name or tr._("Attachment")), "att", p.id)])
    if shortened:
        keyboard.append([_b(tr._("📖 Full text"), "full", p.id)])
    keyboard.append([_b(tr._("⬅️ Back to the list"), "ls", token)])
    await _show(update, context, text, InlineKeyboardMarkup(keyboard))


# ---------------------------------------------------------------------------- buttons
@organizer_only
async def on_button(update: Update, context: ForumContext) -> None:
    """Every ``prv:`` button except the comment dialog's."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    data = callbacks.parse(query.data)
    action = data.action if data is not None else ""
    repo = context.repos.proposals
    now = context.clock.now()
    chat_id = update.effective_chat.id  # type: ignore[union-attr]

    if action in ("ls", "fs", "ft", "fg"):
        flt = Filter.parse(data.arg(0))  # type: ignore[union-attr]
        if flt is not None:
            await query.answer()
            if action == "ls":
                await _list(update, context, flt)
            else:
                await _show(
                    update,
                    context,
                    tr._("Filter the proposals:"),
                    _filter_keyboard(context, action, flt),
                )
            return
    elif action == "card" and data.int_arg(0) is not None and Filter.parse(data.arg(1)):  # type: ignore[union-attr]
        await query.answer()
        await _card(update, context, data.int_arg(0), data.arg(1))  # type: ignore[union-attr, arg-type]
        return
    elif (
        action == "dec"
        and data.int_arg(0) is not None
        and (  # type: ignore[union-attr]
            data.arg(1) in STATUS_CODES or data.arg(1) == "-"  # type: ignore[union-attr]
        )
        and Filter.parse(data.arg(2))
    ):  # type: ignore[union-attr]
        status = STATUS_CODES.get(data.arg(1))  # type: ignore[union-attr]
        if status in (None, "under_review", "accepted", "rejected") and await repo.set_pending(
            data.int_arg(0),
            status,
            now,  # type: ignore[union-attr, arg-type]
        ):
            await query.answer(
                tr._('Kept pending: it is sent with "Release decisions".')
                if status
                else tr._("Decision undone.")
            )
            await _card(update, context, data.int_arg(0), data.arg(2))  # type: ignore[union-attr, arg-type]
            return
    elif action == "att" and data.int_arg(0) is not None:  # type: ignore[union-attr]
        p = await repo.get(data.int_arg(0))  # type: ignore[union-attr, arg-type]
        if p is not None and p.attachment_id:
            await query.answer()
            await context.bot.send_document(chat_id, p.attachment_id, caption=p.reference)
            return
    elif action == "full" and data.int_arg(0) is not None:  # type: ignore[union-attr]
        p = await repo.get(data.int_arg(0))  # type: ignore[union-attr, arg-type]
        if p is not None:
            await query.answer()
            await context.bot.send_message(
                chat_id, f"{p.reference}. {p.title}\n\n{p.summary}"[:4096]
            )
            return
    elif action == "rel":
        await query.answer()
        n = await repo.count_pending()
        if n == 0:
            await _show(update, context, tr._("No decisions are pending release."), None)
            return
        await context.bot.send_message(
            chat_id,
            tr.ngettext(
                "Release {n} decision? The submitter will be notified now.",
                "Release {n} decisions? The submitters will be notified now.",
                n,
            ).format(n=n),
            reply_markup=InlineKeyboardMarkup(
                [[_b(tr._("📣 Release"), "rely"), _b(tr._("Not now"), "reln")]]
            ),
        )
        return
    elif action == "reln":
        await query.answer()
        await _show(
            update, context, tr._("Nothing was released; the decisions stay pending."), None
        )
        return
    elif action == "rely":
        await query.answer()
        released = await repo.release(now)
        sent = await notify_submitters(context, released)
        await _show(
            update,
            context,
            tr.ngettext("{n} decision released.", "{n} decisions released.", len(released)).format(
                n=len(released)
            )
            + " "
            + tr._("Messages delivered to submitters: {sent}.").format(sent=sent),
            None,
        )
        return
    elif action == "xlsx":
        await query.answer()
        content = proposals_xlsx(tr, context.content, await repo.all())
        await context.bot.send_document(
            chat_id,
            InputFile(content, filename=f"proposals-{now:%Y%m%d}.xlsx", attach=True),
            caption=tr._("All proposals"),
        )
        log.info("proposals XLSX exported (%s bytes)", len(content))
        return
    elif action == "rep":
        await query.answer()
        await context.bot.send_message(
            chat_id,
            tr._("In which language should the outcome report be?"),
            reply_markup=InlineKeyboardMarkup(
                [[_b(LANGUAGE_NAMES[code], "repl", code) for code in LANGUAGES]]
            ),
        )
        return
    elif action == "repl" and data.arg(0) in LANGUAGES:  # type: ignore[union-attr]
        await query.answer()
        report_tr = context.services.i18n.get(data.arg(0))  # type: ignore[union-attr]
        content = outcome_report_docx(report_tr, context.content, await repo.all(), now)
        await context.bot.send_document(
            chat_id,
            InputFile(
                content, filename=f"outcome-report-{data.arg(0)}-{now:%Y%m%d}.docx", attach=True
            ),  # type: ignore[union-attr]
            caption=tr._("The outcome report"),
        )
        return
    await query.answer(
        tr._("This button has expired. Please open the menu again."), show_alert=True
    )


async def notify_submitters(context: ForumContext, released: list[Proposal]) -> int:
    """Tell each submitter about the decision, in their own language; returns how many got it."""
    sent = 0
    users = context.repos.users
    for proposal in released:
        if proposal.user_id is None:
            continue
        user = await users.get(proposal.user_id)
        if user is None or user.blocked:
            continue
        language = resolve_language(user.language, user.language_code, proposal.language)
        tr: Translator = context.services.i18n.get(language)
        try:
            await context.bot.send_message(user.id, svc.status_notice(tr, proposal))
        except Forbidden:
            await users.set_blocked(user.id)
            continue
        sent += 1
    return sent


# ---------------------------------------------------------------------------- comment dialog
@organizer_only
async def ask_comment(update: Update, context: ForumContext) -> str | None:
    """``prv:cm:<id>``: the next message is the comment to the submitter."""
    query = update.callback_query
    assert query is not None
    assert update.effective_user is not None
    data = callbacks.parse(query.data)
    p = await context.repos.proposals.get(data.int_arg(0)) if data and data.int_arg(0) else None  # type: ignore[arg-type]
    if p is None or p.status == "withdrawn":
        await query.answer(
            context.tr._("This button has expired. Please open the menu again."), show_alert=True
        )
        return ConversationHandler.END  # type: ignore[return-value]
    await query.answer()
    await context.repos.proposals.set_review_target(
        update.effective_user.id, p.id, context.clock.now()
    )
    await context.bot.send_message(
        update.effective_chat.id,  # type: ignore[union-attr]
        context.tr._(
            "Send the comment for the submitter of {reference}. It is sent with the next "
            "released decision. /cancel to leave it."
        ).format(reference=p.reference),
    )
    return COMMENT_STATE


@organizer_only
async def take_comment(update: Update, context: ForumContext) -> int:
    """The organizer's comment text."""
    user_id = update.effective_user.id  # type: ignore[union-attr]
    repo = context.repos.proposals
    target = await repo.pop_review_target(user_id)
    text = (update.effective_message.text or "").strip()  # type: ignore[union-attr]
    if target is None:
        return ConversationHandler.END
    try:
        comment = svc.parse_text(text, 1000)
    except svc.InvalidAnswer as error:
        await repo.set_review_target(user_id, target, context.clock.now())
        await update.effective_message.reply_text(
            context.tr._(error.message).format(**error.params)
        )  # type: ignore[union-attr]
        return COMMENT_STATE  # type: ignore[return-value]
    await repo.set_pending_comment(target, comment, context.clock.now())
    p = await repo.get(target)
    await update.effective_message.reply_text(  # type: ignore[union-attr]
        context.tr._(
            "The comment is saved for {reference}; it goes out with the released decision."
        ).format(reference=p.reference if p else ""),
        reply_markup=InlineKeyboardMarkup(
            [[_b(context.tr._("Open the card"), "card", target, Filter().token())]]
        ),
    )
    return ConversationHandler.END


async def cancel_comment(update: Update, context: ForumContext) -> int:
    """/cancel while a comment is awaited."""
    await context.repos.proposals.pop_review_target(update.effective_user.id)  # type: ignore[union-attr]
    await update.effective_message.reply_text(context.tr._("No comment was saved."))  # type: ignore[union-attr]
    return ConversationHandler.END


def comment_conversation() -> ConversationHandler[Any]:
    """The organizer's comment: one awaited message, persistent."""
    private = filters.ChatType.PRIVATE
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*per_message=False.*")
        return ConversationHandler(
            entry_points=[CallbackQueryHandler(ask_comment, pattern=rf"^{FEATURE}:cm:")],
            states={
                COMMENT_STATE: [
                    MessageHandler(private & filters.TEXT & ~filters.COMMAND, take_comment)
                ]
            },
            fallbacks=[CommandHandler("cancel", cancel_comment, filters=private)],
            name=COMMENT_CONVERSATION,
            persistent=True,
        )


async def announce_new(context: ForumContext, proposal: Proposal) -> None:
    """Tell every organizer, in their language, that a proposal came in (through the outbox)."""
    services = context.services
    messages = []
    for admin in services.roles.holders(Role.ORGANIZER):
        stored = await services.repos.users.get(admin)
        if stored is None or stored.blocked:  # Telegram lets a bot write only to its users
            continue
        tr = services.translator_for(stored.language, stored.language_code)
        text = tr._("📥 New proposal {reference}: “{title}” from {organization}.").format(
            reference=proposal.reference, title=proposal.title, organization=proposal.org_name
        )
        button = _b(tr._("Open"), "card", proposal.id, Filter().token())
        messages.append(
            OutgoingMessage(
                admin,
                text,
                f"newproposal:{proposal.id}:{admin}",
                "proposal",
                reply_markup=InlineKeyboardMarkup([[button]]),
            )
        )
    if messages:
        await enqueue(services, messages)
