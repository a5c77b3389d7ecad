"""The board's files: the forum's resolution (DOCX) and the XLSX exports of reviews, decisions
and endorsements. Cells from people's input are written as text when they could run as formulas.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.content import Forum
from bot.i18n import Translator
from bot.services import export_cells
from bot.services.endorsement import counts_text, group_lines, tally
from bot.services.proposal_exports import local_moment
from bot.services.proposals import status_label, topic_name
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
                    local_moment(tr, r.submitted_at),
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

    labels = decision_labels(tr)
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
                local_moment(tr, d.released_at) or tr._("pending release"),
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
        for group in sorted(t.groups, key=lambda g: (g is None, g or "")):
            counts = t.groups[group]
            if sum(counts.values()) < threshold:
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


VOTE_ORDER = ("support", "object", "abstain")


def decision_labels(tr: Translator) -> dict[str, str]:
    """The decisions in ``tr``'s language: the board's three and /proposals' "under review"."""
    return {
        "accept": tr._("✅ Accept"),
        "reject": tr._("❌ Reject"),
        "revise": tr._("✏️ Revisions requested"),
        "review": status_label(tr, "under_review"),
    }


def resolution_docx(
    tr: Translator,
    forum: Forum,
    *,
    participants: int,
    proposals: Sequence[Proposal],
    recs: Sequence[Recommendation],
    votes: list[Vote],
    threshold: int,
    now: datetime,
) -> bytes:
    """The resolution the organizing group sends on: the forum, its numbers, and each
    recommendation with its endorsement (in all and by group) and the proposals behind it."""
    from docx import Document

    by_id = {p.id: p for p in proposals}
    received = [p for p in proposals if p.status != "withdrawn"]
    accepted = [p for p in proposals if p.status == "accepted"]
    tallies = tally(votes)
    doc = Document()
    doc.add_heading(tr._("Resolution of the forum"), level=0)
    meta = forum.forum
    doc.add_paragraph(meta.name.get(tr.language))
    doc.add_paragraph(tr._("Prepared on {date}.").format(date=tr.date(now)))
    doc.add_heading(tr._("The forum in numbers"), level=1)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in (
        (tr._("Participants"), participants),
        (tr._("Proposals received"), len(received)),
        (tr._("Proposals accepted"), len(accepted)),
        (tr._("Recommendations"), len(recs)),
    ):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, str(value)
    doc.add_heading(tr._("Recommendations"), level=1)
    for number, rec in enumerate(recs, 1):
        doc.add_heading(f"{number}. {topic_name(tr, forum, rec.topic)}", level=2)
        doc.add_paragraph(rec.text_in(tr.language))
        t = tallies.get(rec.id)
        counts = t.total if t else {}
        grid = doc.add_table(rows=1, cols=4)
        grid.style = "Table Grid"
        head = grid.rows[0].cells
        head[0].text = tr._("Stakeholder group")
        head[1].text, head[2].text, head[3].text = tr._("Support"), tr._("Object"), tr._("Abstain")
        row = grid.add_row().cells
        row[0].text = tr._("Everyone")
        for i, v in enumerate(VOTE_ORDER, 1):
            row[i].text = str(counts.get(v, 0))
        if t is not None:
            for group in sorted(t.groups, key=lambda g: (g is None, g or "")):
                g_counts = t.groups[group]
                cells = grid.add_row().cells
                cells[0].text = group_label(tr, group)
                small = sum(g_counts.values()) < threshold
                for i, v in enumerate(VOTE_ORDER, 1):
                    cells[i].text = (
                        tr._("fewer than {n}").format(n=threshold) if small else str(g_counts[v])
                    )
        behind = [by_id[i] for i in rec.proposal_ids if i in by_id]
        if behind:
            doc.add_paragraph(tr._("Proposals behind it:"))
            for p in behind:
                doc.add_paragraph(f"{p.reference} — {p.org_name}", style="List Bullet")
        if rec.questions:
            doc.add_paragraph(tr._("Questions from the live Q&A:"))
            for q in rec.questions:
                doc.add_paragraph(q, style="List Bullet")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


__all__ = [
    "counts_text",
    "decision_labels",
    "decisions_xlsx",
    "endorsements_xlsx",
    "group_lines",
    "resolution_docx",
    "reviews_xlsx",
]
