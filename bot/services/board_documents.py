"""The board's files: the forum's resolution (DOCX) and the XLSX exports of reviews, decisions
and endorsements. Cells from people's input are written as text when they could run as formulas.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from bot.content import Forum
from bot.i18n import Translator
from bot.services import export_cells
from bot.services.endorsement import counts_text, group_lines, tally
from bot.services.proposals import status_label
from bot.services.resolution import VOTE_ORDER, ResolutionContent
from bot.services.results import group_label
from storage.endorsements import Recommendation, Vote
from storage.proposals import Proposal
from storage.reviews import Decision, Review


def _sheet(book: Any, title: str, header: list[str], rows: list[list[Any]]) -> None:
    from openpyxl.styles import Font

    sheet = book.create_sheet(title[:31])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append([None if v is None else v for v in values])
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 18
    sheet.freeze_panes = "A2"


def _book_bytes(book: Any) -> bytes:
    if "Sheet" in book.sheetnames and len(book.sheetnames) > 1:
        del book["Sheet"]
    # Text from people that starts like a formula stays text (bot/services/export_cells.py).
    return export_cells.xlsx_bytes(book)


def reviews_xlsx(
    tr: Translator,
    forum: Forum,
    proposals: dict[int, Proposal],
    reviews: Sequence[Review],
    names: dict[int, str] | None,
) -> bytes:
    """One row per review and criterion; reviewers are "Reviewer 1" unless ``names`` is given."""
    from openpyxl import Workbook

    phase = forum.review
    criteria = phase.criteria if phase else ()
    numbers: dict[int, int] = {}
    rows = []
    for r in reviews:
        p = proposals.get(r.proposal_id)
        if p is None:
            continue
        number = numbers.setdefault(r.reviewer_id, len(numbers) + 1)
        who = (names or {}).get(r.reviewer_id) if names is not None else None
        reviewer = who or tr._("Reviewer {n}").format(n=number)
        for c in criteria:
            rows.append(
                [
                    p.reference,
                    p.title,
                    reviewer,
                    r.round,
                    c.title.get(tr.language),
                    c.weight,
                    r.scores.get(c.id),
                    r.comment,
                    r.author_comment,
                    tr._("yes") if r.reveals_authors else "",
                    export_cells.moment_cell(tr, r.submitted_at),
                ]
            )
    header = [
        tr._("Reference"),
        tr._("Title"),
        tr._("Reviewer"),
        tr._("Version"),
        tr._("Criterion"),
        tr._("Weight"),
        tr._("Score"),
        tr._("Comment for the organizers"),
        tr._("Comment for the authors"),
        tr._("Reveals its authors"),
        tr.pgettext("date column", "Submitted"),
    ]
    book = Workbook()
    _sheet(book, tr._("Reviews"), header, rows)
    return _book_bytes(book)


def decisions_xlsx(
    tr: Translator, proposals: dict[int, Proposal], decisions: Sequence[Decision]
) -> bytes:
    """One row per decision: proposal, decision, message, released or pending."""
    from openpyxl import Workbook

    labels = decision_states(tr)
    rows = []
    for d in decisions:
        p = proposals.get(d.proposal_id)
        if p is None:
            continue
        rows.append(
            [
                p.reference,
                p.title,
                p.org_name,
                labels[d.decision],
                d.message,
                export_cells.moment_cell(tr, d.released_at) or tr._("pending release"),
                status_label(tr, p.status),
            ]
        )
    header = [
        tr._("Reference"),
        tr._("Title"),
        tr._("Organization"),
        tr._("Decision"),
        tr._("Message"),
        tr._("Released"),
        tr._("Status"),
    ]
    book = Workbook()
    _sheet(book, tr._("Decisions"), header, rows)
    return _book_bytes(book)


def endorsements_xlsx(
    tr: Translator, recs: Sequence[Recommendation], votes: list[Vote], threshold: int
) -> bytes:
    """Per recommendation: totals, and per stakeholder group (small groups hidden)."""
    from openpyxl import Workbook

    tallies = tally(votes)
    rows: list[list[Any]] = []
    for number, rec in enumerate(recs, 1):
        t = tallies.get(rec.id)
        total = t.total if t else {}
        rows.append(
            [
                number,
                rec.text_in(tr.language),
                tr._("Everyone"),
                *(total.get(v, 0) for v in VOTE_ORDER),
            ]
        )
        if t is None:
            continue
        hidden_groups = t.hidden_groups(threshold)
        for group in sorted(t.groups, key=lambda g: (g is None, g or "")):
            counts = t.groups[group]
            if group in hidden_groups:
                hidden = tr._("fewer than {n}").format(n=threshold)
                rows.append([number, "", group_label(tr, group), hidden, hidden, hidden])
            else:
                rows.append([number, "", group_label(tr, group), *(counts[v] for v in VOTE_ORDER)])
    header = [
        tr._("Number"),
        tr._("Recommendation"),
        tr._("Stakeholder group"),
        tr._("Support"),
        tr._("Object"),
        tr._("Abstain"),
    ]
    book = Workbook()
    _sheet(book, tr._("Endorsements"), header, rows)
    return _book_bytes(book)


def decision_labels(tr: Translator) -> dict[str, str]:
    """The decisions in ``tr``'s language: the board's three and /proposals' "under review"."""
    return {
        "accept": tr._("✅ Accept"),
        "reject": tr._("❌ Reject"),
        "revise": tr._("✏️ Revisions requested"),
        "review": status_label(tr, "under_review"),
    }


