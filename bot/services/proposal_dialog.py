"""The /propose dialog, /myproposals and withdrawing, as a flow.

Each step returns an :class:`~bot.views.Outcome`; ``handlers/proposals.py`` turns the update
into an :class:`Incoming` or a button press, calls the flow and renders what it returns.

Where a person is
    Their row in ``proposal_drafts`` (created by /propose, before consent, with no answers) is
    the one source of truth: the step is derived from the answers (see
    :func:`bot.services.proposals.next_step`) except while a field is edited from the review
    screen. No copy is kept in memory; the dialog router asks :meth:`ProposalDialog.draft`.

Rules kept here: the e-mail is required when no phone was given; at most
``PROPOSALS_PER_USER_OPEN`` open proposals per person; a submitted proposal and the organizers'
notices of it commit in one transaction (a failed confirmation loses no notice).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from bot import callbacks
from bot.errors import StaleButton
from bot.i18n import N_, Translator
from bot.sdg import SDGS, sdg_label
from bot.services import proposals as svc
from bot.services.outbox import to_rows, wake
from bot.services.review import new_proposal_notices
from bot.services.review_board import call_closed_notice
from bot.views import Button, Outcome, Rows, Screen, rows
from storage.proposals import Draft, Proposal

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)

FEATURE = "pr"
REVIEW_SUMMARY_LIMIT = 1500
MINE_SHOWN = 20
# Steps answered with a button only.
BUTTON_STEPS = ("consent", "org_type", "topic", "sdgs", "review")
# Steps that take a typed answer: the field and its (limit, minimum length).
TEXT_FIELDS: dict[str, tuple[int, int]] = {
    "org_name": (svc.ORG_NAME_MAX, 2),
    "region": (svc.REGION_MAX, 2),
    "contact_person": (svc.PERSON_MAX, 2),
    "title": (svc.TITLE_MAX, 3),
    "summary": (svc.SUMMARY_MAX, 10),
    "support": (svc.SUPPORT_MAX, 2),
}

Kind = Literal["text", "contact", "document", "photo", "sticker", "media", "voice", "other"]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A document as the client describes it (name, type and size may lie)."""

    file_id: str
    name: str | None
    size: int | None
    mime: str | None


@dataclass(frozen=True, slots=True)
class Incoming:
    """A message in the dialog, told apart by kind; ``fetch`` downloads a document's bytes."""

    kind: Kind
    text: str | None = None
    phone: str | None = None
    document: Attachment | None = None
    fetch: Callable[[], Awaitable[bytes]] | None = None


def _b(text: str, action: str, *args: object) -> Button:
    return Button(text, data=callbacks.make(FEATURE, action, *args))


def editable(data: dict[str, Any]) -> list[str]:
    """The fields the review screen offers to change."""
    return [f for f in svc.EDITABLE if not (f == "bin" and data.get("org_type") == "initiative")]


def wrong_kind(tr: Translator, message: Incoming, step: str) -> str | None:
    """A specific explanation when the message is not the kind of answer the step takes."""
    if step == "attachment":
        if message.kind == "document":
            return None
        if message.kind == "photo":
            return tr._(
                "A photo cannot be attached here. Please send the document as a file: PDF, "
                "DOC or DOCX."
            )
        if message.kind == "text":
            return tr._('Please send the document as a file, or press "Skip".')
        return tr._(
            'This cannot be attached. Please send a PDF, DOC or DOCX file, or press "Skip".'
        )
    if step == "phone" and message.kind == "contact":
        return None
    if step in BUTTON_STEPS:
        return tr._("Please answer with the buttons below.")
    explanations = {
        "text": None,
        "sticker": N_("Stickers cannot be used as an answer here. Please type your answer."),
        "photo": N_(
            "Pictures and videos cannot be used as an answer here. Please type your answer."
        ),
        "media": N_(
            "Pictures and videos cannot be used as an answer here. Please type your answer."
        ),
        "voice": N_(
            "Voice and audio messages cannot be used as an answer here. Please type your answer."
        ),
        "document": N_("A file is not expected at this step. Please type your answer."),
    }
    reason = explanations.get(message.kind, N_("Please type your answer as text."))
    return tr._(reason) if reason is not None else None


