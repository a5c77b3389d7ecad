"""After a session: all its questions and polls, as a summary for reports and as an XLSX file
that organizers choose from the results screen (:func:`export_menu`, :func:`export`).

:func:`session_questions_summary` is the one read the outcome report (DOCX) and the XLSX share:
every question (text, votes, state, asker where not anonymous, time, reply) and every poll
with its counts. People who erased their data appear as anonymous (see migration 0009).
Cells are formula-safe: a text starting with ``= + - @``, a tab or a carriage return is
written as a string cell, so a spreadsheet never runs it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.i18n import Translator
from bot.services.hall import pick
from bot.services.qa_common import btn, clip, outcome, status_label
from bot.services.roles import Role
from bot.views import Document, Outcome, Screen
from storage.qa import STATUSES

if TYPE_CHECKING:
    from bot.context import Services

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """One question as reports show it."""

    text: str
    votes: int
    status: str
    asker: str | None  # None: anonymous (or erased)
    asked_at: datetime
    reply: str | None


@dataclass(frozen=True, slots=True)
class PollResult:
    """One poll with its counts per option, in one language."""

    question: str
    options: list[tuple[str, int]]
    status: str


@dataclass(frozen=True, slots=True)
class QuestionsSummary:
    """A session's questions (most votes first) and polls (oldest first)."""

    session_id: str
    title: str
    questions: list[QuestionRow]
    polls: list[PollResult]


async def session_questions_summary(
    services: Services, session_id: str, lang: str, *, names: bool = True
) -> QuestionsSummary | None:
    """Everything asked and polled in a session, texts in ``lang``; None for an unknown id.
    ``names=False`` (a public document) leaves the askers out without looking them up."""
    session = services.content.session(session_id)
    if session is None:
        return None
    repo = services.repos.qa
    rows = []
    for q in await repo.of_session(session.id, STATUSES):
        asker = None
        if names and not q.anonymous and q.user_id is not None:
            user = await services.repos.users.get(q.user_id)
            if user is None:
                asker = q.asker_name
            else:
                asker = user.display_name + (f" (@{user.username})" if user.username else "")
        rows.append(
            QuestionRow(
                q.text, q.votes, q.status, asker, datetime.fromisoformat(q.created_at), q.reply
            )
        )
    polls = []
    for poll in reversed(await repo.polls_of(session.id)):
        counts = await repo.poll_counts(poll.id)
        options = [(pick(o, lang), counts.get(i, 0)) for i, o in enumerate(poll.options)]
        polls.append(PollResult(pick(poll.question, lang), options, poll.status))
    return QuestionsSummary(session.id, session.title.get(lang), rows, polls)


def _put(sheet: Any, row: int, column: int, value: object) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # the text as it was typed, never a formula


def questions_xlsx(tr: Translator, summary: QuestionsSummary) -> bytes:
    """The summary as a workbook: a sheet of questions and one of poll results."""
    from openpyxl import Workbook  # imported on use: heavy, and only exports need it
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = tr._("Questions")[:31]
    headers = [
        tr._("Question"),
        tr._("Votes"),
        tr._("Status"),
        tr._("Asked by"),
        tr._("Asked at"),
        tr._("Reply"),
    ]
    for column, header in enumerate(headers, 1):
        _put(sheet, 1, column, header)
        sheet.cell(row=1, column=column).font = Font(bold=True)
    anonymous = tr._("anonymous")
    for row, q in enumerate(summary.questions, 2):
        values: list[object] = [
            q.text,
            q.votes,
            status_label(tr, q.status),
            q.asker or anonymous,
            tr.local(q.asked_at).replace(tzinfo=None),
            q.reply or "",
        ]
        for column, value in enumerate(values, 1):
            _put(sheet, row, column, value)
        sheet.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.cell(row=row, column=5).number_format = "yyyy-mm-dd hh:mm"
    for letter, width in zip("ABCDEF", (70, 8, 18, 28, 18, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    polls = book.create_sheet(tr._("Polls")[:31])
    row = 1
    for poll in summary.polls:
        _put(polls, row, 1, poll.question)
        polls.cell(row=row, column=1).font = Font(bold=True)
        row += 1
        for text, count in poll.options:
            _put(polls, row, 1, text)
            _put(polls, row, 2, count)
            row += 1
        row += 1
    polls.column_dimensions["A"].width = 70
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def export_menu(services: Services, tr: Translator, user_id: int) -> Outcome:
    """From the results screen: the sessions that have questions, one XLSX button each."""
    if not services.roles.has(user_id, Role.ORGANIZER):
        return outcome(tr._("This is only for the forum's organizers."), alert=True)
    counts = await services.repos.qa.sessions_with_questions()
    sessions = [s for s in services.content.sessions if counts.get(s.id)]
    if not sessions:
        return outcome(send=[Screen(tr._("No questions have been asked yet."))])
    buttons = [
        [btn(f"⬇️ {clip(s.title.get(tr.language), 40)} ({counts[s.id]})", "xl", s.id)]
        for s in sessions
    ]
    return outcome(send=[Screen(tr._("Questions of which session, as XLSX?"), buttons)])


async def export(services: Services, tr: Translator, user_id: int, session_id: str) -> Outcome:
    """All questions of a session (text, votes, status, asker, time, reply) as XLSX."""
    if not services.roles.has(user_id, Role.ORGANIZER):
        return outcome(tr._("This is only for the forum's organizers."), alert=True)
    summary = await session_questions_summary(services, session_id, tr.language)
    if summary is None:
        return outcome(tr._("This session is no longer in the programme."), alert=True)
    return Outcome(
        documents=[Document(questions_xlsx(tr, summary), f"questions-{session_id}.xlsx")]
    )
