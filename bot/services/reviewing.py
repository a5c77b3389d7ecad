"""/review: a reviewer's dialog. The next assigned proposal (blind when the content says so),
one message per criterion with its scale as buttons, comments, a flag that the text reveals its
authors, "I have a conflict", "Abstain", submit; the other reviews only after one's own.

Where a reviewer is lives in the database (assignments, reviews, the awaited comment), so the
dialog survives a restart. Callback data ``rv:<action>:<proposal>[:<criterion>:<score>]``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.content import Forum, ReviewPhase
from bot.errors import StaleButton
from bot.i18n import Translator
from bot.services import proposals as proposal_svc
from bot.services import review_board as rules
from bot.services.board_views import BoardFlowBase, Button, Outcome, Screen, button, keyboard
from bot.services.outbox import OutgoingMessage, enqueue
from bot.services.roles import Role
from bot.views import Document, Text, keyboard_json
from storage.proposals import Proposal
from storage.reviews import Review, Reviewer

if TYPE_CHECKING:
    from bot.context import Services

FEATURE = "rv"
COMMENT_LIMIT = 2000
# Fields a blind reviewer sees; everything naming the authors stays out.
BLIND_FIELDS = ("topic", "sdgs", "region", "title", "summary", "support")
OPEN_FIELDS = ("org_name", "org_type", "bin", "contact_person", "phone", "email", "attachment")
REMIND_BEFORE = timedelta(hours=24)
MAX_ID = 10**9  # numeric callback arguments above this are forged


def proposal_text(
    tr: Translator, forum: Forum, p: Proposal, *, blind: bool, version: int = 1
) -> str:
    """The proposal as a reviewer reads it: without the authors when ``blind``."""
    data = proposal_svc.proposal_data(p)
    head = p.reference
    if version > 1:
        head += " · " + tr._("version {n}").format(n=version)
    lines = [head, ""]
    names = BLIND_FIELDS if blind else (*OPEN_FIELDS, *BLIND_FIELDS)
    for name in names:
        value = proposal_svc.field_value(tr, forum, data, name)
        label = tr._(proposal_svc.FIELD_LABELS[name])
        lines.append(
            f"{label}:\n{value}" if name in ("summary", "support") else f"{label}: {value}"
        )
    return "\n".join(lines)[:3900]


def score_bar(phase: ReviewPhase, review: Review | None, tr: Translator) -> str:
    """ "Relevance 4 · Feasibility — · Impact 5"."""
    scores = review.scores if review else {}
    return " · ".join(f"{c.title.get(tr.language)} {scores.get(c.id, '—')}" for c in phase.criteria)


@dataclass(slots=True)
class Pressed:
    """A button on a proposal the reviewer is assigned: who, which, and their review."""

    user_id: int
    proposal: Proposal
    phase: ReviewPhase
    args: tuple[str, ...]
    review: Review
    action: str


# A button's step on one proposal.
Step = Callable[[Translator, Pressed], Awaitable[Outcome]]


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 10 and int(value) < MAX_ID else None


class ReviewFlow(BoardFlowBase):
    """The reviewer's side of the board; every method checks the reviewer role first."""

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.repo = services.repos.reviews

    def _reviewer(self, user_id: int) -> bool:
        # Organizers may review too (a higher role includes the lower ones).
        return self.services.roles.has(user_id, Role.REVIEWER)

    # -- entry ------------------------------------------------------------------------------
    async def start(self, tr: Translator, user_id: int) -> Outcome:
        """/review: the next proposal waiting for this reviewer, or their list."""
        if not self._reviewer(user_id):
            return Outcome.of(tr._("This is only for the forum's reviewers."), alert=True)
        phase = self.forum.review
        if phase is None:
            return Outcome.of(tr._("This forum has no review of proposals."))
        if user_id not in await self.repo.declarations():
            return await self.ask_organization(tr, user_id)
        waiting = [a for a in await self.repo.assignments_of(user_id) if a.state == "open"]
        if waiting:
            return await self.open(tr, user_id, waiting[0].proposal_id)
        return await self.overview(tr, user_id)

    async def ask_organization(self, tr: Translator, user_id: int) -> Outcome:
        """Before the first review: the organization the reviewer works for or represents."""
        await self.repo.set_input(user_id, "organization", "-", self.now)
        text = tr._(
            "Before you start: which organization do you work for or represent? Its proposals "
            "will not be given to you. Send its name, or press the button."
        )
        none = button(FEATURE, tr._("I represent no organization"), "org0")
        return Outcome.of(send=[Screen(text, keyboard([[none]]))])

    async def declare(self, tr: Translator, user_id: int, organization: str | None) -> Outcome:
        """Keep the declaration; proposals of that organization already given go elsewhere."""
        async with self.services.db.transaction():
            await self.repo.declare(user_id, organization, self.now)
            await self.repo.clear_input(user_id)
            mine = [a for a in await self.repo.assignments_of(user_id) if a.state == "open"]
            clashing = []
            for a in mine:
                p = await self.services.repos.proposals.get(a.proposal_id)
                if (
                    p is not None
                    and organization
                    and rules.has_conflict(Reviewer(user_id, organization, ()), p)
                ):
                    await self.repo.set_state(p.id, user_id, "conflict")
                    clashing.append(p)
            if clashing:
                await assign_and_notify(self.services, clashing)
        outcome = await self.start(tr, user_id)
        outcome.hint = Text(tr._("Saved."))
        return outcome

    async def overview(self, tr: Translator, user_id: int) -> Outcome:
        """The reviewer's assignments and where each stands."""
        marks = {"open": "⏳", "submitted": "✅", "abstained": "🤐", "conflict": "⚠️"}
        rows: list[Button] = []
        lines = [tr._("No proposal is waiting for your review.")]
        for a in await self.repo.assignments_of(user_id):
            if a.state not in marks:
                continue
            p = await self.services.repos.proposals.get(a.proposal_id)
            if p is None:
                continue
            lines.append(f"{marks[a.state]} {p.reference} · {p.title}"[:200])
            if a.state in ("open", "submitted") and len(rows) < 40:
                rows.append(button(FEATURE, f"{marks[a.state]} {p.reference}", "op", p.id))
        if not rules.review_open(self.forum, self.now):
            lines.append(tr._("The review is closed; reviews can no longer be changed."))
        return Outcome.of(
            send=[
                Screen(
                    "\n".join(lines), keyboard([rows[i : i + 4] for i in range(0, len(rows), 4)])
                )
            ]
        )

    async def open(self, tr: Translator, user_id: int, proposal_id: int) -> Outcome:
        """The proposal, a message per criterion, and the actions."""
        phase = self.forum.review
        assignment = await self.repo.assignment(proposal_id, user_id)
        p = await self.services.repos.proposals.get(proposal_id)
        if (
            phase is None
            or assignment is None
            or assignment.state not in ("open", "submitted")
            or p is None
        ):
            raise StaleButton()
        review = await self.repo.review(proposal_id, user_id)
        version = assignment.round
        screens = [Screen(proposal_text(tr, self.forum, p, blind=phase.blind, version=version))]
        for index in range(len(phase.criteria)):
            screens.append(self._criterion(tr, phase, p.id, index, review))
        screens.append(self._actions(tr, p, review))
        return Outcome.of(send=screens)

    def _criterion(
        self,
        tr: Translator,
        phase: ReviewPhase,
        proposal_id: int,
        index: int,
        review: Review | None,
    ) -> Screen:
        c = phase.criteria[index]
        chosen = (review.scores if review else {}).get(c.id)
        lang = tr.language
        text = f"{index + 1}/{len(phase.criteria)}. {c.title.get(lang)}"
        if c.description is not None:
            text += "\n" + c.description.get(lang)
        text += "\n" + tr._("{low}: {low_label} … {high}: {high_label}").format(
            low=c.scale.min,
            low_label=c.scale.min_label.get(lang),
            high=c.scale.max,
            high_label=c.scale.max_label.get(lang),
        )
        if chosen is not None:
            text += "\n" + tr._("Your score: {score}").format(score=chosen)
        buttons = [
            button(FEATURE, f"• {v} •" if v == chosen else str(v), "s", proposal_id, index, v)
            for v in c.scale.values
        ]
        return Screen(text, keyboard([buttons[i : i + 6] for i in range(0, len(buttons), 6)]))

    def _actions(self, tr: Translator, p: Proposal, review: Review | None) -> Screen:
        submitted = review is not None and review.submitted_at is not None
        lines = [tr._("Your review of {reference}").format(reference=p.reference)]
        if review is not None and review.comment:
            lines.append(tr._("For the organizers: {text}").format(text=review.comment))
        if review is not None and review.author_comment:
            lines.append(tr._("For the authors: {text}").format(text=review.author_comment))
        if review is not None and review.reveals_authors:
            lines.append(tr._("🚩 You flagged that the text reveals its authors."))
        lines.append(
            tr._("✅ Submitted. You can change it until the review closes.")
            if submitted
            else tr._("Score every criterion above, then submit.")
        )
        rows = [
            [
                button(FEATURE, tr._("💬 Comment for the organizers"), "c", p.id),
                button(FEATURE, tr._("✉️ Comment for the authors"), "a", p.id),
            ],
            [button(FEATURE, tr._("🚩 The text reveals its authors"), "f", p.id)],
            *(
                [[button(FEATURE, tr._("📎 The attached file"), "att", p.id)]]
                if p.attachment_id
                else []
            ),
            [
                button(FEATURE, tr._("⚠️ I have a conflict"), "x", p.id),
                button(FEATURE, tr._("🤐 Abstain"), "ab", p.id),
            ],
            [button(FEATURE, tr._("✅ Submit review"), "ok", p.id)],
            [
                button(FEATURE, tr._("👀 Other reviews"), "o", p.id),
                button(FEATURE, tr._("➡️ Next proposal"), "n"),
            ],
        ]
        return Screen("\n".join(lines), keyboard(rows))

    # -- buttons ----------------------------------------------------------------------------
    async def press(
        self, tr: Translator, user_id: int, action: str, args: tuple[str, ...]
    ) -> Outcome:
        """Every ``rv:`` button; refused to anyone who is not a reviewer."""
        if not self._reviewer(user_id):
            return Outcome.of(tr._("This is only for the forum's reviewers."), alert=True)
        phase = self.forum.review
        if phase is None:
            raise StaleButton()
        if action in self.free_steps and not args:
            return await self.free_steps[action](tr, user_id)
        step = self.reading_steps.get(action) or self.writing_steps.get(action)
        proposal_id = _int(args[0]) if args else None
        if step is None or proposal_id is None:
            raise StaleButton()
        assignment = await self.repo.assignment(proposal_id, user_id)
        p = await self.services.repos.proposals.get(proposal_id)
        if assignment is None or p is None or assignment.state in ("removed",):
            raise StaleButton()
        blank = Review(proposal_id, user_id, assignment.round)
        pressed = Pressed(user_id, p, phase, args, blank, action)
        if action in self.reading_steps:
            if len(args) != 1:
                raise StaleButton()
            return await step(tr, pressed)
        if assignment.state not in ("open", "submitted"):
            return Outcome.of(tr._("You no longer review this proposal."), alert=True)
        if not rules.review_open(self.forum, self.now):
            return Outcome.of(
                tr._("The review is closed; reviews can no longer be changed."), alert=True
            )
        pressed.review = await self.repo.review(proposal_id, user_id) or pressed.review
        if len(args) != (3 if action == "s" else 1):
            raise StaleButton()
        return await step(tr, pressed)

    @property
    def free_steps(self) -> dict[str, Callable[[Translator, int], Awaitable[Outcome]]]:
        """Buttons without arguments: the next proposal, "I represent no organization"."""
        return {"n": self.start, "org0": lambda tr, user_id: self.declare(tr, user_id, None)}

    @property
    def reading_steps(self) -> dict[str, Step]:
        """Buttons on a proposal that change nothing (allowed after the review closed)."""
        return {"op": self._open, "o": self._others, "att": self._attachment}

    @property
    def writing_steps(self) -> dict[str, Step]:
        """Buttons that change the reviewer's review while the review is open."""
        return {
            "s": self._score, "c": self._ask_comment, "a": self._ask_comment,
            "f": self._flag, "x": self._conflict, "ab": self._abstain, "ok": self._submit,
        }  # fmt: skip

    async def _open(self, tr: Translator, pressed: Pressed) -> Outcome:
        return await self.open(tr, pressed.user_id, pressed.proposal.id)

    async def _others(self, tr: Translator, pressed: Pressed) -> Outcome:
        return await self.others(tr, pressed.user_id, pressed.proposal)

    async def _attachment(self, tr: Translator, pressed: Pressed) -> Outcome:
        """The proposal's file. Blind review sends it under the proposal's reference instead of
        its own name, which often names the organization (the reviewer can still flag a file
        whose contents reveal the authors)."""
        p = pressed.proposal
        if not p.attachment_id:
            raise StaleButton()
        name = None
        if pressed.phase.blind:
            suffix = Path(p.attachment_name or "").suffix.lower()
            name = p.reference + (suffix if suffix in (".pdf", ".doc", ".docx") else "")
        return Outcome(documents=[Document(p.attachment_id, filename=name, caption=p.reference)])

    async def _score(self, tr: Translator, pressed: Pressed) -> Outcome:
        """``rv:s:<proposal>:<criterion>:<score>``."""
        phase, review, args = pressed.phase, pressed.review, pressed.args
        index, value = _int(args[1]), _int(args[2])
        if index is None or index >= len(phase.criteria) or value is None:
            raise StaleButton()
        criterion = phase.criteria[index]
        if value not in criterion.scale.values:
            raise StaleButton()
        review.scores[criterion.id] = value
        await self.repo.save_review(review, self.now)
        return Outcome.of(
            tr._("Saved: {score}").format(score=value),
            edit=self._criterion(tr, phase, pressed.proposal.id, index, review),
        )

    async def _ask_comment(self, tr: Translator, pressed: Pressed) -> Outcome:
        """``rv:c`` a comment for the organizers, ``rv:a`` one for the authors."""
        review, p = pressed.review, pressed.proposal
        for_organizers = pressed.action == "c"
        await self.repo.clear_awaiting(pressed.user_id)
        review.awaiting = "comment" if for_organizers else "author"
        await self.repo.save_review(review, self.now)
        prompt = (
            tr._("Send your comment for the organizers on {reference}.")
            if for_organizers
            else tr._(
                "Send your comment for the authors of {reference}. The organizers may send "
                "it to them with the decision. Send a dash (-) to remove it."
            )
        )
        return Outcome.of(send=[Screen(prompt.format(reference=p.reference))])

    async def _flag(self, tr: Translator, pressed: Pressed) -> Outcome:
        review = pressed.review
        review.reveals_authors = not review.reveals_authors
        await self.repo.save_review(review, self.now)
        return Outcome.of(
            tr._("Flagged for the organizers.")
            if review.reveals_authors
            else tr._("Flag removed."),
            edit=self._actions(tr, pressed.proposal, review),
        )

    async def _conflict(self, tr: Translator, pressed: Pressed) -> Outcome:
        return await self._withdraw(tr, pressed.user_id, pressed.proposal, "conflict")

    async def _abstain(self, tr: Translator, pressed: Pressed) -> Outcome:
        return await self._withdraw(tr, pressed.user_id, pressed.proposal, "abstained")

    async def _submit(self, tr: Translator, pressed: Pressed) -> Outcome:
        review, phase = pressed.review, pressed.phase
        missing = [c for c in phase.criteria if c.id not in review.scores]
        if missing:
            return Outcome.of(
                tr._("Please score every criterion first: {criteria}").format(
                    criteria=", ".join(c.title.get(tr.language) for c in missing)
                ),
                alert=True,
            )
        first = review.submitted_at is None
        review.submitted_at = self.now.isoformat(timespec="seconds")
        async with self.services.db.transaction():
            await self.repo.save_review(review, self.now)
            await self.repo.set_state(pressed.proposal.id, pressed.user_id, "submitted")
        return Outcome.of(
            tr._("Review submitted.") if first else tr._("Review updated."),
            edit=self._actions(tr, pressed.proposal, review),
        )

    async def _withdraw(self, tr: Translator, user_id: int, p: Proposal, state: str) -> Outcome:
        """A conflict or an abstention: the proposal goes to another reviewer if it can."""
        async with self.services.db.transaction():
            await self.repo.set_state(p.id, user_id, state)
            if state == "conflict":
                await assign_and_notify(self.services, [p])
        hint = (
            tr._("Noted: you have a conflict with {reference}; it goes to another reviewer.")
            if state == "conflict"
            else tr._("Noted: you abstain on {reference}.")
        )
        return Outcome.of(
            hint.format(reference=p.reference), edit=Screen(hint.format(reference=p.reference))
        )

    async def others(self, tr: Translator, user_id: int, p: Proposal) -> Outcome:
        """The other reviews of the proposal, once the reviewer has submitted their own."""
        phase = self.forum.review
        own = await self.repo.review(p.id, user_id)
        if phase is None or own is None or own.submitted_at is None:
            return Outcome.of(
                tr._("You will see the other reviews once you have submitted your own."),
                alert=True,
            )
        others = [
            r
            for r in await self.repo.reviews_for(p.id)
            if r.reviewer_id != user_id and r.submitted_at is not None
        ]
        if not others:
            return Outcome.of(tr._("No other review has been submitted yet."), alert=True)
        lines = [tr._("Other reviews of {reference}").format(reference=p.reference)]
        for number, r in enumerate(others, 1):
            lines.append("")
            lines.append(tr._("Reviewer {n}").format(n=number) + ": " + score_bar(phase, r, tr))
            if r.comment:
                lines.append(tr._("For the organizers: {text}").format(text=r.comment))
        return Outcome.of(send=[Screen("\n".join(lines)[:4000])])

    # -- an awaited comment -----------------------------------------------------------------
    async def text(self, tr: Translator, user_id: int, text: str | None) -> Outcome | None:
        """The reviewer's comment; None when no comment is awaited from them."""
        if not self._reviewer(user_id):
            return None
        awaited = await self.repo.get_input(user_id)
        if awaited is not None and awaited[0] == "organization":
            value = (text or "").strip()
            if not 2 <= len(value) <= 300:
                return Outcome.of(
                    tr._("Please send the name of the organization (2 to 300 characters).")
                )
            return await self.declare(tr, user_id, value)
        review = await self.repo.awaiting_review(user_id)
        if review is None:
            return None
        value = (text or "").strip()
        if not value:
            return Outcome.of(tr._("Please send the comment as a text message."))
        if len(value) > COMMENT_LIMIT:
            return Outcome.of(
                tr._("That is too long: at most {limit} characters, please.").format(
                    limit=COMMENT_LIMIT
                )
            )
        kind, review.awaiting = review.awaiting, None
        cleared = None if value in ("-", "—") else value
        if kind == "author":
            review.author_comment = cleared
        else:
            review.comment = cleared
        await self.repo.save_review(review, self.now)
        p = await self.services.repos.proposals.get(review.proposal_id)
        if p is None:
            return Outcome.of(tr._("Saved."))
        return Outcome.of(tr._("Saved."), send=[self._actions(tr, p, review)])


