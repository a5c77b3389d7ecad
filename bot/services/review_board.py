"""The review board's rules without Telegram: the call's window, balanced conflict-free
assignment of reviewers, weighted scores and their spread.

Modelled on pretalx: a weighted rubric, N reviewers per proposal with an equal load, blind
review, and decisions kept pending until they are released together.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.content import Forum, ReviewPhase
from bot.i18n import Translator
from storage.proposals import Proposal
from storage.reviews import Assignment, Review, Reviewer

# A proposal's reviewers disagree when their weighted scores are this share of the scale apart.
DISAGREEMENT = 0.4
# Assignments that still count towards a reviewer's load and a proposal's reviewers.
ACTIVE = ("open", "submitted", "abstained")


def when(tr: Translator, forum: Forum, moment: datetime | str) -> str:
    """A moment as the board shows it everywhere, chat and files alike: «21 ноября, 18:00»
    (the month in full, no seconds, the year only when it is not the forum's)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return tr.moment(moment, year=forum.forum.starts.year)


def call_closed_notice(tr: Translator, forum: Forum, now: datetime) -> str | None:
    """Why /propose takes no proposal now (not yet open, or closed and when), or None."""
    call = forum.proposals
    if call.opens is not None and now < call.opens:
        return tr._("The call for proposals opens on {date}.").format(
            date=when(tr, forum, call.opens)
        )
    if call.closes is not None and now >= call.closes:
        return tr._(
            "The call for proposals closed on {date}. Your draft, if you have one, is kept."
        ).format(date=when(tr, forum, call.closes))
    return None


def review_open(forum: Forum, now: datetime) -> bool:
    """Whether reviews can still be given and changed."""
    review = forum.review
    return review is not None and (review.closes is None or now < review.closes)


def _normal(text: str | None) -> str:
    return " ".join((text or "").casefold().replace("«", "").replace("»", "").split())


def has_conflict(reviewer: Reviewer, proposal: Proposal) -> bool:
    """The reviewer declared the proposal's organization as their own."""
    return bool(reviewer.organization) and _normal(reviewer.organization) == _normal(
        proposal.org_name
    )


@dataclass(frozen=True, slots=True)
class Plan:
    """New (proposal, reviewer) pairs, and proposals that could not get enough reviewers."""

    pairs: list[tuple[int, int]]
    short: list[int]


def plan_assignments(
    proposals: Sequence[Proposal],
    reviewers: Sequence[Reviewer],
    existing: Iterable[Assignment],
    per_proposal: int,
) -> Plan:
    """Give every proposal ``per_proposal`` eligible reviewers, each new one to the reviewer
    with the lightest load (ties: lowest id), so that loads differ by at most one.

    Never to a reviewer with a conflict (declared organization, or a conflict pressed on this
    proposal: such an assignment stays in ``existing`` with state 'conflict'), nor outside the
    reviewer's topics. Existing active assignments count and are kept.
    """
    load = {r.user_id: 0 for r in reviewers}
    taken: dict[int, set[int]] = {}  # proposal -> reviewers it had, in any state
    active: dict[int, int] = {}
    for a in existing:
        taken.setdefault(a.proposal_id, set()).add(a.reviewer_id)
        if a.state in ACTIVE:
            active[a.proposal_id] = active.get(a.proposal_id, 0) + 1
            if a.reviewer_id in load:
                load[a.reviewer_id] += 1
    pairs: list[tuple[int, int]] = []
    short: list[int] = []

    # The hardest proposals first: those with the fewest eligible reviewers.
    def eligible(p: Proposal) -> list[Reviewer]:
        return [
            r
            for r in reviewers
            if r.user_id not in taken.get(p.id, set())
            and r.reviews_topic(p.topic)
            and not has_conflict(r, p)
        ]

    for p in sorted(proposals, key=lambda p: (len(eligible(p)), p.id)):
        need = per_proposal - active.get(p.id, 0)
        candidates = eligible(p)
        while need > 0 and candidates:
            best = min(candidates, key=lambda r: (load[r.user_id], r.user_id))
            candidates.remove(best)
            pairs.append((p.id, best.user_id))
            taken.setdefault(p.id, set()).add(best.user_id)
            load[best.user_id] += 1
            need -= 1
        if need > 0:
            short.append(p.id)
    return Plan(sorted(pairs), sorted(short))


def weighted(review: Review, phase: ReviewPhase) -> float | None:
    """The review's weighted mean score, or None when not every criterion is scored."""
    total = weight = 0.0
    for c in phase.criteria:
        score = review.scores.get(c.id)
        if score is None:
            return None
        total += score * c.weight
        weight += c.weight
    return total / weight if weight else None


@dataclass(frozen=True, slots=True)
class Standing:
    """A proposal on the board: its weighted mean, reviews counted, and disagreement."""

    proposal: Proposal
    mean: float | None
    reviews: int
    spread: float
    disagreement: bool


def standing(proposal: Proposal, reviews: Sequence[Review], phase: ReviewPhase) -> Standing:
    """Mean of the submitted reviews' weighted scores; spread = highest - lowest."""
    scores = [
        s for r in reviews if r.submitted_at is not None and (s := weighted(r, phase)) is not None
    ]
    if not scores:
        return Standing(proposal, None, 0, 0.0, False)
    spread = max(scores) - min(scores)
    span = max(c.scale.max - c.scale.min for c in phase.criteria) or 1
    return Standing(
        proposal, statistics.fmean(scores), len(scores), spread, spread >= DISAGREEMENT * span
    )


def ranked(standings: Iterable[Standing]) -> list[Standing]:
    """Best weighted mean first; unreviewed proposals last, by reference."""
    return sorted(standings, key=lambda s: (s.mean is None, -(s.mean or 0.0), s.proposal.id))
