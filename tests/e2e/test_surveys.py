"""Surveys, session ratings and results through the sandbox: what a person and an organizer see.

The bot's clock is frozen on the forum day at 17:00, when the sample forum's feedback survey
(every question type, anonymous) and the public councils follow-up (named) are open.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.clock import Clock
from bot.sandbox import SandboxServer
from bot.sandbox.harness import BotProcess, SandboxUser, sandbox_settings
from bot.services.surveys import SurveyFlow

ALMATY = ZoneInfo("Asia/Almaty")
DURING = datetime(2018, 11, 14, 17, 0, tzinfo=ALMATY)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def tiny_png() -> bytes:
    """A real 8x8 picture to send where an answer is expected."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def clock() -> Clock:
    """Frozen on the forum day at 17:00."""
    return Clock(DURING, frozen=True)


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path) -> Any:
    """The harness's settings with a flood limit a test that presses fast stays under."""
    return sandbox_settings(sandbox, tmp_path / "bot.db", flood_limit=500)


def services_of(bot_app: Any) -> Any:
    return bot_app.bot_data["services"]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_a_person_answers_every_question_type_with_wrong_input_at_each_step(
    bot_app: Any, make_user: Callable[..., SandboxUser], lang: str
) -> None:
    services = services_of(bot_app)
    t = services.i18n.get(lang)
    survey = services.content.survey("feedback")
    q = {question.id: question.text.get(lang) for question in survey.questions}
    option = {
        (question.id, o.id): o.text.get(lang)
        for question in survey.questions
        for o in question.options
    }
    buttons_hint = t._("Please answer with the buttons under the question.")
    other_question = t._("This button is not for the current question. Here it is again:")
    user = make_user(lang=lang)

    await user.command("/surveys")
    listing = await user.expect(survey.title.get(lang))
    assert t._("Open surveys:") in listing.text
    await user.press(survey.title.get(lang))
    await user.expect(survey.intro.get(lang))
    await user.expect(q["overall"])

    # 1. rating: text instead of a button, a forged value, then 4 stars.
    await user.send("five")
    await user.expect(buttons_hint)
    await user.expect(q["overall"])
    question = user.last_message
    assert question is not None
    await user.press_data(question, "sv:a:feedback:0:9")
    assert (await user.expect_answer())["text"] == other_question
    await user.expect(q["overall"])
    await user.press("4⭐")
    await user.expect(q["sector"])

    # 2. single choice: a photo instead of a button, a button of another survey, then NGO.
    await user.send_photo(tiny_png())
    await user.expect(buttons_hint)
    sector = await user.expect(q["sector"])
    await user.press_data(sector, "sv:a:councils_followup:0:5")
    assert (await user.expect_answer())["text"] == other_question
    await user.expect(q["sector"])
    await user.press(option[("sector", "ngo")])
    await user.expect(q["themes"])

    # 3. multiple choice: "Done" with nothing ticked, two options, Done; back; done again.
    await user.press(t._("✅ Done"))
    assert (await user.expect_answer())["text"] == t._("Choose at least one option.")
    await user.press(option[("themes", "sdg")])
    ticked = await user.expect(lambda m: "☑ " + option[("themes", "sdg")] in m.buttons)
    await user.press(option[("themes", "partnership")], message=ticked)
    await user.expect(lambda m: "☑ " + option[("themes", "partnership")] in m.buttons)
    await user.send("sdg")
    await user.expect(buttons_hint)
    await user.expect(q["themes"])
    await user.press(t._("✅ Done"))
    await user.expect(q["next_forum"])
    await user.press(t._("◀ Back"))
    back = await user.expect(lambda m: "☑ " + option[("themes", "sdg")] in m.buttons)
    assert q["themes"] in back.text
    await user.press(t._("✅ Done"))

    # 4. scale 0-10: a button of an earlier question, then 9.
    scale = await user.expect(q["next_forum"])
    assert [str(v) for v in range(11)] == scale.buttons[:11]
    await user.press_data(scale, "sv:a:feedback:1:2")
    assert (await user.expect_answer())["text"] == other_question
    await user.expect(q["next_forum"])
    await user.press("9")

    # 5. free text (optional, up to 1000 characters): too long, a photo, then the answer.
    await user.expect(q["improve"])
    await user.send("x" * 1001)
    await user.expect(t.number(1001))
    await user.expect(q["improve"])
    await user.send_photo(tiny_png())
    await user.expect(t._("Please answer with a text message."))
    await user.expect(q["improve"])
    await user.send("Больше времени на вопросы")
    summary = await user.expect(
        t._("Thank you! Your answers to “{survey}” are saved.").format(
            survey=survey.title.get(lang)
        )
    )
    assert "Больше времени на вопросы" in summary.text
    assert option[("themes", "sdg")] in summary.text
    # Anonymous and finished: unlinked, so no "change an answer" (the summary says why).
    assert summary.buttons == []
    assert "4⭐" not in summary.buttons

    # The list shows the survey as done; opening it again shows nothing of the answers.
    await user.command("/surveys")
    await user.expect(t._("✅ done"))
    await user.press(survey.title.get(lang))
    again = await user.expect(
        t._("You have completed the anonymous survey “{survey}”. Thank you!").format(
            survey=survey.title.get(lang)
        )
    )
    assert "Больше времени на вопросы" not in again.text
    # An old question's button changes nothing.
    await user.press_data(scale, "sv:a:feedback:3:2")
    await user.expect_answer()
    rows = await services.repos.surveys.export("feedback")
    assert len(rows) == 1
    assert rows[0].response.user_id is None
    assert rows[0].answers["overall"].value == 4
    assert rows[0].answers["next_forum"].value == 9
    assert rows[0].answers["themes"].value == ["sdg", "partnership"]