# A dialog button: (translator, the draft, the press) -> outcome.
Step = Callable[[Translator, Draft, callbacks.Callback], Awaitable[Outcome]]


class ProposalDialog:
    """The proposal dialog of one bot: questions, answers, buttons, submit, withdraw."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.repo = services.repos.proposals
        self.steps: dict[str, Step] = {
            "type": self._org_type,
            "reg": self._region,
            "skip": self._skip,
            "topic": self._topic,
            "sdg": self._toggle_sdg,
            "sdgok": self._sdgs_done,
            "edit": self._edit,
            "back": self._back,
            "submit": self._submit,
            "cancel": self._ask_discard,
        }

    # ------------------------------------------------------------------------ entry points
    async def draft(self, user_id: int) -> Draft | None:
        """The person's draft: they are in the dialog while it exists."""
        return await self.repo.get_draft(user_id)

    async def start(self, tr: Translator, user_id: int) -> Outcome:
        """/propose and the menu item: start a dialog or continue the draft."""
        closed = call_closed_notice(tr, self.services.content, self.services.clock.now())
        if closed is not None:  # the call's window from the content file; a draft is kept
            return Outcome.send(closed)
        draft = await self.repo.get_draft(user_id)
        if draft is not None and draft.step != "consent":
            prefix = tr._("You have a draft in progress; let's continue where you left off.")
            return self._ask(tr, draft, prefix)
        if draft is not None:  # asked for consent before: ask again
            return self._ask(tr, draft, tr._("💡 A proposal to the forum."))
        refusal = await self._over_limit(tr, user_id)
        if refusal is not None:
            return refusal
        draft = Draft(user_id, "consent", {})
        await self._save(draft)
        return self._ask(tr, draft, tr._("💡 A proposal to the forum."))

    async def message(self, tr: Translator, draft: Draft, message: Incoming) -> Outcome:
        """A message while the dialog runs: the answer to the current step, or why not."""
        wrong = wrong_kind(tr, message, draft.step)
        if wrong is not None:
            return self._ask(tr, draft, wrong)
        try:
            await self._apply(draft, message)
        except svc.InvalidAnswer as error:
            return self._ask(tr, draft, tr._(error.message).format(**error.params))
        return await self._advance(tr, draft)

    async def press(self, tr: Translator, user_id: int, data: callbacks.Callback) -> Outcome:
        """A ``pr:`` button (the dialog's, discarding, or withdrawing a proposal)."""
        if data.action in ("wd", "wdy"):
            return await self._withdraw(tr, user_id, data)
        draft = await self.repo.get_draft(user_id)
        if data.action == "drop":
            return await self._discard(tr, draft, data.arg(0) == "yes")
        if draft is None:
            raise StaleButton()
        if data.action == "consent" and draft.step == "consent":
            return await self._consent(tr, draft, data.arg(0) == "yes")
        step = self.steps.get(data.action)
        if step is None:
            raise StaleButton()
        try:
            return await step(tr, draft, data)
        except svc.InvalidAnswer as error:
            return self._ask(tr, draft, tr._(error.message).format(**error.params))

    async def cancel(self, tr: Translator, user_id: int) -> Outcome | None:
        """/cancel in the dialog: ask before discarding (None when there is no draft)."""
        if await self.repo.get_draft(user_id) is None:
            return None
        return self._discard_question(tr)

    async def mine(self, tr: Translator, user_id: int) -> Outcome:
        """/myproposals: the person's proposals with their status."""
        proposals = await self.repo.of_user(user_id)
        if not proposals:
            return Outcome.send(
                tr._("You have not submitted any proposals yet. To send one: /propose")
            )
        lines = [tr._("Your proposals:")]
        year = self.services.content.forum.starts.year
        for p in proposals[:MINE_SHOWN]:
            status = svc.status_label(tr, p.status)
            submitted = tr.moment(datetime.fromisoformat(p.submitted_at), year=year)
            line = f"\n{p.reference} · {p.title}\n{status} · {submitted}"
            if p.comment and p.status in ("under_review", "accepted", "rejected"):
                line += "\n💬 " + p.comment
            lines.append(line)
        buttons = [
            [_b(tr._("↩️ Withdraw {reference}").format(reference=p.reference), "wd", p.id)]
            for p in proposals[:MINE_SHOWN]
            if p.status == "submitted"
        ]
        return Outcome.send("\n".join(lines), buttons)

    # ------------------------------------------------------------------------ questions
    def question(self, tr: Translator, draft: Draft) -> Screen:
        """The text and buttons asking for the draft's current step."""
        step, data = draft.step, draft.data
        ask = QUESTIONS.get(step, _review_question)
        text, keyboard = ask(self, tr, data)
        if draft.editing and step != "review":
            keyboard.append([_b(tr._("⬅️ Back to the review"), "back")])
        return Screen(text, keyboard)

    def _ask(self, tr: Translator, draft: Draft, prefix: str = "") -> Outcome:
        screen = self.question(tr, draft)
        if prefix:
            screen.text = prefix + "\n\n" + screen.text
        return Outcome(screens=[screen])

    # ------------------------------------------------------------------------ answers
    async def _apply(self, draft: Draft, message: Incoming) -> None:
        """Validate the message for the draft's step and store the answer (InvalidAnswer)."""
        data, step, text = draft.data, draft.step, message.text
        if step in TEXT_FIELDS:
            limit, minimum = TEXT_FIELDS[step]
            data[step] = svc.parse_text(text, limit, minimum=minimum)
        elif step == "bin":
            data["bin"] = svc.parse_bin(text or "")
        elif step == "phone":
            data["phone"] = svc.parse_phone(message.phone or text or "")
        elif step == "email":
            data["email"] = svc.parse_email(text or "")
        elif step == "attachment" and message.document is not None:
            document = message.document
            svc.check_attachment(document.name, document.mime, document.size)
            if message.fetch is not None:  # what the file really is, by its first bytes
                svc.check_content(await message.fetch())
            data["attachment"] = {
                "file_id": document.file_id,
                "name": document.name,
                "size": document.size,
                "mime": document.mime,
            }

    async def _advance(self, tr: Translator, draft: Draft, closed: Screen | None = None) -> Outcome:
        """Save the draft at its next step and ask that step's question."""
        draft.step = svc.next_step(draft.data)
        if draft.step == "review":
            draft.editing = False
        await self._save(draft)
        screens = [closed] if closed is not None else []
        return Outcome(screens=[*screens, self.question(tr, draft)])

    async def _save(self, draft: Draft) -> None:
        await self.repo.save_draft(draft, self.services.clock.now())

    # ------------------------------------------------------------------------ buttons
    async def _consent(self, tr: Translator, draft: Draft, agreed: bool) -> Outcome:
        if not agreed:
            await self.repo.delete_draft(draft.user_id)
            return Outcome(
                screens=[
                    _closed(),
                    Screen(
                        tr._(
                            "Understood. Without your consent we cannot accept a proposal, and "
                            "nothing has been stored. You are welcome back at any time: /propose"
                        )
                    ),
                ]
            )
        now = self.services.clock.now()
        draft.data.update(
            consent_version=svc.CONSENT_VERSION, consent_at=now.isoformat(timespec="seconds")
        )
        return await self._advance(tr, draft, _closed(tr._("✅ Consent given.")))

    async def _org_type(self, tr: Translator, draft: Draft, data: callbacks.Callback) -> Outcome:
        self._expect(draft, "org_type")
        svc.set_org_type(draft.data, data.arg(0))
        label = "→ " + tr._(svc.ORG_TYPES[draft.data["org_type"]])
        return await self._advance(tr, draft, _closed(label))

    async def _region(self, tr: Translator, draft: Draft, data: callbacks.Callback) -> Outcome:
        self._expect(draft, "region")
        if data.arg(0) not in svc.REGIONS:
            raise StaleButton()
        draft.data["region"] = data.arg(0)
        return await self._advance(tr, draft, _closed("→ " + svc.region_name(tr, data.arg(0))))

    async def _skip(self, tr: Translator, draft: Draft, data: callbacks.Callback) -> Outcome:
        self._expect(draft, "phone", "email", "attachment")
        if draft.step == "email" and not draft.data.get("phone"):
            raise svc.InvalidAnswer(
                N_("Please give a phone number or an e-mail address: at least one is needed.")
            )
        draft.data[draft.step] = None
        return await self._advance(tr, draft, _closed())

    async def _topic(self, tr: Translator, draft: Draft, data: callbacks.Callback) -> Outcome:
        self._expect(draft, "topic")
        content = self.services.content
        if content.proposal_topic(data.arg(0)) is None:
            raise StaleButton()
        draft.data["topic"] = data.arg(0)
        return await self._advance(
            tr, draft, _closed("→ " + svc.topic_name(tr, content, data.arg(0)))
        )

    async def _toggle_sdg(self, tr: Translator, draft: Draft, data: callbacks.Callback) -> Outcome:
        self._expect(draft, "sdgs")
        number = data.int_arg(0, hi=max(SDGS))
        if number is None:
            raise StaleButton()
        svc.toggle_sdg(draft.data, number)
        await self._save(draft)
        return Outcome(screens=[Screen("", self.question(tr, draft).buttons, "buttons")])

    async def _sdgs_done(self, tr: Translator, draft: Draft, data: callbacks.Callback) -> Outcome:
        self._expect(draft, "sdgs")
        svc.finish_sdgs(draft.data)
        return await self._advance(tr, draft, _closed())

    async def _edit(self, tr: Translator, draft: Draft, data: callbacks.Callback) -> Outcome:
        self._expect(draft, "review")
        if data.arg(0) not in svc.EDITABLE:
            raise StaleButton()
        draft.step, draft.editing = data.arg(0), True
        if draft.step == "sdgs":
            draft.data["sdgs_selecting"] = list(draft.data.get("sdgs") or [])
        await self._save(draft)
        return Outcome(screens=[_closed(), self.question(tr, draft)])

    async def _back(self, tr: Translator, draft: Draft, data: callbacks.Callback) -> Outcome:
        if not draft.editing or draft.step == "review":
            raise StaleButton()
        draft.data.pop("sdgs_selecting", None)
        return await self._advance(tr, draft, _closed())

    async def _submit(self, tr: Translator, draft: Draft, data: callbacks.Callback) -> Outcome:
        self._expect(draft, "review")
        if svc.next_step(draft.data) != "review":
            raise StaleButton()
        closed = call_closed_notice(tr, self.services.content, self.services.clock.now())
        if closed is not None:  # the call closed while the draft was open: it is kept
            return Outcome.send(closed)
        refusal = await self._over_limit(tr, draft.user_id)
        if refusal is not None:
            return refusal
        proposal = await self.submit(draft, tr.language)
        thanks = tr._(
            "Thank you! Your proposal has been submitted. Its reference number is "
            "{reference}. You can follow its status with /myproposals."
        ).format(reference=proposal.reference)
        return Outcome(screens=[_closed(), Screen(thanks)])

    async def _ask_discard(self, tr: Translator, draft: Draft, data: callbacks.Callback) -> Outcome:
        return self._discard_question(tr)

    def _discard_question(self, tr: Translator) -> Outcome:
        return Outcome.send(
            tr._("Discard your draft proposal? Everything you have entered will be deleted."),
            [[_b(tr._("Yes"), "drop", "yes"), _b(tr._("No"), "drop", "no")]],
        )

    async def _discard(self, tr: Translator, draft: Draft | None, confirmed: bool) -> Outcome:
        if confirmed:
            if draft is not None:
                await self.repo.delete_draft(draft.user_id)
            return Outcome.edit(tr._("Your draft proposal has been discarded."))
        kept = Screen(tr._("Good, your draft is kept."), [], "edit")
        if draft is None:
            return Outcome(screens=[kept])
        return Outcome(screens=[kept, self.question(tr, draft)])

    @staticmethod
    def _expect(draft: Draft, *steps: str) -> None:
        """A button of another step (an earlier question, or forged) has expired."""
        if draft.step not in steps:
            raise StaleButton()

    # ------------------------------------------------------------------------ submit, limit
    async def submit(self, draft: Draft, language: str) -> Proposal:
        """The proposal and the organizers' notices of it, in one transaction."""
        services = self.services
        now = services.clock.now()
        async with services.db.transaction():
            proposal = await self.repo.submit(draft.user_id, language, draft.data, now)
            notices = await new_proposal_notices(services, proposal)
            queued = await services.repos.outbox.insert(to_rows(notices), now)
        if queued:
            wake(services)
        log.info("proposal %s submitted", proposal.reference)
        return proposal

    async def _over_limit(self, tr: Translator, user_id: int) -> Outcome | None:
        """The refusal when the person already has the most open proposals allowed."""
        limit = self.services.settings.proposals_per_user_open
        if await self.repo.count_open(user_id) < limit:
            return None
        return Outcome.send(
            tr.ngettext(
                "You already have {n} open proposal, the most one person may have at a time. "
                "You can send a new one once a decision on it is released, or after you "
                "withdraw it: /myproposals",
                "You already have {n} open proposals, the most one person may have at a time. "
                "You can send a new one once a decision on one of them is released, or after "
                "you withdraw one: /myproposals",
                limit,
            ).format(n=limit)
        )

    # ------------------------------------------------------------------------ withdrawing
    async def _withdraw(self, tr: Translator, user_id: int, data: callbacks.Callback) -> Outcome:
        """``pr:wd:<id>`` asks; ``pr:wdy:<id>:yes|no`` withdraws or keeps."""
        proposal_id = data.int_arg(0)
        proposal = await self.repo.get(proposal_id) if proposal_id is not None else None
        if proposal is None or proposal.user_id != user_id:
            raise StaleButton()
        reference = proposal.reference
        if data.action == "wd":
            return Outcome.send(
                tr._(
                    'Withdraw your proposal {reference} "{title}"? It will not be considered.'
                ).format(reference=reference, title=proposal.title),
                rows(
                    [
                        _b(tr._("Yes, withdraw"), "wdy", proposal.id, "yes"),
                        _b(tr._("No"), "wdy", proposal.id, "no"),
                    ],
                    2,
                ),
            )
        if data.arg(1) != "yes":
            return Outcome.edit(
                tr._("Your proposal {reference} stays submitted.").format(reference=reference)
            )
        if await self.repo.withdraw(proposal.id, user_id, self.services.clock.now()):
            text = tr._("Your proposal {reference} has been withdrawn.")
        else:
            text = tr._(
                "The proposal {reference} can no longer be withdrawn: it is already being reviewed."
            )
        return Outcome.edit(text.format(reference=reference))


