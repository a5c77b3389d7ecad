"""Results: numbers in the summary, the XLSX read back, valid PNG charts, CSV and free text."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.app import build_services
from bot.clock import Clock
from bot.context import Services
from bot.services import results
from bot.services.surveys import SurveyFlow
from bot.settings import Settings

ALMATY = ZoneInfo("Asia/Almaty")
DURING = datetime(2018, 11, 14, 17, 0, tzinfo=ALMATY)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# (user id, stakeholder, overall 1-5, sector option index, theme option indexes, scale, text)
PEOPLE = [
    (501, "ngo", 5, 0, [0, 2], 10, "More workshops"),
    (502, "ngo", 4, 0, [2], 8, None),
    (503, "government", 3, 1, [1, 2, 3], 6, "Shorter speeches"),
    (504, None, 4, 6, [5], 9, None),
]


async def answer_all(services: Services, user_id: int, person: tuple) -> None:
    """Answer the feedback survey as the flow does, question by question."""
    _, _, overall, sector, themes, scale, text = person
    tr = services.i18n.get("en")
    flow = SurveyFlow(services)
    survey = services.content.survey("feedback")
    assert survey is not None

    async def at(question_id: str) -> None:
        await flow.set_cursor(user_id, "survey", "feedback", question_id, None)

    await at("overall")
    await flow.press(tr, user_id, "a", ("feedback", "0", str(overall)))
    await at("sector")
    await flow.press(tr, user_id, "a", ("feedback", "1", str(sector)))
    await at("themes")
    for index in themes:
        await flow.press(tr, user_id, "a", ("feedback", "2", str(index)))
    await flow.press(tr, user_id, "d", ("feedback", "2"))
    await at("next_forum")
    await flow.press(tr, user_id, "a", ("feedback", "3", str(scale)))
    await at("improve")
    if text is None:
        await flow.press(tr, user_id, "k", ("feedback", "4"))
    else:
        await flow.text(tr, user_id, text)


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    settings = Settings(bot_token="123:TEST", database_path=tmp_path / "forum.db")
    built = build_services(settings, Clock(DURING, frozen=True))
    await built.db.open()
    for person in PEOPLE:
        user_id, group = person[0], person[1]
        await built.repos.users.upsert_seen(
            user_id,
            first_name=f"P{user_id}",
            last_name=None,
            username=None,
            language_code="ru",
            now=DURING,
        )
        if group:
            await built.repos.users.set_stakeholder(user_id, group)
        await answer_all(built, user_id, person)
    # A fifth person only starts (one answer): counted as a response, not complete.
    await built.repos.users.upsert_seen(
        599, first_name="Late", last_name=None, username=None, language_code="en", now=DURING
    )
    flow = SurveyFlow(built)
    await flow.set_cursor(599, "survey", "feedback", "overall", None)
    await flow.press(built.i18n.get("en"), 599, "a", ("feedback", "0", "2"))
    yield built
    await built.db.close()


async def test_summary_numbers(services: Services) -> None:
    survey = services.content.survey("feedback")
    assert survey is not None
    rows = results.final_rows(await services.repos.surveys.export("feedback"))
    assert len(rows) == 5
    tr = services.i18n.get("en")
    text = results.summary_text(tr, survey, rows)
    assert "5 responses, 4 complete" in text
    # overall: 5, 4, 3, 4, 2 -> mean 3.6, median 4
    assert "Average 3.6 of 5 (median 4); 5 answers" in text
    assert "Non-governmental organization: 2 (50%)" in text
    assert "Partnership between government bodies and NGOs: 3 (75%)" in text
    assert "2 skipped" in text  # two people skipped the optional text
    stats = results.question_stats(survey.question("next_forum"), rows)
    assert stats.mean == pytest.approx(8.25)
    assert stats.counts["10"] == 1
    breakdown = results.breakdown_text(tr, survey, rows, min_group=2)
    assert "NGO / civil society: 2 responses" in breakdown
    assert "overall 4.5" in breakdown
    # One person: no count, no average of their own; and since the 5 responses minus NGO's 2
    # and "not specified"'s 2 would give that one person's, the smaller of the two (by name on a
    # tie) is hidden with them.
    assert "• Government body: fewer than 2 responses" in breakdown.splitlines()
    assert "• Not specified: fewer than 2 responses" in breakdown.splitlines()
    ru = results.summary_text(services.i18n.get("ru"), survey, rows)
    assert "5 ответов, 4 завершённых" in ru
    assert "В среднем 3,6 из 5" in ru


async def test_xlsx_csv_and_free_text(services: Services) -> None:
    survey = services.content.survey("feedback")
    assert survey is not None
    rows = results.final_rows(await services.repos.surveys.export("feedback"))
    tr = services.i18n.get("ru")
    book = load_workbook(io.BytesIO(results.xlsx_bytes(tr, survey, rows, min_group=1)))
    assert book.sheetnames == ["Ответы", "Сводка", "Свободные ответы"]
    raw = list(book["Ответы"].iter_rows(values_only=True))
    assert raw[0][:4] == ("Респондент", "Группа участников", "Язык", "Завершён")
    assert "Как вы в целом оцениваете форум?" in raw[0]
    assert len(raw) == 6
    # Anonymous responses have random ids: find the first person's row by their answer.
    (first,) = [line for line in raw[1:] if line[8] == "More workshops"]
    assert first[1] == tr._("NGO / civil society")  # the group, localized
    assert first[4] == 5  # overall as a number
    assert first[5] == "Неправительственная организация"
    assert "Партнёрство государственных органов и НПО" in first[6]
    assert first[8] == "More workshops"
    # Anonymous: no user id or name anywhere in the workbook.
    cells = {str(c) for sheet in book for line in sheet.iter_rows(values_only=True) for c in line}
    # (Whole numbers only: a random hex respondent token may contain "501" by chance.)
    ids = [re.compile(rf"\b{person[0]}\b") for person in PEOPLE]
    assert not any(pattern.search(c) for c in cells for pattern in ids)
    summary = list(book["Сводка"].iter_rows(values_only=True))
    assert ("Как вы в целом оцениваете форум?", "Среднее", 3.6, None) in summary
    themes = "Какие темы оказались для вас самыми полезными?"
    partnership = "Партнёрство государственных органов и НПО"
    assert (themes, partnership, 3, 0.75) in summary
    texts = list(book["Свободные ответы"].iter_rows(values_only=True))
    assert {t[2] for t in texts[1:]} == {"More workshops", "Shorter speeches"}

    table = list(csv.reader(io.StringIO(results.csv_bytes(tr, survey, rows).decode("utf-8-sig"))))
    assert len(table) == 6
    assert table[0][0] == "Респондент"
    # Default ANONYMITY_MIN_GROUP 5: no group (2, 1, 2 people) or language (4, 1) is named.
    assert {line[1] for line in table[1:]} == {"менее 5 ответов"}
    assert {line[2] for line in table[1:]} == {"менее 5 ответов"}
    free = results.free_text(tr, survey, rows)
    assert free is not None
    assert "— More workshops" in free
    assert "— Shorter speeches" in free


async def test_charts_are_valid_png(services: Services) -> None:
    survey = services.content.survey("feedback")
    assert survey is not None
    rows = results.final_rows(await services.repos.surveys.export("feedback"))
    made = results.charts(services.i18n.get("kk"), survey, rows)
    assert [q.id for q, _ in made] == ["overall", "sector", "themes", "next_forum"]
    for _, png in made:
        assert png.startswith(PNG_SIGNATURE)
        with Image.open(io.BytesIO(png)) as image:
            image.verify()
        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG"
            assert image.width >= 900


async def test_named_survey_export_has_names(services: Services) -> None:
    tr = services.i18n.get("en")
    flow = SurveyFlow(services)
    survey = services.content.survey("councils_followup")
    assert survey is not None
    await flow.set_cursor(501, "survey", survey.id, "useful", None)
    await flow.press(tr, 501, "a", (survey.id, "0", "4"))
    rows = results.final_rows(await services.repos.surveys.export(survey.id))
    table = results.raw_table(tr, survey, rows)
    assert table[0][1:4] == ["User id", "Name", "Username"]
    assert table[1][1:3] == [501, "P501"]


def test_split_message_keeps_lines_and_limit() -> None:
    text = "\n".join(f"line {i} " + "x" * 50 for i in range(200))
    chunks = results.split_message(text, 1000)
    assert all(len(c) <= 1000 for c in chunks)
    assert "\n".join(chunks) == text