async def test_a_closed_survey_says_so(
    bot_app: Any, make_user: Callable[..., SandboxUser], clock: Clock
) -> None:
    services = services_of(bot_app)
    t = services.i18n.get("ru")
    survey = services.content.survey("councils_followup")
    user = make_user(lang="ru")
    await user.command("/start", "survey_councils_followup")
    first = await user.expect(survey.questions[0].text.get("ru"))
    clock.advance(timedelta(days=3))  # past 16 November 18:00
    closed = t._("The survey “{survey}” is closed. Thank you for your interest!").format(
        survey=survey.title.get("ru")
    )
    await user.press("5⭐", message=first)
    assert (await user.expect_answer())["text"] == closed
    await user.command("/start", "survey_councils_followup")
    await user.expect(closed)
    await user.command("/surveys")
    listing = await user.expect(t._("Open surveys:"))
    assert survey.title.get("ru") not in listing.text


async def test_session_rating_from_the_card_with_a_comment(
    bot_app: Any, make_user: Callable[..., SandboxUser], clock: Clock
) -> None:
    services = services_of(bot_app)
    clock.set(datetime(2018, 11, 14, 11, 0, tzinfo=ALMATY), frozen=True)  # during the opening
    t = services.i18n.get("en")
    user = make_user(lang="en")
    await user.command("/surveys")
    anchor = await user.expect(t._("There are no open surveys right now."))
    await user.press_data(anchor, "rate:open:public_councils")  # starts at 14:30
    assert (await user.expect_answer())["text"] == t._(
        "You can rate this session once it has started."
    )
    await user.press_data(anchor, "rate:open:nonexistent")
    assert (await user.expect_answer())["text"] == t._(
        "This session is no longer in the programme."
    )
    await user.press_data(anchor, "rate:open:opening")
    await user.expect("1 to 5")
    await user.press("4⭐")
    rated = await user.expect(lambda m: "✓ 4⭐" in m.buttons)
    assert "⭐⭐⭐⭐" in rated.text
    await user.press(t._("💬 Add a comment"))
    await user.expect("up to 1,000 characters")
    await user.send("Great panel, too short")
    await user.expect(t._("Thank you! Your comment is saved."))
    rating = await services.repos.ratings.get(user.id, "opening")
    assert (rating.stars, rating.comment) == (4, "Great panel, too short")