def _closed(note: str | None = None) -> Screen:
    """The question just answered loses its buttons (and shows the answer, if given)."""
    return Screen(note or "", [], "append" if note else "buttons")


# ---------------------------------------------------------------------------- the questions
# A step's question: its text and buttons.
Asked = tuple[str, Rows]
Question = Callable[[ProposalDialog, Translator, dict[str, Any]], Asked]


def _consent_question(flow: ProposalDialog, tr: Translator, data: dict[str, Any]) -> Asked:
    text = tr._(
        "To submit a proposal we need your consent to process personal data: the contact "
        "person's name, phone and e-mail. The organizers use them only to contact you about "
        'this proposal, under the Law of the Republic of Kazakhstan "On personal data and '
        'their protection". You can erase them at any time with /deleteme.\n\n'
        "Consent version: {version}. Do you agree?"
    ).format(version=svc.CONSENT_VERSION)
    return text, [
        [_b(tr._("✅ I agree"), "consent", "yes"), _b(tr._("✖️ I do not agree"), "consent", "no")]
    ]


def _org_type_question(flow: ProposalDialog, tr: Translator, data: dict[str, Any]) -> Asked:
    buttons = [[_b(tr._(label), "type", code)] for code, label in svc.ORG_TYPES.items()]
    return tr._("What type of organization is it?"), buttons