def decision_states(tr: Translator) -> dict[str, str]:
    """The same decisions as states ("Pending release: ✅ Accepted", an export's cell): the
    buttons above are verbs in Kazakh and Russian («Принять»), a state is not («Принято»)."""
    return {
        "accept": status_label(tr, "accepted"),
        "reject": status_label(tr, "rejected"),
        "revise": tr.pgettext("decision as a state", "✏️ Revisions requested"),
        "review": status_label(tr, "under_review"),
    }


def resolution_docx(content: ResolutionContent) -> bytes:
    """The resolution the organizing group sends on, as DOCX: the forum, its numbers, and each
    recommendation with its endorsement (in all and by group) and the proposals behind it."""
    from docx import Document

    doc = Document()
    doc.add_heading(content.title, level=0)
    doc.add_paragraph(content.forum_name)
    doc.add_paragraph(content.prepared)
    doc.add_heading(content.numbers_heading, level=1)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in content.numbers:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    doc.add_heading(content.recommendations_heading, level=1)
    for rec in content.recommendations:
        doc.add_heading(rec.heading, level=2)
        doc.add_paragraph(rec.text)
        grid = doc.add_table(rows=0, cols=4)
        grid.style = "Table Grid"
        for row in (content.table_header, *rec.rows):
            for cell, text in zip(grid.add_row().cells, row, strict=True):
                cell.text = text
        if rec.proposals:
            doc.add_paragraph(content.proposals_label)
            for line in rec.proposals:
                doc.add_paragraph(line, style="List Bullet")
        if rec.questions:
            doc.add_paragraph(content.questions_label)
            for q in rec.questions:
                doc.add_paragraph(q, style="List Bullet")
    if content.dialogue:
        doc.add_heading(content.dialogue_heading, level=1)
    for session in content.dialogue:
        doc.add_heading(session.heading, level=2)
        doc.add_paragraph(session.summary)
        for q in session.questions:
            doc.add_paragraph(q, style="List Bullet")
        for poll in session.polls:
            doc.add_paragraph(poll.question).runs[0].bold = True
            grid = doc.add_table(rows=0, cols=3)
            grid.style = "Table Grid"
            for poll_row in (content.poll_header, *poll.rows):
                for cell, text in zip(grid.add_row().cells, poll_row, strict=True):
                    cell.text = text
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


__all__ = [
    "counts_text",
    "decision_labels",
    "decision_states",
    "decisions_xlsx",
    "endorsements_xlsx",
    "group_lines",
    "resolution_docx",
    "reviews_xlsx",
]