async def test_results_for_organizers_and_refusal_for_others(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    services = services_of(bot_app)
    en = services.i18n.get("en")
    flow = SurveyFlow(services)
    # Three answers recorded through the same flow the buttons use.
    for user_id, (overall, sector, text) in enumerate(
        [(5, 0, "More workshops"), (3, 1, None), (4, 0, "Coffee")], start=7001
    ):
        await services.repos.users.upsert_seen(
            user_id,
            first_name="P",
            last_name=None,
            username=None,
            language_code="en",
            now=DURING,
        )
        for index, action, value in [
            (0, "a", overall),
            (1, "a", sector),
            (2, "a", 2),
            (2, "d", None),
            (3, "a", 8),
        ]:
            question = services.content.survey("feedback").questions[index]
            await flow.set_cursor(user_id, "survey", "feedback", question.id, None)
            args = ("feedback", str(index)) + (() if value is None else (str(value),))
            await flow.press(en, user_id, action, args)
        await flow.set_cursor(user_id, "survey", "feedback", "improve", None)
        if text:
            await flow.text(en, user_id, text)
    await services.repos.ratings.rate(7001, "opening", 5, stakeholder=None, now=DURING)

    stranger = make_user(lang="en")
    await stranger.command("/results")
    refused = await stranger.expect(en._("This is only for the forum's organizers."))
    await stranger.press_data(refused, "res:s:feedback")
    assert (await stranger.expect_answer())["text"] == en._(
        "This is only for the forum's organizers."
    )

    organizer = make_user(lang="en", organizer=True)
    await organizer.command("/results")
    listing = await organizer.expect(en._("Results. Choose a survey:"))
    assert "Forum feedback (open): 3 responses, 2 complete" in listing.text
    assert "Session ratings: 1 rating, 1 session" in listing.text
    await organizer.press("📊 Forum feedback")
    summary = await organizer.expect("3 responses, 2 complete")
    assert "Average 4 of 5 (median 4); 3 answers" in summary.text
    assert "Non-governmental organization: 2 (67%)" in summary.text
    charts = []
    for _ in range(4):
        charts.append(await organizer.expect(lambda m: m.photo is not None))
    for chart in charts:
        png = organizer.download(chart)
        assert png.startswith(PNG_SIGNATURE)
        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG"
    await organizer.expect(en._("By stakeholder group:"))
    workbook_msg = await organizer.expect(lambda m: m.document is not None)
    assert workbook_msg.document["file_name"] == "feedback-results.xlsx"
    book = load_workbook(io.BytesIO(organizer.download(workbook_msg)))
    answers = list(book["Answers"].iter_rows(values_only=True))
    assert len(answers) == 4
    assert sorted(line[4] for line in answers[1:]) == [3, 4, 5]  # random order
    assert "User id" not in answers[0]  # anonymous
    summary_sheet = list(book["Summary"].iter_rows(values_only=True))
    assert ("How would you rate the forum overall?", "Average", 4, None) in summary_sheet
    texts = await organizer.expect(lambda m: m.document is not None)
    assert texts.document["file_name"] == "feedback-free-text.txt"
    assert "— More workshops" in organizer.download(texts).decode()
    last = await organizer.expect("CSV")
    await organizer.press("⬇️ CSV", message=last)
    table = await organizer.expect(lambda m: m.document is not None)
    assert organizer.download(table).decode("utf-8-sig").count("\n") == 4
    await organizer.press(en._("🔳 QR code"), message=last)
    qr = await organizer.expect(lambda m: m.photo is not None)
    assert qr.text.endswith("?start=survey_feedback")
    assert organizer.download(qr).startswith(PNG_SIGNATURE)
    await organizer.press(en._("⭐ Session ratings"), message=listing)
    ratings = await organizer.expect(en._("⭐ Session ratings:"))
    assert "5 ★ — 1 rating" in ratings.text


async def test_answers_survive_a_killed_bot_and_the_person_continues(
    sandbox: SandboxServer, make_user: Callable[..., SandboxUser], tmp_path: Path
) -> None:
    process = BotProcess(
        sandbox,
        tmp_path / "bot.db",
        log_path=tmp_path / "bot-process.log",
        clock_at="2018-11-14T17:00",
    )
    user = make_user(lang="ru")
    try:
        await process.start()
        await user.command("/start", "survey_feedback")
        await user.expect("Как вы в целом оцениваете форум?")
        await user.press("5⭐")
        await user.expect("Какой сектор вы представляете?")
        await user.press("СМИ")
        themes = await user.expect("Какие темы оказались для вас самыми полезными?")
        await user.press("Общественные советы", message=themes)
        await user.expect(lambda m: "☑ Общественные советы" in m.buttons)

        await process.kill()  # SIGKILL: no shutdown code runs
        await process.start()

        await user.command("/surveys")
        await user.expect("отвечено 2 из 5")
        # The old question message still works: the cursor and the ticked option survived.
        await user.press("✅ Готово", message=themes)
        await user.expect("Насколько вероятно")
        await user.send("десять")  # wrong input after the restart: hint and the question
        await user.expect("Ответьте кнопками под вопросом.")
        await user.press("10")
        await user.expect("Что нам изменить или добавить")
        await user.press("Пропустить ▶")
        done = await user.expect("Спасибо! Ваши ответы на опрос «Отзыв о форуме» сохранены.")
        assert "Общественные советы" in done.text
        assert "5" in done.text
    finally:
        await process.kill()