def _region_question(flow: ProposalDialog, tr: Translator, data: dict[str, Any]) -> Asked:
    text = tr._(
        "Where does your organization work? Choose a region or city, or type the name "
        "of your town or district."
    )
    return text, rows([_b(tr._(label), "reg", code) for code, label in svc.REGIONS.items()], 2)


def _phone_question(flow: ProposalDialog, tr: Translator, data: dict[str, Any]) -> Asked:
    text = tr._(
        "The contact phone number, for example 8 701 123 45 67. "
        'If you prefer e-mail only, press "Skip".'
    )
    return text, [[_b(tr._("Skip"), "skip")]]


def _email_question(flow: ProposalDialog, tr: Translator, data: dict[str, Any]) -> Asked:
    if data.get("phone"):
        text = tr._('The contact e-mail address. If you do not want to give one, press "Skip".')
        return text, [[_b(tr._("Skip"), "skip")]]
    return tr._("The contact e-mail address (needed, because no phone number was given)."), []


def _topic_question(flow: ProposalDialog, tr: Translator, data: dict[str, Any]) -> Asked:
    topics = flow.services.content.proposal_topics
    buttons = [[_b(t.title.get(tr.language), "topic", t.id)] for t in topics]
    return tr._("Which topic of the forum does your proposal belong to?"), buttons