async def team_reviewers(services: Services) -> list[Reviewer]:
    """People with exactly the reviewer role (organizers review only when they choose to), with
    the topics of their role and the organization they declared."""
    declared = await services.repos.reviews.declarations()
    return [
        Reviewer(g.user_id, declared.get(g.user_id), tuple(g.scope or ()))
        for g in services.roles.members(Role.REVIEWER)
    ]


async def on_role_change(services: Services, user_id: int) -> None:
    """Someone who lost the reviewer role: their waiting reviews go to other reviewers."""
    if services.roles.has(user_id, Role.REVIEWER):
        return
    async with services.db.transaction():
        released = await services.repos.reviews.withdraw_open(user_id)
        proposals = [p for i in released if (p := await services.repos.proposals.get(i))]
        if proposals:
            await assign_and_notify(services, proposals)


def queue_digest(proposal_ids: list[int]) -> str:
    """A short stable key of a set of assignments (the dedup key of its notice)."""
    return hashlib.sha256(",".join(map(str, sorted(proposal_ids))).encode()).hexdigest()[:12]


async def assign_and_notify(services: Services, proposals: list[Proposal]) -> tuple[int, list[int]]:
    """Assign reviewers to ``proposals`` and queue each reviewer's notice (and the reminder
    before the review closes), in one transaction. Returns (new assignments, proposals short of
    reviewers)."""
    phase = services.content.review
    if phase is None:
        return 0, []
    repo = services.repos.reviews
    now = services.clock.now()
    async with services.db.transaction():
        plan = rules.plan_assignments(
            proposals,
            await team_reviewers(services),
            await repo.assignments(),
            phase.reviewers_per_proposal,
        )
        rounds = await repo.rounds()
        by_round: dict[int, list[tuple[int, int]]] = {}
        for pair in plan.pairs:
            by_round.setdefault(rounds.get(pair[0], 1), []).append(pair)
        for round_, pairs in by_round.items():
            await repo.assign(pairs, round_, now)
        messages = []
        per_reviewer: dict[int, list[int]] = {}
        for proposal_id, reviewer_id in plan.pairs:
            per_reviewer.setdefault(reviewer_id, []).append(proposal_id)
        for reviewer_id, ids in sorted(per_reviewer.items()):
            messages.extend(await _queue_messages(services, reviewer_id, ids))
        if messages:
            await enqueue(services, messages)
    return len(plan.pairs), plan.short


