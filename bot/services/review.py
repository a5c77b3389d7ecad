"""The organizers' review of proposals (/proposals) as a flow: list, card, decisions, comments,
release and exports. Every step returns an :class:`~bot.views.Outcome`; ``handlers/review.py``
parses the update, checks the role and renders it.

Callback data ``prv:<action>:...``; the list's filters travel as one token
``<status>,<topic>,<sdg>,<page>`` ("-" for no filter), so every card knows its way back.

Where an organizer is
    Only one thing is a dialog here: the comment awaited after "💬 Comment". Its row in
    ``proposal_review_inputs`` is the one source of truth; :meth:`ReviewFlow.awaiting_comment`
    reads it for every message.

Releasing decisions
    A pending decision (and its comment) is kept where the review board keeps its own; one
    release, :func:`bot.services.board_release.release_decisions`, applies them all and queues
    the notices in ONE transaction, so a failed send loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from bot import callbacks
from bot.errors import StaleButton
from bot.i18n import LANGUAGES, Translator
from bot.labels import LANGUAGE_NAMES
from bot.sdg import SDGS, sdg_label
from bot.services import proposals as svc
from bot.services.board_release import release_decisions
from bot.services.outbox import OutgoingMessage
from bot.services.proposal_exports import outcome_report_docx, proposals_xlsx
from bot.services.review_board import when
from bot.services.roles import Role
from bot.views import Button, Document, Outcome, Rows, Screen, Text, keyboard_json, rows
from storage.proposals import DECISIONS, STATUSES, Proposal

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)

FEATURE = "prv"
PAGE_SIZE = 8
CARD_LIMIT = 4000
COMMENT_MAX = 1000
STATUS_CODES: dict[str, str] = {
    "sub": "submitted",
    "rev": "under_review",
    "acc": "accepted",
    "rej": "rejected",
    "wd": "withdrawn",
}
CODES = {v: k for k, v in STATUS_CODES.items()}


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
        if sdg != "-" and (not sdg.isdigit() or len(sdg) > 2 or int(sdg) not in SDGS):
            return None
        if not page.isdigit() or len(page) > 6:
            return None
        return cls(
            STATUS_CODES.get(status),
            None if topic == "-" else topic,
            None if sdg == "-" else int(sdg),
            int(page),
        )

    def but(self, **changes: Any) -> Filter:
        """A copy with ``changes`` and the first page."""
        return replace(self, **{"page": 0, **changes})


def _b(text: str, action: str, *args: object) -> Button:
    return Button(text, data=callbacks.make(FEATURE, action, *args))


def card_button(text: str, proposal_id: int) -> Button:
    """A button opening a proposal's card (from a notice or a confirmation)."""
    return _b(text, "card", proposal_id, Filter().token())


class Args:
    """A press's arguments, checked: a malformed one is a stale button."""

    def __init__(self, args: tuple[str, ...]) -> None:
        self.args = args

    def text(self, index: int) -> str:
        """The argument at ``index`` ("" if absent)."""
        return self.args[index] if index < len(self.args) else ""

    def id(self, index: int) -> int:
        """A proposal id (bounded), else StaleButton."""
        value = callbacks.Callback(FEATURE, "-", self.args).int_arg(index)
        if value is None:
            raise StaleButton()
        return value

    def filter(self, index: int) -> Filter:
        """A list filter token, else StaleButton."""
        flt = Filter.parse(self.text(index))
        if flt is None:
            raise StaleButton()
        return flt


Action = Callable[[Translator, int, Args], Awaitable[Outcome]]


