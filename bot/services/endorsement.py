"""Endorsement: participants go through the recommendations in an order shuffled once per
person (deterministic, stored) and press Support / Object / Abstain, changeable until the
organizers close it; results by stakeholder group with the anonymity threshold.

Callback data ``en:<action>:<recommendation>[:<vote>]``.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.errors import StaleButton
from bot.i18n import Translator
from bot.services.anonymity import hidden_groups
from bot.services.board_views import BoardFlowBase, Outcome, Screen, button, keyboard
from storage.endorsements import VOTES, Recommendation, Vote

if TYPE_CHECKING:
    from bot.context import Services

FEATURE = "en"
PHASE = "endorsement"
VOTE_CODES = {"s": "support", "o": "object", "a": "abstain"}
COMMENT_LIMIT = 1000
MAX_ID = 10**9


def shuffled(user_id: int, forum_id: str, ids: list[int]) -> list[int]:
    """The person's order: the same for the same person, different between people."""
    seed = hashlib.sha256(f"endorse:{forum_id}:{user_id}".encode()).digest()
    order = list(ids)
    random.Random(seed).shuffle(order)
    return order


def vote_label(tr: Translator, vote: str) -> str:
    """ "👍 Support" etc."""
    labels = {
        "support": tr._("👍 Support"),
        "object": tr._("👎 Object"),
        "abstain": tr._("🤐 Abstain"),
    }
    return labels[vote]


@dataclass
class Tally:
    """A recommendation's votes in all and by stakeholder group."""

    total: Counter[str] = field(default_factory=Counter)
    groups: dict[str | None, Counter[str]] = field(default_factory=dict)

    @property
    def cast(self) -> int:
        """Votes cast (support + object + abstain)."""
        return sum(self.total.values())

    def hidden_groups(self, threshold: int) -> set[str | None]:
        """The stakeholder groups whose figures must not be shown beside the total."""
        return hidden_groups({g: sum(c.values()) for g, c in self.groups.items()}, threshold)


def tally(votes: list[Vote]) -> dict[int, Tally]:
    """Recommendation id -> its tally."""
    result: dict[int, Tally] = {}
    for v in votes:
        t = result.setdefault(v.recommendation_id, Tally())
        t.total[v.vote] += 1
        t.groups.setdefault(v.stakeholder, Counter())[v.vote] += 1
    return result


def group_lines(tr: Translator, t: Tally, threshold: int) -> list[str]:
    """One line per stakeholder group; groups that could single out fewer than ``threshold``
    people show no numbers (bot/services/anonymity.py)."""
    from bot.services.results import group_label

    lines = []
    hidden = t.hidden_groups(threshold)
    for group in sorted(t.groups, key=lambda g: (g is None, g or "")):
        counts = t.groups[group]
        if group in hidden:
            figures = tr._("fewer than {n}").format(n=threshold)
        else:
            figures = counts_text(tr, counts)
        lines.append(f"{group_label(tr, group)}: {figures}")
    return lines


def counts_text(tr: Translator, counts: Counter[str]) -> str:
    """ "support 12 · object 3 · abstain 1"."""
    return tr._("support {support} · object {object} · abstain {abstain}").format(
        support=counts["support"], object=counts["object"], abstain=counts["abstain"]
    )