async def _queue_messages(
    services: Services, reviewer_id: int, proposal_ids: list[int]
) -> list[OutgoingMessage]:
    user = await services.repos.users.get(reviewer_id)
    if user is None or user.blocked:
        return []
    tr = services.translator_for(user.language, user.language_code)
    refs = ", ".join(f"P-{i:04d}" for i in sorted(proposal_ids))
    text = tr.ngettext(
        "📝 {n} proposal is waiting for your review: {references}.",
        "📝 {n} proposals are waiting for your review: {references}.",
        len(proposal_ids),
    ).format(n=len(proposal_ids), references=refs)
    start = button(FEATURE, tr._("Start reviewing"), "n")
    messages = [
        OutgoingMessage(
            reviewer_id,
            text,
            f"review-queue:{reviewer_id}:{queue_digest(proposal_ids)}",
            "review",
            reply_markup=keyboard_json([[start]]),
        )
    ]
    phase = services.content.review
    if phase is not None and phase.closes is not None:
        messages.append(
            OutgoingMessage(
                reviewer_id,
                tr._("⏰ The review closes on {date}. /review shows what is still open.").format(
                    date=rules.when(tr, services.content, phase.closes)
                ),
                f"review-reminder:{reviewer_id}:{phase.closes.isoformat()}",
                "reminder",
                not_before=phase.closes - REMIND_BEFORE,
                expires_at=phase.closes,
            )
        )
    return messages


async def notify_new_round(
    services: Services, proposal: Proposal, reviewer_ids: list[int], round_: int
) -> None:
    """Tell the proposal's reviewers that a revised version waits for them (through the outbox)."""
    messages = []
    for reviewer_id in reviewer_ids:
        user = await services.repos.users.get(reviewer_id)
        if user is None or user.blocked:
            continue
        tr = services.translator_for(user.language, user.language_code)
        messages.append(
            OutgoingMessage(
                reviewer_id,
                tr._(
                    "🔁 {reference} was revised by its authors (version {n}); "
                    "please review it again."
                ).format(reference=proposal.reference, n=round_),
                f"review-round:{proposal.id}:{round_}:{reviewer_id}",
                "review",
                reply_markup=keyboard_json(
                    [[button(FEATURE, tr._("Review it"), "op", proposal.id)]]
                ),
            )
        )
    if messages:
        await enqueue(services, messages)