class ReviewFlow:
    """The organizer's review: one method per button action (see :attr:`actions`)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.repo = services.repos.proposals
        self.actions: dict[str, Action] = {
            "ls": self._list_action,
            "fs": self._filter_action("fs"),
            "ft": self._filter_action("ft"),
            "fg": self._filter_action("fg"),
            "card": self._card_action,
            "dec": self._decide,
            "cm": self._ask_comment,
            "att": self._attachment,
            "full": self._full_text,
            "rel": self._ask_release,
            "reln": self._keep_pending,
            "rely": self._release,
            "xlsx": self._xlsx,
            "rep": self._ask_report_language,
            "repl": self._report,
        }

    # ------------------------------------------------------------------------ entry points
    async def press(
        self, tr: Translator, user_id: int, action: str, args: tuple[str, ...]
    ) -> Outcome:
        """A ``prv:<action>:...`` button; StaleButton when it means nothing (any more)."""
        handler = self.actions.get(action)
        if handler is None:
            raise StaleButton()
        return await handler(tr, user_id, Args(args))

    async def open_list(self, tr: Translator, flt: Filter | None = None) -> Outcome:
        """/proposals: the first page of every proposal."""
        return Outcome(screens=[await self.list_screen(tr, flt or Filter(), "send")])

    async def awaiting_comment(self, user_id: int) -> bool:
        """Whether the organizer's next message is a comment to a submitter."""
        return await self.repo.review_target(user_id) is not None

    async def take_comment(self, tr: Translator, user_id: int, text: str | None) -> Outcome:
        """The awaited comment: saved for the proposal, or why not."""
        target = await self.repo.review_target(user_id)
        if target is None:
            return Outcome()
        try:
            comment = svc.parse_text(text, COMMENT_MAX)
        except svc.InvalidAnswer as error:  # the comment is still awaited
            return Outcome(Text(tr._(error.message).format(**error.params)))
        await self.repo.pop_review_target(user_id)
        saved = await self.repo.set_pending_comment(target, comment, self.services.clock.now())
        proposal = await self.repo.get(target)
        reference = proposal.reference if proposal is not None else ""
        if not saved:  # withdrawn (or gone) since "💬 Comment" was pressed
            return Outcome.send(
                tr._(
                    "The comment was not saved: {reference} has been withdrawn by its submitter."
                ).format(reference=reference)
            )
        return Outcome.send(
            tr._(
                "The comment is saved for {reference}; it goes out with the released decision."
            ).format(reference=reference),
            [[card_button(tr._("Open the card"), target)]],
        )

    async def cancel_comment(self, tr: Translator, user_id: int) -> Outcome | None:
        """/cancel while a comment is awaited (None when none is)."""
        if await self.repo.pop_review_target(user_id) is None:
            return None
        return Outcome.send(tr._("No comment was saved."))

    async def drop_comment(self, user_id: int) -> None:
        """Forget an awaited comment (its author is no longer an organizer)."""
        await self.repo.pop_review_target(user_id)

    # ------------------------------------------------------------------------ screens
    async def list_screen(self, tr: Translator, flt: Filter, target: str) -> Screen:
        """A page of proposals with the filters, release and export buttons."""
        found, total = await self._search(flt)
        pages = max(1, -(-total // PAGE_SIZE))
        if flt.page >= pages:
            flt = flt.but(page=pages - 1)
            found, total = await self._search(flt)
        text = tr.ngettext("{n} proposal", "{n} proposals", total).format(n=total)
        active = self._active_filters(tr, flt)
        if active:
            text += " · " + " · ".join(active)
        if total > PAGE_SIZE:
            text += "\n" + tr._("Page {page} of {pages}").format(page=flt.page + 1, pages=pages)
        for p in found:
            pending = " ⏳" if p.pending_status else ""
            text += f"\n\n{svc.STATUS_ICONS[p.status]} {p.reference} · {p.title}\n{p.org_name}"
            text += pending
        pending_count = await self.repo.count_pending()  # /board's decisions included
        if pending_count:
            text += "\n\n" + tr.ngettext(
                "⏳ {n} decision pending release.",
                "⏳ {n} decisions pending release.",
                pending_count,
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
            release = tr._("📣 Release decisions ({n})").format(n=pending_count)
            keyboard.append([_b(release, "rel")])
        keyboard.append([_b(tr._("📊 XLSX"), "xlsx"), _b(tr._("📄 Outcome report"), "rep")])
        return Screen(text, keyboard, "edit" if target == "edit" else "send")

    async def _search(self, flt: Filter) -> tuple[list[Proposal], int]:
        return await self.repo.search(
            status=flt.status,
            topic=flt.topic,
            sdg=flt.sdg,
            limit=PAGE_SIZE,
            offset=flt.page * PAGE_SIZE,
        )

    def _active_filters(self, tr: Translator, flt: Filter) -> list[str]:
        active = []
        if flt.status:
            active.append(svc.status_label(tr, flt.status))
        if flt.topic:
            active.append(svc.topic_name(tr, self.services.content, flt.topic))
        if flt.sdg:
            active.append(sdg_label(tr, flt.sdg))
        return active

    def filter_screen(self, tr: Translator, kind: str, flt: Filter) -> Screen:
        """The choices of one filter (status, topic or SDG) and "All"."""
        if kind == "fs":
            options = [(svc.status_label(tr, s), flt.but(status=s)) for s in STATUSES]
            reset = flt.but(status=None)
        elif kind == "ft":
            options = [
                (t.title.get(tr.language), flt.but(topic=t.id))
                for t in self.services.content.proposal_topics
            ]
            reset = flt.but(topic=None)
        else:
            options = [(sdg_label(tr, n), flt.but(sdg=n)) for n in SDGS]
            reset = flt.but(sdg=None)
        keyboard = [[_b(label, "ls", f.token())] for label, f in options]
        keyboard.append([_b(tr._("All"), "ls", reset.token())])
        return Screen(tr._("Filter the proposals:"), keyboard, "edit")

    def card_text(self, tr: Translator, p: Proposal, *, summary_limit: int | None = None) -> str:
        """Every field of the proposal, its status, decision and dates."""
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
        answers = svc.render_answers(
            tr, self.services.content, svc.proposal_data(p), summary_limit=summary_limit
        )
        lines += ["", answers, ""]
        lines.append(
            tr._("Submitted: {date}").format(date=when(tr, self.services.content, p.submitted_at))
        )
        if p.decided_at:
            lines.append(
                tr._("Decided: {date}").format(date=when(tr, self.services.content, p.decided_at))
            )
        language = LANGUAGE_NAMES.get(p.language, p.language)
        lines.append(tr._("Language: {language}").format(language=language))
        if p.consent_at:  # erased with the submitter's personal data (/deleteme)
            lines.append(
                tr._("Consent: {version}, {date}").format(
                    version=p.consent_version, date=when(tr, self.services.content, p.consent_at)
                )
            )
        if p.user_id is None:
            lines.append(tr._("The submitter has erased their personal data."))
        else:
            lines.append(tr._("Submitter: Telegram id {id}").format(id=p.user_id))
        return "\n".join(lines)

    async def card_screen(self, tr: Translator, proposal_id: int, token: str) -> Screen:
        """A proposal's card with its decision buttons (shortened to fit a message)."""
        p = await self.repo.get(proposal_id)
        if p is None:
            return Screen(tr._("This proposal does not exist."), [], "edit")
        text = self.card_text(tr, p)
        shortened = len(text) > CARD_LIMIT
        if shortened:
            limit = max(200, len(p.summary) - (len(text) - CARD_LIMIT) - 20)
            text = self.card_text(tr, p, summary_limit=limit)
        keyboard: Rows = []
        if p.status != "withdrawn":
            # Up to three to a row where the labels fit a phone, one to a row where not.
            decisions = [
                _b(
                    ("• " if p.pending_status == s else "") + svc.status_label(tr, s),
                    "dec",
                    p.id,
                    CODES[s],
                    token,
                )
                for s in DECISIONS
                if s != p.status
            ]
            keyboard += rows(decisions, 3)
            extra = [_b(tr._("💬 Comment"), "cm", p.id)]
            if p.pending_status:
                extra.append(_b(tr._("↩️ Undo decision"), "dec", p.id, "-", token))
            keyboard += rows(extra, 2)
        if p.attachment_id:
            keyboard.append([_b("📎 " + (p.attachment_name or tr._("Attachment")), "att", p.id)])
        if shortened:
            keyboard.append([_b(tr._("📖 Full text"), "full", p.id)])
        keyboard.append([_b(tr._("⬅️ Back to the list"), "ls", token)])
        return Screen(text, keyboard, "edit")

    # ------------------------------------------------------------------------ actions
    async def _list_action(self, tr: Translator, user_id: int, args: Args) -> Outcome:
        return Outcome(screens=[await self.list_screen(tr, args.filter(0), "edit")])

    def _filter_action(self, kind: str) -> Action:
        async def action(tr: Translator, user_id: int, args: Args) -> Outcome:
            return Outcome(screens=[self.filter_screen(tr, kind, args.filter(0))])

        return action

    async def _card_action(self, tr: Translator, user_id: int, args: Args) -> Outcome:
        proposal_id, flt = args.id(0), args.filter(1)
        return Outcome(screens=[await self.card_screen(tr, proposal_id, flt.token())])

    async def _decide(self, tr: Translator, user_id: int, args: Args) -> Outcome:
        """Keep a decision pending ("-": undo it)."""
        proposal_id, code, flt = args.id(0), args.text(1), args.filter(2)
        if code != "-" and STATUS_CODES.get(code) not in DECISIONS:
            raise StaleButton()
        status = STATUS_CODES.get(code)
        if not await self.repo.set_pending(proposal_id, status, self.services.clock.now()):
            raise StaleButton()  # withdrawn or gone
        hint = (
            tr._('Kept pending: it is sent with "Release decisions".')
            if status
            else tr._("Decision undone.")
        )
        card = await self.card_screen(tr, proposal_id, flt.token())
        return Outcome(Text(hint), [card])

    async def _ask_comment(self, tr: Translator, user_id: int, args: Args) -> Outcome:
        p = await self.repo.get(args.id(0))
        if p is None or p.status == "withdrawn":
            raise StaleButton()
        await self.repo.set_review_target(user_id, p.id, self.services.clock.now())
        return Outcome.send(
            tr._(
                "Send the comment for the submitter of {reference}. It is sent with the next "
                "released decision. /cancel to leave it."
            ).format(reference=p.reference)
        )

    async def _attachment(self, tr: Translator, user_id: int, args: Args) -> Outcome:
        p = await self.repo.get(args.id(0))
        if p is None or not p.attachment_id:
            raise StaleButton()
        return Outcome(documents=[Document(p.attachment_id, caption=p.reference)])

    async def _full_text(self, tr: Translator, user_id: int, args: Args) -> Outcome:
        p = await self.repo.get(args.id(0))
        if p is None:
            raise StaleButton()
        return Outcome.send(f"{p.reference}. {p.title}\n\n{p.summary}"[:4096])

    async def _ask_release(self, tr: Translator, user_id: int, args: Args) -> Outcome:
        n = await self.repo.count_pending()
        if n == 0:
            return Outcome.edit(tr._("No decisions are pending release."))
        question = tr.ngettext(
            "Release {n} decision? The submitter will be notified now.",
            "Release {n} decisions? The submitters will be notified now.",
            n,
        ).format(n=n)
        return Outcome.send(
            question, [[_b(tr._("📣 Release"), "rely"), _b(tr._("Not now"), "reln")]]
        )

    async def _keep_pending(self, tr: Translator, user_id: int, args: Args) -> Outcome:
        return Outcome.edit(tr._("Nothing was released; the decisions stay pending."))

    async def _release(self, tr: Translator, user_id: int, args: Args) -> Outcome:
        released = await release_decisions(self.services)
        text = tr.ngettext(
            "{n} decision released.", "{n} decisions released.", released.decisions
        ).format(n=released.decisions)
        text += " " + tr._("Notices queued for the submitters: {queued}.").format(
            queued=released.notices
        )
        return Outcome.edit(text)

    async def _xlsx(self, tr: Translator, user_id: int, args: Args) -> Outcome:
        now = self.services.clock.now()
        content = proposals_xlsx(tr, self.services.content, await self.repo.all())
        log.info("proposals XLSX exported (%s bytes)", len(content))
        name = f"proposals-{now:%Y%m%d}.xlsx"
        return Outcome(documents=[Document(content, name, tr._("All proposals"))])

    async def _ask_report_language(self, tr: Translator, user_id: int, args: Args) -> Outcome:
        buttons = [[_b(LANGUAGE_NAMES[code], "repl", code) for code in LANGUAGES]]
        return Outcome.send(tr._("In which language should the outcome report be?"), buttons)

    async def _report(self, tr: Translator, user_id: int, args: Args) -> Outcome:
        language = args.text(0)
        if language not in LANGUAGES:
            raise StaleButton()
        now = self.services.clock.now()
        report_tr = self.services.i18n.get(language)
        content = outcome_report_docx(report_tr, self.services.content, await self.repo.all(), now)
        name = f"outcome-report-{language}-{now:%Y%m%d}.docx"
        return Outcome(documents=[Document(content, name, tr._("The outcome report"))])


async def new_proposal_notices(services: Services, proposal: Proposal) -> list[OutgoingMessage]:
    """Each organizer's notice of a new proposal, in their language, with a button to its card."""
    messages = []
    for admin in sorted(services.roles.holders(Role.ORGANIZER)):
        stored = await services.repos.users.get(admin)
        if stored is None or stored.blocked:  # Telegram lets a bot write only to its users
            continue
        tr = services.translator_for(stored.language, stored.language_code)
        text = tr._("📥 New proposal {reference}: “{title}” from {organization}.").format(
            reference=proposal.reference, title=proposal.title, organization=proposal.org_name
        )
        messages.append(
            OutgoingMessage(
                admin,
                text,
                f"newproposal:{proposal.id}:{admin}",
                "proposal",
                reply_markup=keyboard_json([[card_button(tr._("Open"), proposal.id)]]),
            )
        )
    return messages
