"""/board: the organizers' review board. Assign reviewers, rank proposals by weighted mean
score (with the number of reviews and a disagreement mark), read every score and comment,
decide (accept, reject, revisions requested with a message and the fields to revise), release
all pending decisions together through the outbox, write recommendations, open and close
endorsement, and download the resolution and the exports. Organizers only.

Callback data ``bd:<action>:...``; the ranking's one filter travels as ``-``, ``t.<topic>``,
``r.<region>`` or ``g.<sdg>``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.errors import StaleButton
from bot.i18n import LANGUAGES, Translator
from bot.labels import LANGUAGE_NAMES
from bot.sdg import SDGS, sdg_label
from bot.services import endorsement as endorse
from bot.services import proposals as svc
from bot.services import review_board as rules
from bot.services.board_documents import (
    decision_labels,
    decision_states,
    decisions_xlsx,
    endorsements_xlsx,
    resolution_docx,
    reviews_xlsx,
)
from bot.services.board_release import release_decisions
from bot.services.board_views import BoardFlowBase, Document, Outcome, Screen, button, keyboard
from bot.services.outbox import OutgoingMessage, enqueue
from bot.services.qa_export import QuestionsSummary, session_questions_summary
from bot.services.resolution import resolution_content
from bot.services.resolution_pdf import resolution_pdf
from bot.services.reviewing import assign_and_notify, score_bar, team_reviewers
from bot.services.revisions import FIELDS, field_names
from bot.views import keyboard_json
from storage.proposals import Proposal, reference
from storage.reviews import Decision, Review

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)

FEATURE = "bd"
PAGE = 10
DECISION_CODES = {"a": "accept", "r": "reject", "v": "revise"}
QUESTIONS_PER_RECOMMENDATION = 5  # the most voted approved or answered questions of a session
# Every action of the board's buttons (the access test presses each as a non-organizer).
ACTIONS = (
    "h", "as", "ls", "fm", "cd", "d", "fl", "ac", "m", "ra", "rx", "rl", "rly", "rln", "rc",
    "rn", "rnp", "rd", "rq", "rqs", "eo", "ec", "er", "doc", "docl", "x",
)  # fmt: skip
FIELD_ORDER = tuple(FIELDS)
MAX_ID = 10**9
# A button's step: (translator, the organizer, the button's arguments) -> what to show.
Step = Callable[[Translator, int, tuple[str, ...]], Awaitable[Outcome]]


def _id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 10 and int(value) < MAX_ID else None


def parse_filter(token: str) -> tuple[str, str] | None:
    """("t", topic) / ("r", region) / ("g", "4") / ("-", ""); None when malformed."""
    if token == "-":
        return "-", ""
    kind, _, value = token.partition(".")
    if kind == "g" and value.isdigit() and int(value) in SDGS:
        return kind, value
    if kind in ("t", "r") and value and len(value) <= 40:
        return kind, value
    return None


def matches(p: Proposal, flt: tuple[str, str]) -> bool:
    """Whether the proposal passes the filter."""
    kind, value = flt
    if kind == "t":
        return p.topic == value
    if kind == "r":
        return p.region == value
    if kind == "g":
        return int(value) in p.sdgs
    return True


class BoardFlow(BoardFlowBase):
    """The organizers' side of the review board."""

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.repo = services.repos.reviews

    async def _proposals(self) -> list[Proposal]:
        return [p for p in await self.services.repos.proposals.all() if p.status != "withdrawn"]

    # -- home -------------------------------------------------------------------------------
    async def home(self, tr: Translator) -> Screen:
        """Counts and every action."""
        proposals = await self._proposals()
        assignments = await self.repo.assignments()
        # /proposals' pending decisions are kept in the same place and go out with the same
        # release (bot/services/board_release.py).
        waiting = await self.repo.count_pending()
        submitted = sum(1 for a in assignments if a.state == "submitted")
        active = sum(1 for a in assignments if a.state in rules.ACTIVE)
        reviewers = await team_reviewers(self.services)
        lines = [
            tr._("📋 Review board"),
            tr.ngettext("{n} proposal", "{n} proposals", len(proposals)).format(n=len(proposals)),
            tr.ngettext("{n} reviewer", "{n} reviewers", len(reviewers)).format(n=len(reviewers)),
            tr._("Reviews submitted: {done} of {total}").format(done=submitted, total=active),
        ]
        if waiting:
            lines.append(
                tr.ngettext(
                    "⏳ {n} decision pending release.",
                    "⏳ {n} decisions pending release.",
                    waiting,
                ).format(n=waiting)
            )
        opened = await endorse.EndorsementFlow(self.services).is_open()
        lines.append(tr._("Endorsement: open") if opened else tr._("Endorsement: not open"))
        rows = [
            [button(FEATURE, tr._("🔀 Assign reviewers"), "as"),
             button(FEATURE, tr._("🏆 Ranking"), "ls", "-", 0)],
            [button(FEATURE, tr._("📣 Release decisions ({n})").format(n=waiting), "rl")]
            if waiting else [],
            [button(FEATURE, tr._("💡 Recommendations"), "rc"),
             button(FEATURE, tr._("🗳 Close endorsement") if opened else tr._("🗳 Open endorsement"),
                    "ec" if opened else "eo")],
            [button(FEATURE, tr._("📈 Endorsement results"), "er"),
             button(FEATURE, tr._("📄 Resolution"), "doc")],
            [button(FEATURE, tr._("📊 Reviews"), "x", "rev"),
             button(FEATURE, tr._("📊 Reviews with names"), "x", "revn")],
            [button(FEATURE, tr._("📊 Decisions"), "x", "dec"),
             button(FEATURE, tr._("📊 Endorsements"), "x", "end")],
        ]  # fmt: skip
        return Screen("\n".join(lines), keyboard(rows))

    async def start(self, tr: Translator, user_id: int) -> Outcome:
        """/board."""
        if not self.services.is_organizer(user_id):
            return Outcome.of(tr._("This is only for the forum's organizers."), alert=True)
        return Outcome.of(send=[await self.home(tr)])

    # -- ranking and card -------------------------------------------------------------------
    async def ranking(self, tr: Translator, token: str, page: int) -> Screen | None:
        """Proposals by weighted mean score, with reviews counted and a disagreement mark."""
        flt = parse_filter(token)
        phase = self.forum.review
        if flt is None or phase is None:
            return None
        rows_all = [p for p in await self._proposals() if matches(p, flt)]
        by_proposal: dict[int, list[Review]] = {}
        for review in await self.repo.all_reviews():  # one read, not one per proposal
            by_proposal.setdefault(review.proposal_id, []).append(review)
        standings = rules.ranked(
            [rules.standing(p, by_proposal.get(p.id, []), phase) for p in rows_all]
        )
        pages = max(1, -(-len(standings) // PAGE))
        page = min(page, pages - 1)
        shown = standings[page * PAGE : (page + 1) * PAGE]
        pending = {d.proposal_id: d.decision for d in await self.repo.pending()}
        icons = {"accept": "✅", "reject": "❌", "revise": "✏️", "review": "🔍"}
        lines = [tr._("🏆 Ranking by weighted mean score")]
        if flt[0] != "-":
            lines[0] += " · " + self._filter_label(tr, flt)
        if pages > 1:
            lines.append(tr._("Page {page} of {pages}").format(page=page + 1, pages=pages))
        for s in shown:
            mean = tr.number(round(s.mean, 2)) if s.mean is not None else "—"
            mark = " ⚡" if s.disagreement else ""
            decided = f" ⏳{icons[pending[s.proposal.id]]}" if s.proposal.id in pending else ""
            lines.append(
                f"{s.proposal.reference} · {mean} · "
                + tr.ngettext("{n} review", "{n} reviews", s.reviews).format(n=s.reviews)
                + mark
                + decided
                + f"\n{s.proposal.title[:80]}"
            )
        if not shown:
            lines.append(tr._("No proposals."))
        lines.append(tr._("⚡ reviewers disagree (scores far apart)."))
        cards = [button(FEATURE, s.proposal.reference, "cd", s.proposal.id) for s in shown]
        nav = []
        if page > 0:
            nav.append(button(FEATURE, "⬅️", "ls", token, page - 1))
        if page + 1 < pages:
            nav.append(button(FEATURE, "➡️", "ls", token, page + 1))
        rows = [cards[i : i + 5] for i in range(0, len(cards), 5)] + [nav]
        rows.append(
            [
                button(FEATURE, tr._("Topic ▾"), "fm", "t"),
                button(FEATURE, tr._("Region ▾"), "fm", "r"),
                button(FEATURE, tr._("SDG ▾"), "fm", "g"),
                button(FEATURE, tr._("All"), "ls", "-", 0),
            ]
        )
        rows.append([button(FEATURE, tr._("⬅️ Board"), "h")])
        return Screen("\n".join(lines)[:4000], keyboard(rows))

    def _filter_label(self, tr: Translator, flt: tuple[str, str]) -> str:
        kind, value = flt
        if kind == "t":
            return svc.topic_name(tr, self.forum, value)
        if kind == "r":
            return svc.region_name(tr, value)
        return sdg_label(tr, int(value))

    async def filter_menu(self, tr: Translator, kind: str) -> Screen | None:
        """The choices of one filter."""
        if kind == "t":
            options = [(t.title.get(tr.language), f"t.{t.id}") for t in self.forum.proposal_topics]
        elif kind == "r":
            regions = sorted({p.region for p in await self._proposals()})
            options = [(svc.region_name(tr, r), f"r.{r}") for r in regions if len(r) <= 40]
        elif kind == "g":
            options = [(sdg_label(tr, n), f"g.{n}") for n in SDGS]
        else:
            return None
        rows = [[button(FEATURE, label[:60], "ls", token, 0)] for label, token in options]
        rows.append([button(FEATURE, tr._("All"), "ls", "-", 0)])
        return Screen(tr._("Filter the proposals:"), keyboard(rows))

    async def card(self, tr: Translator, proposal_id: int) -> Screen | None:
        """Every criterion's scores, the comments, the decision and its options."""
        phase = self.forum.review
        p = await self.services.repos.proposals.get(proposal_id)
        if p is None or phase is None:
            return None
        reviews = await self.repo.reviews_for(p.id)
        assigned = [a for a in await self.repo.assignments() if a.proposal_id == p.id]
        st = rules.standing(p, reviews, phase)
        version = (await self.repo.rounds()).get(p.id, 1)
        lines = [
            f"{p.reference} · {svc.status_label(tr, p.status)}"
            + (f" · {tr._('version {n}').format(n=version)}" if version > 1 else ""),
            p.title,
            f"{p.org_name} · {svc.topic_name(tr, self.forum, p.topic)}",
            tr._("Weighted mean: {mean}").format(
                mean=tr.number(round(st.mean, 2)) if st.mean is not None else "—"
            )
            + " · "
            + tr.ngettext("{n} review", "{n} reviews", st.reviews).format(n=st.reviews)
            + (" ⚡" if st.disagreement else ""),
        ]
        by_reviewer = {r.reviewer_id: r for r in reviews}
        states = {
            "open": tr._("waiting"),
            "submitted": tr._("submitted"),
            "abstained": tr._("abstained"),
            "conflict": tr._("conflict"),
            "removed": tr._("removed"),
        }
        for number, a in enumerate(assigned, 1):
            r = by_reviewer.get(a.reviewer_id)
            lines.append("")
            lines.append(
                tr._("Reviewer {n}").format(n=number)
                + f" ({states[a.state]}): "
                + score_bar(phase, r if r and r.submitted_at else None, tr)
            )
            if r is not None and r.submitted_at:
                if r.comment:
                    lines.append(tr._("For the organizers: {text}").format(text=r.comment))
                if r.author_comment:
                    lines.append(tr._("For the authors: {text}").format(text=r.author_comment))
                if r.reveals_authors:
                    lines.append(tr._("🚩 The text reveals its authors."))
        decision = await self.repo.decision(p.id)
        lines.append("")
        rows = []
        if decision is not None and decision.released_at is None:
            lines.append(
                tr._("⏳ Pending release: {decision}").format(
                    decision=decision_states(tr)[decision.decision]
                )
            )
            if decision.message:
                lines.append(tr._("Message: {text}").format(text=decision.message))
            if decision.decision == "revise":
                lines.append(
                    tr._("Fields to revise: {fields}").format(
                        fields=field_names(tr, decision.fields) or "—"
                    )
                )
                rows.append(
                    [
                        button(
                            FEATURE,
                            ("☑ " if f in decision.fields else "☐ ") + tr._(svc.FIELD_LABELS[f]),
                            "fl",
                            p.id,
                            i,
                        )
                        for i, f in enumerate(FIELD_ORDER)
                    ]
                )
            rows.append(
                [
                    button(FEATURE, tr._("💬 Message"), "m", p.id),
                    button(
                        FEATURE,
                        ("☑ " if decision.author_comments else "☐ ")
                        + tr._("Reviewers' comments to the authors"),
                        "ac",
                        p.id,
                    ),
                ]
            )
        elif decision is not None:
            lines.append(
                tr._("Released: {decision}").format(decision=decision_states(tr)[decision.decision])
            )
        if p.status in ("submitted", "under_review"):
            labels = decision_labels(tr)
            rows.insert(
                0,
                [button(FEATURE, labels[d], "d", p.id, code) for code, d in DECISION_CODES.items()],
            )
            if decision is not None and decision.released_at is None:
                rows.append([button(FEATURE, tr._("↩️ Undo decision"), "d", p.id, "-")])
        rows.append([button(FEATURE, tr._("🔁 Reassign a reviewer"), "ra", p.id)])
        rows.append([button(FEATURE, tr._("⬅️ Ranking"), "ls", "-", 0)])
        return Screen("\n".join(lines)[:4000], keyboard(rows))

    # -- buttons ----------------------------------------------------------------------------
    async def press(
        self, tr: Translator, user_id: int, action: str, args: tuple[str, ...]
    ) -> Outcome:
        """Every ``bd:`` button; refused to anyone who is not an organizer."""
        if not self.services.is_organizer(user_id):
            return Outcome.of(tr._("This is only for the forum's organizers."), alert=True)
        step = self.steps.get(action)
        if step is None:
            raise StaleButton()
        return await step(tr, user_id, args)

    @property
    def steps(self) -> dict[str, Step]:
        """The ``bd:`` actions and their steps; each step checks its own arguments."""
        return {
            "h": self._home, "as": self._assign, "ls": self._ranking, "fm": self._filter_menu,
            "cd": self._card, "d": self._decide, "fl": self._toggle_field,
            "ac": self._toggle_author_comments, "m": self._ask_message,
            "ra": self._reassign_menu, "rx": self._reassign, "rl": self._release_confirm,
            "rly": self._release, "rln": self._release_declined, "rc": self._recommendations,
            "rn": self._pick_proposal, "rnp": self._ask_recommendation,
            "rd": self._remove_recommendation, "rq": self._question_sessions,
            "rqs": self._attach_questions, "eo": self._open_endorsement,
            "ec": self._close_endorsement, "er": self._endorsement_results,
            "doc": self._resolution_languages, "docl": self._resolution, "x": self._export,
        }  # fmt: skip

    @staticmethod
    def _no_args(args: tuple[str, ...]) -> None:
        if args:
            raise StaleButton()

    @staticmethod
    def _pid(args: tuple[str, ...], count: int = 1) -> int:
        """The proposal (or recommendation) id that comes first in ``count`` arguments."""
        pid = _id(args[0]) if len(args) == count else None
        if pid is None:
            raise StaleButton()
        return pid

    @staticmethod
    def _shown(screen: Screen | None) -> Outcome:
        if screen is None:
            raise StaleButton()
        return Outcome.of(edit=screen)

    async def _home(self, tr: Translator, user_id: int, args: tuple[str, ...]) -> Outcome:
        self._no_args(args)
        return Outcome.of(edit=await self.home(tr))

    async def _ranking(self, tr: Translator, user_id: int, args: tuple[str, ...]) -> Outcome:
        page = _id(args[1]) if len(args) == 2 else None
        if page is None:
            raise StaleButton()
        return self._shown(await self.ranking(tr, args[0], page))

    async def _filter_menu(self, tr: Translator, user_id: int, args: tuple[str, ...]) -> Outcome:
        if len(args) != 1:
            raise StaleButton()
        return self._shown(await self.filter_menu(tr, args[0]))

    async def _card(self, tr: Translator, user_id: int, args: tuple[str, ...]) -> Outcome:
        return self._shown(await self.card(tr, self._pid(args)))

    async def _pending_decision(self, args: tuple[str, ...]) -> tuple[int, Decision]:
        """The proposal's decision that is not released yet, else StaleButton."""
        pid = self._pid(args)
        decision = await self.repo.decision(pid)
        if decision is None or decision.released_at is not None:
            raise StaleButton()
        return pid, decision

    async def _toggle_author_comments(
        self, tr: Translator, user_id: int, args: tuple[str, ...]
    ) -> Outcome:
        pid, decision = await self._pending_decision(args)
        await self.repo.update_decision(pid, author_comments=not decision.author_comments)
        return Outcome.of(edit=await self.card(tr, pid))

    async def _ask_message(self, tr: Translator, user_id: int, args: tuple[str, ...]) -> Outcome:
        pid, _decision = await self._pending_decision(args)
        prompt = tr._(
            "Send the message for the authors of {reference}. It goes with "
            "the decision when it is released."
        )
        return await self._await_text(user_id, "message", pid, prompt)

    async def _release_declined(
        self, tr: Translator, user_id: int, args: tuple[str, ...]
    ) -> Outcome:
        self._no_args(args)
        return Outcome.of(edit=Screen(tr._("Nothing was released; the decisions stay pending.")))

    async def _recommendations(
        self, tr: Translator, user_id: int, args: tuple[str, ...]
    ) -> Outcome:
        self._no_args(args)
        return Outcome.of(send=[await self.recommendations(tr)])

    async def _ask_recommendation(
        self, tr: Translator, user_id: int, args: tuple[str, ...]
    ) -> Outcome:
        pid = self._pid(args)
        p = await self.services.repos.proposals.get(pid)
        if p is None or p.status != "accepted":
            raise StaleButton()
        prompt = tr._("Send the text of the recommendation based on {reference}, in your language.")
        return await self._await_text(user_id, "recommendation", pid, prompt)

    async def _remove_recommendation(
        self, tr: Translator, user_id: int, args: tuple[str, ...]
    ) -> Outcome:
        if not await self.services.repos.endorsements.delete(self._pid(args)):
            raise StaleButton()
        return Outcome.of(tr._("Recommendation removed."), edit=await self.recommendations(tr))

    async def _open_endorsement(
        self, tr: Translator, user_id: int, args: tuple[str, ...]
    ) -> Outcome:
        self._no_args(args)
        return await self._endorsement(tr, open_=True)

    async def _close_endorsement(
        self, tr: Translator, user_id: int, args: tuple[str, ...]
    ) -> Outcome:
        self._no_args(args)
        return await self._endorsement(tr, open_=False)

    async def _endorsement_results(
        self, tr: Translator, user_id: int, args: tuple[str, ...]
    ) -> Outcome:
        self._no_args(args)
        repo = self.services.repos.endorsements
        text = endorse.results_text(
            tr, await repo.all(), await repo.votes(), self.services.settings.anonymity_min_group
        )
        return Outcome.of(send=[Screen(text)])

    async def _resolution_languages(
        self, tr: Translator, user_id: int, args: tuple[str, ...]
    ) -> Outcome:
        self._no_args(args)
        rows = [[button(FEATURE, LANGUAGE_NAMES[c], "docl", c) for c in LANGUAGES]]
        return Outcome.of(
            send=[Screen(tr._("In which language should the resolution be?"), keyboard(rows))]
        )

    async def _resolution(self, tr: Translator, user_id: int, args: tuple[str, ...]) -> Outcome:
        if len(args) != 1 or args[0] not in LANGUAGES:
            raise StaleButton()
        return Outcome.of(files=await self.resolution(args[0]))

    async def _export(self, tr: Translator, user_id: int, args: tuple[str, ...]) -> Outcome:
        if len(args) != 1 or args[0] not in ("rev", "revn", "dec", "end"):
            raise StaleButton()
        return Outcome.of(files=[await self.export(tr, args[0])])

    async def _await_text(self, user_id: int, kind: str, pid: int, prompt: str) -> Outcome:
        """The organizer's next message is ``kind`` for proposal ``pid``; ``prompt`` asks."""
        await self.repo.set_input(user_id, kind, str(pid), self.now)
        return Outcome.of(send=[Screen(prompt.format(reference=reference(pid)))])

    async def _assign(self, tr: Translator, user_id: int, args: tuple[str, ...]) -> Outcome:
        self._no_args(args)
        if self.forum.review is None:
            return Outcome.of(tr._("This forum has no review of proposals."), alert=True)
        proposals = [
            p for p in await self._proposals() if p.status in ("submitted", "under_review")
        ]
        added, short = await assign_and_notify(self.services, proposals)
        text = tr.ngettext(
            "{n} assignment made; the reviewers are told.",
            "{n} assignments made; the reviewers are told.",
            added,
        ).format(n=added)
        if short:
            text += "\n" + tr._("Not enough eligible reviewers for: {references}").format(
                references=", ".join(reference(i) for i in short)
            )
        loads: dict[int, int] = {}
        for a in await self.repo.assignments():
            if a.state in rules.ACTIVE:
                loads[a.reviewer_id] = loads.get(a.reviewer_id, 0) + 1
        if loads:
            text += "\n" + tr._("Proposals per reviewer: {loads}").format(
                loads=", ".join(str(n) for n in sorted(loads.values()))
            )
        return Outcome.of(tr._("Done."), send=[Screen(text)])

    async def _decide(self, tr: Translator, user_id: int, args: tuple[str, ...]) -> Outcome:
        pid, code = self._pid(args, 2), args[1]
        p = await self.services.repos.proposals.get(pid)
        if p is None or p.status not in ("submitted", "under_review"):
            raise StaleButton()
        if code == "-":
            await self.repo.decide(pid, None, self.now)
            return Outcome.of(tr._("Decision undone."), edit=await self.card(tr, pid))
        decision = DECISION_CODES.get(code)
        if decision is None:
            raise StaleButton()
        old = await self.repo.decision(pid)
        fields = FIELD_ORDER if decision == "revise" else ()
        message = old.message if old is not None and old.released_at is None else None
        await self.repo.decide(pid, decision, self.now, message=message, fields=fields)
        return Outcome.of(
            tr._('Kept pending: it is sent with "Release decisions".'),
            edit=await self.card(tr, pid),
        )

    async def _toggle_field(self, tr: Translator, user_id: int, args: tuple[str, ...]) -> Outcome:
        pid, raw = self._pid(args, 2), args[1]
        decision = await self.repo.decision(pid)
        index = _id(raw)
        if (
            decision is None
            or decision.released_at is not None
            or decision.decision != "revise"
            or index is None
            or index >= len(FIELD_ORDER)
        ):
            raise StaleButton()
        name = FIELD_ORDER[index]
        chosen = set(decision.fields) ^ {name}
        await self.repo.update_decision(pid, fields=[f for f in FIELD_ORDER if f in chosen])
        return Outcome.of(edit=await self.card(tr, pid))

    async def _reassign_menu(self, tr: Translator, user_id: int, args: tuple[str, ...]) -> Outcome:
        pid = self._pid(args)
        assigned = [
            a for a in await self.repo.assignments() if a.proposal_id == pid and a.state == "open"
        ]
        if not assigned:
            return Outcome.of(tr._("No review is waiting on this proposal."), alert=True)
        rows = []
        for a in assigned:
            user = await self.services.repos.users.get(a.reviewer_id)
            name = user.display_name if user else str(a.reviewer_id)
            rows.append(
                [
                    button(
                        FEATURE,
                        tr._("Replace {name}").format(name=name)[:60],
                        "rx",
                        pid,
                        a.reviewer_id,
                    )
                ]
            )
        rows.append([button(FEATURE, tr._("⬅️ Back"), "cd", pid)])
        return Outcome.of(
            edit=Screen(tr._("Whom should another reviewer replace?"), keyboard(rows))
        )

    async def _reassign(self, tr: Translator, user_id: int, args: tuple[str, ...]) -> Outcome:
        pid, reviewer_id = self._pid(args, 2), _id(args[1])
        if reviewer_id is None:
            raise StaleButton()
        p = await self.services.repos.proposals.get(pid)
        a = await self.repo.assignment(pid, reviewer_id)
        if p is None or a is None or a.state != "open":
            raise StaleButton()
        async with self.services.db.transaction():
            await self.repo.set_state(pid, reviewer_id, "removed")
            added, _short = await assign_and_notify(self.services, [p])
        hint = (
            tr._("Another reviewer now has this proposal.")
            if added
            else tr._("No other eligible reviewer is free for this proposal.")
        )
        return Outcome.of(hint, edit=await self.card(tr, pid))

    # -- release ----------------------------------------------------------------------------
    async def _release_confirm(
        self, tr: Translator, user_id: int, args: tuple[str, ...]
    ) -> Outcome:
        self._no_args(args)
        n = await self.repo.count_pending()
        if n == 0:
            return Outcome.of(tr._("No decisions are pending release."), alert=True)
        rows = [
            [button(FEATURE, tr._("📣 Release"), "rly"), button(FEATURE, tr._("Not now"), "rln")]
        ]
        return Outcome.of(
            send=[
                Screen(
                    tr.ngettext(
                        "Release {n} decision? The authors are told in their language.",
                        "Release {n} decisions? The authors are told in their language.",
                        n,
                    ).format(n=n),
                    keyboard(rows),
                )
            ]
        )

    async def _release(self, tr: Translator, user_id: int, args: tuple[str, ...]) -> Outcome:
        self._no_args(args)
        return await self.release(tr)

    async def release(self, tr: Translator) -> Outcome:
        """Release every pending decision, the board's and /proposals' alike, in one
        transaction with their notices (see :mod:`bot.services.board_release`)."""
        released = await release_decisions(self.services)
        total, queued = released.decisions, released.notices
        return Outcome.of(
            edit=Screen(
                tr.ngettext("{n} decision released.", "{n} decisions released.", total).format(
                    n=total
                )
                + " "
                + tr.ngettext(
                    "{n} notice queued for the authors.",
                    "{n} notices queued for the authors.",
                    queued,
                ).format(n=queued)
            )
        )

    # -- recommendations and endorsement ----------------------------------------------------
    async def recommendations(self, tr: Translator) -> Screen:
        """The recommendations written so far, with their proposals."""
        recs = await self.services.repos.endorsements.all()
        lines = [tr._("💡 Recommendations")]
        rows = []
        for number, rec in enumerate(recs, 1):
            refs = ", ".join(reference(i) for i in rec.proposal_ids)
            lines.append(
                f"\n{number}. {rec.text_in(tr.language)[:300]}" + (f" ({refs})" if refs else "")
            )
            if rec.questions:
                lines.append(
                    tr.ngettext(
                        "❓ {n} question from the live Q&A",
                        "❓ {n} questions from the live Q&A",
                        len(rec.questions),
                    ).format(n=len(rec.questions))
                )
            rows.append(
                [
                    button(FEATURE, tr._("❓ Q&A {n}").format(n=number), "rq", rec.id),
                    button(FEATURE, tr._("🗑 Remove {n}").format(n=number), "rd", rec.id),
                ]
            )
        if not recs:
            lines.append(tr._("There are no recommendations yet."))
        rows.append([button(FEATURE, tr._("➕ From an accepted proposal"), "rn")])
        return Screen("\n".join(lines)[:4000], keyboard(rows[-40:]))

    async def _question_sessions(
        self, tr: Translator, user_id: int, args: tuple[str, ...]
    ) -> Outcome:
        """The sessions whose live Q&A questions can go with the recommendation."""
        rec_id = self._pid(args)
        if await self.services.repos.endorsements.get(rec_id) is None:
            raise StaleButton()
        counts = await self.services.repos.qa.sessions_with_questions()
        sessions = [s for s in self.forum.sessions if counts.get(s.id)]
        if not sessions:
            return Outcome.of(tr._("No session has questions from the live Q&A."), alert=True)
        rows = [
            [button(FEATURE, s.title.get(tr.language)[:60], "rqs", rec_id, s.id)]
            for s in sessions[:30]
        ]
        return Outcome.of(
            send=[
                Screen(
                    tr._("Which session's questions go with this recommendation?"), keyboard(rows)
                )
            ]
        )

    async def _attach_questions(
        self, tr: Translator, user_id: int, args: tuple[str, ...]
    ) -> Outcome:
        """The session's most voted approved or answered questions go with the recommendation
        (and into the resolution)."""
        rec_id, session_id = self._pid(args, 2), args[1]
        rec = await self.services.repos.endorsements.get(rec_id)
        summary = await session_questions_summary(self.services, session_id, tr.language)
        if rec is None or summary is None:
            raise StaleButton()
        chosen = [q.text for q in summary.questions if q.status in ("approved", "answered")][
            :QUESTIONS_PER_RECOMMENDATION
        ]
        await self.services.repos.endorsements.set_questions(rec_id, chosen)
        return Outcome.of(
            tr.ngettext(
                "{n} question goes with the recommendation.",
                "{n} questions go with the recommendation.",
                len(chosen),
            ).format(n=len(chosen)),
            edit=await self.recommendations(tr),
        )

    async def _pick_proposal(self, tr: Translator, user_id: int, args: tuple[str, ...]) -> Outcome:
        self._no_args(args)
        accepted = [p for p in await self._proposals() if p.status == "accepted"]
        if not accepted:
            return Outcome.of(tr._("No proposal has been accepted yet."), alert=True)
        buttons = [button(FEATURE, p.reference, "rnp", p.id) for p in accepted[:60]]
        rows = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
        return Outcome.of(
            send=[Screen(tr._("Which accepted proposal does it come from?"), keyboard(rows))]
        )

    async def _endorsement(self, tr: Translator, *, open_: bool) -> Outcome:
        repo = self.services.repos.endorsements
        if open_ and not await repo.all():
            return Outcome.of(tr._("There are no recommendations yet."), alert=True)
        async with self.services.db.transaction():
            await repo.set_phase(endorse.PHASE, open_=open_, now=self.now)
            if open_:
                await self._announce_endorsement()
        hint = tr._("Endorsement is open.") if open_ else tr._("Endorsement is closed.")
        return Outcome.of(hint, edit=await self.home(tr))

    async def _announce_endorsement(self) -> None:
        """Every participant is invited (through the outbox), once per opening."""
        opened, _ = await self.services.repos.endorsements.phase(endorse.PHASE)
        messages = []
        for user_id in await self.services.repos.users.ids():
            user = await self.services.repos.users.get(user_id)
            if user is None:
                continue
            tr = self.services.translator_for(user.language, user.language_code)
            messages.append(
                OutgoingMessage(
                    user_id,
                    tr._(
                        "🗳 The forum's recommendations are ready. Do you support them? "
                        "Give your voice on each with /endorse."
                    ),
                    f"endorse-open:{opened}:{user_id}",
                    "broadcast",
                    reply_markup=keyboard_json(
                        [[button(endorse.FEATURE, tr._("Give my voice"), "go")]]
                    ),
                )
            )
        if messages:
            await enqueue(self.services, messages)

    # -- awaited texts ----------------------------------------------------------------------
    async def text(self, tr: Translator, user_id: int, text: str | None) -> Outcome | None:
        """A decision's message or a recommendation's text; None when nothing is awaited."""
        awaited = await self.repo.get_input(user_id)
        if awaited is None or awaited[0] not in ("message", "recommendation"):
            return None
        if not self.services.is_organizer(user_id):
            await self.repo.clear_input(user_id)
            return None
        kind, target = awaited
        value = (text or "").strip()
        if not value or len(value) > 2000:
            return Outcome.of(
                tr._("Please send a text of at most {limit} characters.").format(limit=2000)
            )
        await self.repo.clear_input(user_id)
        pid = _id(target) or 0
        if kind == "message":
            await self.repo.update_decision(pid, message=value)
            card = await self.card(tr, pid)
            return Outcome.of(tr._("Saved."), send=[card] if card else [])
        p = await self.services.repos.proposals.get(pid)
        if p is None:
            return Outcome.of(tr._("This proposal does not exist."))
        await self.services.repos.endorsements.add(p.topic, {tr.language: value}, [p.id], self.now)
        return Outcome.of(tr._("Saved."), send=[await self.recommendations(tr)])

    # -- files ------------------------------------------------------------------------------
    async def resolution(self, language: str) -> list[Document]:
        """The resolution in ``language``: the DOCX to edit and the PDF to send on, both laid
        out from the same gathered content (off the event loop: a long one takes a moment)."""
        tr = self.services.i18n.get(language)
        repo = self.services.repos.endorsements
        content = resolution_content(
            tr,
            self.forum,
            participants=await self.services.repos.users.count(),
            proposals=await self.services.repos.proposals.all(),
            recs=await repo.all(),
            votes=await repo.votes(),
            threshold=self.services.settings.anonymity_min_group,
            now=self.now,
            dialogue=await self._dialogue(language),
        )
        name = f"resolution-{language}-{self.now:%Y%m%d}"
        docx, pdf = await asyncio.gather(
            asyncio.to_thread(resolution_docx, content),
            asyncio.to_thread(resolution_pdf, tr, content),
        )
        return [
            Document(docx, f"{name}.docx", tr._("The resolution")),
            # TRANSLATORS: the caption of the PDF that the organizers send on to the national
            # forum (the DOCX beside it is "The resolution", to edit).
            Document(pdf, f"{name}.pdf", tr._("The resolution as PDF, ready to send on")),
        ]

    async def _dialogue(self, language: str) -> list[QuestionsSummary]:
        """Every session's Q&A summary in programme order (the resolution keeps what the hall
        took up)."""
        qa = self.services.repos.qa
        taken_part = set(await qa.sessions_with_questions()) | await qa.sessions_with_polls()
        summaries = []
        for session in self.forum.sessions:
            if session.id not in taken_part:
                continue  # nothing was asked or polled there: no queries for it
            summary = await session_questions_summary(
                self.services, session.id, language, names=False
            )
            if summary is not None and (summary.questions or summary.polls):
                summaries.append(summary)
        return summaries

    async def export(self, tr: Translator, kind: str) -> Document:
        """One of the XLSX exports."""
        proposals = {p.id: p for p in await self.services.repos.proposals.all()}
        stamp = f"{self.now:%Y%m%d}"
        if kind in ("rev", "revn"):
            names = None
            if kind == "revn":
                names = {}
                for r in await team_reviewers(self.services):
                    user = await self.services.repos.users.get(r.user_id)
                    names[r.user_id] = user.display_name if user else str(r.user_id)
            content = reviews_xlsx(tr, self.forum, proposals, await self.repo.all_reviews(), names)
            return Document(content, f"reviews-{stamp}.xlsx", tr._("Reviews"))
        if kind == "dec":
            content = decisions_xlsx(tr, proposals, await self.repo.decisions())
            return Document(content, f"decisions-{stamp}.xlsx", tr._("Decisions"))
        repo = self.services.repos.endorsements
        content = endorsements_xlsx(
            tr, await repo.all(), await repo.votes(), self.services.settings.anonymity_min_group
        )
        return Document(content, f"endorsements-{stamp}.xlsx", tr._("Endorsements"))


async def forget_awaited(services: Services, user_id: int) -> None:
    """/cancel: no comment, field, message or text is awaited from the person any more."""
    repos = services.repos
    async with services.db.transaction():
        await repos.reviews.clear_awaiting(user_id)
        await repos.reviews.clear_input(user_id)
        await repos.endorsements.set_input(user_id, None)
        for p in await repos.proposals.of_user(user_id):
            revision = await repos.reviews.revision(p.id)
            if revision is not None and revision.awaiting is not None:
                revision.awaiting = None
                await repos.reviews.save_revision(revision)
