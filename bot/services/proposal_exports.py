"""Exports of proposals: an XLSX of everything and the outcome report (DOCX)."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from bot.content import Forum
from bot.i18n import N_, Translator, pN_
from bot.sdg import sdg_label
from bot.services import export_cells
from bot.services.proposals import (
    ORG_TYPES,
    STATUS_LABELS,
    file_size,
    region_name,
    topic_name,
)
from storage.proposals import Proposal

XLSX_COLUMNS: tuple[tuple[str, str], ...] = (
    ("reference", N_("Reference")),
    ("status", N_("Status")),
    ("pending", N_("Decision pending release")),
    ("submitted_at", pN_("date column", "Submitted")),
    ("updated_at", pN_("date column", "Updated")),
    ("decided_at", pN_("date column", "Decided")),
    ("language", N_("Language")),
    ("org_name", N_("Organization")),
    ("org_type", N_("Type")),
    ("bin", N_("BIN")),
    ("region", N_("Region")),
    ("contact_person", N_("Contact person")),
    ("phone", N_("Phone")),
    ("email", N_("E-mail")),
    ("topic", N_("Topic")),
    ("sdgs", N_("SDGs")),
    ("title", N_("Title")),
    ("summary", pN_("proposal field", "Summary")),
    ("support", N_("Support requested")),
    ("attachment", N_("Attachment")),
    ("comment", N_("Comment to the submitter")),
    ("consent", N_("Consent to data processing")),
)


def _row(tr: Translator, content: Forum, p: Proposal) -> list[object]:
    # The consent's version and when it was given, in forum time as the date columns read.
    consent_at = export_cells.moment_cell(tr, p.consent_at)
    consent = f"{p.consent_version}, {consent_at:%Y-%m-%d %H:%M}" if consent_at else ""
    values: dict[str, object] = {
        "reference": p.reference,
        "status": tr._(STATUS_LABELS[p.status]),
        "pending": tr._(STATUS_LABELS[p.pending_status]) if p.pending_status else "",
        "submitted_at": export_cells.moment_cell(tr, p.submitted_at),
        "updated_at": export_cells.moment_cell(tr, p.updated_at),
        "decided_at": export_cells.moment_cell(tr, p.decided_at),
        "language": p.language,
        "org_name": p.org_name,
        "org_type": tr._(ORG_TYPES[p.org_type]) if p.org_type in ORG_TYPES else p.org_type,
        "bin": p.bin or "",
        "region": region_name(tr, p.region),
        "contact_person": p.contact_person or "",
        "phone": p.phone or "",
        "email": p.email or "",
        "topic": topic_name(tr, content, p.topic),
        "sdgs": "; ".join(sdg_label(tr, g) for g in p.sdgs),
        "title": p.title,
        "summary": p.summary,
        "support": p.support,
        "attachment": (
            f"{p.attachment_name} ({file_size(tr, p.attachment_size)})" if p.attachment_id else ""
        ),
        "comment": p.comment or p.pending_comment or "",
        "consent": consent or p.consent_version,
    }
    return [values[key] for key, _ in XLSX_COLUMNS]


def proposals_xlsx(tr: Translator, content: Forum, proposals: Sequence[Proposal]) -> bytes:
    """Every proposal as one row: every field, status and dates; headers in ``tr``'s language."""
    from openpyxl import Workbook  # imported on use: heavy, and only exports need it
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = tr._("Proposals")[:31]
    sheet.append([tr._(label) for _, label in XLSX_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for proposal in proposals:
        sheet.append(_row(tr, content, proposal))
    wide = {"org_name": 30, "title": 40, "summary": 60, "support": 40, "sdgs": 40, "topic": 30}
    for index, (key, _) in enumerate(XLSX_COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = wide.get(key, 16)
        if key.endswith("_at"):
            for cell in sheet[letter][1:]:
                cell.number_format = "yyyy-mm-dd hh:mm"
        if key in ("summary", "support"):
            for cell in sheet[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    return export_cells.xlsx_bytes(book)


def outcome_report_docx(
    tr: Translator, content: Forum, proposals: Sequence[Proposal], now: datetime
) -> bytes:
    """The accepted proposals grouped by SDG, then by topic, with counts, in ``tr``'s language.

    A proposal serving several goals is listed under each of them.
    """
    from docx import Document  # imported on use: heavy, and only exports need it

    accepted = [p for p in proposals if p.status == "accepted"]
    considered = [p for p in proposals if p.status != "withdrawn"]
    document = Document()
    document.add_heading(tr._("Proposals of civil society: outcome report"), level=0)
    document.add_paragraph(content.forum.name.get(tr.language))
    document.add_paragraph(tr._("Prepared on {date}.").format(date=tr.date(now)))
    document.add_paragraph(
        tr.ngettext(
            "{accepted} proposal accepted out of {total} considered.",
            "{accepted} proposals accepted out of {total} considered.",
            len(accepted),
        ).format(accepted=len(accepted), total=len(considered))
    )
    if not accepted:
        document.add_paragraph(tr._("No proposal has been accepted yet."))

    by_goal: dict[int, list[Proposal]] = defaultdict(list)
    for proposal in accepted:
        for goal in proposal.sdgs:
            by_goal[goal].append(proposal)

    if accepted:
        document.add_heading(tr._("Summary by goal"), level=1)
        table = document.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        table.rows[0].cells[0].text = tr._("Sustainable Development Goal")
        table.rows[0].cells[1].text = tr._("Accepted proposals")
        for goal in sorted(by_goal):
            cells = table.add_row().cells
            cells[0].text = sdg_label(tr, goal)
            cells[1].text = str(len(by_goal[goal]))

    for goal in sorted(by_goal):
        items = by_goal[goal]
        document.add_heading(
            sdg_label(tr, goal)
            + " — "
            + tr.ngettext("{n} proposal", "{n} proposals", len(items)).format(n=len(items)),
            level=1,
        )
        by_topic: dict[str, list[Proposal]] = defaultdict(list)
        for proposal in items:
            by_topic[proposal.topic].append(proposal)
        for topic in sorted(by_topic, key=lambda t: topic_name(tr, content, t)):
            group = by_topic[topic]
            document.add_heading(
                topic_name(tr, content, topic)
                + " — "
                + tr.ngettext("{n} proposal", "{n} proposals", len(group)).format(n=len(group)),
                level=2,
            )
            for proposal in group:
                document.add_heading(f"{proposal.reference}. {proposal.title}", level=3)
                org = proposal.org_name
                if proposal.org_type in ORG_TYPES:
                    org += f" ({tr._(ORG_TYPES[proposal.org_type])})"
                document.add_paragraph(
                    tr._("Organization: {org}; region: {region}.").format(
                        org=org, region=region_name(tr, proposal.region)
                    )
                )
                document.add_paragraph(proposal.summary)
                support = document.add_paragraph()
                support.add_run(tr._("Support requested:") + " ").bold = True
                support.add_run(proposal.support)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
