"""Proposals storage and exports: drafts, references, decisions, /deleteme, XLSX and DOCX."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from openpyxl import load_workbook

from bot.content import load_content
from bot.i18n import I18n
from bot.resources import sample_content_path
from bot.services.proposal_exports import outcome_report_docx, proposals_xlsx
from storage.broadcasts import BroadcastsRepo
from storage.db import Database
from storage.dialogs import DialogsRepo
from storage.proposals import Draft, Proposal, ProposalsRepo
from storage.reviews import ReviewsRepo
from storage.surveys import SurveysRepo
from storage.users import UsersRepo


async def release(db: Database, now: datetime) -> list[Proposal]:
    """What "Release decisions" applies (bot/services/board_release.py), without its notices:
    every pending decision, in one transaction; the proposals as they are after it."""
    reviews = ReviewsRepo(db)
    async with db.transaction():
        pending = await reviews.pending()
        await reviews.mark_released(pending, now)
    repo = ProposalsRepo(db)
    return [p for d in pending if (p := await repo.get(d.proposal_id)) is not None]


NOW = datetime(2018, 11, 14, 4, 0, tzinfo=UTC)


@pytest.fixture
async def database(tmp_path: Path):
    db = Database(tmp_path / "forum.db")
    await db.open()
    users = UsersRepo(db)
    for uid in (1, 2, 3):
        await users.upsert_seen(
            uid, first_name=f"U{uid}", last_name=None, username=None, language_code="ru", now=NOW
        )
    yield db
    await db.close()


def answers(**extra) -> dict:
    data = {
        "consent_version": "2018-11-v1",
        "consent_at": NOW.isoformat(),
        "org_name": "Eco Almaty",
        "org_type": "association",
        "bin": "940740000911",
        "region": "almaty_city",
        "contact_person": "Aigul Nurlanova",
        "phone": "+77011234567",
        "email": "aigul@eco.kz",
        "topic": "sdg",
        "sdgs": [11, 4],
        "title": "Green schools",
        "summary": "Solar panels on school roofs.",
        "support": "Grant",
        "attachment": {"file_id": "FILE1", "name": "plan.pdf", "size": 2048},
    }
    data.update(extra)
    return data


async def test_drafts_survive_and_submit_takes_them(database: Database) -> None:
    repo = ProposalsRepo(database)
    await repo.save_draft(Draft(1, "title", {"org_name": "Ақ жол"}, editing=True), NOW)
    draft = await repo.get_draft(1)
    assert draft == Draft(1, "title", {"org_name": "Ақ жол"}, True)
    proposal = await repo.submit(1, "kk", answers(), NOW)
    assert proposal.reference == "P-0001"
    assert proposal.sdgs == (4, 11)
    assert proposal.status == "submitted"
    assert await repo.get_draft(1) is None


async def test_references_are_never_reused(database: Database) -> None:
    repo = ProposalsRepo(database)
    first = await repo.submit(1, "ru", answers(), NOW)
    second = await repo.submit(2, "ru", answers(), NOW)
    async with database.transaction() as conn:
        await conn.execute("DELETE FROM proposals WHERE id = ?", (second.id,))
    third = await repo.submit(3, "ru", answers(), NOW)
    assert [first.reference, second.reference, third.reference] == ["P-0001", "P-0002", "P-0003"]


async def test_deleteme_drops_drafts_and_personal_fields_but_keeps_the_proposal(
    database: Database,
) -> None:
    repo = ProposalsRepo(database)
    kept = await repo.submit(1, "ru", answers(), NOW)
    await repo.save_draft(Draft(1, "title", {"org_name": "Second"}), NOW)
    other = await repo.submit(2, "ru", answers(), NOW)
    await UsersRepo(database).delete(1)
    assert await repo.get_draft(1) is None
    after = await repo.get(kept.id)
    assert after is not None
    assert (after.user_id, after.contact_person, after.phone, after.email) == (
        None,
        None,
        None,
        None,
    )
    assert (after.org_name, after.title, after.summary, after.bin) == (
        "Eco Almaty",
        "Green schools",
        "Solar panels on school roofs.",
        "940740000911",
    )
    assert after.sdgs == (4, 11)
    # The attachment (it can hold personal data) and the consent time go too.
    assert (after.attachment_id, after.attachment_name, after.attachment_size) == (None,) * 3
    assert after.consent_at == ""
    untouched = await repo.get(other.id)
    assert untouched is not None
    assert untouched.phone == "+77011234567"
    assert untouched.attachment_id == "FILE1"
    assert untouched.consent_at == NOW.isoformat()


async def test_decisions_stay_pending_until_released(database: Database) -> None:
    repo = ProposalsRepo(database)
    a = await repo.submit(1, "ru", answers(), NOW)
    b = await repo.submit(2, "kk", answers(topic="partnership", sdgs=[17]), NOW)
    await repo.set_pending(a.id, "accepted", NOW)
    await repo.set_pending_comment(a.id, "Well done", NOW)
    await repo.set_pending(b.id, "rejected", NOW)
    assert await repo.count_pending() == 2
    assert (await repo.get(a.id)).status == "submitted"
    # The submitter may still withdraw: the pending decision goes with it.
    assert await repo.withdraw(b.id, 2, NOW)
    assert await repo.count_pending() == 1
    released = await release(repo.db, NOW + timedelta(hours=1))
    assert [(p.reference, p.status, p.comment) for p in released] == [
        ("P-0001", "accepted", "Well done")
    ]
    assert await repo.count_pending() == 0
    assert not await repo.withdraw(a.id, 1, NOW)  # no longer only submitted
    assert not await repo.withdraw(a.id, 2, NOW)  # and never someone else's


async def test_search_filters_and_pages(database: Database) -> None:
    repo = ProposalsRepo(database)
    for i in range(12):
        await repo.submit(
            1, "ru", answers(topic="sdg" if i % 2 else "partnership", sdgs=[i % 3 + 1]), NOW
        )
    page, total = await repo.search(limit=5)
    assert total == 12
    assert [p.id for p in page] == [12, 11, 10, 9, 8]
    page, total = await repo.search(limit=5, offset=10)
    assert [p.id for p in page] == [2, 1]
    _, total = await repo.search(topic="sdg")
    assert total == 6
    page, total = await repo.search(topic="sdg", sdg=2, limit=20)
    assert total == 2
    assert all(p.topic == "sdg" and 2 in p.sdgs for p in page)
    await repo.set_pending(1, "accepted", NOW)
    await release(repo.db, NOW)
    _, total = await repo.search(status="accepted")
    assert total == 1


async def test_exports_read_back(database: Database) -> None:
    repo = ProposalsRepo(database)
    content = load_content(sample_content_path())
    tr = I18n(ZoneInfo("Asia/Almaty"), "ru").get("ru")
    a = await repo.submit(1, "ru", answers(), NOW)
    b = await repo.submit(
        2,
        "kk",
        answers(
            title="Волонтёры",
            topic="volunteering",
            sdgs=[4],
            org_type="initiative",
            bin=None,
            phone=None,
            attachment=None,
        ),
        NOW,
    )
    await repo.submit(3, "en", answers(title="Not this one"), NOW)
    await repo.set_pending(a.id, "accepted", NOW)
    await repo.set_pending(b.id, "accepted", NOW)
    await release(repo.db, NOW)
    proposals = await repo.all()

    book = load_workbook(io.BytesIO(proposals_xlsx(tr, content, proposals)))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("Номер", "Статус", "Решение ожидает объявления", "Подано")
    assert len(rows) == 4
    first = dict(zip(header, rows[1], strict=False))
    assert first["Номер"] == "P-0001"
    assert first["Статус"] == "Принято"
    assert first["Организация"] == "Eco Almaty"
    assert first["БИН"] == "940740000911"
    assert first["Регион"] == "Алматы"
    assert first["Телефон"] == "+77011234567"
    assert "ЦУР 4. Качественное образование" in first["ЦУР"]
    assert first["Подано"] == datetime(2018, 11, 14, 10, 0)  # forum time
    assert dict(zip(header, rows[3], strict=False))["Статус"] == "Подано"

    document = Document(io.BytesIO(outcome_report_docx(tr, content, proposals, NOW)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Рассмотрено предложений: 3; принято: 2." in text
    assert "ЦУР 4. Качественное образование — 2 предложения" in text
    assert "ЦУР 11. Устойчивые города и населённые пункты — 1 предложение" in text
    assert "P-0001. Green schools" in text
    assert "P-0002. Волонтёры" in text
    assert "Not this one" not in text
    table = document.tables[0]
    assert [c.text for c in table.rows[1].cells] == ["ЦУР 4. Качественное образование", "2"]


async def test_a_dialog_row_of_any_kind_is_seen_in_one_query(database: Database) -> None:
    dialogs = DialogsRepo(database)
    assert not await dialogs.any_open(1)
    await ProposalsRepo(database).save_draft(Draft(1, "consent", {}), NOW)
    assert await dialogs.any_open(1)
    assert not await dialogs.any_open(2)
    await BroadcastsRepo(database).create(2, NOW)
    assert await dialogs.any_open(2)
    # A survey question or a rating waiting for its text is a dialog too.
    assert not await dialogs.any_open(3)
    await SurveysRepo(database).set_cursor(3, "survey", "feedback", "q1", 10, NOW)
    assert await dialogs.any_open(3)