class EndorsementFlow(BoardFlowBase):
    """The participant's side; open to everyone while the phase is open."""

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.repo = services.repos.endorsements

    async def is_open(self) -> bool:
        """Whether organizers have opened endorsement and not closed it."""
        opened, closed = await self.repo.phase(PHASE)
        return opened is not None and closed is None

    async def _order(self, user_id: int, recs: list[Recommendation]) -> list[Recommendation]:
        by_id = {r.id: r for r in recs}
        stored = await self.repo.order(user_id) or []
        known = [i for i in stored if i in by_id]
        new = [i for i in by_id if i not in stored]
        if new or len(known) != len(stored) or not stored:
            # Recommendations added later go after the stored ones, shuffled the same way.
            known += shuffled(user_id, self.services.content.forum.id, new)
            await self.repo.save_order(user_id, known)
        return [by_id[i] for i in known]

    def _screen(
        self, tr: Translator, rec: Recommendation, index: int, count: int, vote: str | None
    ) -> Screen:
        from bot.services.proposals import topic_name

        text = (
            f"{index}/{count} · {topic_name(tr, self.services.content, rec.topic)}\n\n"
            f"{rec.text_in(tr.language)}"
        )
        if vote is not None:
            text += "\n\n" + tr._("Your voice: {vote}").format(vote=vote_label(tr, vote))
        buttons = [
            button(
                FEATURE,
                ("• " if vote == full else "") + vote_label(tr, full),
                "v",
                rec.id,
                code,
            )
            for code, full in VOTE_CODES.items()
        ]
        rows = [buttons]
        if vote is not None:
            rows.append([button(FEATURE, tr._("💬 Add a comment"), "c", rec.id)])
        return Screen(text[:4000], keyboard(rows))

    async def start(self, tr: Translator, user_id: int) -> Outcome:
        """/endorse: every recommendation in the person's order, one message each."""
        if not await self.is_open():
            return Outcome.of(tr._("Endorsement of the recommendations is not open now."))
        recs = await self.repo.all()
        if not recs:
            return Outcome.of(tr._("There are no recommendations yet."))
        order = await self._order(user_id, recs)
        votes = await self.repo.votes_of(user_id)
        intro = Screen(
            tr.ngettext(
                "The forum's {n} recommendation. Support, object or abstain; you can change "
                "your voice until endorsement closes.",
                "The forum's {n} recommendations, in an order shuffled for you. Support, object "
                "or abstain on each; you can change your voice until endorsement closes.",
                len(order),
            ).format(n=len(order))
        )
        screens = [intro] + [
            self._screen(tr, rec, i, len(order), votes.get(rec.id))
            for i, rec in enumerate(order, 1)
        ]
        return Outcome.of(send=screens)

    async def press(
        self, tr: Translator, user_id: int, action: str, args: tuple[str, ...]
    ) -> Outcome:
        """``en:v:<rec>:<s|o|a>`` and ``en:c:<rec>``."""
        raw = args[0] if args else ""
        if not raw.isdigit() or len(raw) > 10 or int(raw) >= MAX_ID:
            raise StaleButton()
        rec = await self.repo.get(int(raw))
        if rec is None:
            raise StaleButton()
        if not await self.is_open():
            return Outcome.of(
                tr._("Endorsement is closed; voices can no longer be changed."), alert=True
            )
        order = [r.id for r in await self._order(user_id, await self.repo.all())]
        index = order.index(rec.id) + 1
        if action == "v" and len(args) == 2 and args[1] in VOTE_CODES:
            vote = VOTE_CODES[args[1]]
            await self.repo.vote(rec.id, user_id, vote, self.now)
            return Outcome.of(
                tr._("Saved: {vote}").format(vote=vote_label(tr, vote)),
                edit=self._screen(tr, rec, index, len(order), vote),
            )
        if action == "c" and len(args) == 1:
            if rec.id not in await self.repo.votes_of(user_id):
                return Outcome.of(tr._("Please give your voice first."), alert=True)
            await self.repo.set_input(user_id, rec.id)
            return Outcome.of(
                send=[Screen(tr._("Send your comment on recommendation {n}.").format(n=index))]
            )
        raise StaleButton()

    async def text(self, tr: Translator, user_id: int, text: str | None) -> Outcome | None:
        """The person's comment; None when no comment is awaited from them."""
        rec_id = await self.repo.get_input(user_id)
        if rec_id is None:
            return None
        value = (text or "").strip()
        if not value or len(value) > COMMENT_LIMIT:
            return Outcome.of(
                tr._("Please send a comment of at most {limit} characters.").format(
                    limit=COMMENT_LIMIT
                )
            )
        await self.repo.set_input(user_id, None)
        await self.repo.comment(rec_id, user_id, value)
        return Outcome.of(tr._("Thank you, your comment is saved."))


def results_text(
    tr: Translator, recs: list[Recommendation], votes: list[Vote], threshold: int
) -> str:
    """Every recommendation's tally, in all and by group (organizers' view)."""
    tallies = tally(votes)
    lines = [tr._("Endorsement results")]
    for number, rec in enumerate(recs, 1):
        t = tallies.get(rec.id, Tally())
        lines.append("")
        lines.append(f"{number}. {rec.text_in(tr.language)[:200]}")
        lines.append(counts_text(tr, t.total))
        lines.extend("  " + line for line in group_lines(tr, t, threshold))
    return "\n".join(lines)[:4000]


__all__ = ["FEATURE", "VOTES", "EndorsementFlow", "results_text", "shuffled", "tally"]