def _sdgs_question(flow: ProposalDialog, tr: Translator, data: dict[str, Any]) -> Asked:
    chosen = set(data.get("sdgs_selecting", data.get("sdgs") or []))
    text = tr._(
        'Which Sustainable Development Goals does it serve? Choose one or more, then press "Done".'
    )
    buttons = [[_b(("✓ " if n in chosen else "") + sdg_label(tr, n), "sdg", n)] for n in SDGS]
    buttons.append([_b(tr._("Done"), "sdgok")])
    return text, buttons


def _attachment_question(flow: ProposalDialog, tr: Translator, data: dict[str, Any]) -> Asked:
    text = tr._(
        "You may attach a document: PDF, DOC or DOCX, up to 20 MB. "
        'Send it as a file, or press "Skip".'
    )
    return text, [[_b(tr._("Skip"), "skip")]]


def _review_question(flow: ProposalDialog, tr: Translator, data: dict[str, Any]) -> Asked:
    answers = svc.render_answers(
        tr, flow.services.content, data, summary_limit=REVIEW_SUMMARY_LIMIT
    )
    text = (
        tr._("Please check your proposal:")
        + "\n\n"
        + answers
        + "\n\n"
        + tr._("Press a button to change an answer, or submit the proposal.")
    )
    buttons = rows([_b("✏️ " + tr._(svc.FIELD_LABELS[f]), "edit", f) for f in editable(data)], 2)
    buttons.append([_b(tr._("📨 Submit"), "submit")])
    buttons.append([_b(tr._("🗑 Discard the draft"), "cancel")])
    return text, buttons


