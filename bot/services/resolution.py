"""The forum's resolution as content: gathered once from the board's data, in one language, so
that the DOCX (board_documents.resolution_docx) and the PDF (resolution_pdf) only lay it out and
can never disagree on a number.

Besides the recommendations it carries the dialogue in the halls: per session, how many
questions the live Q&A took up, the most supported of them and the results of closed polls.
Only what the hall saw goes in (approved or answered questions, closed polls), never an asker's
name: the resolution is a public document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.content import Forum
from bot.i18n import Translator
from bot.services.endorsement import Tally, tally
from bot.services.proposals import topic_name
from bot.services.qa_export import QuestionsSummary
from bot.services.results import group_label
from storage.endorsements import Recommendation, Vote
from storage.proposals import Proposal

VOTE_ORDER = ("support", "object", "abstain")
Row = tuple[str, str, str, str]  # a stakeholder group (or everyone) and its three counts
TOP_QUESTIONS = 5  # per session: the most supported questions the hall took up
SHOWN = ("approved", "answered")  # what the hall saw; rejected, hidden and waiting never


@dataclass(frozen=True, slots=True)
class RecommendationPart:
    """One recommendation: its heading, text, endorsement table and what lies behind it."""

    heading: str
    text: str
    # The endorsement table: the first row is everyone, then one row per stakeholder group
    # (a group under the anonymity threshold shows "fewer than N" instead of its counts).
    rows: tuple[Row, ...]
    proposals: tuple[str, ...]  # "P-0001 — Organization"
    questions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PollPart:
    """A closed poll: its question and, per option, the answers and their share."""

    question: str
    rows: tuple[tuple[str, str, str], ...]  # option, answers, share ("40 %")


@dataclass(frozen=True, slots=True)
class SessionDialogue:
    """One session's live Q&A as the resolution reports it."""

    heading: str  # the session's title
    summary: str  # "12 questions taken up, 85 votes"
    questions: tuple[str, ...]  # "text — 14 votes", most supported first
    polls: tuple[PollPart, ...]


@dataclass(frozen=True, slots=True)
class ResolutionContent:
    """Every word and figure of the resolution, localized; the layouts add nothing but form."""

    title: str
    forum_name: str
    dates: str
    place: str
    prepared: str
    numbers_heading: str
    numbers: tuple[tuple[str, str], ...]
    recommendations_heading: str
    table_header: Row
    proposals_label: str
    questions_label: str
    recommendations: tuple[RecommendationPart, ...]
    dialogue_heading: str = ""
    poll_header: tuple[str, str, str] = ("", "", "")
    dialogue: tuple[SessionDialogue, ...] = ()


def _rows(tr: Translator, t: Tally | None, threshold: int) -> tuple[Row, ...]:
    counts = t.total if t else {}
    rows: list[Row] = [(tr._("Everyone"), *_figures(counts))]
    if t is not None:
        hidden = tr._("fewer than {n}").format(n=threshold)
        hidden_groups = t.hidden_groups(threshold)  # small ones, and what subtraction would give
        for group in sorted(t.groups, key=lambda g: (g is None, g or "")):
            g_counts = t.groups[group]
            small = group in hidden_groups
            label = group_label(tr, group)
            rows.append((label, hidden, hidden, hidden) if small else (label, *_figures(g_counts)))
    return tuple(rows)


def _figures(counts: Mapping[str, int]) -> tuple[str, str, str]:
    support, object_, abstain = (str(counts.get(v, 0)) for v in VOTE_ORDER)
    return support, object_, abstain


def session_dialogue(tr: Translator, summary: QuestionsSummary) -> SessionDialogue | None:
    """What the resolution says of one session's Q&A; None when the hall took up nothing."""
    shown = sorted(
        (q for q in summary.questions if q.status in SHOWN), key=lambda q: (-q.votes, q.asked_at)
    )
    polls = []
    for poll in summary.polls:
        if poll.status != "closed":
            continue
        answers = sum(count for _, count in poll.options)
        polls.append(
            PollPart(
                poll.question,
                tuple(
                    (text, tr.number(count), tr.percent(count / answers if answers else 0.0))
                    for text, count in poll.options
                ),
            )
        )
    if not shown and not polls:
        return None
    taken_up = tr.ngettext("{n} question taken up", "{n} questions taken up", len(shown)).format(
        n=tr.number(len(shown))
    )
    total_votes = sum(q.votes for q in shown)
    votes = tr.ngettext("{n} vote", "{n} votes", total_votes).format(n=tr.number(total_votes))
    return SessionDialogue(
        heading=summary.title,
        summary=f"{taken_up}, {votes}",
        questions=tuple(
            f"{q.text} — "
            + tr.ngettext("{n} vote", "{n} votes", q.votes).format(n=tr.number(q.votes))
            for q in shown[:TOP_QUESTIONS]
        ),
        polls=tuple(polls),
    )


def resolution_content(
    tr: Translator,
    forum: Forum,
    *,
    participants: int,
    proposals: Sequence[Proposal],
    recs: Sequence[Recommendation],
    votes: list[Vote],
    threshold: int,
    now: datetime,
    dialogue: Sequence[QuestionsSummary] = (),
) -> ResolutionContent:
    """The resolution in ``tr``'s language: the forum, its numbers, each recommendation with
    its endorsement (in all and by group), the proposals behind it and the chosen questions;
    then the dialogue in the halls (``dialogue``: the sessions' Q&A summaries in programme
    order)."""
    by_id = {p.id: p for p in proposals}
    received = sum(1 for p in proposals if p.status != "withdrawn")
    accepted = sum(1 for p in proposals if p.status == "accepted")
    tallies = tally(votes)
    meta = forum.forum
    place = meta.venue.get(tr.language)
    if meta.address is not None:
        place = f"{place}, {meta.address.get(tr.language)}"
    parts = []
    for number, rec in enumerate(recs, 1):
        parts.append(
            RecommendationPart(
                heading=f"{number}. {topic_name(tr, forum, rec.topic)}",
                text=rec.text_in(tr.language),
                rows=_rows(tr, tallies.get(rec.id), threshold),
                proposals=tuple(
                    f"{by_id[i].reference} — {by_id[i].org_name}"
                    for i in rec.proposal_ids
                    if i in by_id
                ),
                questions=tuple(rec.questions),
            )
        )
    return ResolutionContent(
        title=tr._("Resolution of the forum"),
        forum_name=meta.name.get(tr.language),
        dates=tr.date_range(meta.starts, meta.ends),
        place=place,
        prepared=tr._("Prepared on {date}.").format(date=tr.date(now)),
        numbers_heading=tr._("The forum in numbers"),
        numbers=(
            (tr._("Participants"), str(participants)),
            (tr._("Proposals received"), str(received)),
            (tr._("Proposals accepted"), str(accepted)),
            (tr._("Recommendations"), str(len(recs))),
        ),
        recommendations_heading=tr._("Recommendations"),
        table_header=(tr._("Stakeholder group"), tr._("Support"), tr._("Object"), tr._("Abstain")),
        proposals_label=tr._("Proposals behind it:"),
        questions_label=tr._("Questions from the live Q&A:"),
        recommendations=tuple(parts),
        dialogue_heading=tr._("Dialogue in the halls: live Q&A and polls"),
        # TRANSLATORS: the columns of a poll's results in the resolution.
        poll_header=(tr._("Answer"), tr._("Answers"), tr._("Share")),
        dialogue=tuple(d for d in (session_dialogue(tr, s) for s in dialogue) if d is not None),
    )