def _typed(text: Callable[[Translator], str]) -> Question:
    def ask(flow: ProposalDialog, tr: Translator, data: dict[str, Any]) -> Asked:
        return text(tr), []

    return ask


QUESTIONS: dict[str, Question] = {
    "consent": _consent_question,
    "org_name": _typed(lambda tr: tr._("What is the name of your organization?")),
    "org_type": _org_type_question,
    "bin": _typed(
        lambda tr: tr._(
            "Please send the organization's BIN (Business Identification Number): 12 digits."
        )
    ),
    "region": _region_question,
    "contact_person": _typed(
        lambda tr: tr._("Who is the contact person for this proposal? Please send their full name.")
    ),
    "phone": _phone_question,
    "email": _email_question,
    "topic": _topic_question,
    "sdgs": _sdgs_question,
    "title": _typed(
        lambda tr: tr._("The title of your proposal (up to {limit} characters).").format(
            limit=svc.TITLE_MAX
        )
    ),
    "summary": _typed(
        lambda tr: tr._(
            "Describe the proposal: the problem, what you suggest and the expected result "
            "(up to {limit} characters)."
        ).format(limit=svc.SUMMARY_MAX)
    ),
    "support": _typed(
        lambda tr: tr._(
            "What support do you request from the forum or the government bodies (up to "
            "{limit} characters)?"
        ).format(limit=svc.SUPPORT_MAX)
    ),
    "attachment": _attachment_question,
}
